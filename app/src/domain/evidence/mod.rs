//! Audit evidence packs (docs/evidence-pack.md): what an auditor asks for (window, filters, samples), the
//! populations a pack holds and the rule that selects each, and which controls they evidence.
//! Producing the pack is the server's job; everything here is pure.

mod controls;
mod population;
mod request;

pub use controls::{CONTROL_MAPPING, ControlEvidence};
pub use population::Population;
pub use request::{EvidenceRequest, EvidenceRequestError, SAMPLING_METHOD};

/// The version of the pack's layout (files, columns, selection rules).
pub const EVIDENCE_FORMAT: &str = "plumbline-evidence/1";

/// The largest sample an auditor may ask for from one population.
pub const MAX_SAMPLE: u32 = 10_000;
