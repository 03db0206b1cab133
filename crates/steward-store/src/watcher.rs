//! Watchers of records. Watching is a person's own subscription, not a change to the record, so
//! it is not an entry of the record's history.

use chrono::{DateTime, Utc};
use steward_core::Result;
use steward_core::id::UserId;
use steward_core::record::RecordKind;
use steward_core::watcher::Watcher;

use crate::{Store, args, from_micros, micros};

#[derive(sqlx::FromRow)]
struct WatcherRow {
    user_id: i64,
    name: String,
    added_by: Option<i64>,
    created_at: i64,
}

/// A record's watchers may be many, but not unboundedly so.
pub const WATCHERS_MAX: i64 = 1000;

impl Store {
    /// A record's watchers, by when they began watching.
    pub async fn watchers(&self, kind: RecordKind, id: i64) -> Result<Vec<Watcher>> {
        let mut c = self.read().await?;
        let rows: Vec<WatcherRow> = c
            .fetch_all(
                "SELECT w.user_id, u.name, w.added_by, w.created_at FROM watchers w JOIN users u ON u.id = w.user_id \
                 WHERE w.record_kind = $1 AND w.record_id = $2 ORDER BY w.created_at, w.user_id LIMIT $3",
                args![kind.as_str(), id, WATCHERS_MAX],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Watcher {
                    user: UserId(r.user_id),
                    name: r.name,
                    added_by: r.added_by.map(UserId),
                    created_at: from_micros(r.created_at)?,
                })
            })
            .collect()
    }

    /// Adds a watcher (already checked); watching twice is watching. Returns whether they were new.
    pub async fn add_watcher(
        &self,
        kind: RecordKind,
        id: i64,
        user: UserId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "INSERT INTO watchers (record_kind, record_id, user_id, added_by, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (record_kind, record_id, user_id) DO NOTHING",
                args![kind.as_str(), id, user.0, by.0, micros(at)],
            )
            .await?;
        tx.commit().await?;
        Ok(n > 0)
    }

    /// Stops a watcher watching; returns whether they were.
    pub async fn remove_watcher(&self, kind: RecordKind, id: i64, user: UserId) -> Result<bool> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "DELETE FROM watchers WHERE record_kind = $1 AND record_id = $2 AND user_id = $3",
                args![kind.as_str(), id, user.0],
            )
            .await?;
        tx.commit().await?;
        Ok(n > 0)
    }
}
