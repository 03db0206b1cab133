//! Attachments: the row says what the file is; its bytes are kept in 1 MiB chunks beside it
//! (`attachment_chunks`), written with the record's `updated_at` and a history entry in one
//! transaction, so a file is either wholly there, listed and in the history, or not at all.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use steward_core::attachment::Attachment;
use steward_core::comment::Visibility;
use steward_core::history::{EntryContent, HistoryAction};
use steward_core::id::{AttachmentId, UserId};
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::{Store, args, from_micros, history, micros};

/// The bytes of one chunk row.
const CHUNK: usize = 1024 * 1024;

/// What a caller gives to store a file.
pub struct NewAttachment<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub visibility: Visibility,
    pub bytes: &'a [u8],
}

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: i64,
    record_kind: String,
    record_id: i64,
    name: String,
    content_type: String,
    size: i64,
    sha256: String,
    visibility: String,
    uploaded_by: Option<i64>,
    uploaded_at: i64,
}

const SELECT: &str = "SELECT id, record_kind, record_id, name, content_type, size, sha256, visibility, uploaded_by, uploaded_at FROM attachments";

impl AttachmentRow {
    fn read(self) -> Result<(Attachment, RecordKind, i64)> {
        let kind = RecordKind::parse(&self.record_kind)
            .ok_or_else(|| Error::unexpected(format!("stored record kind '{}' is unknown", self.record_kind)))?;
        let visibility = Visibility::parse(&self.visibility)
            .ok_or_else(|| Error::unexpected(format!("stored visibility '{}' is unknown", self.visibility)))?;
        Ok((
            Attachment {
                id: AttachmentId(self.id),
                record: format!("{}-{}", kind.prefix(), self.record_id),
                name: self.name,
                content_type: self.content_type,
                size: self.size,
                sha256: self.sha256,
                visibility,
                uploaded_by: self.uploaded_by.map(UserId),
                uploaded_at: from_micros(self.uploaded_at)?,
            },
            kind,
            self.record_id,
        ))
    }
}

impl Store {
    /// Stores a file on a record; `NotFound` if there is no such record.
    pub async fn add_attachment(
        &self,
        kind: RecordKind,
        id: i64,
        author: UserId,
        at: DateTime<Utc>,
        file: NewAttachment<'_>,
    ) -> Result<Attachment> {
        let mut tx = self.begin().await?;
        let attachment = write_attachment(&mut tx, kind, id, author, at, file).await?;
        tx.commit().await?;
        Ok(attachment)
    }

    /// A record's attachments, oldest first (at most 500); internal ones only if `internal`.
    pub async fn attachments_seen_by(&self, kind: RecordKind, id: i64, internal: bool) -> Result<Vec<Attachment>> {
        let hide = if internal { "" } else { " AND visibility = 'public'" };
        let sql = format!("{SELECT} WHERE record_kind = $1 AND record_id = $2{hide} ORDER BY id LIMIT 500");
        let mut c = self.read().await?;
        let rows: Vec<AttachmentRow> = c.fetch_all(&sql, args![kind.as_str(), id]).await?;
        rows.into_iter().map(|r| r.read().map(|(a, _, _)| a)).collect()
    }

    /// An attachment and the record it is on.
    pub async fn attachment(&self, id: AttachmentId) -> Result<Option<(Attachment, RecordKind, i64)>> {
        let mut c = self.read().await?;
        let row: Option<AttachmentRow> = c
            .fetch_optional(&format!("{SELECT} WHERE id = $1"), args![id.0])
            .await?;
        row.map(AttachmentRow::read).transpose()
    }

    /// An attachment's bytes, checked against the size and hash it was stored with.
    pub async fn attachment_bytes(&self, attachment: &Attachment) -> Result<Vec<u8>> {
        let mut c = self.read().await?;
        let chunks: Vec<(Vec<u8>,)> = c
            .fetch_all(
                "SELECT bytes FROM attachment_chunks WHERE attachment_id = $1 ORDER BY n",
                args![attachment.id.0],
            )
            .await?;
        let mut bytes = Vec::with_capacity(usize::try_from(attachment.size).unwrap_or(0));
        for (chunk,) in chunks {
            bytes.extend_from_slice(&chunk);
        }
        if bytes.len() as i64 != attachment.size || hex::encode(Sha256::digest(&bytes)) != attachment.sha256 {
            return Err(Error::unexpected(format!(
                "the stored bytes of {} do not match its size and SHA-256",
                attachment.id
            )));
        }
        Ok(bytes)
    }
}

/// Writes a file inside `tx`, for [`Store::add_attachment`] and a message that arrives by email.
pub(crate) async fn write_attachment(
    tx: &mut crate::exec::Tx,
    kind: RecordKind,
    id: i64,
    author: UserId,
    at: DateTime<Utc>,
    file: NewAttachment<'_>,
) -> Result<Attachment> {
    let sha256 = hex::encode(Sha256::digest(file.bytes));
    let size = file.bytes.len() as i64;
    crate::comment::touch(tx, kind, id, at).await?;
    let (attachment,): (i64,) = tx
        .fetch_one(
            "INSERT INTO attachments (record_kind, record_id, name, content_type, size, sha256, visibility, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            args![
                kind.as_str(),
                id,
                file.name,
                file.content_type,
                size,
                sha256.clone(),
                file.visibility.as_str(),
                author.0,
                micros(at)
            ],
        )
        .await?;
    for (n, chunk) in file.bytes.chunks(CHUNK).enumerate() {
        tx.execute(
            "INSERT INTO attachment_chunks (attachment_id, n, bytes) VALUES ($1, $2, $3)",
            args![attachment, n as i64, chunk.to_vec()],
        )
        .await?;
    }
    let reference = AttachmentId(attachment).to_string();
    let entry = serde_json::json!({
        "attachment": reference,
        "name": file.name,
        "content_type": file.content_type,
        "size": size,
        "sha256": sha256,
    });
    history::append(
        tx,
        vec![EntryContent {
            record_kind: kind,
            record_id: id,
            actor: Some(author),
            at_micros: micros(at),
            action: HistoryAction::Attach,
            field: Some(file.visibility.as_str().into()),
            old_value: None,
            new_value: Some(entry.to_string()),
        }],
    )
    .await?;
    Ok(Attachment {
        id: AttachmentId(attachment),
        record: format!("{}-{id}", kind.prefix()),
        name: file.name.to_string(),
        content_type: file.content_type.to_string(),
        size,
        sha256,
        visibility: file.visibility,
        uploaded_by: Some(author),
        uploaded_at: at,
    })
}
