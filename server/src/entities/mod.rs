//! SeaORM entities, one per table. They stay inside the server: repositories and services map
//! them to domain and API types, so they never cross the wire.

pub mod api_token;
pub mod app_user;
pub mod audit_event;
pub mod deployment;
pub mod dr_test;
pub mod exemption;
pub mod import_batch;
pub mod incident;
pub mod incident_service;
pub mod login_state;
pub mod postmortem;
pub mod postmortem_action;
pub mod role_grant;
pub mod scorecard_snapshot;
pub mod self_assessment;
pub mod service;
pub mod slo;
pub mod slo_measurement;
pub mod team;
pub mod team_membership;
pub mod user_session;
pub mod waiver_request;

/// Records that carry provenance: on re-import the stored values of these fields are kept when
/// nothing else changed, so that "unchanged" can be decided by plain equality.
pub trait Provenance {
    fn adopt_provenance(&mut self, stored: &Self);
}

macro_rules! provenance {
    ($($module:ident),+) => {
        $(impl Provenance for $module::Model {
            fn adopt_provenance(&mut self, stored: &Self) {
                self.id = stored.id;
                self.import_batch_id = stored.import_batch_id;
                self.created_at = stored.created_at;
                self.updated_at = stored.updated_at;
            }
        })+
    };
}

provenance!(
    team,
    service,
    slo,
    slo_measurement,
    incident,
    postmortem,
    postmortem_action,
    dr_test,
    deployment,
    exemption,
    self_assessment
);
