//! Email that arrives. A message is first kept as received (`receive_mail`, its bytes and what
//! identifies it), in a transaction of its own, so it is never lost whatever happens next; it is
//! then decided on in a second transaction that writes what it became — a comment, a new ticket
//! (with a new requester if the rule creates one), its files — together with its new state. Only
//! a message still `received` can be decided on, so a message delivered twice, or two processes
//! deciding on one, places it once.

use chrono::{DateTime, Duration, Utc};
use steward_core::comment::Visibility;
use steward_core::id::{CatalogueItemId, OrganisationId, ServiceId, TeamId, UserId};
use steward_core::inbound::{InboundMail, InboundState, MailRule, Opens, UnknownSender};
use steward_core::record::RecordKind;
use steward_core::user::User;
use steward_core::{Error, Result};

use crate::exec::Tx;
use crate::notification::{Outgoing, queue_mail};
use crate::page::{MAX_LIMIT, decode_cursor, encode_cursor};
use crate::record::{Table, insert};
use crate::{NewAttachment, Page, Store, args, from_micros, micros, parse_stored};

/// What identifies a message as it arrives.
pub struct NewInboundMail<'a> {
    pub message_id: &'a str,
    pub sender: &'a str,
    pub subject: &'a str,
    pub raw: &'a [u8],
    pub at: DateTime<Utc>,
}

/// A file that came with a message, checked and typed by the caller.
pub struct MailFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A reply to send to a message's sender (the one that says it was refused).
pub struct MailReply {
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    /// The `Message-ID` of the message answered.
    pub in_reply_to: String,
}

#[derive(sqlx::FromRow)]
struct InboundRow {
    id: i64,
    received_at: i64,
    message_id: String,
    sender: String,
    subject: String,
    size: i64,
    state: String,
    reason: String,
    record_kind: Option<String>,
    record_id: Option<i64>,
}

const COLUMNS: &str = "id, received_at, message_id, sender, subject, size, state, reason, record_kind, record_id";

