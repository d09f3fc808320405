//! Keeping stored provenance on re-import.

use super::{
    alert, capacity_measurement, cost, deployment, dr_test, exemption, incident, oncall_shift, postmortem,
    postmortem_action, remediation, self_assessment, service, slo, slo_measurement, survey_response, team, toil_report,
};

/// Records that carry provenance: on re-import the stored values of these fields are kept when
/// nothing else changed, so that "unchanged" can be decided by plain equality.
pub trait Provenance {
    fn adopt_provenance(&mut self, stored: &Self);
    /// The stored row's id (its versions in `record_history` are kept under it).
    fn record_id(&self) -> i64;
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
            fn record_id(&self) -> i64 {
                self.id
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
    self_assessment,
    alert,
    oncall_shift,
    toil_report,
    remediation,
    capacity_measurement,
    cost,
    survey_response
);
