//! Light, dark, or the system's theme: chosen with a switch in the header, kept in a cookie so
//! the server renders the chosen theme from the first byte (no flash), applied as
//! `<html data-theme=…>`, which the stylesheet reads.

use leptos::prelude::*;

pub const COOKIE: &str = "plumbline-theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn parse(text: &str) -> Theme {
        match text.trim() {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The `data-theme` value; none for the system's.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Theme::System => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }
}

/// The theme in a `Cookie` header's value.
pub fn from_cookie_header(header: &str) -> Theme {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map_or(Theme::System, |(_, value)| Theme::parse(value))
}

/// The theme this request (on the server) or this document (in the browser) asked for.
pub fn current() -> Theme {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts.headers.get(http::header::COOKIE).and_then(|v| v.to_str().ok()).map(from_cookie_header)
            })
            .unwrap_or(Theme::System)
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use wasm_bindgen::JsCast;
        document()
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()
            .and_then(|d| d.cookie().ok())
            .map_or(Theme::System, |c| from_cookie_header(&c))
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Theme::System
    }
}

/// Applies `theme` to the open document and remembers it for a year.
fn apply(theme: Theme) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(root) = document().document_element() {
            let _ = match theme.attribute() {
                Some(value) => root.set_attribute("data-theme", value),
                None => root.remove_attribute("data-theme"),
            };
        }
        if let Ok(html) = document().dyn_into::<web_sys::HtmlDocument>() {
            let cookie = match theme.attribute() {
                Some(value) => format!("{COOKIE}={value}; Path=/; Max-Age=31536000; SameSite=Lax"),
                None => format!("{COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
            };
            let _ = html.set_cookie(&cookie);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = theme;
}

#[island]
pub fn ThemeSwitch() -> impl IntoView {
    let theme = RwSignal::new(current());
    let switch = move |_| {
        let next = theme.get_untracked().next();
        apply(next);
        theme.set(next);
    };
    view! {
        <button type="button" class="theme-switch" on:click=switch title="Switch between the system's, light and dark themes">
            {move || theme.get().label()}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_names_the_theme_and_anything_else_means_the_systems() {
        assert_eq!(from_cookie_header("a=b; plumbline-theme=dark; c=d"), Theme::Dark);
        assert_eq!(from_cookie_header("plumbline-theme=light"), Theme::Light);
        assert_eq!(from_cookie_header("plumbline-theme=purple"), Theme::System);
        assert_eq!(from_cookie_header(""), Theme::System);
        assert_eq!(Theme::Dark.next().next().next(), Theme::Dark);
        assert_eq!(Theme::System.attribute(), None);
    }
}
