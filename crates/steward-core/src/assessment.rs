//! Self-assessment (gap analysis): each requirement of the standard scored on a stated 0-5
//! maturity scale, with an owner, notes and a target date. Assessments are repeated, each
//! naming the one before it, so progress between two of them is visible; the gap report lists
//! requirements by the size of their gap and by owner.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::compliance::{Catalogue, Requirement};
use crate::error::{Error, Result};
use crate::id::{AssessmentId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, record};

lifecycle! {
    /// in_progress -> completed; a completed assessment is a fixed record of its day.
    AssessmentStatus {
        InProgress = "in_progress" => [Completed],
        Completed = "completed" => [],
    }
}

/// One level of the maturity scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MaturityLevel {
    pub score: u8,
    pub name: &'static str,
    pub meaning: &'static str,
}

/// The 0-5 scale every score is given on.
pub const MATURITY_SCALE: [MaturityLevel; 6] = [
    MaturityLevel {
        score: 0,
        name: "absent",
        meaning: "Nothing is in place for the requirement.",
    },
    MaturityLevel {
        score: 1,
        name: "initial",
        meaning: "Done now and then, by individuals, without agreement on how.",
    },
    MaturityLevel {
        score: 2,
        name: "repeatable",
        meaning: "Done regularly in a similar way, but not written down or not complete.",
    },
    MaturityLevel {
        score: 3,
        name: "defined",
        meaning: "Written down, approved, communicated and followed; records show it happening. The level certification expects.",
    },
    MaturityLevel {
        score: 4,
        name: "managed",
        meaning: "Measured against objectives and reviewed, with action taken on the results.",
    },
    MaturityLevel {
        score: 5,
        name: "optimising",
        meaning: "Improved continually from measurement, audits and feedback.",
    },
];

/// The score an assessment aims for unless it says otherwise: "defined".
pub const DEFAULT_TARGET: u8 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Assessment {
    pub id: AssessmentId,
    pub title: String,
    /// Who carries out the assessment.
    pub assessor: UserId,
    /// The day the assessment speaks for.
    pub assessed_on: NaiveDate,
    /// The maturity every requirement should reach (0-5; 3 by default).
    pub target_score: u8,
    pub status: AssessmentStatus,
    /// The earlier assessment this one is compared with.
    pub baseline: Option<AssessmentId>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Assessment, RecordKind::Assessment, AssessmentId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    pub title: String,
    /// Defaults to the person creating it.
    #[serde(default)]
    pub assessor: Option<UserId>,
    pub assessed_on: NaiveDate,
    #[serde(default)]
    pub target_score: Option<u8>,
    /// An earlier assessment to compare with; its scores are copied in as the starting point.
    #[serde(default)]
    pub baseline: Option<AssessmentId>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub assessor: Option<UserId>,
    #[serde(default)]
    pub assessed_on: Option<NaiveDate>,
    #[serde(default)]
    pub target_score: Option<u8>,
    #[serde(default, deserialize_with = "nullable")]
    pub baseline: Option<Option<AssessmentId>>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl Assessment {
    pub fn create(input: NewAssessment, assessor: UserId, at: DateTime<Utc>) -> Result<Assessment> {
        let a = Assessment {
            id: AssessmentId(0),
            title: input.title.trim().to_string(),
            assessor: input.assessor.unwrap_or(assessor),
            assessed_on: input.assessed_on,
            target_score: input.target_score.unwrap_or(DEFAULT_TARGET),
            status: AssessmentStatus::InProgress,
            baseline: input.baseline,
            notes: input.notes.unwrap_or_default(),
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        a.check(&mut c);
        c.finish()?;
        Ok(a)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("notes", &self.notes, TEXT_MAX);
        if self.target_score > 5 {
            c.fail("target_score", "must be on the 0-5 maturity scale");
        }
    }

    fn check_open(&self) -> Result<()> {
        if self.status == AssessmentStatus::Completed {
            return Err(Error::Conflict(format!(
                "{} is completed and can no longer change; start a new assessment with it as baseline",
                self.id
            )));
        }
        Ok(())
    }

    pub fn apply_patch(&mut self, p: AssessmentPatch) -> Result<()> {
        self.check_open()?;
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.assessor, p.assessor);
        set(&mut next.assessed_on, p.assessed_on);
        set(&mut next.target_score, p.target_score);
        set(&mut next.baseline, p.baseline);
        set(&mut next.notes, p.notes);
        let mut c = Checker::new();
        next.check(&mut c);
        if next.baseline == Some(self.id) {
            c.fail("baseline", "an assessment cannot be its own baseline");
        }
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: StatusTransition) -> Result<()> {
        self.status = self.status.check_move(&t.to)?;
        Ok(())
    }

    /// Checks that scores may still be set on this assessment.
    pub fn accepts_scores(&self) -> Result<()> {
        self.check_open()
    }
}

/// One requirement's score in one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Score {
    pub requirement: String,
    /// 0-5 on the maturity scale.
    pub score: u8,
    /// Who answers for closing the gap.
    pub owner: Option<UserId>,
    pub notes: String,
    /// When the requirement should reach the target score.
    pub target_date: Option<NaiveDate>,
    pub scored_by: Option<UserId>,
    pub scored_at: DateTime<Utc>,
}

