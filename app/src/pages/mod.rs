//! One module per page; each page `S` has its wire types and server functions in
//! `crate::api` (`app/src/api/S.rs`), its port in `crate::ports` and its server side in
//! `server/src/pages/S.rs`.

pub mod access;
pub mod audit;
pub mod campaigns;
pub mod drill_down;
pub mod evidence;
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
