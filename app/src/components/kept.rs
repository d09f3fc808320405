//! A page section the server renders once per generation of the figures it shows
//! (`ports::rendered_html`), not once per reader.

use leptos::prelude::*;

/// `render`'s section, as HTML kept under `key` for figures of `generation` (the server
/// numbers each derivation of a page's figures; 0: not numbered, rendered every time).
///
/// With islands, only islands run in the browser: a kept section is never hydrated, so it can
/// be written as plain HTML. It sits in a `display: contents` wrapper, so the page's layout is
/// the same as without it.
pub fn kept_section<V: IntoView + 'static>(key: &str, generation: u64, render: impl FnOnce() -> V) -> AnyView {
    #[cfg(feature = "ssr")]
    if generation != 0 {
        let html = crate::ports::rendered_html(key, generation, || render().into_view().to_html());
        return view! { <div class="kept" inner_html=html></div> }.into_any();
    }
    let _ = (key, generation);
    render().into_any()
}
