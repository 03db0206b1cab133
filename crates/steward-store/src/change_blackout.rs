//! How change blackouts are stored, and the conflicts a change's window meets.

use serde::Serialize;
use steward_core::Result;
use steward_core::change_blackout::ChangeBlackout;
use steward_core::id::{ChangeBlackoutId, ChangeId, ServiceId};
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{Store, args, from_micros, micros, refer};

#[derive(sqlx::FromRow)]
pub struct ChangeBlackoutRow {
    id: i64,
    name: String,
    description: String,
    starts_at: i64,
    ends_at: i64,
    service_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl Table for ChangeBlackout {
    type Row = ChangeBlackoutRow;
    const TABLE: &'static str = "change_blackouts";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "description",
        "starts_at",
        "ends_at",
        "service_id",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ChangeBlackoutRow) -> Result<Self> {
        Ok(ChangeBlackout {
            id: ChangeBlackoutId(r.id),
            name: r.name,
            description: r.description,
            starts_at: from_micros(r.starts_at)?,
            ends_at: from_micros(r.ends_at)?,
            service: r.service_id.map(ServiceId),
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            &self.description,
            micros(self.starts_at),
            micros(self.ends_at),
            self.service.map(|s| s.0),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "service", RecordKind::Service, self.service.map(|s| s.0));
        r
    }
}

/// Something a change's planned window collides with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ScheduleConflict {
    /// Another scheduled or implementing change on the same service or configuration item.
    Change { change: ChangeId, title: String },
    /// A blackout window.
    Blackout { blackout: ChangeBlackoutId, name: String },
}

impl std::fmt::Display for ScheduleConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleConflict::Change { change, title } => write!(f, "{change} ({title})"),
            ScheduleConflict::Blackout { blackout, name } => write!(f, "blackout {blackout} ({name})"),
        }
    }
}

impl Store {
    /// What the window `[start, end)` of `change` collides with: other scheduled or implementing
    /// changes on its service or on any configuration item linked to it, and blackouts that cover
    /// its service.
    pub async fn schedule_conflicts(
        &self,
        change: ChangeId,
        service: Option<ServiceId>,
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<ScheduleConflict>> {
        let mut c = self.read().await?;
        let (s, e) = (micros(start), micros(end));
        let changes: Vec<(i64, String)> = c
            .fetch_all(
                "SELECT id, title FROM changes c WHERE c.id <> $1 AND c.status IN ('scheduled', 'implementing') \
                 AND c.planned_start < $3 AND c.planned_end > $2 AND ( \
                   (c.service_id IS NOT NULL AND c.service_id = $4) \
                   OR EXISTS (SELECT 1 FROM links mine JOIN links theirs ON theirs.to_id = mine.to_id \
                              AND theirs.to_kind = 'configuration_item' AND theirs.from_kind = 'change' \
                              WHERE mine.from_kind = 'change' AND mine.from_id = $1 \
                              AND mine.to_kind = 'configuration_item' AND theirs.from_id = c.id)) \
                 ORDER BY c.planned_start, c.id",
                args![change.0, s, e, service.map(|v| v.0)],
            )
            .await?;
        let blackouts: Vec<(i64, String)> = c
            .fetch_all(
                "SELECT id, name FROM change_blackouts WHERE starts_at < $2 AND ends_at > $1 \
                 AND (service_id IS NULL OR service_id = $3) ORDER BY starts_at, id",
                args![s, e, service.map(|v| v.0)],
            )
            .await?;
        Ok(changes
            .into_iter()
            .map(|(id, title)| ScheduleConflict::Change {
                change: ChangeId(id),
                title,
            })
            .chain(blackouts.into_iter().map(|(id, name)| ScheduleConflict::Blackout {
                blackout: ChangeBlackoutId(id),
                name,
            }))
            .collect())
    }
}

impl Store {
    /// Change management figures for `[from, to)`.
    pub async fn change_figures(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<steward_core::change_report::ChangeFigures> {
        use steward_core::change_report::{ChangeFigures, UnauthorisedChange, percent};
        let (f, t) = (micros(from), micros(to));
        let mut c = self.read().await?;
        let (implemented, successful): (i64, i64) = c
            .fetch_one(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome IN ('successful', 'successful_with_issues') THEN 1 ELSE 0 END), 0) \
                 FROM changes WHERE status = 'closed' AND outcome IS NOT NULL AND closed_at >= $1 AND closed_at < $2",
                args![f, t],
            )
            .await?;
        let (raised, emergency): (i64, i64) = c
            .fetch_one(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN change_type = 'emergency' THEN 1 ELSE 0 END), 0) \
                 FROM changes WHERE created_at >= $1 AND created_at < $2",
                args![f, t],
            )
            .await?;
        let caused: Vec<(i64,)> = c
            .fetch_all(
                "SELECT DISTINCT c.id FROM changes c JOIN links l ON l.to_kind = 'change' AND l.to_id = c.id \
                 AND l.from_kind = 'incident' WHERE c.closed_at >= $1 AND c.closed_at < $2 ORDER BY c.id",
                args![f, t],
            )
            .await?;
        let unauthorised: Vec<(i64, i64, Option<String>, i64)> = c
            .fetch_all(
                "SELECT h.record_id, h.seq, h.field, h.at FROM history h \
                 JOIN configuration_items ci ON ci.id = h.record_id \
                 JOIN configuration_item_types ct ON ct.name = ci.ci_type \
                 WHERE h.record_kind = 'configuration_item' AND h.action = 'update' AND ct.under_change_control = $3 \
                 AND (h.field IS NULL OR h.field NOT IN ('relationships', 'last_verified_at', 'last_verified_by', 'links')) \
                 AND h.at >= $1 AND h.at < $2 \
                 AND NOT EXISTS (SELECT 1 FROM links l JOIN changes ch ON ch.id = l.from_id \
                     WHERE l.from_kind = 'change' AND l.to_kind = 'configuration_item' AND l.to_id = h.record_id \
                     AND ch.planned_start <= h.at AND ch.planned_end >= h.at) \
                 ORDER BY h.seq LIMIT 1000",
                args![f, t, true],
            )
            .await?;
        let (ended, rolled_back): (i64, i64) = c
            .fetch_one(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN rolled_back = $3 THEN 1 ELSE 0 END), 0) FROM releases WHERE deployed_at >= $1 AND deployed_at < $2",
                args![f, t, true],
            )
            .await?;
        let as_u64 = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(ChangeFigures {
            implemented: as_u64(implemented),
            successful: as_u64(successful),
            success_rate_percent: percent(as_u64(successful), as_u64(implemented)),
            raised: as_u64(raised),
            emergency: as_u64(emergency),
            emergency_share_percent: percent(as_u64(emergency), as_u64(raised)),
            caused_incidents: caused.into_iter().map(|(id,)| ChangeId(id)).collect(),
            unauthorised: unauthorised
                .into_iter()
                .map(|(item, seq, field, at)| {
                    Ok(UnauthorisedChange {
                        item: steward_core::id::ConfigurationItemId(item),
                        history_seq: seq,
                        field,
                        at: from_micros(at)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?,
            releases_deployed: as_u64(ended),
            releases_rolled_back: as_u64(rolled_back),
            release_success_rate_percent: percent(as_u64(ended - rolled_back), as_u64(ended)),
        })
    }
}