/// The body of `PUT /api/v1/compliance/assessments/{ref}/scores/{clause}`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// 0-5 on the maturity scale.
    pub score: i64,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
    /// Accepted only as `true`: every requirement of clauses 4 to 10 applies.
    #[serde(default)]
    pub applicable: Option<bool>,
}

/// The requirements a score can be given to: those with no sub-clauses (a heading such as 8.5
/// is judged through its sub-clauses).
pub fn assessable(cat: &Catalogue) -> Vec<&Requirement> {
    cat.requirements
        .iter()
        .filter(|r| {
            !cat.requirements
                .iter()
                .any(|o| o.clause.len() > r.clause.len() && crate::compliance::under(&o.clause, &r.clause))
        })
        .collect()
}

impl ScoreInput {
    pub fn into_score(self, cat: &Catalogue, requirement: &str, by: UserId, at: DateTime<Utc>) -> Result<Score> {
        let mut c = Checker::new();
        match cat.requirements.iter().find(|r| r.clause == requirement) {
            None => c.fail(
                "requirement",
                format!("there is no clause '{}' in {}", short(requirement), cat.edition),
            ),
            Some(r) if !assessable(cat).iter().any(|a| a.clause == r.clause) => c.fail(
                "requirement",
                format!("{} {} is a heading: score its sub-clauses", r.clause, r.title),
            ),
            Some(_) => {}
        }
        if !(0..=5).contains(&self.score) {
            c.fail("score", "must be a whole number from 0 (absent) to 5 (optimising)");
        }
        if self.applicable == Some(false) {
            c.fail(
                "applicable",
                "every requirement of clauses 4 to 10 applies and none may be excluded; score it 0 if it is not met",
            );
        }
        let notes = self.notes.unwrap_or_default();
        c.text("notes", &notes, TEXT_MAX);
        c.finish()?;
        Ok(Score {
            requirement: requirement.to_string(),
            score: self.score as u8,
            owner: self.owner,
            notes,
            target_date: self.target_date,
            scored_by: Some(by),
            scored_at: at,
        })
    }
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// One requirement in the gap report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GapRow {
    pub requirement: String,
    pub title: String,
    /// `None` when the requirement was not scored in this assessment.
    pub score: Option<u8>,
    /// The score in the baseline assessment, if there is one.
    pub previous: Option<u8>,
    /// `score - previous` when both exist.
    pub change: Option<i8>,
    /// How far below the target it stands (an unscored requirement counts as 0).
    pub gap: u8,
    pub owner: Option<UserId>,
    pub target_date: Option<NaiveDate>,
}

