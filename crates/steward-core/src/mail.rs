//! Outgoing email as Steward keeps it: the outbox, what a message's state means, and how long a
//! failed one waits before it is tried again.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::named_enum;

named_enum! {
    /// Where an outgoing message stands.
    MailState {
        /// Waiting for its first try or its next one.
        Pending = "pending",
        /// Being handed to the mail server now.
        Sending = "sending",
        /// The mail server accepted it.
        Sent = "sent",
        /// Given up on: refused for good by the mail server, or failed on every try. Kept for an
        /// administrator to read and send again.
        Dead = "dead",
    }
}

/// A message of the outbox, as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub id: i64,
    /// The address it goes to.
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// The record it is about, e.g. INC-42; none for a digest.
    pub record: Option<String>,
    /// The notification event it tells of, or `digest`.
    pub event: String,
    pub message_id: String,
    pub state: MailState,
    pub attempts: i64,
    /// When it is tried next (for a pending message).
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// How many times a message is tried before it is given up on.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long to wait after the `attempts`-th failed try: a minute, then doubling to at most six
/// hours; `None` once the message has had all its tries. Eight tries span about eight hours.
pub fn retry_delay(attempts: i64) -> Option<chrono::Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let minutes = 1_i64 << attempts.clamp(0, 20).saturating_sub(1).min(9);
    Some(chrono::Duration::minutes(minutes.min(360)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_end() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|a| retry_delay(a).map_or(-1, |d| d.num_minutes()))
            .collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(retry_delay(MAX_ATTEMPTS), None);
        assert_eq!(retry_delay(40), None);
    }
}

/// What the notifier needs to know to write email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// Whether email goes out at all: without a mail server only in-app notifications are
    /// written, so nothing piles up unsent.
    pub enabled: bool,
    /// The domain of the `Message-ID`s Steward writes, from its own address.
    pub domain: String,
    /// Where Steward's pages are, without a trailing slash, for the links in messages.
    pub public_url: String,
    /// The hour of the day, in UTC, at which the daily digest is written.
    pub digest_hour: u32,
}

impl MailSettings {
    /// In-app notifications only.
    pub fn in_app_only(public_url: &str) -> Self {
        MailSettings {
            enabled: false,
            domain: "steward.invalid".into(),
            public_url: public_url.trim_end_matches('/').to_string(),
            digest_hour: 7,
        }
    }
}

/// The instant of the last digest hour at or before `now`: a notice from before it is in that
/// day's digest.
pub fn digest_cut(now: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    let today = now.date_naive().and_hms_opt(hour.min(23), 0, 0).map(|t| t.and_utc());
    match today {
        Some(t) if t <= now => t,
        Some(t) => t - chrono::Duration::days(1),
        None => now,
    }
}
