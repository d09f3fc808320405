//! Audit evidence packs (docs/evidence-pack.md): a ZIP of the window's populations as CSV, with a
//! README, a manifest, SHA256SUMS and the control mapping, streamed as it is built. Each
//! population is streamed from the database and compressed as it goes, from one consistent
//! snapshot, so memory stays flat whatever the window; the same request over unchanged data
//! gives the same file hashes.
//!
//! The download is written to the audit trail, with the pack's SHA-256, before its last bytes
//! are sent: a pack that reached anyone complete is always on record.

mod capacity;
pub mod cli;
pub mod control_tests;
mod deliver;
mod layout;
mod oncall;
mod pack;
mod populations;
mod sample;
mod texts;
pub mod verify;
mod writer;
pub mod zip;

pub use deliver::*;
