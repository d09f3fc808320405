//! Audit evidence packs (docs/evidence-pack.md): what an auditor asks for (window, filters, samples), the
//! populations a pack holds and the rule that selects each, and which controls they evidence.
//! Producing the pack is the server's job; everything here is pure.

pub mod control_tests;
#[cfg(test)]
mod control_tests_tests;
mod controls;
mod population;
mod request;
pub mod samples;

pub use controls::{CONTROL_MAPPING, ControlEvidence, ControlSummary, control_summary};
pub use population::Population;
pub use request::{EVIDENCE_FORMAT, EvidenceRequest, EvidenceRequestError, MAX_SAMPLE, SAMPLING_METHOD};
