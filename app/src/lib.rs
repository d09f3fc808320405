//! Plumbline's Leptos application: pages, components, server functions and the pure domain.

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
pub mod router;

/// Server-only code (ports implemented by the server crate), behind the one `ssr` gate.
#[cfg(feature = "ssr")]
pub mod ports;

pub use router::{App, shell};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Islands: the pages are server-rendered HTML; only the interactive parts ship as WASM.
    leptos::mount::hydrate_islands();
}
