//! Page sections kept as the HTML they rendered to, one per section, for as long as the
//! figures they show are the same. On a large organisation the overview's sections below its
//! header are a 140 KB page rendered from figures that change only when they are recomputed;
//! rendering them for every reader was most of a request's work.
//!
//! The server numbers each derivation of a page's figures (`generation`); the same number is
//! the same figures, so the same HTML. Everything a reader sees that can differ between two
//! readers of the same figures (the header: as-of, "newer figures are being computed", the
//! viewer) is rendered per request, outside what is kept.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Sections kept at most, then all are dropped. Keys are pages, teams and periods: two per
/// team page viewed and period; a kept section is tens of kilobytes (the overview's 140).
const CAPACITY: usize = 512;

/// A section's HTML, with the generation of figures it shows.
type Kept = (u64, Arc<str>);

/// The HTML last rendered for each section.
static KEPT: LazyLock<Mutex<HashMap<String, Kept>>> = LazyLock::new(Mutex::default);

/// The HTML of section `key` showing figures of `generation`: the kept one, or `render`'s,
/// which is then kept in place of the section's older one.
pub fn rendered_html(key: &str, generation: u64, render: impl FnOnce() -> String) -> Arc<str> {
    let kept = KEPT
        .lock()
        .ok()
        .and_then(|kept| kept.get(key).filter(|(of, _)| *of == generation).map(|(_, html)| Arc::clone(html)));
    if let Some(html) = kept {
        return html;
    }
    // Rendered without the lock held: readers of other sections are not made to wait for it.
    let html: Arc<str> = render().into();
    if let Ok(mut kept) = KEPT.lock() {
        if kept.len() >= CAPACITY && !kept.contains_key(key) {
            kept.clear();
        }
        // A reader of an older generation finishing late must not replace a newer one.
        let newer_kept = kept.get(key).is_some_and(|(of, _)| *of > generation);
        if !newer_kept {
            kept.insert(key.to_owned(), (generation, Arc::clone(&html)));
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::rendered_html;

    #[test]
    fn a_section_is_rendered_again_only_for_other_figures() {
        let mut renders = 0;
        let mut render = |html: &str| {
            renders += 1;
            html.to_owned()
        };
        assert_eq!(&*rendered_html("test-a", 5, || render("five")), "five");
        assert_eq!(&*rendered_html("test-a", 5, || render("not rendered")), "five");
        assert_eq!(&*rendered_html("test-a", 6, || render("six")), "six");
        // An older generation is rendered for its reader, and does not replace the newer one.
        assert_eq!(&*rendered_html("test-a", 5, || render("five again")), "five again");
        assert_eq!(&*rendered_html("test-a", 6, || render("not rendered")), "six");
        assert_eq!(&*rendered_html("test-b", 6, || render("other section")), "other section");
        assert_eq!(renders, 4);
    }
}
