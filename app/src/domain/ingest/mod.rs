//! The ingestion contract of docs/ingestion.md, minus the IO: body framing (JSON array, NDJSON,
//! CSV) into raw rows, and raw rows into typed records with every field problem reported.

pub mod adapters;
pub mod alertmanager;
mod contract;
mod fields;
pub mod framing;
mod kinds;
pub mod prometheus;

pub use contract::{FieldError, IngestRecord, RecordKind, RowError};
pub use fields::{Cell, RawRow};
pub use framing::{BodyFormat, DecodedRow, Decoder, FormatError};
pub use kinds::unknown_fields;
