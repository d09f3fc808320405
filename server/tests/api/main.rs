//! Integration tests through the HTTP API, each run on Postgres and on SQLite.

mod helpers;
mod ingest_formats;
mod ingest_rules;
mod listing;
