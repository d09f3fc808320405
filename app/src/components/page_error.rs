//! The one way a page shows that its data could not be loaded: the error, and (when rendered on
//! the server) the HTTP status it stands for, so a missing team is a 404 and a refusal a 403.

use leptos::prelude::*;

use crate::error::AppError;

/// A page's data could not be loaded: the error, with the HTTP status it stands for.
#[component]
pub fn PageError(
    error: AppError,
    /// The page's heading, when the page has not shown one already.
    #[prop(optional, into)]
    title: Option<String>,
    /// Where the way out leads (default: the overview).
    #[prop(optional, into)]
    back: Option<(String, String)>,
) -> impl IntoView {
    let (back_href, back_label) = back.unwrap_or_else(|| ("/".to_owned(), "Go to the overview".to_owned()));
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status())
    {
        response.set_status(status);
    }
    view! {
        <section class="panel">
            {title.map(|title| view! { <h1>{title}</h1> })}
            <p class="error" role="alert">{error.to_string()}</p>
            <p><a href=back_href>{back_label}</a></p>
        </section>
    }
}
