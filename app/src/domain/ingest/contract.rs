//! The pieces of the ingestion contract every kind shares: the kinds, row and field errors, and
//! what a record type implements.

use serde::{Deserialize, Serialize};

use super::RawRow;

/// The record kinds of `POST /api/v1/{kind}`, serialised as their slug (`slo-measurements`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordKind {
    Teams,
    Services,
    Slos,
    SloMeasurements,
    Incidents,
    Postmortems,
    Actions,
    DrTests,
    Deployments,
    Exemptions,
    SelfAssessments,
    Alerts,
    OncallShifts,
    ToilReports,
    Remediations,
    CapacityMeasurements,
    Costs,
    SurveyResponses,
}

impl RecordKind {
    pub const ALL: [RecordKind; 18] = [
        RecordKind::Teams,
        RecordKind::Services,
        RecordKind::Slos,
        RecordKind::SloMeasurements,
        RecordKind::Incidents,
        RecordKind::Postmortems,
        RecordKind::Actions,
        RecordKind::DrTests,
        RecordKind::Deployments,
        RecordKind::Exemptions,
        RecordKind::SelfAssessments,
        RecordKind::Alerts,
        RecordKind::OncallShifts,
        RecordKind::ToilReports,
        RecordKind::Remediations,
        RecordKind::CapacityMeasurements,
        RecordKind::Costs,
        RecordKind::SurveyResponses,
    ];

    /// The path segment, e.g. `slo-measurements`.
    pub fn slug(self) -> &'static str {
        match self {
            RecordKind::Teams => "teams",
            RecordKind::Services => "services",
            RecordKind::Slos => "slos",
            RecordKind::SloMeasurements => "slo-measurements",
            RecordKind::Incidents => "incidents",
            RecordKind::Postmortems => "postmortems",
            RecordKind::Actions => "actions",
            RecordKind::DrTests => "dr-tests",
            RecordKind::Deployments => "deployments",
            RecordKind::Exemptions => "exemptions",
            RecordKind::SelfAssessments => "self-assessments",
            RecordKind::Alerts => "alerts",
            RecordKind::OncallShifts => "oncall-shifts",
            RecordKind::ToilReports => "toil-reports",
            RecordKind::Remediations => "remediations",
            RecordKind::CapacityMeasurements => "capacity-measurements",
            RecordKind::Costs => "costs",
            RecordKind::SurveyResponses => "survey-responses",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// The accepted field names, natural key first.
    pub fn fields(self) -> &'static [&'static str] {
        super::kinds::fields_of(self)
    }

    /// Whether records of this kind are keyed by `(source, external_id)`.
    pub fn has_external_id(self) -> bool {
        self.fields().first() == Some(&"external_id")
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}

/// One problem with one field of one row. `row` counts from 1 (the CSV header is not a row);
/// `None` means the problem is with the body's columns as a whole (an unknown CSV header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowError {
    pub row: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

/// A problem with a field, before it is tied to a row number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Option<String>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError { field: Some(field.to_owned()), message: message.into() }
    }

    pub fn at_row(self, row: u64) -> RowError {
        RowError { row: Some(row), field: self.field, message: self.message }
    }
}

/// A typed record that can be read from a raw row.
pub trait IngestRecord: Sized + Send + 'static {
    const KIND: RecordKind;

    /// Parses and validates every field, reporting all problems, not just the first.
    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>>;

    /// The external id other records of the same kind may reference, if any.
    fn external_key(&self) -> Option<&str> {
        None
    }

    /// A reference to another record of the same kind (an incident's `repeat_of`), which may
    /// point at a row earlier in the same request.
    fn same_kind_reference(&self) -> Option<&str> {
        None
    }
}
