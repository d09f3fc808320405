//! The one authorization gate: every routed request passes here. It finds the access the route
//! requires ([`super::access_for`], failing closed for anything not listed), resolves
//! the caller, refuses cross-site state changes made with ambient credentials, and answers 401
//! (API) or a redirect to sign-in (pages) for anonymous callers and 403 for callers without the
//! right. Handlers read the caller as `Extension<Principal>`.

use app::domain::access::{Access, Principal};
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http_body_util::Limited;

use crate::auth::csrf::is_cross_site;
use crate::auth::resolve::{Caller, caller};
use crate::auth::{AuthMode, SessionPolicy};
use crate::problem::Problem;
use crate::state::AppState;

/// Largest body of any request but an import (forms, server functions, JSON settings).
const SMALL_BODY_LIMIT: usize = 1024 * 1024;

/// In local mode, refuses requests addressed to any host but loopback. A web page elsewhere
/// could otherwise point its own domain name at 127.0.0.1 (DNS rebinding) and act as the local
/// admin with a same-origin request.
pub async fn loopback_host_only(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if state.auth.is_local() {
        let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let name = match host.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or_default(),
            None => host.split(':').next().unwrap_or_default(),
        };
        if !matches!(name, "127.0.0.1" | "localhost" | "::1") {
            return Problem::new(
                StatusCode::MISDIRECTED_REQUEST,
                "Wrong host",
                "in local mode Plumbline only answers requests addressed to 127.0.0.1, localhost or [::1]",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Refuses a URL carrying a NUL character (`%00`) in its path or query: no database can store
/// one in text, so it could only ever fail further in, and it is never a valid name or value.
pub async fn refuse_nul_in_url(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let has_nul = |text: &str| text.contains("%00");
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "Invalid URL",
            "the URL contains a NUL character (%00), which no name or parameter may hold",
        )
        .into_response();
    }
    next.run(request).await
}

/// Times every request into the route's latency histogram, labelled with the route pattern
/// (`/services/{slug}`, never the raw URL), so the number of series stays bounded.
pub async fn measure(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = match *request.method() {
        Method::GET | Method::HEAD | Method::POST | Method::PUT | Method::PATCH | Method::DELETE | Method::OPTIONS => {
            request.method().as_str().to_owned()
        }
        _ => "other".to_owned(),
    };
    let route = route_label(matched.as_ref().map(MatchedPath::as_str), request.uri().path());
    let response = next.run(request).await;
    crate::metrics::http_request(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// The route pattern; a server function by its own (registered, so bounded) path; anything
/// unrouted (static files, not found) as one label.
fn route_label(matched: Option<&str>, path: &str) -> String {
    match matched {
        Some(pattern) if pattern.contains("{*") => {
            let registered = leptos::server_fn::axum::server_fn_paths().any(|(p, _)| p == path);
            if registered { path.to_owned() } else { pattern.to_owned() }
        }
        Some(pattern) => pattern.to_owned(),
        None => "(static files and not found)".to_owned(),
    }
}

/// GET routes that append audit events.
const AUDITED_READS: [&str; 2] = ["/api/v1/evidence", "/api/v1/audit/export.csv"];

pub async fn authorize(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = matched.as_ref().map_or_else(|| request.uri().path().to_owned(), |m| m.as_str().to_owned());
    let access = super::access_for(&method, &path);
    let now = crate::clock_now();
    let resolved = match caller(&state.db, &state.auth, &state.session_policy, request.headers(), now).await {
        Ok(resolved) => resolved,
        Err(error) => return Problem::internal("identifying the caller", &error).into_response(),
    };
    let (principal, ambient) = match resolved {
        Caller::Anonymous => (None, false),
        Caller::Ambient(principal) => (Some(principal), true),
        Caller::Explicit(principal) => (Some(principal), false),
        Caller::BadToken => {
            let problem = Problem::new(
                StatusCode::UNAUTHORIZED,
                "Invalid token",
                "the bearer token is malformed, unknown, revoked or expired",
            );
            return with_challenge(problem.into_response());
        }
    };
    // Reads that write to the audit trail (an evidence download, an audit export) are refused
    // cross-site like changes: another site must not be able to make a signed-in auditor's
    // browser leave events behind.
    let audited_read = method == Method::GET && AUDITED_READS.contains(&path.as_str());
    let checked_as = if audited_read { Method::POST } else { method.clone() };
    if ambient && is_cross_site(&checked_as, request.headers(), state.public_origin.as_deref()) {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "Cross-site request refused",
            "state-changing requests must come from Plumbline's own pages",
        )
        .into_response();
    }
    if let Some(principal) = &principal {
        request.extensions_mut().insert(principal.clone());
    }
    // Only imports stream large bodies (with their own limit); everything else is small.
    if !(method == Method::POST && path == "/api/v1/{kind}") {
        let (parts, body) = request.into_parts();
        request = Request::from_parts(parts, Body::new(Limited::new(body, SMALL_BODY_LIMIT)));
    }
    if access == Access::Public || (access == Access::Metrics && from_this_machine(&request)) {
        return next.run(request).await;
    }
    let Some(principal) = principal else {
        return unauthenticated(&state.auth, &state.session_policy, &method, &request);
    };
    if !principal.allows(access) {
        // Logged (with the request id of the span), not audited: a signed-in user could
        // otherwise fill the audit trail by asking for pages they may not see.
        tracing::warn!(actor = %principal.actor(), %method, path, ?access, "access denied");
        return forbidden(&principal, access);
    }
    let mut response = next.run(request).await;
    // What a signed-in caller was shown is theirs: no shared or browser cache keeps it.
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    }
    response
}

fn with_challenge(mut response: Response) -> Response {
    response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    response
}

/// A request made on this machine directly: from a loopback address, through no proxy (a
/// reverse proxy on the same host names its client in a forwarding header). A monitoring agent
/// beside the server scrapes `/metrics` without a token.
fn from_this_machine(request: &Request) -> bool {
    let loopback = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .is_some_and(|peer| peer.0.ip().is_loopback());
    let headers = request.headers();
    let forwarded = ["x-forwarded-for", "forwarded", "x-real-ip"].iter().any(|name| headers.contains_key(*name));
    loopback && !forwarded
}

/// Pages send anonymous browsers to sign in; everything else gets a 401 problem.
fn unauthenticated(mode: &AuthMode, policy: &SessionPolicy, method: &Method, request: &Request) -> Response {
    let path = request.uri().path();
    let is_page = *method == Method::GET && !path.starts_with("/api/") && path != "/metrics";
    if is_page && !mode.is_local() {
        let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let encoded: String = url_encode(target);
        return Redirect::to(&format!("/auth/login?return_to={encoded}")).into_response();
    }
    let mut response =
        Problem::new(StatusCode::UNAUTHORIZED, "Sign-in required", "sign in, or present an API token").into_response();
    // A stale cookie is dropped so the browser stops sending it.
    let stale = crate::auth::resolve::cookie(request.headers(), policy.session_cookie()).is_some();
    if stale && let Ok(value) = header::HeaderValue::from_str(&policy.session_set_cookie("", 0)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    with_challenge(response)
}

fn forbidden(principal: &Principal, access: Access) -> Response {
    let needed = match access {
        Access::Public | Access::SignedIn => "to be signed in",
        Access::Person => "to be signed in as a person (API tokens cannot manage tokens)",
        Access::Read => "read access (viewer, editor, auditor or admin; a token with the read scope)",
        Access::Ingest => "write access (admin, an editor of a team, or a token with the ingest scope)",
        Access::Audit => "the auditor or admin role",
        Access::Admin => "the admin role",
        Access::Metrics => "a token with the metrics scope, the admin role, or a request from this machine",
    };
    Problem::new(StatusCode::FORBIDDEN, "Forbidden", format!("{} lacks {needed}", principal.name)).into_response()
}

/// Percent-encodes everything but unreserved characters (for a `return_to` query value).
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
