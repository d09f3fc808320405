//! Server-side ports: one trait per page, implemented by the server crate (`server/src/pages/`)
//! and handed to server functions as Leptos context, so the pages reach the database without
//! this crate knowing SeaORM; and the HTML of page sections kept per generation of their figures
//! (`rendered`). Compiled only with `ssr`.

mod access;
mod audit;
mod campaigns;
mod context;
mod drill_down;
mod evidence;
mod import;
mod jobs;
mod kpis;
mod notifications;
mod oncall;
mod overview;
mod readiness;
mod rendered;
mod report;
mod reports;
mod restatements;
mod samples;
mod service;
mod services;
mod team;
mod teams;
mod tokens;
mod waivers;

pub use access::*;
pub use audit::*;
pub use campaigns::*;
pub use context::*;
pub use drill_down::*;
pub use evidence::*;
pub use import::*;
pub use jobs::*;
pub use kpis::*;
pub use notifications::*;
pub use oncall::*;
pub use overview::*;
pub use readiness::*;
pub use rendered::rendered_html;
pub use report::*;
pub use reports::*;
pub use restatements::*;
pub use samples::*;
pub use service::*;
pub use services::*;
pub use team::*;
pub use teams::*;
pub use tokens::*;
pub use waivers::*;
