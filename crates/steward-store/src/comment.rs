//! Comments: an entry in the record's history (action `comment`, field the visibility, value
//! the text), written with the record's `updated_at` in one transaction, so a customer's reply
//! moves the ticket up a queue sorted by last update.

use chrono::{DateTime, Utc};
use steward_core::comment::{Comment, Visibility};
use steward_core::history::{EntryContent, HistoryAction};
use steward_core::id::UserId;
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::record::table_of;
use crate::{Store, args, history, micros};

/// Moves a record's `updated_at` to `at` inside `tx`, so what is added to its conversation moves
/// it up a queue sorted by last update; `NotFound` if there is no such record.
pub(crate) async fn touch(tx: &mut crate::exec::Tx, kind: RecordKind, id: i64, at: DateTime<Utc>) -> Result<()> {
    let sql = format!("UPDATE {} SET updated_at = $1 WHERE id = $2", table_of(kind));
    if tx.execute(&sql, args![micros(at), id]).await? == 0 {
        return Err(Error::not_found(kind.as_str(), format!("{}-{id}", kind.prefix())));
    }
    Ok(())
}

impl Store {
    /// Adds a comment to a record and returns it as read back; `NotFound` if there is no such
    /// record.
    pub async fn add_comment(
        &self,
        kind: RecordKind,
        id: i64,
        author: UserId,
        at: DateTime<Utc>,
        visibility: Visibility,
        body: &str,
    ) -> Result<Comment> {
        let mut tx = self.begin().await?;
        let comment = write_comment(&mut tx, kind, id, author, at, visibility, body).await?;
        tx.commit().await?;
        Ok(comment)
    }
}

/// Writes a comment inside `tx`, for [`Store::add_comment`] and whatever else writes one with
/// more in the same transaction (a message that arrives by email).
pub(crate) async fn write_comment(
    tx: &mut crate::exec::Tx,
    kind: RecordKind,
    id: i64,
    author: UserId,
    at: DateTime<Utc>,
    visibility: Visibility,
    body: &str,
) -> Result<Comment> {
    touch(tx, kind, id, at).await?;
    history::append(
        tx,
        vec![EntryContent {
            record_kind: kind,
            record_id: id,
            actor: Some(author),
            at_micros: micros(at),
            action: HistoryAction::Comment,
            field: Some(visibility.as_str().into()),
            old_value: None,
            new_value: Some(serde_json::Value::String(body.into()).to_string()),
        }],
    )
    .await?;
    // The entry just appended is the head of the chain, which this transaction holds.
    let (seq,): (i64,) = tx
        .fetch_one("SELECT seq FROM history_head WHERE id = 1", vec![])
        .await?;
    Ok(Comment {
        seq,
        record: format!("{}-{id}", kind.prefix()),
        author: Some(author),
        at,
        visibility,
        body: body.to_string(),
    })
}
