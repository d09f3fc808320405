//! The sample files and the helpers every adapter test uses.

use serde_json::Value;

use super::super::*;
use crate::domain::ingest::{Cell, IngestRecord, RowError};
use crate::domain::records::IncidentInput;

pub(super) const OPENSLO: &str = include_str!("../../../../../../server/tests/fixtures/adapters/openslo.yaml");
pub(super) const STATUSPAGE: &str = include_str!("../../../../../../server/tests/fixtures/adapters/statuspage.json");
pub(super) const STATUSPAGE_BARE: &str =
    include_str!("../../../../../../server/tests/fixtures/adapters/statuspage-bare.json");
pub(super) const STATUSPAGE_UNMAPPED: &str =
    include_str!("../../../../../../server/tests/fixtures/adapters/statuspage-unmapped.json");
pub(super) const PAGERDUTY_JSON: &str = include_str!("../../../../../../server/tests/fixtures/adapters/pagerduty.json");
pub(super) const PAGERDUTY_CSV: &str = include_str!("../../../../../../server/tests/fixtures/adapters/pagerduty.csv");

pub(super) fn known() -> Vec<KnownService> {
    [("checkout-api", "Checkout API"), ("payments", "Payments"), ("search", "Search")]
        .into_iter()
        .map(|(slug, name)| KnownService { slug: slug.into(), name: name.into() })
        .collect()
}

pub(super) fn run(adapter: Adapter, text: &str, options: &AdapterOptions) -> Converted {
    convert(adapter, text.as_bytes(), options, &known()).expect("the file is readable")
}

pub(super) fn options(severity: &str, service: &str, column: &str, team: &str) -> AdapterOptions {
    AdapterOptions::from_texts(severity, service, column, team).expect("valid options")
}

/// A row's cells as one JSON object, to compare with a literal.
pub(super) fn json_of(row: &RawRow) -> Value {
    let cells = row.cells.iter().map(|(name, cell)| {
        let value = match cell {
            Cell::Json(value) => value.clone(),
            Cell::Text(text) => Value::String(text.clone()),
        };
        (name.clone(), value)
    });
    Value::Object(cells.collect())
}

pub(super) fn ok(row: &DecodedRow) -> &RawRow {
    row.as_ref().unwrap_or_else(|e| panic!("expected a row, got {e:?}"))
}

pub(super) fn err(row: &DecodedRow) -> &RowError {
    row.as_ref().err().unwrap_or_else(|| panic!("expected an error, got {row:?}"))
}

/// Reads an incident row natively. Tolerates exactly an "unknown field 'timeline'" error,
/// for a native reader that does not know timelines yet.
pub(super) fn native_incident(row: &RawRow) -> IncidentInput {
    match IncidentInput::from_row(row) {
        Ok(incident) => incident,
        Err(errors) if errors.iter().all(|e| e.message.starts_with("unknown field 'timeline'")) => {
            let mut without = row.clone();
            without.cells.retain(|(name, _)| name != "timeline");
            IncidentInput::from_row(&without).unwrap_or_else(|e| panic!("row {}: {e:?}", row.number))
        }
        Err(errors) => panic!("row {} is not a valid native incident: {errors:?}", row.number),
    }
}
