//! A service's level as a badge: the word carries the meaning, the colour repeats it.

use leptos::prelude::*;

use crate::domain::scorecard::Level;

pub fn level_badge(level: Option<Level>) -> impl IntoView {
    let (class, text) = match level {
        Some(Level::Gold) => ("badge level level-gold", "Gold"),
        Some(Level::Silver) => ("badge level level-silver", "Silver"),
        Some(Level::Bronze) => ("badge level level-bronze", "Bronze"),
        None => ("badge level level-none", "Below Bronze"),
    };
    view! { <span class=class>{text}</span> }
}
