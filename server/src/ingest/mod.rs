//! Ingestion service (docs/ingestion.md): one code path for the REST API, the CLI and demo data.

mod capacity;
mod costs;
mod entry;
mod handle;
mod kinds;
mod oncall;
mod ownership;
mod pipeline;
mod receive;
mod refs;
mod remediations;
mod request;
mod run;
mod spec;
mod surveys;
mod toil;

pub use entry::*;
pub use handle::Ingestion;
pub use pipeline::Counts;
pub use receive::{AdapterLimits, ByteStream, Spooled};
pub use request::*;