impl InboundRow {
    fn read(self) -> Result<InboundMail> {
        let record = match (self.record_kind, self.record_id) {
            (Some(k), Some(id)) => Some(format!(
                "{}-{id}",
                parse_stored("record_kind", &k, RecordKind::parse)?.prefix()
            )),
            _ => None,
        };
        Ok(InboundMail {
            id: self.id,
            received_at: from_micros(self.received_at)?,
            message_id: self.message_id,
            sender: self.sender,
            subject: self.subject,
            size: self.size,
            state: parse_stored("state", &self.state, InboundState::parse)?,
            reason: self.reason,
            record,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    recipient: Option<String>,
    sender_domain: Option<String>,
    opens: String,
    service_id: Option<i64>,
    catalogue_item_id: Option<i64>,
    team_id: Option<i64>,
    organisation_id: Option<i64>,
    unknown_sender: String,
    created_at: i64,
}

const RULE_COLUMNS: &str = "id, recipient, sender_domain, opens, service_id, catalogue_item_id, team_id, organisation_id, unknown_sender, created_at";

impl RuleRow {
    fn read(self) -> Result<MailRule> {
        Ok(MailRule {
            id: self.id,
            recipient: self.recipient,
            sender_domain: self.sender_domain,
            opens: parse_stored("opens", &self.opens, Opens::parse)?,
            service: self.service_id.map(ServiceId),
            catalogue_item: self.catalogue_item_id.map(CatalogueItemId),
            team: self.team_id.map(TeamId),
            organisation: self.organisation_id.map(OrganisationId),
            unknown_sender: parse_stored("unknown_sender", &self.unknown_sender, UnknownSender::parse)?,
            created_at: from_micros(self.created_at)?,
        })
    }
}

/// Moves a `received` message to what it became, inside `tx`; false if it was decided on already
/// (the caller then abandons the transaction).
async fn settle(
    tx: &mut Tx,
    mail: i64,
    state: InboundState,
    reason: &str,
    record: Option<(RecordKind, i64)>,
    at: DateTime<Utc>,
) -> Result<bool> {
    let reason: String = reason.chars().take(500).collect();
    let n = tx
        .execute(
            "UPDATE inbound_mail SET state = $1, reason = $2, record_kind = $3, record_id = $4, decided_at = $5 \
             WHERE id = $6 AND state = 'received'",
            args![
                state.as_str(),
                reason,
                record.map(|(k, _)| k.as_str()),
                record.map(|(_, id)| id),
                micros(at),
                mail
            ],
        )
        .await?;
    Ok(n == 1)
}

/// Writes a message's files on a record inside `tx`.
async fn attach_files(
    tx: &mut Tx,
    kind: RecordKind,
    id: i64,
    author: UserId,
    at: DateTime<Utc>,
    visibility: Visibility,
    files: &[MailFile],
) -> Result<()> {
    for f in files {
        let file = NewAttachment {
            name: &f.name,
            content_type: &f.content_type,
            visibility,
            bytes: &f.bytes,
        };
        crate::attachment::write_attachment(tx, kind, id, author, at, file).await?;
    }
    Ok(())
}

impl Store {
    /// Keeps a message as it arrived; returns its id, its state, and whether it is new (false
    /// when a message with its `Message-ID` was received before: that one is the one kept).
    pub async fn receive_mail(&self, m: NewInboundMail<'_>) -> Result<(i64, InboundState, bool)> {
        let subject: String = m.subject.chars().filter(|c| !c.is_control()).take(500).collect();
        let sender: String = m.sender.chars().take(320).collect::<String>().to_lowercase();
        let message_id: String = m.message_id.chars().take(1000).collect();
        let mut tx = self.begin().await?;
        let inserted: Option<(i64,)> = tx
            .fetch_optional(
                "INSERT INTO inbound_mail (received_at, message_id, sender, subject, size, raw, state, reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'received', '') ON CONFLICT (message_id) DO NOTHING RETURNING id",
                args![
                    micros(m.at),
                    message_id.clone(),
                    sender,
                    subject,
                    m.raw.len() as i64,
                    m.raw.to_vec()
                ],
            )
            .await?;
        let out = match inserted {
            Some((id,)) => (id, InboundState::Received, true),
            None => {
                let (id, state): (i64, String) = tx
                    .fetch_one(
                        "SELECT id, state FROM inbound_mail WHERE message_id = $1",
                        args![message_id],
                    )
                    .await?;
                (id, parse_stored("state", &state, InboundState::parse)?, false)
            }
        };
        tx.commit().await?;
        Ok(out)
    }

    /// The bytes of a received message, as they arrived.
    pub async fn inbound_raw(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let mut c = self.read().await?;
        let row: Option<(Vec<u8>,)> = c
            .fetch_optional("SELECT raw FROM inbound_mail WHERE id = $1", args![id])
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// One received message.
    pub async fn get_inbound_mail(&self, id: i64) -> Result<Option<InboundMail>> {
        let mut c = self.read().await?;
        let sql = format!("SELECT {COLUMNS} FROM inbound_mail WHERE id = $1");
        let row: Option<InboundRow> = c.fetch_optional(&sql, args![id]).await?;
        row.map(InboundRow::read).transpose()
    }

    /// How many messages from `sender` arrived in the hour before message `before` did.
    pub async fn mail_from_sender(&self, sender: &str, before: i64, at: DateTime<Utc>) -> Result<i64> {
        let mut c = self.read().await?;
        let (n,): (i64,) = c
            .fetch_one(
                "SELECT COUNT(*) FROM inbound_mail WHERE sender = $1 AND received_at >= $2 AND id < $3",
                args![sender.to_lowercase(), micros(at - Duration::hours(1)), before],
            )
            .await?;
        Ok(n)
    }

    /// Messages kept but not yet decided on: those that arrived before `before` (left so by a
    /// process that stopped in between) and those an administrator put back, oldest first.
    pub async fn undecided_mail(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<i64>> {
        let mut c = self.read().await?;
        let rows: Vec<(i64,)> = c
            .fetch_all(
                "SELECT id FROM inbound_mail WHERE state = 'received' AND (received_at < $1 OR reason <> '') ORDER BY id LIMIT $2",
                args![micros(before), i64::from(limit)],
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Received messages, newest first, in one state or all.
    pub async fn inbound_mail(
        &self,
        state: Option<InboundState>,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<InboundMail>> {
        let before = match cursor {
            Some(c) => decode_cursor(c)?.1,
            None => i64::MAX,
        };
        let limit = i64::from(limit.clamp(1, MAX_LIMIT));
        let mut c = self.read().await?;
        let rows: Vec<InboundRow> = match state {
            Some(s) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM inbound_mail WHERE state = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
                );
                c.fetch_all(&sql, args![s.as_str(), before, limit + 1]).await?
            }
            None => {
                let sql = format!("SELECT {COLUMNS} FROM inbound_mail WHERE id < $1 ORDER BY id DESC LIMIT $2");
                c.fetch_all(&sql, args![before, limit + 1]).await?
            }
        };
        let more = rows.len() as i64 > limit;
        let items = rows
            .into_iter()
            .take(limit as usize)
            .map(InboundRow::read)
            .collect::<Result<Vec<_>>>()?;
        let next_cursor = if more {
            items.last().map(|m| encode_cursor(0, m.id))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Places a message as a comment on a record, with its files; the record reference, or
    /// `None` if the message was decided on already.
    #[allow(clippy::too_many_arguments)]
    pub async fn comment_from_mail(
        &self,
        mail: i64,
        kind: RecordKind,
        id: i64,
        author: UserId,
        at: DateTime<Utc>,
        visibility: Visibility,
        body: &str,
        files: &[MailFile],
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        if !body.trim().is_empty() || files.is_empty() {
            crate::comment::write_comment(&mut tx, kind, id, author, at, visibility, body).await?;
        }
        attach_files(&mut tx, kind, id, author, at, visibility, files).await?;
        let reference = format!("{}-{id}", kind.prefix());
        if !settle(
            &mut tx,
            mail,
            InboundState::Placed,
            &format!("a reply on {reference}"),
            Some((kind, id)),
            at,
        )
        .await?
        {
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(reference))
    }

    /// Places a message as a new record with its files, by its sender — or, given `new_sender`,
    /// by a requester created for the address first (`set_person` names them on the record). The
    /// record reference, or `None` if the message was decided on already.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_from_mail<T: Table>(
        &self,
        mail: i64,
        at: DateTime<Utc>,
        mut record: T,
        sender: Option<UserId>,
        new_sender: Option<User>,
        set_person: impl FnOnce(&mut T, UserId) + Send,
        files: &[MailFile],
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        let author = match new_sender {
            Some(user) => {
                let user = insert(&mut tx, user, None).await?;
                set_person(&mut record, user.id);
                user.id
            }
            None => sender.ok_or_else(|| Error::unexpected("a record opened by email needs its sender"))?,
        };
        let saved = insert(&mut tx, record, Some(author)).await?;
        let id = saved.id();
        attach_files(&mut tx, T::KIND, id, author, at, Visibility::Public, files).await?;
        let reference = format!("{}-{id}", T::KIND.prefix());
        if !settle(
            &mut tx,
            mail,
            InboundState::Placed,
            &format!("opened {reference}"),
            Some((T::KIND, id)),
            at,
        )
        .await?
        {
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(reference))
    }

    /// Keeps a message without placing it — held, refused (with `reply` queued to its sender) or
    /// ignored — with the reason; false if it was decided on already.
    pub async fn keep_mail(
        &self,
        mail: i64,
        state: InboundState,
        reason: &str,
        reply: Option<MailReply>,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        if !settle(&mut tx, mail, state, reason, None, at).await? {
            return Ok(false);
        }
        if let Some(r) = reply {
            let out = Outgoing {
                user: None,
                recipient: r.recipient,
                subject: r.subject,
                body: r.body,
                message_id: r.message_id,
                thread: Some(r.in_reply_to),
                record: None,
                event: "rejection".into(),
            };
            queue_mail(&mut tx, &[out], micros(at)).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Marks a held message as looked at and thrown away (its bytes stay kept).
    pub async fn discard_mail(&self, id: i64, at: DateTime<Utc>) -> Result<InboundMail> {
        self.move_held(
            id,
            "state = 'discarded', decided_at = $2",
            Some(micros(at)),
            "discarded",
        )
        .await
    }

    /// Puts a held message back to be decided on again (after a rule or a user was added for
    /// it); the job runner then places it.
    pub async fn reconsider_mail(&self, id: i64) -> Result<InboundMail> {
        self.move_held(
            id,
            "state = 'received', reason = 'put back to be placed again', decided_at = $2",
            None,
            "placed again",
        )
        .await
    }

    /// Moves a held message by `set` (which may use `$2` for `at`); `NotFound` if there is no such
    /// message, `Conflict` if it is not held.
    async fn move_held(&self, id: i64, set: &str, at: Option<i64>, done: &str) -> Result<InboundMail> {
        let mut tx = self.begin().await?;
        let sql = format!("UPDATE inbound_mail SET {set} WHERE id = $1 AND state = 'held'");
        let n = tx.execute(&sql, args![id, at]).await?;
        let sql = format!("SELECT {COLUMNS} FROM inbound_mail WHERE id = $1");
        let row: Option<InboundRow> = tx.fetch_optional(&sql, args![id]).await?;
        tx.commit().await?;
        let mail = row.ok_or_else(|| Error::not_found("inbound mail", id))?.read()?;
        if n == 0 {
            return Err(Error::Conflict(format!(
                "message {id} is {}, not held; only a held message can be {done}",
                mail.state
            )));
        }
        Ok(mail)
    }

    /// The mail rules, oldest first (the order they are tried in).
    pub async fn mail_rules(&self) -> Result<Vec<MailRule>> {
        let mut c = self.read().await?;
        let sql = format!("SELECT {RULE_COLUMNS} FROM mail_rules ORDER BY id");
        let rows: Vec<RuleRow> = c.fetch_all(&sql, vec![]).await?;
        rows.into_iter().map(RuleRow::read).collect()
    }

    /// Adds a rule (checked by the caller); the service, catalogue item, team and organisation it
    /// names must exist.
    pub async fn add_mail_rule(&self, r: MailRule) -> Result<MailRule> {
        let mut tx = self.begin().await?;
        for (field, table, id) in [
            ("service", "services", r.service.map(|s| s.0)),
            ("catalogue_item", "catalogue_items", r.catalogue_item.map(|s| s.0)),
            ("team", "teams", r.team.map(|s| s.0)),
            ("organisation", "organisations", r.organisation.map(|s| s.0)),
        ] {
            if let Some(id) = id {
                let found: Option<(i64,)> = tx
                    .fetch_optional(&format!("SELECT id FROM {table} WHERE id = $1"), args![id])
                    .await?;
                if found.is_none() {
                    return Err(Error::invalid(field, format!("{id} does not exist")));
                }
            }
        }
        let (id,): (i64,) = tx
            .fetch_one(
                "INSERT INTO mail_rules (recipient, sender_domain, opens, service_id, catalogue_item_id, team_id, \
                 organisation_id, unknown_sender, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                args![
                    r.recipient.clone(),
                    r.sender_domain.clone(),
                    r.opens.as_str(),
                    r.service.map(|s| s.0),
                    r.catalogue_item.map(|s| s.0),
                    r.team.map(|s| s.0),
                    r.organisation.map(|s| s.0),
                    r.unknown_sender.as_str(),
                    micros(r.created_at)
                ],
            )
            .await?;
        tx.commit().await?;
        Ok(MailRule { id, ..r })
    }

    /// Removes a rule; `NotFound` if there is none with this id.
    pub async fn delete_mail_rule(&self, id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        if tx.execute("DELETE FROM mail_rules WHERE id = $1", args![id]).await? == 0 {
            return Err(Error::not_found("mail rule", id));
        }
        tx.commit().await?;
        Ok(())
    }
}
