//! How self-assessments and their scores are stored. A score is written under the assessment's
//! row lock with a history entry on the assessment, so every change of a score is in the chain.

use chrono::{DateTime, Utc};
use steward_core::assessment::{Assessment, AssessmentStatus, Score};
use steward_core::history::{EntryContent, HistoryAction};
use steward_core::id::{AssessmentId, UserId};
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::{Arg, Tx};
use crate::record::{Table, get_in, insert};
use crate::{Store, args, from_micros, history, json_text, micros, opt_stored_date, parse_stored, refer, stored_date};

#[derive(sqlx::FromRow)]
pub struct AssessmentRow {
    id: i64,
    title: String,
    assessor_id: i64,
    assessed_on: String,
    target_score: i64,
    status: String,
    baseline_id: Option<i64>,
    notes: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Assessment {
    type Row = AssessmentRow;
    const TABLE: &'static str = "assessments";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "assessor_id",
        "assessed_on",
        "target_score",
        "status",
        "baseline_id",
        "notes",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: AssessmentRow) -> Result<Self> {
        Ok(Assessment {
            id: AssessmentId(r.id),
            title: r.title,
            assessor: UserId(r.assessor_id),
            assessed_on: stored_date("assessed_on", &r.assessed_on)?,
            target_score: u8::try_from(r.target_score)
                .map_err(|_| Error::unexpected(format!("stored target score {} is out of range", r.target_score)))?,
            status: parse_stored("status", &r.status, AssessmentStatus::parse)?,
            baseline: r.baseline_id.map(AssessmentId),
            notes: r.notes,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            self.assessor.0,
            self.assessed_on.to_string(),
            i64::from(self.target_score),
            self.status.as_str(),
            self.baseline.map(|v| v.0),
            &self.notes,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("assessor", RecordKind::User, self.assessor.0)];
        refer(&mut r, "baseline", RecordKind::Assessment, self.baseline.map(|v| v.0));
        r
    }
}

#[derive(sqlx::FromRow)]
struct ScoreRow {
    requirement: String,
    score: i64,
    owner_id: Option<i64>,
    notes: String,
    target_date: Option<String>,
    scored_by: Option<i64>,
    scored_at: i64,
}

impl ScoreRow {
    fn into_score(self) -> Result<Score> {
        Ok(Score {
            score: u8::try_from(self.score)
                .ok()
                .filter(|s| *s <= 5)
                .ok_or_else(|| Error::unexpected(format!("stored score {} is not 0-5", self.score)))?,
            requirement: self.requirement,
            owner: self.owner_id.map(UserId),
            notes: self.notes,
            target_date: opt_stored_date("target_date", self.target_date)?,
            scored_by: self.scored_by.map(UserId),
            scored_at: from_micros(self.scored_at)?,
        })
    }
}

const SCORE_COLUMNS: &str = "requirement, score, owner_id, notes, target_date, scored_by, scored_at";

async fn score_in(tx: &mut Tx, assessment: i64, requirement: &str) -> Result<Option<Score>> {
    let row: Option<ScoreRow> = tx
        .fetch_optional(
            &format!("SELECT {SCORE_COLUMNS} FROM assessment_scores WHERE assessment_id = $1 AND requirement = $2"),
            args![assessment, requirement],
        )
        .await?;
    row.map(ScoreRow::into_score).transpose()
}

impl Store {
    /// Creates an assessment; with a baseline, its scores are copied in as the starting point, in
    /// the same transaction.
    pub async fn insert_assessment(&self, a: Assessment, actor: UserId) -> Result<Assessment> {
        let mut tx = self.begin().await?;
        let saved = insert(&mut tx, a, Some(actor)).await?;
        if let Some(base) = saved.baseline {
            let copied = tx
                .execute(
                    &format!(
                        "INSERT INTO assessment_scores (assessment_id, {SCORE_COLUMNS}) \
                         SELECT $1, {SCORE_COLUMNS} FROM assessment_scores WHERE assessment_id = $2"
                    ),
                    args![saved.id.0, base.0],
                )
                .await?;
            if copied > 0 {
                history::append(
                    &mut tx,
                    vec![EntryContent {
                        record_kind: RecordKind::Assessment,
                        record_id: saved.id.0,
                        actor: Some(actor),
                        at_micros: micros(saved.created_at),
                        action: HistoryAction::Update,
                        field: Some("scores".into()),
                        old_value: None,
                        new_value: Some(json_text(
                            &serde_json::json!({ "copied_from": base.to_string(), "count": copied }),
                        )),
                    }],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(saved)
    }

    /// Sets one requirement's score, refusing when the assessment is completed; the previous and
    /// new score go into the assessment's history.
    pub async fn set_score(
        &self,
        assessment: AssessmentId,
        score: Score,
        actor: UserId,
        at: DateTime<Utc>,
    ) -> Result<Score> {
        let mut tx = self.begin().await?;
        let a: Assessment = get_in(&mut tx, assessment.0)
            .await?
            .ok_or_else(|| Error::not_found("assessment", assessment))?;
        a.accepts_scores()?;
        crate::record::check_references(
            &mut tx,
            &[score.owner.map(|o| ("owner", RecordKind::User, o.0))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
        )
        .await?;
        let old = score_in(&mut tx, assessment.0, &score.requirement).await?;
        let values = args![
            assessment.0,
            &score.requirement,
            i64::from(score.score),
            score.owner.map(|v| v.0),
            &score.notes,
            score.target_date.map(|d| d.to_string()),
            score.scored_by.map(|v| v.0),
            micros(score.scored_at),
        ];
        tx.execute(
            &format!(
                "INSERT INTO assessment_scores (assessment_id, {SCORE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (assessment_id, requirement) DO UPDATE SET score = excluded.score, owner_id = excluded.owner_id, \
                 notes = excluded.notes, target_date = excluded.target_date, scored_by = excluded.scored_by, scored_at = excluded.scored_at"
            ),
            values,
        )
        .await?;
        let brief = |s: &Score| {
            json_text(&serde_json::json!({
                "score": s.score,
                "owner": s.owner.map(|o| o.to_string()),
                "target_date": s.target_date,
                "notes": s.notes,
            }))
        };
        history::append(
            &mut tx,
            vec![EntryContent {
                record_kind: RecordKind::Assessment,
                record_id: assessment.0,
                actor: Some(actor),
                at_micros: micros(at),
                action: HistoryAction::Update,
                field: Some(format!("score {}", score.requirement)),
                old_value: old.as_ref().map(brief),
                new_value: Some(brief(&score)),
            }],
        )
        .await?;
        tx.execute(
            "UPDATE assessments SET updated_at = $1 WHERE id = $2",
            args![micros(at), assessment.0],
        )
        .await?;
        tx.commit().await?;
        Ok(score)
    }

    /// Every score of an assessment, in clause order.
    pub async fn scores(&self, assessment: AssessmentId) -> Result<Vec<Score>> {
        let mut c = self.read().await?;
        let rows: Vec<ScoreRow> = c
            .fetch_all(
                &format!("SELECT {SCORE_COLUMNS} FROM assessment_scores WHERE assessment_id = $1"),
                args![assessment.0],
            )
            .await?;
        let mut v = rows.into_iter().map(ScoreRow::into_score).collect::<Result<Vec<_>>>()?;
        v.sort_by(|a, b| {
            steward_core::document::clause_order(&a.requirement)
                .cmp(&steward_core::document::clause_order(&b.requirement))
        });
        Ok(v)
    }

    /// The assessment readiness uses: the latest completed one by its date, or else the latest.
    pub async fn latest_assessment(&self) -> Result<Option<Assessment>> {
        let sql = format!(
            "SELECT id, {} FROM assessments ORDER BY CASE WHEN status = 'completed' THEN 0 ELSE 1 END, assessed_on DESC, id DESC LIMIT 1",
            Assessment::COLUMNS.join(", ")
        );
        let mut c = self.read().await?;
        c.fetch_optional::<AssessmentRow>(&sql, vec![])
            .await?
            .map(Assessment::from_row)
            .transpose()
    }
}