/// One owner's share of the gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OwnerGaps {
    /// `None` for requirements nobody owns yet.
    pub owner: Option<UserId>,
    pub requirements: Vec<String>,
    pub total_gap: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GapReport {
    pub assessment: AssessmentId,
    pub baseline: Option<AssessmentId>,
    pub target_score: u8,
    pub assessable: usize,
    pub scored: usize,
    /// Requirements at or above the target.
    pub at_target: usize,
    /// Mean score over the assessable requirements (unscored count as 0).
    pub mean_score: f64,
    /// The baseline's mean score, for comparison.
    pub baseline_mean_score: Option<f64>,
    /// Requirements that moved up since the baseline, and down.
    pub improved: usize,
    pub regressed: usize,
    /// Every assessable requirement with a gap, largest gap first, then in clause order.
    pub by_gap: Vec<GapRow>,
    pub by_owner: Vec<OwnerGaps>,
}

/// Builds the gap report of `scores` against `assessment.target_score`, compared with `baseline`.
pub fn gap_report(
    cat: &Catalogue,
    assessment: &Assessment,
    scores: &[Score],
    baseline: Option<(AssessmentId, &[Score])>,
) -> GapReport {
    let now: HashMap<&str, &Score> = scores.iter().map(|s| (s.requirement.as_str(), s)).collect();
    let before: Option<HashMap<&str, u8>> =
        baseline.map(|(_, b)| b.iter().map(|s| (s.requirement.as_str(), s.score)).collect());
    let leaves = assessable(cat);
    let target = assessment.target_score;
    let mut rows = Vec::new();
    let (mut scored, mut at_target, mut sum, mut improved, mut regressed) = (0, 0, 0u32, 0, 0);
    for r in &leaves {
        let s = now.get(r.clause.as_str());
        let score = s.map(|s| s.score);
        let previous = before.as_ref().and_then(|b| b.get(r.clause.as_str()).copied());
        let change = match (score, previous) {
            (Some(a), Some(b)) => Some(a as i8 - b as i8),
            _ => None,
        };
        match change {
            Some(c) if c > 0 => improved += 1,
            Some(c) if c < 0 => regressed += 1,
            _ => {}
        }
        scored += usize::from(score.is_some());
        sum += u32::from(score.unwrap_or(0));
        let gap = target.saturating_sub(score.unwrap_or(0));
        if gap == 0 {
            at_target += 1;
        }
        rows.push(GapRow {
            requirement: r.clause.clone(),
            title: r.title.clone(),
            score,
            previous,
            change,
            gap,
            owner: s.and_then(|s| s.owner),
            target_date: s.and_then(|s| s.target_date),
        });
    }
    let mean = |total: u32| {
        if leaves.is_empty() {
            0.0
        } else {
            round2(total as f64 / leaves.len() as f64)
        }
    };
    let baseline_mean_score = before.as_ref().map(|b| {
        mean(
            leaves
                .iter()
                .map(|r| u32::from(b.get(r.clause.as_str()).copied().unwrap_or(0)))
                .sum(),
        )
    });
    let mut owners: BTreeMap<Option<UserId>, OwnerGaps> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.gap > 0) {
        let o = owners.entry(row.owner).or_insert_with(|| OwnerGaps {
            owner: row.owner,
            requirements: Vec::new(),
            total_gap: 0,
        });
        o.requirements.push(row.requirement.clone());
        o.total_gap += u32::from(row.gap);
    }
    let mut by_owner: Vec<OwnerGaps> = owners.into_values().collect();
    by_owner.sort_by(|a, b| b.total_gap.cmp(&a.total_gap).then(a.owner.cmp(&b.owner)));
    // Stable sort keeps clause order within equal gaps.
    rows.retain(|r| r.gap > 0);
    rows.sort_by_key(|r| std::cmp::Reverse(r.gap));
    GapReport {
        assessment: assessment.id,
        baseline: baseline.map(|(id, _)| id),
        target_score: target,
        assessable: leaves.len(),
        scored,
        at_target,
        mean_score: mean(sum),
        baseline_mean_score,
        improved,
        regressed,
        by_gap: rows,
        by_owner,
    }
}

