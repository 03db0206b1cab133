//! Service management objectives (6.2): each measurable, with the measure (optionally one of
//! Steward's live indicators, so progress is read from the records), its target, owner and due
//! date, and the plan to reach it (6.2.2) — what, with which resources, by whom, by when, and how
//! the result is judged — whose steps are actions (source `OBJ-n`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{ObjectiveId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, record};

lifecycle! {
    /// active -> achieved or missed; withdrawn when it no longer applies.
    ObjectiveStatus {
        Active = "active" => [Achieved, Missed, Withdrawn],
        Achieved = "achieved" => [],
        Missed = "missed" => [],
        Withdrawn = "withdrawn" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Objective {
    pub id: ObjectiveId,
    pub title: String,
    /// How it is measured, in words.
    pub measure: String,
    /// A live indicator that measures it (see `/api/v1/compliance/indicators`).
    pub indicator: Option<String>,
    /// The value to reach, in percent, for an objective measured by an indicator.
    pub target_percent: Option<u8>,
    /// The target in words (for objectives not measured by an indicator).
    pub target: String,
    pub owner: UserId,
    pub due_date: NaiveDate,
    /// The plan: what will be done, with which resources, by whom, when, how judged.
    pub plan: String,
    pub status: ObjectiveStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Objective, RecordKind::Objective, ObjectiveId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObjective {
    pub title: String,
    pub measure: String,
    #[serde(default)]
    pub indicator: Option<String>,
    #[serde(default)]
    pub target_percent: Option<u8>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub owner: Option<UserId>,
    pub due_date: NaiveDate,
    #[serde(default)]
    pub plan: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectivePatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub measure: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub indicator: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub target_percent: Option<Option<u8>>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub plan: Option<String>,
}

impl Objective {
    pub fn create(input: NewObjective, owner: UserId, at: DateTime<Utc>) -> Result<Objective> {
        let o = Objective {
            id: ObjectiveId(0),
            title: input.title.trim().to_string(),
            measure: input.measure,
            indicator: input.indicator,
            target_percent: input.target_percent,
            target: input.target.unwrap_or_default(),
            owner: input.owner.unwrap_or(owner),
            due_date: input.due_date,
            plan: input.plan.unwrap_or_default(),
            status: ObjectiveStatus::Active,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        o.check(&mut c);
        c.finish()?;
        Ok(o)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("measure", &self.measure, TEXT_MAX);
        c.text("target", &self.target, TEXT_MAX);
        c.text("plan", &self.plan, TEXT_MAX);
        if self.measure.trim().is_empty() {
            c.fail("measure", "say how the objective is measured");
        }
        match (&self.indicator, self.target_percent) {
            (Some(i), _) if crate::indicator::find(i).is_none() => c.fail(
                "indicator",
                format!("there is no indicator '{}'", i.chars().take(60).collect::<String>()),
            ),
            (Some(_), None) => c.fail(
                "target_percent",
                "an objective measured by an indicator needs its target",
            ),
            (None, Some(_)) => c.fail("indicator", "target_percent needs the indicator it applies to"),
            _ => {}
        }
        if self.target_percent.is_some_and(|t| t > 100) {
            c.fail("target_percent", "must be from 0 to 100");
        }
        if self.indicator.is_none() && self.target.trim().is_empty() {
            c.fail(
                "target",
                "state the target, or measure it by an indicator with target_percent",
            );
        }
    }

    pub fn apply_patch(&mut self, p: ObjectivePatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.measure, p.measure);
        set(&mut next.indicator, p.indicator);
        set(&mut next.target_percent, p.target_percent);
        set(&mut next.target, p.target);
        set(&mut next.owner, p.owner);
        set(&mut next.due_date, p.due_date);
        set(&mut next.plan, p.plan);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: StatusTransition) -> Result<()> {
        self.status = self.status.check_move(&t.to)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    #[test]
    fn transition_table() {
        use ObjectiveStatus::*;
        assert_table(&[
            (Active, &[Achieved, Missed, Withdrawn][..]),
            (Achieved, &[]),
            (Missed, &[]),
            (Withdrawn, &[]),
        ]);
    }

    #[test]
    fn an_objective_is_measurable() {
        let input = |indicator: Option<&str>, target_percent, target: Option<&str>| NewObjective {
            title: "Resolve incidents on time".into(),
            measure: "Share of incidents resolved within target".into(),
            indicator: indicator.map(String::from),
            target_percent,
            target: target.map(String::from),
            owner: None,
            due_date: "2026-12-31".parse().unwrap(),
            plan: None,
        };
        assert!(
            Objective::create(
                input(Some("incidents_resolved_within_target"), Some(95), None),
                UserId(1),
                Utc::now()
            )
            .is_ok()
        );
        assert!(
            Objective::create(
                input(None, None, Some("Four customer reviews a year")),
                UserId(1),
                Utc::now()
            )
            .is_ok()
        );
        for (i, t, w, field) in [
            (Some("nope"), Some(95), None, "indicator"),
            (Some("sla_attainment"), None, None, "target_percent"),
            (None, None, None, "target"),
            (Some("sla_attainment"), Some(120), None, "target_percent"),
        ] {
            let e = Objective::create(input(i, t, w), UserId(1), Utc::now())
                .unwrap_err()
                .to_string();
            assert!(e.contains(field), "{field}: {e}");
        }
    }
}
