//! SeaORM entities, one per table. They stay inside the server: repositories and services map
//! them to domain and API types, so they never cross the wire.

pub mod alert;
pub mod api_token;
pub mod app_user;
pub mod audit_checkpoint;
pub mod audit_event;
pub mod campaign;
pub mod campaign_point;
pub mod capacity_measurement;
pub mod cost;
pub mod deployment;
pub mod dr_test;
pub mod exemption;
pub mod import_batch;
pub mod incident;
pub mod incident_service;
pub mod job;
pub mod login_state;
pub mod notification;
pub mod oncall_shift;
pub mod postmortem;
pub mod postmortem_action;
pub mod prometheus_pull;
pub mod remediation;
pub mod review_sample;
pub mod role_grant;
pub mod sample_item;
pub mod scorecard_snapshot;
pub mod self_assessment;
pub mod service;
pub mod slo;
pub mod slo_measurement;
pub mod subscription;
pub mod survey_response;
pub mod team;
pub mod team_membership;
pub mod toil_report;
pub mod user_session;
pub mod waiver_request;

mod provenance;
pub use provenance::Provenance;
