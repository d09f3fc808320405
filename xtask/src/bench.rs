//! `cargo xtask bench-ingest [--rows N]`: ingestion throughput benchmark.
//!
//! NOT IMPLEMENTED YET: a stub kept so the command and its flag exist. The lead engineer
//! will write it.

use std::process::ExitCode;

use crate::util::Paths;

pub fn bench_ingest(_paths: &Paths, rows: u64) -> ExitCode {
    println!("bench-ingest ({rows} rows): not implemented yet");
    ExitCode::from(2)
}
