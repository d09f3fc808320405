//! Identity and access (docs/access-and-audit.md): who a request comes from ([`resolve`]),
//! whether it may do what it asks (the gate in `crate::routes::middleware`), database-backed
//! sessions, API tokens, and OpenID Connect sign-in.
//!
//! Two modes. With no identity provider configured the server runs in **local mode**: it only
//! binds to loopback and every browser request acts as the single local admin. With an OpenID
//! Connect provider configured, requests are anonymous until they carry a session cookie (from
//! signing in) or an API token (`Authorization: Bearer …`).

pub mod cli;
pub mod client_address;
pub mod csrf;
pub mod manage;
pub mod oidc;
pub mod oidc_client;
pub mod rate_limit;
pub mod resolve;
pub mod sessions;
mod settings;
pub mod tokens;

pub use settings::*;
