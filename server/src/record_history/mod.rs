//! Record history and "as known at" (docs/as-known-at.md): an import keeps the version of a
//! record it replaces ([`keep`]); a computation "as known at" an instant reads the records
//! through temporary views that put each record's version of that instant in place of its
//! table ([`known_at`]); a published period's restatements list what changed since
//! ([`restatements`]).

mod keep;
pub mod known_at;
pub mod restatements;

pub use keep::{keep, monotonic_updated_at};

use sea_orm::{EntityTrait, IdenStatic, Iterable};

use crate::entities::{
    alert, capacity_measurement, cost, deployment, dr_test, exemption, incident, oncall_shift, postmortem,
    postmortem_action, remediation, self_assessment, service, slo, slo_measurement, survey_response, team, toil_report,
};

/// One table whose records are versioned: its name and columns, as the entity declares them.
pub struct Versioned {
    pub table: &'static str,
    pub columns: Vec<&'static str>,
}

fn versioned<E: EntityTrait>() -> Versioned {
    Versioned { table: E::default().table_name(), columns: E::Column::iter().map(|c| c.as_str()).collect() }
}

/// Every record table an import writes. Incidents' services (`incident_service`) are kept
/// inside the incident's version, as `service_ids`.
pub fn tables() -> Vec<Versioned> {
    vec![
        versioned::<team::Entity>(),
        versioned::<service::Entity>(),
        versioned::<slo::Entity>(),
        versioned::<slo_measurement::Entity>(),
        versioned::<incident::Entity>(),
        versioned::<postmortem::Entity>(),
        versioned::<postmortem_action::Entity>(),
        versioned::<dr_test::Entity>(),
        versioned::<deployment::Entity>(),
        versioned::<exemption::Entity>(),
        versioned::<self_assessment::Entity>(),
        versioned::<alert::Entity>(),
        versioned::<oncall_shift::Entity>(),
        versioned::<toil_report::Entity>(),
        versioned::<remediation::Entity>(),
        versioned::<capacity_measurement::Entity>(),
        versioned::<cost::Entity>(),
        versioned::<survey_response::Entity>(),
    ]
}

/// The table holding an incident's services, rebuilt from `service_ids` in its versions.
const INCIDENT_SERVICES: &str = "incident_service";
