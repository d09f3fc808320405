//! The two ways a notification leaves: email through an SMTP server (lettre; STARTTLS, TLS and
//! authentication from `PLUMBLINE_SMTP_URL`), and a webhook POST of a Slack-compatible JSON body
//! signed with the subscription's secret.

use app::domain::notify::Message;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sha2::Sha256;

/// The header carrying `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
pub const SIGNATURE_HEADER: &str = "x-plumbline-signature";
/// The header carrying the Unix time the body was signed at (receivers refuse old ones).
pub const TIMESTAMP_HEADER: &str = "x-plumbline-timestamp";

/// Sends email through one SMTP server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `url` as lettre reads it: `smtp://host:port` (plain, for a local relay),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host:465` (TLS).
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("PLUMBLINE_SMTP_URL is not a usable SMTP URL: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from.parse().map_err(|e| format!("PLUMBLINE_MAIL_FROM is not a mailbox: {e}"))?;
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, to: &str, message: &Message) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("'{to}' is not a mailbox: {e}"))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.subject)
            .multipart(MultiPart::alternative_plain_html(message.text.clone(), message.html.clone()))
            .map_err(|e| format!("cannot build the email: {e}"))?;
        // The server's reply says why it refused; the credentials in the URL are never shown.
        self.transport.send(email).await.map(|_| ()).map_err(|e| format!("the mail server refused: {e}"))
    }
}

/// `sha256=<hex>` of `"<timestamp>.<body>"` under `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes a key of any length.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub async fn post_webhook(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    body: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let timestamp = now.timestamp();
    let response = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, sign(secret, timestamp, &body))
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .body(body)
        .send()
        .await
        // Without the URL: it may carry a token in its path.
        .map_err(|e| format!("the webhook could not be reached: {}", e.without_url()))?;
    match response.status() {
        status if status.is_success() => Ok(()),
        status => Err(format!("the webhook answered {status}")),
    }
}
