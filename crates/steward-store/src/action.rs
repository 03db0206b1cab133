//! How the action register is stored. The source reference is also kept split into kind and id,
//! so "the open actions of NC-3" is an index lookup and the source is checked to exist.

use steward_core::Result;
use steward_core::action::{Action, ActionStatus, CertificationStep};
use steward_core::id::{ActionId, UserId};
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;

use crate::exec::{Arg, Tx};
use crate::record::Table;
use crate::{Store, args, from_micros, micros, opt_stored_date, parse_stored, stored_date};

#[derive(sqlx::FromRow)]
pub struct ActionRow {
    id: i64,
    title: String,
    description: String,
    owner_id: i64,
    due_date: String,
    status: String,
    source: Option<String>,
    #[allow(dead_code)] // kept for the index; `source` carries the same
    source_kind: Option<String>,
    #[allow(dead_code)]
    source_id: Option<i64>,
    step: Option<String>,
    completed_on: Option<String>,
    outcome: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Action {
    type Row = ActionRow;
    const TABLE: &'static str = "actions";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "description",
        "owner_id",
        "due_date",
        "status",
        "source",
        "source_kind",
        "source_id",
        "step",
        "completed_on",
        "outcome",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ActionRow) -> Result<Self> {
        Ok(Action {
            id: ActionId(r.id),
            title: r.title,
            description: r.description,
            owner: UserId(r.owner_id),
            due_date: stored_date("due_date", &r.due_date)?,
            status: parse_stored("status", &r.status, ActionStatus::parse)?,
            source: r.source,
            step: r
                .step
                .map(|s| parse_stored("step", &s, CertificationStep::parse))
                .transpose()?,
            completed_on: opt_stored_date("completed_on", r.completed_on)?,
            outcome: r.outcome,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        let source = self.source_ref();
        args![
            &self.title,
            &self.description,
            self.owner.0,
            self.due_date.to_string(),
            self.status.as_str(),
            self.source.clone(),
            source.map(|(k, _)| k.as_str()),
            source.map(|(_, id)| id),
            self.step.map(|s| s.as_str()),
            self.completed_on.map(|d| d.to_string()),
            self.outcome.clone(),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("owner", RecordKind::User, self.owner.0)];
        if let Some((kind, id)) = self.source_ref() {
            r.push(("source", kind, id));
        }
        r
    }
}

/// The (still open, done) counts of the actions serving one record.
pub(crate) async fn action_counts(tx: &mut Tx, kind: RecordKind, id: i64) -> Result<(i64, i64)> {
    let (open, done): (i64, i64) = tx
        .fetch_one(
            "SELECT COALESCE(SUM(CASE WHEN status IN ('open', 'in_progress') THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0) \
             FROM actions WHERE source_kind = $1 AND source_id = $2",
            args![kind.as_str(), id],
        )
        .await?;
    Ok((open, done))
}

/// Inserts several actions in the caller's transaction, each with its history.
pub(crate) async fn insert_all(tx: &mut Tx, actions: Vec<Action>, actor: Option<UserId>) -> Result<Vec<Action>> {
    let mut out = Vec::with_capacity(actions.len());
    for a in actions {
        out.push(crate::record::insert(tx, a, actor).await?);
    }
    Ok(out)
}

impl Store {
    /// Every action serving one record, by due date.
    pub async fn actions_of(&self, kind: RecordKind, id: i64) -> Result<Vec<Action>> {
        let sql = format!(
            "SELECT id, {} FROM actions WHERE source_kind = $1 AND source_id = $2 ORDER BY due_date, id LIMIT 1000",
            Action::COLUMNS.join(", ")
        );
        let mut c = self.read().await?;
        let rows: Vec<ActionRow> = c.fetch_all(&sql, args![kind.as_str(), id]).await?;
        rows.into_iter().map(Action::from_row).collect()
    }

    /// Counts of open actions, and of those past their due date on `today`.
    pub async fn open_action_counts(&self, today: chrono::NaiveDate) -> Result<(i64, i64)> {
        let mut c = self.read().await?;
        let row: (i64, i64) = c
            .fetch_one(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_date < $1 THEN 1 ELSE 0 END), 0) FROM actions \
                 WHERE status IN ('open', 'in_progress')",
                args![today.to_string()],
            )
            .await?;
        Ok(row)
    }
}
