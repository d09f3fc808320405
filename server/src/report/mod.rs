//! The quarterly executive report: built from the KPI engine for a quarter, or read back from
//! the quarter's published snapshot (then it never changes), and rendered as a PDF in [`pdf`].

pub mod pdf;
mod pdf_text;
pub mod publication;
mod quarterly;
pub mod snapshots;

pub use quarterly::*;
