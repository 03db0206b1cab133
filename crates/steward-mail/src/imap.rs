//! The mailbox poller: email that arrives in an IMAP mailbox (the service desk's address at a
//! mail provider) is fetched, kept and placed as `steward mail ingest` does it, then removed from
//! the mailbox — only once it is kept, so a message is never lost between the two: one fetched
//! again after a failure is recognised by its `Message-ID` and placed once. A message Steward
//! cannot take (over the size limit) is flagged and left in the mailbox for a person.

use std::sync::Arc;
use std::time::Duration;

use async_imap::{Client, Session};
use chrono::Utc;
use futures_util::TryStreamExt;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use steward_core::Error;
use steward_store::Store;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::inbound::{Incoming, ingest};
use crate::smtp::{ConfigError, decode, redact};

/// How long connecting, logging in or any one command may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// How to reach the mailbox.
#[derive(Debug, Clone)]
pub struct ImapConfig {
    /// `imaps://user:password@host:993/INBOX` (TLS from the first byte),
    /// `imap://user:password@host:143/INBOX?tls=required` (STARTTLS, refused without it), or
    /// `imap://…?tls=none` (no encryption: loopback only). The path names the mailbox (INBOX if
    /// none).
    pub url: String,
    /// A PEM file of certificate authorities to trust besides the built-in ones.
    pub ca_pem: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    Implicit,
    StartTls,
    None,
}

/// A connection to the mailbox, made afresh for each poll.
pub struct Poller {
    host: String,
    port: u16,
    security: Security,
    user: String,
    password: String,
    mailbox: String,
    tls: TlsConnector,
    shown: String,
}

/// What one poll did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Polled {
    /// Messages fetched from the mailbox.
    pub fetched: usize,
    /// Of those, messages kept (placed, held, refused or ignored) and removed from the mailbox.
    pub kept: usize,
    /// Messages left in the mailbox, flagged, because Steward cannot take them.
    pub set_aside: usize,
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}

type Stream = Box<dyn Io>;

fn failed(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

async fn timed<T, E: std::fmt::Display>(
    what: &str,
    f: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(failed(what, e)),
        Err(_) => Err(format!("{what}: no answer within {} seconds", TIMEOUT.as_secs())),
    }
}

