//! Schema migrations, applied at startup and by `plumbline migrate`. Append-only once landed.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_records;
mod m20261126_000002_measurement_integrity_triggers;
mod m20261126_000003_create_exemptions;
mod m20261126_000004_create_snapshots;
mod m20261126_000005_create_audit_events;
mod m20261126_000006_create_identity;
mod m20261127_000007_create_self_assessments;
mod m20261127_000008_incident_timeline;
mod m20261127_000009_create_waiver_requests;
mod m20261204_000010_approval_origin;
mod m20261204_000011_data_version;
mod m20261204_000012_user_disabled;
mod m20261204_000013_token_local_mode;
mod m20261205_000014_create_jobs;
mod m20261205_000015_data_change;
mod m20261205_000016_rate_window;
mod m20261205_000017_stored_figure;
mod m20261205_000018_alerts_and_shifts;
mod m20261205_000019_team_time_zone;
mod m20261205_000020_create_campaigns;
mod m20261205_000021_create_notifications;
mod m20261205_000022_create_audit_checkpoints;
mod m20261205_000023_deployment_approvals;
mod m20261205_000024_create_sample_reviews;
mod m20261205_000025_record_history;
mod m20261206_000026_recovery_objectives;
mod m20261206_000027_prometheus_pulls;
mod m20261206_000028_toil_reports;
mod m20261206_000029_remediations;
mod m20261206_000030_capacity_measurements;
mod m20261206_000031_costs;
mod m20261206_000032_survey_responses;
mod m20261206_000033_slo_calendar_windows;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_records::Migration),
            Box::new(m20261126_000002_measurement_integrity_triggers::Migration),
            Box::new(m20261126_000003_create_exemptions::Migration),
            Box::new(m20261126_000004_create_snapshots::Migration),
            Box::new(m20261126_000005_create_audit_events::Migration),
            Box::new(m20261126_000006_create_identity::Migration),
            Box::new(m20261127_000007_create_self_assessments::Migration),
            Box::new(m20261127_000008_incident_timeline::Migration),
            Box::new(m20261127_000009_create_waiver_requests::Migration),
            Box::new(m20261204_000010_approval_origin::Migration),
            Box::new(m20261204_000011_data_version::Migration),
            Box::new(m20261204_000012_user_disabled::Migration),
            Box::new(m20261204_000013_token_local_mode::Migration),
            Box::new(m20261205_000014_create_jobs::Migration),
            Box::new(m20261205_000015_data_change::Migration),
            Box::new(m20261205_000016_rate_window::Migration),
            Box::new(m20261205_000017_stored_figure::Migration),
            Box::new(m20261205_000018_alerts_and_shifts::Migration),
            Box::new(m20261205_000019_team_time_zone::Migration),
            Box::new(m20261205_000020_create_campaigns::Migration),
            Box::new(m20261205_000021_create_notifications::Migration),
            Box::new(m20261205_000022_create_audit_checkpoints::Migration),
            Box::new(m20261205_000023_deployment_approvals::Migration),
            Box::new(m20261205_000024_create_sample_reviews::Migration),
            Box::new(m20261205_000025_record_history::Migration),
            Box::new(m20261206_000026_recovery_objectives::Migration),
            Box::new(m20261206_000027_prometheus_pulls::Migration),
            Box::new(m20261206_000028_toil_reports::Migration),
            Box::new(m20261206_000029_remediations::Migration),
            Box::new(m20261206_000030_capacity_measurements::Migration),
            Box::new(m20261206_000031_costs::Migration),
            Box::new(m20261206_000032_survey_responses::Migration),
            Box::new(m20261206_000033_slo_calendar_windows::Migration),
        ]
    }
}
