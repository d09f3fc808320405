//! Pure domain code: typed records, their parsers and (later) the KPI and scorecard logic.
//! Nothing here performs IO or reads the clock, so it is tested without a database.

pub mod access;
pub mod audit;
pub mod evidence;
pub mod ingest;
pub mod kpi;
pub mod overview;
pub mod records;
pub mod report;
pub mod scorecard;