impl Poller {
    /// Checks the configuration; nothing is connected until the first poll.
    pub fn new(config: &ImapConfig) -> Result<Poller, ConfigError> {
        let shown = redact(&config.url);
        let url = url::Url::parse(&config.url).map_err(|e| {
            ConfigError(format!(
                "the IMAP address '{shown}' could not be read ({e}); give one such as imaps://desk%40example.com:password@imap.example.com/INBOX"
            ))
        })?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| ConfigError("the IMAP address names no server".into()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let tls_mode = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.to_string());
        let (security, default_port) = match (url.scheme(), tls_mode.as_deref()) {
            ("imaps", None) => (Security::Implicit, 993),
            ("imap", Some("required")) => (Security::StartTls, 143),
            ("imap", Some("none")) => (Security::None, 143),
            (scheme, tls) => {
                return Err(ConfigError(format!(
                    "the IMAP address must start imaps://, or imap:// with tls=required (STARTTLS) or tls=none; \
                     '{scheme}' with tls={} is not one of them",
                    tls.unwrap_or("(none)")
                )));
            }
        };
        if url.username().is_empty() {
            return Err(ConfigError("the IMAP address names no user to log in as".into()));
        }
        let mailbox = decode(url.path().trim_start_matches('/'));
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(pem) = &config.ca_pem {
            let mut added = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert =
                    cert.map_err(|e| ConfigError(format!("the certificate authority file could not be read: {e}")))?;
                roots.add(cert).map_err(|e| {
                    ConfigError(format!(
                        "the certificate authority file holds a certificate that cannot be used: {e}"
                    ))
                })?;
                added += 1;
            }
            if added == 0 {
                return Err(ConfigError(
                    "the certificate authority file holds no certificate".into(),
                ));
            }
        }
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let tls = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ConfigError(format!("TLS could not be set up: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Poller {
            host,
            port: url.port().unwrap_or(default_port),
            security,
            user: decode(url.username()),
            password: decode(url.password().unwrap_or("")),
            mailbox: if mailbox.is_empty() { "INBOX".into() } else { mailbox },
            tls: TlsConnector::from(Arc::new(tls)),
            shown,
        })
    }

    /// The mailbox's address without its password, for logs.
    pub fn describe(&self) -> &str {
        &self.shown
    }

    async fn wrap(&self, tcp: TcpStream) -> Result<Stream, String> {
        let name = ServerName::try_from(self.host.clone()).map_err(|e| failed("the IMAP server's name", e))?;
        let tls = timed("TLS with the IMAP server", self.tls.connect(name, tcp)).await?;
        Ok(Box::new(tls))
    }

    async fn session(&self) -> Result<Session<Stream>, String> {
        let tcp = timed(
            &format!("connecting to the IMAP server {}:{}", self.host, self.port),
            TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await?;
        let stream: Stream = match self.security {
            Security::Implicit => self.wrap(tcp).await?,
            Security::None => Box::new(tcp),
            Security::StartTls => {
                let mut plain = Client::new(tcp);
                timed("the IMAP server's greeting", plain.read_response()).await?;
                timed("STARTTLS", plain.run_command_and_check_ok("STARTTLS", None)).await?;
                self.wrap(plain.into_inner()).await?
            }
        };
        let mut client = Client::new(stream);
        if self.security != Security::StartTls {
            timed("the IMAP server's greeting", client.read_response()).await?;
        }
        match tokio::time::timeout(TIMEOUT, client.login(&self.user, &self.password)).await {
            Ok(Ok(s)) => Ok(s),
            Ok(Err((e, _))) => Err(failed(&format!("logging in to the IMAP server as {}", self.user), e)),
            Err(_) => Err("logging in to the IMAP server: no answer".into()),
        }
    }

    /// Fetches up to `max` messages, keeps and places each, and removes the kept ones from the
    /// mailbox. An error (the server or the database unreachable) leaves every message not yet
    /// kept in the mailbox for the next poll.
    pub async fn poll(&self, store: &Store, incoming: &Incoming, max: usize) -> Result<Polled, String> {
        let mut session = self.session().await?;
        let outcome = self.take(&mut session, store, incoming, max).await;
        // Removing is what matters; logging out politely is not.
        let removed = match timed("removing kept messages (EXPUNGE)", session.expunge()).await {
            Ok(stream) => stream
                .try_collect::<Vec<_>>()
                .await
                .map(|_| ())
                .map_err(|e| failed("EXPUNGE", e)),
            Err(e) => Err(e),
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
        let polled = outcome?;
        removed?;
        Ok(polled)
    }

    async fn take(
        &self,
        session: &mut Session<Stream>,
        store: &Store,
        incoming: &Incoming,
        max: usize,
    ) -> Result<Polled, String> {
        timed(
            &format!("opening the mailbox {}", self.mailbox),
            session.select(&self.mailbox),
        )
        .await?;
        let mut uids: Vec<u32> = timed("searching the mailbox", session.uid_search("UNDELETED UNFLAGGED"))
            .await?
            .into_iter()
            .collect();
        uids.sort_unstable();
        let mut polled = Polled::default();
        for uid in uids.into_iter().take(max) {
            let fetched: Vec<_> = {
                let stream = timed("fetching a message", session.uid_fetch(uid.to_string(), "BODY.PEEK[]")).await?;
                timed("fetching a message", stream.try_collect::<Vec<_>>()).await?
            };
            let Some(raw) = fetched.iter().find_map(|f| f.body().map(<[u8]>::to_vec)) else {
                continue;
            };
            polled.fetched += 1;
            let flag = match ingest(store, incoming, &raw, Utc::now()).await {
                Ok(_) => {
                    polled.kept += 1;
                    "+FLAGS.SILENT (\\Deleted)"
                }
                Err(Error::Invalid(fields)) => {
                    let why = crate::inbound::refusal(&fields);
                    tracing::warn!(uid, mailbox = %self.mailbox, why = %why, "a message in the mailbox cannot be taken in; it is flagged and left there");
                    polled.set_aside += 1;
                    "+FLAGS.SILENT (\\Flagged)"
                }
                // The database is unreachable, say: leave this and the rest for the next poll.
                Err(e) => return Err(failed("keeping a message from the mailbox", e)),
            };
            let stream = timed("marking a message", session.uid_store(uid.to_string(), flag)).await?;
            timed("marking a message", stream.try_collect::<Vec<_>>()).await?;
        }
        Ok(polled)
    }
}
