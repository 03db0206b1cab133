//! How relationships between configuration items are stored, and impact analysis over them: a
//! breadth-first walk with one query per level, never one per item.

use chrono::{DateTime, Utc};
use steward_core::configuration_item::ConfigurationItem;
use steward_core::history::{EntryContent, HistoryAction};
use steward_core::id::{ConfigurationItemId, ServiceId, UserId};
use steward_core::record::RecordKind;
use steward_core::relationship::{Impact, Reached, ReachedService, Relationship, RelationshipKind, walk};
use steward_core::{Error, Result};

use crate::exec::{Arg, Conn};
use crate::record::{Table, check_references};
use crate::{Store, args, from_micros, history, micros, parse_stored, placeholders};

/// How many items an impact analysis reaches at most.
pub const IMPACT_LIMIT: usize = 10_000;

#[derive(sqlx::FromRow)]
struct RelationshipRow {
    from_id: i64,
    kind: String,
    to_id: i64,
    created_by: Option<i64>,
    created_at: i64,
}

impl RelationshipRow {
    fn into_relationship(self) -> Result<Relationship> {
        Ok(Relationship {
            from: ConfigurationItemId(self.from_id),
            kind: parse_stored("kind", &self.kind, RelationshipKind::parse)?,
            to: ConfigurationItemId(self.to_id),
            created_by: self.created_by.map(UserId),
            created_at: from_micros(self.created_at)?,
        })
    }
}

fn entries(r: &Relationship, action: HistoryAction, actor: Option<UserId>, at: DateTime<Utc>) -> Vec<EntryContent> {
    [
        (r.from, format!("{} {}", r.kind, r.to)),
        (r.to, format!("{} {} (from {})", r.kind, r.to, r.from)),
    ]
    .into_iter()
    .map(|(item, text)| EntryContent {
        record_kind: RecordKind::ConfigurationItem,
        record_id: item.0,
        actor,
        at_micros: micros(at),
        action,
        field: Some("relationships".into()),
        old_value: None,
        new_value: Some(serde_json::Value::String(text).to_string()),
    })
    .collect()
}

const SELECT: &str = "SELECT from_id, kind, to_id, created_by, created_at FROM ci_relationships";

/// Relationships touching any of `items`, in chunks that stay within parameter limits.
async fn touching(c: &mut Conn, items: &[ConfigurationItemId]) -> Result<Vec<Relationship>> {
    let mut out = Vec::new();
    for chunk in items.chunks(500) {
        let list = placeholders(1, chunk.len());
        let sql = format!(
            "{SELECT} WHERE from_id IN ({list}) UNION SELECT from_id, kind, to_id, created_by, created_at FROM ci_relationships WHERE to_id IN ({list})"
        );
        let rows: Vec<RelationshipRow> = c
            .fetch_all(&sql, chunk.iter().map(|i| Arg::from(i.0)).collect())
            .await?;
        for r in rows {
            out.push(r.into_relationship()?);
        }
    }
    Ok(out)
}

