//! Pure domain code: typed records and their parsers, the KPI engine, scorecards, reports and evidence.
//! Nothing here performs IO or reads the clock, so it is tested without a database.

pub mod access;
pub mod audit;
pub mod campaign;
pub mod evidence;
pub mod executive_summary;
pub mod format;
pub mod ingest;
pub mod jobs;
pub mod kpi;
pub mod notify;
pub mod overview;
pub mod publication;
pub mod records;
pub mod report;
pub mod restatement;
pub mod scorecard;
