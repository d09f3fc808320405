//! How requests are authenticated (local mode or OpenID Connect), the session cookie rules,
//! and the secrets tokens and sessions are made of.

use std::sync::Arc;

use super::oidc;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// The session cookie's name over plain http (local addresses only); see
/// [`SessionPolicy::session_cookie`].
pub const SESSION_COOKIE: &str = "plumbline_session";

/// How requests are authenticated.
#[derive(Clone, Debug)]
pub enum AuthMode {
    /// No identity provider: loopback only, everyone is the local admin.
    Local,
    /// Sign-in through an OpenID Connect provider.
    Oidc(Arc<oidc::OidcSettings>),
}

/// How long provider roles last after the last sign-in unless configured (`PLUMBLINE_OIDC_GRANT_DAYS`).
pub const DEFAULT_IDP_GRANT_DAYS: i64 = 30;

impl AuthMode {
    pub fn is_local(&self) -> bool {
        matches!(self, AuthMode::Local)
    }

    /// How long roles from the provider's groups last after a user's last sign-in.
    pub fn idp_grant_lapse(&self) -> chrono::TimeDelta {
        match self {
            AuthMode::Oidc(settings) => settings.config.idp_grant_lapse,
            AuthMode::Local => chrono::TimeDelta::days(DEFAULT_IDP_GRANT_DAYS),
        }
    }
}

/// Session lifetimes.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    /// A session ends this long after sign-in, whatever its use.
    pub absolute: chrono::TimeDelta,
    /// A session ends after this long without a request.
    pub idle: chrono::TimeDelta,
    /// Whether cookies carry `Secure` (the public URL is https).
    pub secure_cookies: bool,
}

impl SessionPolicy {
    /// The session cookie's name: over https with the `__Host-` prefix, so browsers accept it
    /// only `Secure`, for this very host and path `/` — a sibling subdomain or a plain-http
    /// page cannot plant or overwrite it.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies { "__Host-plumbline_session" } else { SESSION_COOKIE }
    }

    /// The cookie binding a sign-in to the browser that started it (`Path=/`, so the
    /// `__Host-` prefix over https).
    pub fn login_cookie(&self) -> &'static str {
        if self.secure_cookies { "__Host-plumbline_login" } else { "plumbline_login" }
    }

    /// `Set-Cookie` for the session (an empty value with `max_age` 0 deletes it).
    pub fn session_set_cookie(&self, value: &str, max_age: i64) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!("{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}", self.session_cookie())
    }
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            absolute: chrono::TimeDelta::hours(12),
            idle: chrono::TimeDelta::hours(1),
            secure_cookies: false,
        }
    }
}

/// 32 random bytes, URL-safe base64 without padding (43 characters).
pub fn random_secret() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret, hex: what the database keeps of session ids, tokens and states.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::SessionPolicy;

    #[test]
    fn over_https_the_session_cookie_is_host_only_and_secure() {
        let https = SessionPolicy { secure_cookies: true, ..SessionPolicy::default() };
        assert_eq!(
            https.session_set_cookie("abc", 60),
            "__Host-plumbline_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        assert_eq!(https.login_cookie(), "__Host-plumbline_login");
        // Plain http (loopback only): browsers refuse prefixed cookies without Secure.
        let http = SessionPolicy::default();
        assert_eq!(http.session_set_cookie("", 0), "plumbline_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
        assert_eq!(http.login_cookie(), "plumbline_login");
    }
}
