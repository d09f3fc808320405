//! The server side of each page: `server/src/pages/S.rs` implements the port
//! `app::ports::S` for the page `app/src/pages/S.rs`. Pages use the feature services (figures,
//! ingestion, auth, audit) and never each other or the REST routes.

pub mod access;
pub mod audit;
pub mod campaigns;
pub mod drill_down;
pub mod evidence;
mod header;
pub mod import;
pub mod jobs;
pub mod kpis;
pub mod notifications;
pub mod oncall;
pub mod overview;
pub mod readiness;
pub mod report;
pub mod reports;
pub mod restatements;
pub mod samples;
pub mod service;
pub mod services;
pub mod team;
pub mod teams;
pub mod tokens;
pub mod waivers;
