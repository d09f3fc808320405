//! Import adapters: files in formats teams already have, converted into the native ingestion
//! rows of docs/ingestion.md, so they take the same validation and write path as any other import.
//!
//! Pure: no IO and no clock. Each adapter reads a whole file and returns native rows; the
//! native readers (`IncidentInput`, `SloInput`, `ServiceInput`) still validate every row.
//!
//! Rules shared by every adapter (each adapter module documents its own mapping):
//! - **Honest**: a source value the native model cannot hold is a row error saying how to fix
//!   it, never silently changed; a source field no rule reads is listed in a note.
//! - **Service matching** (Statuspage component names, PagerDuty `service_name`, OpenSLO
//!   `spec.service`): `service_map` first (case-insensitive key), else the known service whose
//!   slug or name equals the text case-insensitively; otherwise a row error naming the text and
//!   the `service_map=NAME=SLUG` option (OpenSLO may instead create the service, see there).
//! - **Severity**: `severity_map` (case-insensitive key) first, then the adapter's defaults.
//! - **Errors**: a file that cannot be read as a whole (bad JSON/YAML/CSV, wrong top-level
//!   shape) is a [`FormatError`] giving the line and column or the JSON path; a problem with
//!   one source object is a [`RowError`] for that object (one per object, listing every
//!   problem), `field` being the source path such as `incidents[2].components[0].name`.
//! - **Timestamps** are written as RFC 3339 UTC with at most microsecond precision (what the
//!   database keeps). Input needs an explicit offset: RFC 3339, or the export variants
//!   `2026-07-01 12:00:00 +0200`, `2026-07-01 12:00:00+02:00` and `2026-07-01 12:00:00 UTC`.

mod budget;
mod convert;
mod formats;
mod openslo;
mod pagerduty;
mod reading;
mod statuspage;
#[cfg(test)]
mod tests;

use super::fields::type_name;
use super::{DecodedRow, FormatError, RawRow, RecordKind, RowError};
use convert::{Context, unmapped_service};
pub use convert::{Converted, KnownService, convert, convert_to};
pub use formats::{Adapter, AdapterOptions};
use reading::*;
