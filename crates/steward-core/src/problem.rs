//! Problems: the causes behind incidents, their root cause, workaround and known-error status.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{ConfigurationItemId, ProblemId, ServiceId, TeamId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::priority::{Impact, Priority, PriorityMatrix, Urgency};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, record};

lifecycle! {
    /// new -> investigating -> resolved -> closed; resolved can be reopened; anything not yet
    /// resolved can be cancelled.
    ProblemStatus {
        New = "new" => [Investigating, Cancelled],
        Investigating = "investigating" => [Resolved, Cancelled],
        Resolved = "resolved" => [Closed, Investigating],
        Closed = "closed" => [],
        Cancelled = "cancelled" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub id: ProblemId,
    pub title: String,
    pub description: String,
    pub status: ProblemStatus,
    pub service: Option<ServiceId>,
    pub configuration_item: Option<ConfigurationItemId>,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub root_cause: Option<String>,
    /// A known error: the cause is understood and a workaround is documented.
    pub known_error: bool,
    pub workaround: Option<String>,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

record!(Problem, RecordKind::Problem, ProblemId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProblem {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub service: Option<ServiceId>,
    #[serde(default)]
    pub configuration_item: Option<ConfigurationItemId>,
    #[serde(default)]
    pub impact: Option<Impact>,
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default)]
    pub root_cause: Option<String>,
    #[serde(default)]
    pub known_error: Option<bool>,
    #[serde(default)]
    pub workaround: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub subcategory: Option<String>,
    #[serde(default)]
    pub assignee: Option<UserId>,
    #[serde(default)]
    pub team: Option<TeamId>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub service: Option<Option<ServiceId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub configuration_item: Option<Option<ConfigurationItemId>>,
    #[serde(default)]
    pub impact: Option<Impact>,
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default, deserialize_with = "nullable")]
    pub root_cause: Option<Option<String>>,
    #[serde(default)]
    pub known_error: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub workaround: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub subcategory: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub assignee: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub team: Option<Option<TeamId>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemTransition {
    pub to: String,
    /// Sets the root cause on the way; resolving needs one.
    #[serde(default)]
    pub root_cause: Option<String>,
}

impl Problem {
    pub fn create(input: NewProblem, matrix: &PriorityMatrix, at: DateTime<Utc>) -> Result<Problem> {
        let impact = input.impact.unwrap_or(Impact::Medium);
        let urgency = input.urgency.unwrap_or(Urgency::Medium);
        let mut p = Problem {
            id: ProblemId(0),
            title: input.title.trim().to_string(),
            description: input.description.unwrap_or_default(),
            status: ProblemStatus::New,
            service: input.service,
            configuration_item: input.configuration_item,
            impact,
            urgency,
            priority: matrix.priority(impact, urgency),
            root_cause: blank_to_none(input.root_cause),
            known_error: input.known_error.unwrap_or(false),
            workaround: blank_to_none(input.workaround),
            category: blank_to_none(input.category),
            subcategory: blank_to_none(input.subcategory),
            assignee: input.assignee,
            team: input.team,
            created_at: at,
            updated_at: at,
            resolved_at: None,
            closed_at: None,
        };
        let mut c = Checker::new();
        c.line("title", &input.title, TITLE_MAX);
        p.check(&mut c);
        c.finish()?;
        p.title = p.title.trim().to_string();
        Ok(p)
    }

    fn check(&self, c: &mut Checker) {
        c.text("description", &self.description, TEXT_MAX);
        c.opt_text("root_cause", self.root_cause.as_deref(), TEXT_MAX);
        c.opt_text("workaround", self.workaround.as_deref(), TEXT_MAX);
        c.opt_line("category", self.category.as_deref(), NAME_MAX);
        c.opt_line("subcategory", self.subcategory.as_deref(), NAME_MAX);
        if self.known_error && self.workaround.is_none() {
            c.fail("known_error", "a known error needs a documented workaround");
        }
    }

