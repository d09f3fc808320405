//! Cross-site request forgery protection for state-changing requests that carry ambient
//! credentials (the session cookie, or local mode's implicit admin). Leptos server functions
//! and HTML forms post `application/x-www-form-urlencoded`, which CORS preflight does not
//! protect, so the browser's own statement of where a request comes from is checked:
//! `Sec-Fetch-Site` when present (every current browser sends it), else `Origin` against the
//! server's own origin. Requests with neither header do not come from a browser page, which
//! is what CSRF needs; they are let through.

use axum::http::{HeaderMap, Method, header};

/// Whether a request must be refused as cross-site.
pub fn is_cross_site(method: &Method, headers: &HeaderMap, own_origin: Option<&str>) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return false;
    };
    let expected = match own_origin {
        Some(own) => own.trim_end_matches('/').to_owned(),
        None => match text(header::HOST.as_str()) {
            Some(host) => format!("http://{host}"),
            None => return true,
        },
    };
    // Behind TLS termination the scheme may differ from what Host implies; compare host parts
    // too when no public URL is configured.
    let same = origin == expected
        || (own_origin.is_none()
            && origin.split_once("://").map(|(_, h)| h) == expected.split_once("://").map(|(_, h)| h));
    !same
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn cross_site_posts_are_refused_and_same_origin_ones_allowed() {
        let own = Some("http://127.0.0.1:3000");
        let post = Method::POST;
        assert!(is_cross_site(&post, &headers(&[("sec-fetch-site", "cross-site")]), own));
        assert!(is_cross_site(&post, &headers(&[("sec-fetch-site", "same-site")]), own));
        assert!(!is_cross_site(&post, &headers(&[("sec-fetch-site", "same-origin")]), own));
        assert!(is_cross_site(&post, &headers(&[("origin", "https://evil.example")]), own));
        assert!(!is_cross_site(&post, &headers(&[("origin", "http://127.0.0.1:3000")]), own));
        assert!(!is_cross_site(&post, &headers(&[]), own), "no browser headers: not a browser page");
        assert!(!is_cross_site(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")]), own));
        let by_host = headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]);
        assert!(!is_cross_site(&post, &by_host, None));
        let evil_by_host = headers(&[("origin", "http://evil.example"), ("host", "127.0.0.1:3000")]);
        assert!(is_cross_site(&post, &evil_by_host, None));
    }
}
