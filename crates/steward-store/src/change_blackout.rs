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