    pub fn apply_patch(&mut self, p: ProblemPatch, matrix: &PriorityMatrix) -> Result<()> {
        if matches!(self.status, ProblemStatus::Closed | ProblemStatus::Cancelled) {
            return Err(Error::Conflict(format!(
                "{} is {} and can no longer be edited",
                self.id, self.status
            )));
        }
        let mut c = Checker::new();
        if let Some(t) = &p.title {
            c.line("title", t, TITLE_MAX);
        }
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.service, p.service);
        set(&mut next.configuration_item, p.configuration_item);
        set(&mut next.impact, p.impact);
        set(&mut next.urgency, p.urgency);
        set(&mut next.root_cause, p.root_cause.map(blank_to_none));
        set(&mut next.known_error, p.known_error);
        set(&mut next.workaround, p.workaround.map(blank_to_none));
        set(&mut next.category, p.category.map(blank_to_none));
        set(&mut next.subcategory, p.subcategory.map(blank_to_none));
        set(&mut next.assignee, p.assignee);
        set(&mut next.team, p.team);
        next.priority = matrix.priority(next.impact, next.urgency);
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: ProblemTransition, at: DateTime<Utc>) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let root_cause = blank_to_none(t.root_cause).or(self.root_cause.clone());
        let mut c = Checker::new();
        c.opt_text("root_cause", root_cause.as_deref(), TEXT_MAX);
        if to == ProblemStatus::Resolved && root_cause.is_none() {
            c.fail("root_cause", "is required to resolve a problem");
        }
        c.finish()?;
        let from = self.status;
        self.status = to;
        self.root_cause = root_cause;
        match to {
            ProblemStatus::Resolved => self.resolved_at = Some(at),
            ProblemStatus::Closed | ProblemStatus::Cancelled => self.closed_at = Some(at),
            ProblemStatus::Investigating if from == ProblemStatus::Resolved => self.resolved_at = None,
            ProblemStatus::New | ProblemStatus::Investigating => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    #[test]
    fn transition_table() {
        use ProblemStatus::*;
        assert_table(&[
            (New, &[Investigating, Cancelled][..]),
            (Investigating, &[Resolved, Cancelled]),
            (Resolved, &[Closed, Investigating]),
            (Closed, &[]),
            (Cancelled, &[]),
        ]);
    }

    #[test]
    fn known_error_needs_workaround_and_resolve_needs_root_cause() {
        let new = NewProblem {
            title: "Disk fills".into(),
            description: None,
            service: None,
            configuration_item: None,
            impact: None,
            urgency: None,
            root_cause: None,
            known_error: Some(true),
            workaround: None,
            category: None,
            subcategory: None,
            assignee: None,
            team: None,
        };
        assert!(matches!(
            Problem::create(new.clone(), &PriorityMatrix::default(), DateTime::<Utc>::UNIX_EPOCH),
            Err(Error::Invalid(_))
        ));
        let mut p = Problem::create(
            NewProblem {
                known_error: None,
                ..new
            },
            &PriorityMatrix::default(),
            DateTime::<Utc>::UNIX_EPOCH,
        )
        .unwrap();
        p.transition(
            ProblemTransition {
                to: "investigating".into(),
                root_cause: None,
            },
            DateTime::<Utc>::UNIX_EPOCH,
        )
        .unwrap();
        let bare = ProblemTransition {
            to: "resolved".into(),
            root_cause: None,
        };
        assert!(matches!(
            p.transition(bare, DateTime::<Utc>::UNIX_EPOCH),
            Err(Error::Invalid(_))
        ));
        let with = ProblemTransition {
            to: "resolved".into(),
            root_cause: Some("log rotation off".into()),
        };
        p.transition(with, DateTime::<Utc>::UNIX_EPOCH).unwrap();
        assert_eq!(p.root_cause.as_deref(), Some("log rotation off"));
    }
}
