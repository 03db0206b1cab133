//! Sending the outbox over SMTP.

use std::time::Duration;

use chrono::Utc;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use steward_store::{ClaimedMail, SendOutcome, Store};

/// How to reach the mail server and who Steward's messages are from.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// `smtp://host:25` (no encryption: loopback or a trusted relay only),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS, refused without it), or
    /// `smtps://user:password@host:465` (TLS from the first byte).
    pub url: String,
    /// The address messages come from and replies go to, e.g. `Service Desk <desk@example.com>`.
    pub from: String,
    /// A PEM file of certificate authorities to trust besides the built-in ones (a private
    /// mail server's own authority).
    pub ca_pem: Option<Vec<u8>>,
}

/// What is wrong with a mail configuration, as a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Sends the outbox's due messages through one mail server.
#[derive(Clone)]
pub struct Sender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// `Auto-Submitted: auto-generated` (RFC 3834): a well-behaved auto-responder does not answer
/// what Steward sends, so an out-of-office reply cannot start a loop.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// `X-Auto-Response-Suppress: All`, the same request in Microsoft Exchange's words.
#[derive(Clone)]
struct AutoResponseSuppress;

impl Header for AutoResponseSuppress {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoResponseSuppress)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".to_string())
    }
}

/// How long one message may take to hand over, and how long a claimed message is held before
/// another sender may try it (longer than any try can take).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
const LEASE_SECONDS: i64 = 300;
/// How many messages are handed over at once. lettre 0.11.23 leaves Nagle's algorithm on, so each
/// message waits out the server's delayed acknowledgement (about 40 ms on Linux) before its final
/// `.`; sending several at once over the pool's connections hides that wait.
pub const AT_ONCE: usize = 8;

impl SmtpConfig {
    /// The domain of the from address: Steward's `Message-ID`s are written in it.
    pub fn domain(&self) -> Result<String, ConfigError> {
        Ok(parse_from(&self.from)?.email.domain().to_ascii_lowercase())
    }
}

pub(crate) fn parse_from(from: &str) -> Result<Mailbox, ConfigError> {
    from.parse::<Mailbox>().map_err(|e| {
        ConfigError(format!(
            "the from address '{from}' is not an email address ({e}); give one such as 'Service Desk <desk@example.com>'"
        ))
    })
}