impl Store {
    /// Adds a relationship, written to both items' history.
    pub async fn relate(&self, r: &Relationship) -> Result<()> {
        if r.from == r.to {
            return Err(Error::invalid("to", "an item cannot be related to itself"));
        }
        let mut tx = self.begin().await?;
        check_references(
            &mut tx,
            &[
                ("from", RecordKind::ConfigurationItem, r.from.0),
                ("to", RecordKind::ConfigurationItem, r.to.0),
            ],
        )
        .await?;
        tx.execute(
            "INSERT INTO ci_relationships (from_id, kind, to_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
            args![
                r.from.0,
                r.kind.as_str(),
                r.to.0,
                r.created_by.map(|u| u.0),
                micros(r.created_at)
            ],
        )
        .await?;
        history::append(&mut tx, entries(r, HistoryAction::Link, r.created_by, r.created_at)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unrelate(&self, r: &Relationship) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "DELETE FROM ci_relationships WHERE from_id = $1 AND kind = $2 AND to_id = $3",
                args![r.from.0, r.kind.as_str(), r.to.0],
            )
            .await?;
        if n == 0 {
            return Err(Error::not_found(
                "relationship",
                format!("{} {} {}", r.from, r.kind, r.to),
            ));
        }
        history::append(&mut tx, entries(r, HistoryAction::Unlink, r.created_by, r.created_at)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every relationship of an item, either way.
    pub async fn relationships_of(&self, item: ConfigurationItemId) -> Result<Vec<Relationship>> {
        let mut c = self.read().await?;
        touching(&mut c, &[item]).await
    }

    /// What a failure of `item` would affect — items and services — and what it depends on.
    pub async fn impact(&self, item: ConfigurationItemId) -> Result<Impact> {
        let mut c = self.read().await?;
        let mut walk_from = async |forward: bool| -> Result<(Vec<(ConfigurationItemId, u32)>, bool)> {
            let mut levels: Vec<Vec<ConfigurationItemId>> = Vec::new();
            let mut frontier = vec![item];
            // Fetch level by level, then let the pure walk decide what is new.
            let mut edges: Vec<(ConfigurationItemId, ConfigurationItemId)> = Vec::new();
            let mut fetched = std::collections::HashSet::new();
            loop {
                let new: Vec<ConfigurationItemId> = frontier.iter().copied().filter(|i| fetched.insert(*i)).collect();
                if new.is_empty() || fetched.len() > IMPACT_LIMIT {
                    break;
                }
                let rels = touching(&mut c, &new).await?;
                let mut next = Vec::new();
                for r in rels {
                    for (failing, affected) in r.failure_paths() {
                        let (a, b) = if forward {
                            (failing, affected)
                        } else {
                            (affected, failing)
                        };
                        if new.contains(&a) {
                            edges.push((a, b));
                            next.push(b);
                        }
                    }
                }
                levels.push(new);
                frontier = next;
            }
            walk::<Error>(item, IMPACT_LIMIT, |from| {
                Ok(edges
                    .iter()
                    .filter(|(a, _)| from.contains(a))
                    .map(|(_, b)| *b)
                    .collect())
            })
        };
        let (affected, cut_a) = walk_from(true).await?;
        let (depends, cut_b) = walk_from(false).await?;
        let names = self
            .ci_names(affected.iter().chain(depends.iter()).map(|(i, _)| *i).chain([item]))
            .await?;
        let name = |i: ConfigurationItemId| names.get(&i).cloned().unwrap_or_default();
        let reached = |v: &[(ConfigurationItemId, u32)]| {
            v.iter()
                .map(|(i, d)| Reached {
                    item: *i,
                    name: name(*i),
                    depth: *d,
                })
                .collect()
        };
        let affected_services = self
            .services_of(
                &[(item, 0)]
                    .into_iter()
                    .chain(affected.iter().copied())
                    .collect::<Vec<_>>(),
            )
            .await?;
        Ok(Impact {
            item,
            affected_items: reached(&affected),
            affected_services,
            depends_on: reached(&depends),
            truncated: cut_a || cut_b,
        })
    }

    async fn ci_names(
        &self,
        items: impl Iterator<Item = ConfigurationItemId>,
    ) -> Result<std::collections::HashMap<ConfigurationItemId, String>> {
        let ids: Vec<i64> = items.map(|i| i.0).collect();
        let mut out = std::collections::HashMap::new();
        let mut c = self.read().await?;
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT id, name FROM configuration_items WHERE id IN ({})",
                placeholders(1, chunk.len())
            );
            let rows: Vec<(i64, String)> = c.fetch_all(&sql, chunk.iter().map(|i| Arg::from(*i)).collect()).await?;
            out.extend(rows.into_iter().map(|(i, n)| (ConfigurationItemId(i), n)));
        }
        Ok(out)
    }

    /// The services linked to any of `items` (each reached once, at its nearest item).
    async fn services_of(&self, items: &[(ConfigurationItemId, u32)]) -> Result<Vec<ReachedService>> {
        let mut c = self.read().await?;
        let mut found: Vec<ReachedService> = Vec::new();
        for chunk in items.chunks(500) {
            let sql = format!(
                "SELECT l.from_id, s.id, s.name FROM links l JOIN services s ON s.id = l.to_id \
                 WHERE l.from_kind = 'configuration_item' AND l.to_kind = 'service' AND l.from_id IN ({})",
                placeholders(1, chunk.len())
            );
            let rows: Vec<(i64, i64, String)> = c
                .fetch_all(&sql, chunk.iter().map(|(i, _)| Arg::from(i.0)).collect())
                .await?;
            for (ci, service, name) in rows {
                let depth = chunk.iter().find(|(i, _)| i.0 == ci).map(|(_, d)| *d).unwrap_or(0);
                match found.iter_mut().find(|f| f.service.0 == service) {
                    Some(f) if f.depth <= depth => {}
                    Some(f) => {
                        f.depth = depth;
                        f.through = ConfigurationItemId(ci);
                    }
                    None => found.push(ReachedService {
                        service: ServiceId(service),
                        name,
                        through: ConfigurationItemId(ci),
                        depth,
                    }),
                }
            }
        }
        found.sort_by_key(|f| (f.depth, f.service));
        Ok(found)
    }

    /// Items whose type requires verification and whose last verification is older than the
    /// type's interval (or that were never verified), oldest first.
    pub async fn overdue_verification(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<ConfigurationItem>> {
        let columns: Vec<String> = std::iter::once("id")
            .chain(ConfigurationItem::COLUMNS.iter().copied())
            .map(|c| format!("c.{c}"))
            .collect();
        let sql = format!(
            "SELECT {} FROM configuration_items c JOIN configuration_item_types t ON t.name = c.ci_type \
             WHERE t.verification_interval_days IS NOT NULL AND c.status <> 'retired' \
             AND (c.last_verified_at IS NULL OR c.last_verified_at < $1 - t.verification_interval_days * 86400000000) \
             ORDER BY c.last_verified_at IS NOT NULL, c.last_verified_at, c.id LIMIT $2",
            columns.join(", ")
        );
        let mut c = self.read().await?;
        let rows: Vec<<ConfigurationItem as Table>::Row> = c
            .fetch_all(&sql, args![micros(now), i64::from(limit.clamp(1, crate::MAX_LIMIT))])
            .await?;
        rows.into_iter().map(ConfigurationItem::from_row).collect()
    }
}
