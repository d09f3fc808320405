//! What every page carries: who is signed in (with a way out), the local-mode banner, and on
//! the server the Content-Security-Policy header with this response's script nonce.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::{Viewer, get_viewer};
use crate::error::AppError;

/// Who is looking, fetched once per page and shared by the header, the banner and the navigation.
#[derive(Clone, Copy)]
pub struct ViewerResource(Resource<Result<Option<Viewer>, AppError>>);

/// Starts fetching the viewer and provides it to the page's chrome.
pub fn provide_viewer() {
    provide_context(ViewerResource(Resource::new_blocking(|| (), |_| get_viewer())));
}

// Contexts (the viewer, the router's location) are looked up in each component's body, never
// inside a `Suspend`: a context lookup while a Suspense resolves can deadlock Leptos's
// server-side rendering (leptos-rs/leptos#4673; seen here hanging a test).

/// The page's viewer resource, looked up while the component is set up.
fn viewer_resource() -> Option<ViewerResource> {
    use_context::<ViewerResource>()
}

/// The viewer, once known; `None` when signed out or not provided.
async fn viewer(resource: Option<ViewerResource>) -> Option<Viewer> {
    resource?.0.await.ok().flatten()
}

/// A header link, marked `aria-current="page"` on its page and the pages below it. A plain
/// anchor rather than the router's `<A>` (which looks up the router inside the Suspense); the
/// router still turns its clicks into client-side navigation.
#[component]
fn NavLink(href: &'static str, path: Memo<String>, children: Children) -> impl IntoView {
    let current = move || {
        path.with(|path| path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
            .then_some("page")
    };
    view! { <a href=href aria-current=current>{children()}</a> }
}

/// The signed-in user and sign-out, or the local-mode notice.
#[component]
pub fn ViewerBar() -> impl IntoView {
    let resource = viewer_resource();
    let path = use_location().pathname;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { viewer(resource).await.map(|viewer| view! { <ViewerInfo viewer path/> }) })}
        </Suspense>
    }
}

#[component]
fn ViewerInfo(viewer: Viewer, path: Memo<String>) -> impl IntoView {
    let label = match &viewer.role {
        Some(role) => format!("{} · {role}", viewer.name),
        None => format!("{} · no role", viewer.name),
    };
    if viewer.local_mode {
        view! {
            <span class="current-user" data-testid="current-user">{label}</span>
            <NavLink href="/tokens" path>"API tokens"</NavLink>
        }
        .into_any()
    } else {
        view! {
            <span class="current-user" data-testid="current-user">{label}</span>
            <NavLink href="/tokens" path>"API tokens"</NavLink>
            <form method="post" action="/auth/logout" class="sign-out">
                <button type="submit">"Sign out"</button>
            </form>
        }
        .into_any()
    }
}

/// "Audit log" and "Evidence" in the navigation for those who may read them, and "Access" for
/// admins.
#[component]
pub fn AuditNavLink() -> impl IntoView {
    let resource = viewer_resource();
    let path = use_location().pathname;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let role = viewer(resource).await.and_then(|v| v.role);
                let audits = matches!(role.as_deref(), Some("admin" | "auditor"));
                let admin = role.as_deref() == Some("admin");
                view! {
                    {audits.then(|| view! { <NavLink href="/audit" path>"Audit log"</NavLink> <NavLink href="/evidence" path>"Evidence"</NavLink> <NavLink href="/samples" path>"Samples"</NavLink> })}
                    {admin.then(|| view! { <NavLink href="/access" path>"Access"</NavLink> <NavLink href="/jobs" path>"Jobs"</NavLink> <NavLink href="/notifications" path>"Notifications"</NavLink> })}
                }
            })}
        </Suspense>
    }
}

/// Shown on every page in local mode.
#[component]
pub fn LocalModeBanner() -> impl IntoView {
    let resource = viewer_resource();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let viewer = viewer(resource).await.filter(|v| v.local_mode)?;
                Some(view! {
                    <p class="local-mode-banner" role="status" data-testid="local-mode-banner">
                        <strong>"Local mode."</strong>
                        " No sign-in is configured: you act as the single local admin, and only this machine "
                        "can reach Plumbline. Configure an OpenID Connect provider to share it."
                        {viewer.shifted_clock.map(|now| view! {
                            " " <strong data-testid="shifted-clock">{format!("The clock is set to {now}")}</strong>
                            " (PLUMBLINE_CLOCK_AT): periods, expiries and \u{201c}today\u{201d} follow it, not the real time."
                        })}
                    </p>
                })
            })}
        </Suspense>
    }
}

/// Sets the page's Content-Security-Policy header: scripts only from this site or carrying this
/// response's nonce (Leptos puts it on its own inline scripts), WebAssembly allowed, no framing.
#[component]
pub fn ContentSecurityPolicy() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'"
        );
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
