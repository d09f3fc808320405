//! Integration tests through the HTTP API, each run on Postgres and on SQLite.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed step should fail the test loudly

mod access;
mod access_pages;
mod adapters;
mod alerts;
mod audit;
mod calendar;
mod campaigns;
mod control_tests;
mod drill_down;
mod evidence;
mod forecast;
mod fuzz;
mod hardening;
mod helpers;
mod history;
mod import_page;
mod ingest_formats;
mod ingest_rules;
mod jobs;
mod kpis;
mod listing;
mod metrics;
mod notifications;
mod oncall;
mod replicas;
mod reports;
mod samples;
mod self_assessments;
mod service_page;
mod services_page;
mod signed_packs;
mod stored_figures;
mod summary_pages;
mod waivers;
mod warm_figures;
