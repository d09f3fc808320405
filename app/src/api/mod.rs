//! Wire types and server functions, one module per page (`app/src/pages/<page>.rs` shows it,
//! `app/src/ports/<page>.rs` is its port, `server/src/pages/<page>.rs` implements the port).
//! Server functions are a public HTTP API like any other: thin, entering with the access they
//! need and calling their port.

mod access;
mod audit;
mod campaigns;
mod drill_down;
mod evidence;
mod import;
mod jobs;
mod kpis;
mod notifications;
mod oncall;
mod overview;
mod period;
mod readiness;
mod report;
mod reports;
mod restatements;
mod samples;
mod service;
mod services;
mod team;
mod teams;
mod tokens;
mod viewer;
mod waivers;

pub use access::*;
pub use audit::*;
pub use campaigns::*;
pub use drill_down::*;
pub use evidence::*;
pub use import::*;
pub use jobs::*;
pub use kpis::*;
pub use notifications::*;
pub use oncall::*;
pub use overview::*;
pub use period::*;
pub use readiness::*;
pub use report::*;
pub use reports::*;
pub use restatements::*;
pub use samples::*;
pub use service::*;
pub use services::*;
pub use team::*;
pub use teams::*;
pub use tokens::*;
pub use viewer::*;
pub use waivers::*;
