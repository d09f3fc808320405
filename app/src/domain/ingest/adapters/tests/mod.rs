//! Adapter tests: the sample files under `server/tests/fixtures/adapters/` converted into
//! native rows that the native readers accept, and every error path the rules promise; one
//! file per adapter, the shared helpers and the cross-adapter tests (options, detection,
//! robustness) here.

mod fixtures;
mod general;
mod openslo;
mod pagerduty;
mod statuspage;

use fixtures::*;
use serde_json::{Value, json};

use super::*;
use crate::domain::ingest::IngestRecord;
use crate::domain::records::{ServiceInput, Severity, SloInput};
