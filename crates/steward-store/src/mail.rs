//! The outbox of outgoing email. Sending happens outside any transaction (a mail server may be
//! slow, and SQLite's writer must never wait on it): a message is claimed by moving it to
//! `sending` with its next attempt at the end of a lease, sent, then marked sent or failed. A
//! sender that dies mid-way leaves the message due again when its lease ends, so a message is
//! sent at least once; its `Message-ID` stays the same, so a duplicate reads as one message.

use chrono::{DateTime, Duration, Utc};
use steward_core::mail::{MailState, OutboxMessage, retry_delay};
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::page::{MAX_LIMIT, decode_cursor, encode_cursor};
use crate::{Page, Store, args, from_micros, micros, opt_from_micros, parse_stored, placeholders};

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    recipient: String,
    subject: String,
    body: String,
    record_kind: Option<String>,
    record_id: Option<i64>,
    event: String,
    message_id: String,
    in_reply_to: Option<String>,
    thread_refs: Option<String>,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
}

const COLUMNS: &str = "id, recipient, subject, body, record_kind, record_id, event, message_id, in_reply_to, \
                       thread_refs, state, attempts, next_attempt_at, last_error, created_at, sent_at";

impl OutboxRow {
    fn into_message(self) -> Result<(OutboxMessage, Option<String>, Option<String>)> {
        let record = match (self.record_kind, self.record_id) {
            (Some(k), Some(id)) => {
                let kind = parse_stored("record_kind", &k, RecordKind::parse)?;
                Some(format!("{}-{id}", kind.prefix()))
            }
            _ => None,
        };
        Ok((
            OutboxMessage {
                id: self.id,
                recipient: self.recipient,
                subject: self.subject,
                body: self.body,
                record,
                event: self.event,
                message_id: self.message_id,
                state: parse_stored("state", &self.state, MailState::parse)?,
                attempts: self.attempts,
                next_attempt_at: from_micros(self.next_attempt_at)?,
                last_error: self.last_error,
                created_at: from_micros(self.created_at)?,
                sent_at: opt_from_micros(self.sent_at)?,
            },
            self.in_reply_to,
            self.thread_refs,
        ))
    }
}

/// A message claimed for sending, with what its headers need.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    pub message: OutboxMessage,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
}

/// How a try to send went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// Worth trying again later (the server was unreachable, or answered 4xx).
    Failed(String),
    /// The server refused it for good (5xx): it goes to the dead letters at once.
    Refused(String),
}

impl Store {
    /// Claims up to `max` messages due by `now` for sending, each leased for `lease`.
    pub async fn claim_mail(&self, now: DateTime<Utc>, lease: Duration, max: usize) -> Result<Vec<ClaimedMail>> {
        let at = micros(now);
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM mail_outbox WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2{}",
            tx.lock_rows_skip_locked()
        );
        let rows: Vec<OutboxRow> = tx.fetch_all(&sql, args![at, max as i64]).await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let mut a = args![micros(now + lease)];
        a.extend(rows.iter().map(|r| Arg::from(r.id)));
        let sql = format!(
            "UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = $1 WHERE id IN ({})",
            placeholders(2, rows.len())
        );
        tx.execute(&sql, a).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (mut message, in_reply_to, references) = r.into_message()?;
            message.state = MailState::Sending;
            message.attempts += 1;
            out.push(ClaimedMail {
                message,
                in_reply_to,
                references,
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Records how sending a claimed message went: sent; or due again after its back-off; or,
    /// refused for good or out of tries, a dead letter.
    pub async fn finish_mail(&self, id: i64, attempts: i64, outcome: &SendOutcome, now: DateTime<Utc>) -> Result<()> {
        let at = micros(now);
        let mut tx = self.begin().await?;
        match outcome {
            SendOutcome::Sent => {
                tx.execute(
                    "UPDATE mail_outbox SET state = 'sent', sent_at = $1, last_error = NULL WHERE id = $2",
                    args![at, id],
                )
                .await?;
            }
            SendOutcome::Failed(e) | SendOutcome::Refused(e) => {
                let error: String = e.chars().take(2000).collect();
                let retry = match outcome {
                    SendOutcome::Failed(_) => retry_delay(attempts),
                    _ => None,
                };
                let (state, next) = match retry {
                    Some(d) => ("pending", micros(now + d)),
                    None => ("dead", at),
                };
                tx.execute(
                    "UPDATE mail_outbox SET state = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4",
                    args![state, next, error, id],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The outbox in one state, newest first.
    pub async fn outbox(&self, state: MailState, cursor: Option<&str>, limit: u32) -> Result<Page<OutboxMessage>> {
        let before = match cursor {
            Some(c) => decode_cursor(c)?.1,
            None => i64::MAX,
        };
        let limit = i64::from(limit.clamp(1, MAX_LIMIT));
        let sql = format!("SELECT {COLUMNS} FROM mail_outbox WHERE state = $1 AND id < $2 ORDER BY id DESC LIMIT $3");
        let mut c = self.read().await?;
        let rows: Vec<OutboxRow> = c.fetch_all(&sql, args![state.as_str(), before, limit + 1]).await?;
        let more = rows.len() as i64 > limit;
        let items = rows
            .into_iter()
            .take(limit as usize)
            .map(|r| r.into_message().map(|m| m.0))
            .collect::<Result<Vec<_>>>()?;
        let next_cursor = if more {
            items.last().map(|m| encode_cursor(0, m.id))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Puts a dead letter back in line, with its tries counted afresh.
    pub async fn retry_mail(&self, id: i64, now: DateTime<Utc>) -> Result<OutboxMessage> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE mail_outbox SET state = 'pending', attempts = 0, next_attempt_at = $1 WHERE id = $2 AND state = 'dead'",
                args![micros(now), id],
            )
            .await?;
        let sql = format!("SELECT {COLUMNS} FROM mail_outbox WHERE id = $1");
        let row: Option<OutboxRow> = tx.fetch_optional(&sql, args![id]).await?;
        tx.commit().await?;
        let Some(row) = row else {
            return Err(Error::not_found("outbox message", id));
        };
        let message = row.into_message()?.0;
        if n == 0 {
            return Err(Error::Conflict(format!(
                "message {id} is {}, not dead: only a dead letter is sent again",
                message.state
            )));
        }
        Ok(message)
    }
}
