//! History storage: appending chained entries inside the caller's transaction, reading a
//! record's entries, and verifying the whole chain.

use steward_core::Result;
use steward_core::comment::Comment;
use steward_core::history::{
    ChainFault, EntryContent, HistoryAction, HistoryEntry, StoredEntry, Verifier, chain, digest,
};
use steward_core::id::UserId;
use steward_core::record::RecordKind;

use crate::exec::{Arg, Tx};
use crate::page::{MAX_LIMIT, decode_cursor, encode_cursor};
use crate::{Page, Store, args, from_micros, parse_stored};

const COLUMNS: usize = 11;
/// Rows per INSERT statement; well under SQLite's and PostgreSQL's parameter limits.
const CHUNK: usize = 500;

/// Appends entries to the chain. The first statement takes the chain head's row lock (on
/// PostgreSQL; SQLite's write transaction is already exclusive), so concurrent writers from any
/// number of processes extend one unbroken chain.
pub(crate) async fn append(tx: &mut Tx, entries: Vec<EntryContent>) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let n = entries.len() as i64;
    let (last_seq, mut prev): (i64, String) = tx
        .fetch_one(
            "UPDATE history_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash",
            args![n],
        )
        .await?;
    let mut seq = last_seq - n;
    for chunk in entries.chunks(CHUNK) {
        let mut values = Vec::with_capacity(chunk.len());
        let mut a: Vec<Arg> = Vec::with_capacity(chunk.len() * COLUMNS);
        for e in chunk {
            seq += 1;
            let d = digest(e);
            let h = chain(&prev, seq, &d);
            let base = a.len();
            values.push(format!(
                "({})",
                (1..=COLUMNS)
                    .map(|i| format!("${}", base + i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            a.extend(args![
                seq,
                e.record_kind.as_str(),
                e.record_id,
                e.actor.map(|u| u.0),
                e.at_micros,
                e.action.as_str(),
                e.field.clone(),
                e.old_value.clone(),
                e.new_value.clone(),
                d,
                h.clone(),
            ]);
            prev = h;
        }
        let sql = format!(
            "INSERT INTO history (seq, record_kind, record_id, actor_id, at, action, field, old_value, new_value, digest, hash) VALUES {}",
            values.join(", ")
        );
        tx.execute(&sql, a).await?;
    }
    tx.execute("UPDATE history_head SET hash = $1 WHERE id = 1", args![prev])
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    seq: i64,
    record_kind: String,
    record_id: i64,
    actor_id: Option<i64>,
    at: i64,
    action: String,
    field: Option<String>,
    old_value: Option<String>,
    new_value: Option<String>,
    digest: String,
    hash: String,
}

impl HistoryRow {
    fn content(&self) -> Result<EntryContent> {
        Ok(EntryContent {
            record_kind: parse_stored("record_kind", &self.record_kind, RecordKind::parse)?,
            record_id: self.record_id,
            actor: self.actor_id.map(UserId),
            at_micros: self.at,
            action: parse_stored("action", &self.action, HistoryAction::parse)?,
            field: self.field.clone(),
            old_value: self.old_value.clone(),
            new_value: self.new_value.clone(),
        })
    }
}

fn json(v: Option<String>) -> Option<serde_json::Value> {
    v.map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))
}

/// What `audit verify` found.
#[derive(Debug)]
pub struct VerifyReport {
    pub checked: u64,
    pub faults: Vec<ChainFault>,
}

const SELECT: &str =
    "SELECT seq, record_kind, record_id, actor_id, at, action, field, old_value, new_value, digest, hash FROM history";

impl Store {
    /// A record's history, oldest first, a page at a time.
    pub async fn history(
        &self,
        kind: RecordKind,
        id: i64,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<HistoryEntry>> {
        self.history_seen_by(kind, id, cursor, limit, true).await
    }

    /// A record's history as one reader may see it: without `internal`, internal work notes are
    /// left out (a requester never sees them, by any route).
    pub async fn history_seen_by(
        &self,
        kind: RecordKind,
        id: i64,
        cursor: Option<&str>,
        limit: u32,
        internal: bool,
    ) -> Result<Page<HistoryEntry>> {
        self.entries_seen_by(kind, id, cursor, limit, internal, false).await
    }

    /// A record's comments in order, a page at a time; internal work notes only if `internal`.
    pub async fn comments_seen_by(
        &self,
        kind: RecordKind,
        id: i64,
        cursor: Option<&str>,
        limit: u32,
        internal: bool,
    ) -> Result<Page<Comment>> {
        let page = self.entries_seen_by(kind, id, cursor, limit, internal, true).await?;
        Ok(Page {
            items: page.items.into_iter().filter_map(Comment::from_entry).collect(),
            next_cursor: page.next_cursor,
        })
    }

    async fn entries_seen_by(
        &self,
        kind: RecordKind,
        id: i64,
        cursor: Option<&str>,
        limit: u32,
        internal: bool,
        only_comments: bool,
    ) -> Result<Page<HistoryEntry>> {
        let after = match cursor {
            Some(c) => decode_cursor(c)?.0,
            None => 0,
        };
        let limit = limit.clamp(1, MAX_LIMIT) as i64;
        let hide = if internal {
            ""
        } else {
            " AND NOT (action IN ('comment', 'attach') AND field = 'internal')"
        };
        let only = if only_comments { " AND action = 'comment'" } else { "" };
        let sql = format!(
            "{SELECT} WHERE record_kind = $1 AND record_id = $2 AND seq > $3{hide}{only} ORDER BY seq LIMIT $4"
        );
        let mut c = self.read().await?;
        let rows: Vec<HistoryRow> = c.fetch_all(&sql, args![kind.as_str(), id, after, limit + 1]).await?;
        let more = rows.len() as i64 > limit;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows.into_iter().take(limit as usize) {
            let content = r.content()?;
            items.push(HistoryEntry {
                seq: r.seq,
                record: format!("{}-{}", content.record_kind.prefix(), content.record_id),
                actor: content.actor,
                at: from_micros(r.at)?,
                action: content.action,
                field: r.field,
                old_value: json(r.old_value),
                new_value: json(r.new_value),
            });
        }
        let next_cursor = if more {
            items.last().map(|e| encode_cursor(e.seq, 0))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Walks the whole chain in order and reports every entry that was edited, deleted,
    /// inserted or reordered.
    pub async fn verify_history(&self) -> Result<VerifyReport> {
        let mut c = self.read().await?;
        let (head_seq, head_hash): (i64, String) = c
            .fetch_one("SELECT seq, hash FROM history_head WHERE id = 1", vec![])
            .await?;
        let mut v = Verifier::default();
        let sql = format!("{SELECT} WHERE seq > $1 ORDER BY seq LIMIT 5000");
        loop {
            let rows: Vec<HistoryRow> = c.fetch_all(&sql, args![v.last_seq()]).await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                match r.content() {
                    Ok(content) => v.check(&StoredEntry {
                        seq: r.seq,
                        content,
                        digest: r.digest.clone(),
                        hash: r.hash.clone(),
                    }),
                    // An unknown kind or action can only come from an edit.
                    Err(_) => v.unreadable(r.seq, format!("{} {}", r.record_kind, r.record_id), &r.hash),
                }
            }
        }
        let v = v.finish(head_seq, &head_hash);
        Ok(VerifyReport {
            checked: v.checked,
            faults: v.faults,
        })
    }
}
