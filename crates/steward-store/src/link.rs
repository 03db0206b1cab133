//! How links between records are stored; each link or unlink is written in both records' history.

use chrono::{DateTime, Utc};
use steward_core::history::{EntryContent, HistoryAction};
use steward_core::id::UserId;
use steward_core::link::{Endpoint, Link};
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::record::check_references;
use crate::{Store, args, from_micros, history, micros, parse_stored};

fn entries(
    from: Endpoint,
    to: Endpoint,
    action: HistoryAction,
    actor: Option<UserId>,
    at: DateTime<Utc>,
) -> Vec<EntryContent> {
    [(from, to), (to, from)]
        .into_iter()
        .map(|(me, other)| EntryContent {
            record_kind: me.kind,
            record_id: me.id,
            actor,
            at_micros: micros(at),
            action,
            field: Some("links".into()),
            old_value: None,
            new_value: Some(format!("\"{}\"", other.reference())),
        })
        .collect()
}

impl Store {
    /// Links two records given in canonical order (see `steward_core::link::canonical`).
    pub async fn link(&self, from: Endpoint, to: Endpoint, actor: Option<UserId>, at: DateTime<Utc>) -> Result<Link> {
        let mut tx = self.begin().await?;
        check_references(&mut tx, &[("from", from.kind, from.id), ("to", to.kind, to.id)]).await?;
        tx.execute(
            "INSERT INTO links (from_kind, from_id, to_kind, to_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            args![from.kind.as_str(), from.id, to.kind.as_str(), to.id, actor.map(|u| u.0), micros(at)],
        )
        .await?;
        history::append(&mut tx, entries(from, to, HistoryAction::Link, actor, at)).await?;
        tx.commit().await?;
        Ok(Link {
            from: from.reference(),
            to: to.reference(),
            created_by: actor,
            created_at: at,
        })
    }

    pub async fn unlink(&self, from: Endpoint, to: Endpoint, actor: Option<UserId>, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "DELETE FROM links WHERE from_kind = $1 AND from_id = $2 AND to_kind = $3 AND to_id = $4",
                args![from.kind.as_str(), from.id, to.kind.as_str(), to.id],
            )
            .await?;
        if n == 0 {
            return Err(Error::not_found(
                "link",
                format!("{} - {}", from.reference(), to.reference()),
            ));
        }
        history::append(&mut tx, entries(from, to, HistoryAction::Unlink, actor, at)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every link touching a record, in either direction, oldest first.
    pub async fn links_of(&self, e: Endpoint) -> Result<Vec<Link>> {
        #[derive(sqlx::FromRow)]
        struct LinkRow {
            from_kind: String,
            from_id: i64,
            to_kind: String,
            to_id: i64,
            created_by: Option<i64>,
            created_at: i64,
        }
        let mut c = self.read().await?;
        let rows: Vec<LinkRow> = c
            .fetch_all(
                "SELECT from_kind, from_id, to_kind, to_id, created_by, created_at FROM links WHERE from_kind = $1 AND from_id = $2 \
                 UNION ALL \
                 SELECT from_kind, from_id, to_kind, to_id, created_by, created_at FROM links WHERE to_kind = $1 AND to_id = $2 \
                 ORDER BY created_at",
                args![e.kind.as_str(), e.id],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                let from = Endpoint {
                    kind: parse_stored("from_kind", &r.from_kind, RecordKind::parse)?,
                    id: r.from_id,
                };
                let to = Endpoint {
                    kind: parse_stored("to_kind", &r.to_kind, RecordKind::parse)?,
                    id: r.to_id,
                };
                Ok(Link {
                    from: from.reference(),
                    to: to.reference(),
                    created_by: r.created_by.map(UserId),
                    created_at: from_micros(r.created_at)?,
                })
            })
            .collect()
    }
}