impl Sender {
    /// Checks the configuration and makes the transport; nothing is connected until a message
    /// is sent. Call it on the Tokio runtime: the transport's connection pool lives there.
    pub fn new(config: &SmtpConfig) -> Result<Sender, ConfigError> {
        let from = parse_from(&config.from)?;
        let url = url::Url::parse(&config.url).map_err(|e| {
            ConfigError(format!(
                "the SMTP address '{}' could not be read ({e}); give one such as smtp://mail.example.com:587?tls=required",
                redact(&config.url)
            ))
        })?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| ConfigError("the SMTP address names no server".into()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let tls_mode = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.to_string());
        let params = || -> Result<TlsParameters, ConfigError> {
            let mut b = TlsParameters::builder(host.clone());
            if let Some(pem) = &config.ca_pem {
                let cert = Certificate::from_pem(pem)
                    .map_err(|e| ConfigError(format!("the certificate authority file could not be read: {e}")))?;
                b = b.add_root_certificate(cert);
            }
            b.build_rustls()
                .map_err(|e| ConfigError(format!("TLS could not be set up: {e}")))
        };
        let (tls, default_port) = match (url.scheme(), tls_mode.as_deref()) {
            ("smtp", None | Some("none")) => (Tls::None, 25),
            ("smtp", Some("required")) => (Tls::Required(params()?), 587),
            ("smtp", Some("opportunistic")) => (Tls::Opportunistic(params()?), 587),
            ("smtps", None) => (Tls::Wrapper(params()?), 465),
            (scheme, tls) => {
                return Err(ConfigError(format!(
                    "the SMTP address must start smtp:// or smtps://, with tls=required, opportunistic or none \
                     (smtp:// only); '{scheme}' with tls={} is not one of them",
                    tls.unwrap_or("(none)")
                )));
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(url.port().unwrap_or(default_port))
            .tls(tls)
            .timeout(Some(SEND_TIMEOUT))
            .hello_name(ClientId::Domain(from.email.domain().to_string()));
        if !url.username().is_empty() {
            builder = builder.credentials(Credentials::new(
                decode(url.username()),
                decode(url.password().unwrap_or("")),
            ));
        }
        Ok(Sender {
            transport: builder.build(),
            from,
        })
    }

    /// Writes one outbox message as an email.
    pub fn message(&self, m: &ClaimedMail) -> Result<Message, String> {
        let to: Mailbox = m
            .message
            .recipient
            .parse()
            .map_err(|e| format!("the address '{}' cannot be written to: {e}", m.message.recipient))?;
        let mut b = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.message.subject.clone())
            .message_id(Some(m.message.message_id.clone()))
            .date(std::time::SystemTime::from(m.message.created_at))
            .header(ContentType::TEXT_PLAIN)
            .header(AutoSubmitted)
            .header(AutoResponseSuppress);
        if let Some(parent) = &m.in_reply_to {
            b = b.in_reply_to(parent.clone());
        }
        if let Some(refs) = &m.references {
            b = b.references(refs.clone());
        }
        b.body(m.message.body.clone())
            .map_err(|e| format!("the message could not be written: {e}"))
    }

    /// Hands one message to the mail server.
    pub async fn send(&self, m: &ClaimedMail) -> SendOutcome {
        let message = match self.message(m) {
            Ok(msg) => msg,
            Err(e) => return SendOutcome::Refused(e),
        };
        match self.transport.send(message).await {
            Ok(_) => SendOutcome::Sent,
            Err(e) if e.is_permanent() => SendOutcome::Refused(format!("the mail server refused it: {e}")),
            Err(e) => SendOutcome::Failed(format!("it could not be handed to the mail server: {e}")),
        }
    }

    /// Sends up to `max` due messages of the outbox, [`AT_ONCE`] at a time over the transport's
    /// pooled connections, each marked as soon as it went; returns how many were sent.
    pub async fn send_due(&self, store: &Store, max: usize) -> steward_core::Result<usize> {
        let claimed = store
            .claim_mail(Utc::now(), chrono::Duration::seconds(LEASE_SECONDS), max)
            .await?;
        let mut waiting = claimed.into_iter();
        let mut sending = tokio::task::JoinSet::new();
        let mut sent = 0;
        loop {
            while sending.len() < AT_ONCE {
                let Some(m) = waiting.next() else { break };
                let sender = self.clone();
                sending.spawn(async move {
                    let outcome = sender.send(&m).await;
                    (m, outcome)
                });
            }
            let Some(done) = sending.join_next().await else {
                return Ok(sent);
            };
            let (m, outcome) = done.map_err(|e| steward_core::Error::unexpected(format!("a send was lost: {e}")))?;
            match &outcome {
                SendOutcome::Sent => sent += 1,
                SendOutcome::Failed(e) => {
                    tracing::warn!(message = m.message.id, attempts = m.message.attempts, error = %e, "sending an email failed; it will be tried again")
                }
                SendOutcome::Refused(e) => {
                    tracing::error!(message = m.message.id, error = %e, "an email was refused and set aside as a dead letter")
                }
            }
            store
                .finish_mail(m.message.id, m.message.attempts, &outcome, Utc::now())
                .await?;
        }
    }
}

/// A URL's percent-encoded user name or password, decoded (`+` stays `+`).
pub(crate) fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The SMTP address with its password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(unreadable)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> SmtpConfig {
        SmtpConfig {
            url: url.into(),
            from: "Service Desk <desk@steward.example.com>".into(),
            ca_pem: None,
        }
    }

    // The transport's connection pool runs on the Tokio runtime, as it does in `serve`.
    #[tokio::test]
    async fn configurations_are_read_or_refused_with_a_sentence() {
        for ok in [
            "smtp://127.0.0.1:2525",
            "smtp://user:p%40ss@mail.example.com:587?tls=required",
            "smtp://mail.example.com?tls=opportunistic",
            "smtps://mail.example.com",
        ] {
            assert!(Sender::new(&config(ok)).is_ok(), "{ok}");
        }
        for (bad, says) in [
            ("mail.example.com", "could not be read"),
            ("http://mail.example.com", "must start smtp://"),
            ("smtps://mail.example.com?tls=none", "must start smtp://"),
        ] {
            let e = Sender::new(&config(bad)).err().map(|e| e.0).unwrap_or_default();
            assert!(e.contains(says), "{bad}: {e}");
        }
        let mut c = config("smtp://127.0.0.1");
        c.from = "not an address".into();
        assert!(Sender::new(&c).is_err());
        assert_eq!(config("smtp://x").domain().ok().as_deref(), Some("steward.example.com"));
    }

    #[test]
    fn user_names_and_passwords_are_percent_decoded() {
        assert_eq!(decode("p%40ss+w%2"), "p@ss+w%2");
    }

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(redact("smtp://u:secret@h:25"), "smtp://u:***@h:25");
    }
}
