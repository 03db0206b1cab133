//! How in-app notifications are stored and read.

use chrono::{DateTime, Utc};
use steward_core::id::UserId;
use steward_core::notification::Notification;
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::page::{MAX_LIMIT, decode_cursor, encode_cursor};
use crate::{Page, Store, args, from_micros, micros, opt_from_micros, parse_stored};

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: i64,
    record_kind: String,
    record_id: i64,
    kind: String,
    message: String,
    created_at: i64,
    read_at: Option<i64>,
}

impl Store {
    /// A user's notifications, newest first.
    pub async fn notifications(
        &self,
        user: UserId,
        unread_only: bool,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Notification>> {
        let before = match cursor {
            Some(c) => decode_cursor(c)?.1,
            None => i64::MAX,
        };
        let limit = i64::from(limit.clamp(1, MAX_LIMIT));
        let unread = if unread_only { " AND read_at IS NULL" } else { "" };
        let sql = format!(
            "SELECT id, record_kind, record_id, kind, message, created_at, read_at FROM notifications \
             WHERE user_id = $1 AND id < $2{unread} ORDER BY id DESC LIMIT $3"
        );
        let mut c = self.read().await?;
        let rows: Vec<NotificationRow> = c.fetch_all(&sql, args![user.0, before, limit + 1]).await?;
        let more = rows.len() as i64 > limit;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows.into_iter().take(limit as usize) {
            let kind = parse_stored("record_kind", &r.record_kind, RecordKind::parse)?;
            items.push(Notification {
                id: r.id,
                record: format!("{}-{}", kind.prefix(), r.record_id),
                kind: r.kind,
                message: r.message,
                created_at: from_micros(r.created_at)?,
                read_at: opt_from_micros(r.read_at)?,
            });
        }
        let next_cursor = if more {
            items.last().map(|n| encode_cursor(0, n.id))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Marks one of a user's notifications read.
    pub async fn mark_notification_read(&self, user: UserId, id: i64, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3",
                args![micros(at), id, user.0],
            )
            .await?;
        tx.commit().await?;
        if n == 0 {
            return Err(Error::not_found("notification", id));
        }
        Ok(())
    }
}
