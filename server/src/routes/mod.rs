//! Routes that are not server functions: the REST API, health checks and the sign-in flow.
//!
//! Every route is declared once in [`api_routes`] with the access it requires; the router is
//! built from that list and the authorization gate ([`middleware`]) reads the same
//! list, so a route cannot exist without an access rule. Anything the list does not name fails
//! closed: server functions (`/api/…`) and pages need read access, anything else the admin role.

mod alertmanager;
mod audit;
mod campaigns;
mod evidence;
mod forecast;
mod health;
mod history;
mod identity;
mod ingest;
mod jobs;
mod kpis;
mod list;
mod metrics;
pub mod middleware;
mod notifications;
pub mod openapi;
pub mod reports;
mod snapshots;
mod table;

pub use table::*;