pub(crate) fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::catalogue;
    use crate::lifecycle::assert_table;

    fn at() -> DateTime<Utc> {
        "2026-03-01T10:00:00Z".parse().unwrap()
    }

    fn assessment(target: u8) -> Assessment {
        Assessment::create(
            NewAssessment {
                title: "Gap analysis".into(),
                assessor: None,
                assessed_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                target_score: Some(target),
                baseline: None,
                notes: None,
            },
            UserId(1),
            at(),
        )
        .unwrap()
    }

    fn score(clause: &str, s: i64, owner: Option<i64>) -> Score {
        ScoreInput {
            score: s,
            owner: owner.map(UserId),
            notes: None,
            target_date: None,
            applicable: None,
        }
        .into_score(catalogue().unwrap(), clause, UserId(1), at())
        .unwrap()
    }

    #[test]
    fn transition_table() {
        use AssessmentStatus::*;
        assert_table(&[(InProgress, &[Completed][..]), (Completed, &[])]);
    }

    #[test]
    fn only_leaf_requirements_take_a_score_and_none_is_excluded() {
        let cat = catalogue().unwrap();
        let leaves: Vec<&str> = assessable(cat).iter().map(|r| r.clause.as_str()).collect();
        assert!(leaves.contains(&"8.5.1.1") && leaves.contains(&"4.1") && leaves.contains(&"10.2"));
        assert!(!leaves.contains(&"8.5.1") && !leaves.contains(&"8") && !leaves.contains(&"5.2"));
        let input = |score, applicable| ScoreInput {
            score,
            owner: None,
            notes: None,
            target_date: None,
            applicable,
        };
        let err = |i: ScoreInput, clause| i.into_score(cat, clause, UserId(1), at()).unwrap_err().to_string();
        assert!(err(input(3, None), "8.5").contains("is a heading"));
        assert!(err(input(3, None), "8.9").contains("there is no clause '8.9'"));
        assert!(err(input(6, None), "8.6.1").contains("from 0 (absent) to 5"));
        assert!(err(input(-1, None), "8.6.1").contains("from 0 (absent) to 5"));
        assert!(err(input(0, Some(false)), "8.6.1").contains("none may be excluded"));
        assert!(input(0, Some(true)).into_score(cat, "8.6.1", UserId(1), at()).is_ok());
    }

    #[test]
    fn the_gap_report_orders_by_gap_and_owner_and_shows_progress() {
        let cat = catalogue().unwrap();
        let n = assessable(cat).len();
        let a = assessment(3);
        let before = vec![
            score("8.6.1", 1, Some(7)),
            score("8.6.2", 2, Some(7)),
            score("4.1", 4, None),
        ];
        let now = vec![
            score("8.6.1", 3, Some(7)),
            score("8.6.2", 1, Some(7)),
            score("4.1", 5, None),
            score("9.2", 0, Some(8)),
        ];
        let r = gap_report(cat, &a, &now, Some((AssessmentId(1), &before)));
        assert_eq!(r.assessable, n);
        assert_eq!(r.scored, 4);
        assert_eq!(r.at_target, 2);
        assert_eq!((r.improved, r.regressed), (2, 1));
        assert_eq!(r.mean_score, round2(9.0 / n as f64));
        assert_eq!(r.baseline_mean_score, Some(round2(7.0 / n as f64)));
        // Every unscored requirement has the full gap of 3, like 9.2 scored 0; 8.6.2 has 2.
        assert_eq!(r.by_gap.len(), n - 2);
        assert!(r.by_gap[..n - 3].iter().all(|g| g.gap == 3));
        let last = r.by_gap.last().unwrap();
        assert_eq!(
            (last.requirement.as_str(), last.gap, last.change),
            ("8.6.2", 2, Some(-1))
        );
        let owner8 = r.by_owner.iter().find(|o| o.owner == Some(UserId(8))).unwrap();
        assert_eq!(
            (owner8.requirements.clone(), owner8.total_gap),
            (vec!["9.2".to_string()], 3)
        );
        assert_eq!(
            r.by_owner[0].owner, None,
            "the unowned requirements carry the largest gap"
        );
    }

    #[test]
    fn a_completed_assessment_is_fixed() {
        let mut a = assessment(3);
        a.transition(StatusTransition { to: "completed".into() }).unwrap();
        assert!(a.accepts_scores().is_err());
        assert!(a.apply_patch(AssessmentPatch::default()).is_err());
    }
}
