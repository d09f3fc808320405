//! The `cargo xtask bench-*` commands: each starts a real server and measures it against a
//! baseline in the same run (see README.md, "Benchmark").

pub mod evidence;
pub mod ingest;
pub mod kpis;
pub mod pages;
mod server;
