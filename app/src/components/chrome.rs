//! What every page carries: who is signed in (with a way out), the local-mode banner, and on
//! the server the Content-Security-Policy header with this response's script nonce.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{Viewer, get_viewer};
use crate::error::AppError;

/// Who is looking, fetched once per page and shared by the header, the banner and the navigation.
#[derive(Clone, Copy)]
pub struct ViewerResource(Resource<Result<Option<Viewer>, AppError>>);

/// Starts fetching the viewer and provides it to the page's chrome.
pub fn provide_viewer() {
    provide_context(ViewerResource(Resource::new_blocking(|| (), |_| get_viewer())));
}

/// The viewer, once known; `None` when signed out or not provided.
async fn viewer() -> Option<Viewer> {
    let resource = use_context::<ViewerResource>()?;
    resource.0.await.ok().flatten()
}

/// The signed-in user and sign-out, or the local-mode notice.
#[component]
pub fn ViewerBar() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { viewer().await.map(|viewer| view! { <ViewerInfo viewer/> }) })}
        </Suspense>
    }
}

#[component]
fn ViewerInfo(viewer: Viewer) -> impl IntoView {
    let label = match &viewer.role {
        Some(role) => format!("{} · {role}", viewer.name),
        None => format!("{} · no role", viewer.name),
    };
    if viewer.local_mode {
        view! {
            <span class="current-user" data-testid="current-user">{label}</span>
            <A href="/tokens">"API tokens"</A>
        }
        .into_any()
    } else {
        view! {
            <span class="current-user" data-testid="current-user">{label}</span>
            <A href="/tokens">"API tokens"</A>
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
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let role = viewer().await.and_then(|v| v.role);
                let audits = matches!(role.as_deref(), Some("admin" | "auditor"));
                let admin = role.as_deref() == Some("admin");
                view! {
                    {audits.then(|| view! { <A href="/audit">"Audit log"</A> <A href="/evidence">"Evidence"</A> <A href="/samples">"Samples"</A> })}
                    {admin.then(|| view! { <A href="/access">"Access"</A> <A href="/jobs">"Jobs"</A> <A href="/notifications">"Notifications"</A> })}
                }
            })}
        </Suspense>
    }
}

/// Shown on every page in local mode.
#[component]
pub fn LocalModeBanner() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let viewer = viewer().await.filter(|v| v.local_mode)?;
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
