//! Typed, directed relationships between configuration items, and how a failure travels along
//! them — the ground of impact analysis.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{ConfigurationItemId, ServiceId, UserId};
use crate::named_enum;

named_enum! {
    /// How one item relates to another (read "from <kind> to").
    RelationshipKind {
        /// `from` needs `to` to work: a failure of `to` affects `from`.
        DependsOn = "depends_on",
        /// `from` runs on `to` (an application on a server): a failure of `to` affects `from`.
        RunsOn = "runs_on",
        /// The two are connected: a failure of either affects the other.
        ConnectedTo = "connected_to",
        /// `from` is a part of `to`: a failure of `from` affects `to`.
        PartOf = "part_of",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Relationship {
    pub from: ConfigurationItemId,
    pub kind: RelationshipKind,
    pub to: ConfigurationItemId,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// The body of `POST /api/v1/configuration-items/{ref}/relationships`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRelationship {
    pub kind: RelationshipKind,
    pub to: ConfigurationItemId,
}

impl Relationship {
    /// The (failing, affected) pairs this relationship gives.
    pub fn failure_paths(&self) -> Vec<(ConfigurationItemId, ConfigurationItemId)> {
        match self.kind {
            RelationshipKind::DependsOn | RelationshipKind::RunsOn => vec![(self.to, self.from)],
            RelationshipKind::PartOf => vec![(self.from, self.to)],
            RelationshipKind::ConnectedTo => vec![(self.to, self.from), (self.from, self.to)],
        }
    }
}

/// An item reached in an impact analysis, and how many steps away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reached {
    pub item: ConfigurationItemId,
    pub name: String,
    pub depth: u32,
}

/// A service reached in an impact analysis, through which item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReachedService {
    pub service: ServiceId,
    pub name: String,
    /// The item through which the service is affected.
    pub through: ConfigurationItemId,
    pub depth: u32,
}

/// What a failure of an item would affect, and what the item itself depends on.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Impact {
    pub item: ConfigurationItemId,
    /// Every item affected if this one fails, nearest first.
    pub affected_items: Vec<Reached>,
    /// Every service affected if this one fails (its own and those of affected items).
    pub affected_services: Vec<ReachedService>,
    /// Every item whose failure would affect this one.
    pub depends_on: Vec<Reached>,
    /// True when the walk stopped at its limit before reaching everything.
    pub truncated: bool,
}

/// Walks failure paths breadth-first from `start`, safe with cycles, nearest first and in
/// reference order within a distance: `next` gives, for a set of
/// items, the items their failure affects (or, walked backwards, the items whose failure affects
/// them). Returns each item reached once, at its shortest distance, and whether `limit` stopped
/// the walk.
pub fn walk<E>(
    start: ConfigurationItemId,
    limit: usize,
    mut next: impl FnMut(&[ConfigurationItemId]) -> Result<Vec<ConfigurationItemId>, E>,
) -> Result<(Vec<(ConfigurationItemId, u32)>, bool), E> {
    let mut seen = std::collections::HashSet::from([start]);
    let mut out = Vec::new();
    let mut frontier = vec![start];
    let mut depth = 0;
    while !frontier.is_empty() {
        depth += 1;
        let mut level = Vec::new();
        // In reference order within a level, so the answer does not depend on storage order.
        let mut candidates = next(&frontier)?;
        candidates.sort_unstable();
        for item in candidates {
            if seen.insert(item) {
                if out.len() >= limit {
                    return Ok((out, true));
                }
                out.push((item, depth));
                level.push(item);
            }
        }
        frontier = level;
    }
    Ok((out, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(from: i64, kind: RelationshipKind, to: i64) -> Relationship {
        Relationship {
            from: ConfigurationItemId(from),
            kind,
            to: ConfigurationItemId(to),
            created_by: None,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }

    fn impact_of(rels: &[Relationship], start: i64, forward: bool) -> Vec<(i64, u32)> {
        let (found, _) = walk::<()>(ConfigurationItemId(start), 1000, |frontier| {
            Ok(rels
                .iter()
                .flat_map(|r| r.failure_paths())
                .filter_map(|(failing, affected)| {
                    let (a, b) = if forward {
                        (failing, affected)
                    } else {
                        (affected, failing)
                    };
                    frontier.contains(&a).then_some(b)
                })
                .collect())
        })
        .unwrap();
        found.into_iter().map(|(i, d)| (i.0, d)).collect()
    }

    #[test]
    fn failures_travel_the_right_way_and_cycles_end() {
        use RelationshipKind::*;
        // app(1) runs on vm(2), vm part of cluster(3), app depends on db(4), db depends on app
        // (a cycle), switch(5) connected to vm.
        let rels = [
            rel(1, RunsOn, 2),
            rel(2, PartOf, 3),
            rel(1, DependsOn, 4),
            rel(4, DependsOn, 1),
            rel(5, ConnectedTo, 2),
        ];
        assert_eq!(
            impact_of(&rels, 2, true),
            [(1, 1), (3, 1), (5, 1), (4, 2)],
            "vm down: app, cluster, switch, then db"
        );
        assert_eq!(impact_of(&rels, 4, true), [(1, 1)], "db down: app; the cycle ends");
        assert_eq!(
            impact_of(&rels, 1, false),
            [(2, 1), (4, 1), (5, 2)],
            "app depends on vm and db, and through vm the switch"
        );
        assert_eq!(
            impact_of(&rels, 3, true),
            Vec::<(i64, u32)>::new(),
            "a cluster failing affects nothing listed"
        );
    }
}
