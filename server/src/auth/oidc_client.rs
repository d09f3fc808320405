//! The OpenID Connect relying party proper, over the `openidconnect` crate: discovery, the
//! authorization URL (PKCE S256, state, nonce) and the code exchange with ID-token verification
//! (signature against the provider's keys, issuer, audience, expiry, nonce). Its HTTP client
//! never follows redirects, so a redirect can neither forward the client secret nor reach
//! somewhere else. Errors come back as loggable text that never includes tokens.

use std::collections::HashMap;
use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, StandardErrorResponse,
    StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};

use super::oidc::OidcConfig;

/// The ID token signatures accepted.
const ALLOWED_SIGNING_ALGORITHMS: [CoreJwsSigningAlgorithm; 10] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EcdsaP521Sha512,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// Claims beyond the standard ones (the groups claim's name is configurable, so all are kept).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    other: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for ExtraClaims {}

type ExtraTokenResponse = StandardTokenResponse<
    IdTokenFields<
        ExtraClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

/// The client type `from_provider_metadata` returns, with [`ExtraClaims`].
type Client = openidconnect::Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    ExtraTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A discovered provider.
#[derive(Debug)]
pub struct OidcClient {
    client: Client,
    http: reqwest::Client,
    groups_claim: String,
}

/// What is kept between the redirect to the provider and its callback.
#[derive(Debug)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// The token endpoint's answer, kept to verify its ID token (again, after a key refresh).
pub struct TokenAnswer(ExtraTokenResponse);

impl std::fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenAnswer(..)")
    }
}

/// Why an ID token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Its signature did not verify with the keys known: worth fetching the keys again.
    Signature(String),
    Other(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Signature(text) | Refused::Other(text) => f.write_str(text),
        }
    }
}

/// Who signed in, as the verified ID token says.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    pub groups: Vec<String>,
}

/// An error and its causes on one line.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

impl OidcClient {
    /// Fetches the provider's metadata and signing keys.
    pub async fn discover(config: &OidcConfig) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", error_chain(&e)))?;
        let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|e| format!("invalid issuer URL: {e}"))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| format!("discovery failed: {}", error_chain(&e)))?;
        let redirect = RedirectUrl::new(format!("{}/auth/callback", config.public_url))
            .map_err(|e| format!("invalid redirect URL: {e}"))?;
        let client = Client::from_provider_metadata(
            metadata,
            ClientId::new(config.client_id.clone()),
            Some(ClientSecret::new(config.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        Ok(OidcClient { client, http, groups_claim: config.groups_claim.clone() })
    }

    /// The provider's authorization URL for a new sign-in, and what to keep until the callback.
    pub fn start(&self) -> (String, PendingLogin) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("profile".to_owned()))
            .add_scope(Scope::new("email".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        let pending = PendingLogin {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        };
        (url.to_string(), pending)
    }

    /// Exchanges the code (with the PKCE verifier) for the provider's tokens.
    pub async fn exchange(&self, code: String, pkce_verifier: String) -> Result<TokenAnswer, String> {
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| format!("the provider has no token endpoint: {e}"))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => format!("the token endpoint refused the code: {r}"),
                RequestTokenError::Request(inner) => format!("the token request failed: {}", error_chain(&inner)),
                // The raw body may hold tokens: only the position of the problem is kept.
                RequestTokenError::Parse(parse, _body) => format!("unreadable token response at `{}`", parse.path()),
                RequestTokenError::Other(message) => format!("the token request failed: {message}"),
            })?;
        Ok(TokenAnswer(response))
    }

    /// Verifies the answer's ID token (signature with this client's copy of the provider's
    /// keys, issuer, audience, expiry, the stored nonce) and reads who signed in.
    pub fn identity(&self, answer: &TokenAnswer, nonce: &str) -> Result<Identity, Refused> {
        let id_token =
            answer.0.id_token().ok_or_else(|| Refused::Other("the token response has no ID token".into()))?;
        // Asymmetric signatures only, whatever the provider advertises: never `none`, and never
        // HMAC keyed with the client secret (which Plumbline shares with the provider).
        let verifier = self.client.id_token_verifier().set_allowed_algs(ALLOWED_SIGNING_ALGORITHMS);
        let claims = id_token.claims(&verifier, &Nonce::new(nonce.to_owned())).map_err(|e| {
            let text = format!("the ID token was refused: {}", error_chain(&e));
            match e {
                // Perhaps signed with a key the provider added since discovery.
                ClaimsVerificationError::SignatureVerification(_) => Refused::Signature(text),
                _ => Refused::Other(text),
            }
        })?;
        // An address the provider says it has not verified could be anyone's.
        if claims.email().is_some() && claims.email_verified() == Some(false) {
            return Err(Refused::Other("the provider has not verified the user's email address".into()));
        }
        let subject = claims.subject().as_str().to_owned();
        let email = claims.email().map(|e| e.as_str().to_owned());
        let name = claims
            .name()
            .and_then(|n| n.get(None).or_else(|| n.iter().next().map(|(_, v)| v)))
            .map(|n| n.as_str().to_owned())
            .or_else(|| claims.preferred_username().map(|u| u.as_str().to_owned()))
            .or_else(|| email.clone())
            .unwrap_or_else(|| subject.clone());
        let groups = match claims.additional_claims().other.get(&self.groups_claim) {
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
            }
            Some(serde_json::Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        Ok(Identity { subject, name, email, groups })
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use sha2::{Digest, Sha256};

    use super::*;

    /// HMAC-SHA256 (RFC 2104), enough to forge what an HS256 token needs.
    fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut block = [0u8; 64];
        block[..key.len()].copy_from_slice(key);
        let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
        let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
        Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
    }

    #[test]
    fn an_id_token_signed_with_the_client_secret_is_refused_though_the_provider_offers_it() {
        let secret = "shared-client-secret";
        // A provider whose metadata offers HS256 (a signature anyone holding the client secret
        // can make), and no keys.
        let metadata: CoreProviderMetadata = serde_json::from_value(serde_json::json!({
            "issuer": "https://idp.example",
            "authorization_endpoint": "https://idp.example/auth",
            "token_endpoint": "https://idp.example/token",
            "jwks_uri": "https://idp.example/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["HS256", "RS256"],
        }))
        .expect("metadata");
        let client = Client::from_provider_metadata(
            metadata,
            ClientId::new("plumbline".into()),
            Some(ClientSecret::new(secret.into())),
        )
        .set_redirect_uri(RedirectUrl::new("https://plumbline.example/auth/callback".into()).expect("url"));
        let oidc = OidcClient { client, http: reqwest::Client::new(), groups_claim: "groups".into() };
        let now = chrono::Utc::now().timestamp();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = serde_json::json!({"iss": "https://idp.example", "sub": "mallory", "aud": "plumbline",
            "iat": now, "exp": now + 300, "nonce": "n-1", "groups": ["plumbline-admins"]});
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signature = URL_SAFE_NO_PAD.encode(hmac_sha256(secret.as_bytes(), format!("{header}.{claims}").as_bytes()));
        let answer: ExtraTokenResponse = serde_json::from_value(serde_json::json!({
            "access_token": "a", "token_type": "bearer", "id_token": format!("{header}.{claims}.{signature}"),
        }))
        .expect("token response");
        let refused = oidc.identity(&TokenAnswer(answer), "n-1").expect_err("HS256 is not accepted");
        assert!(refused.to_string().contains("algorithm"), "{refused}");
    }
}
