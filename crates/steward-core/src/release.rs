//! Releases: changes grouped for deployment, with acceptance criteria that must be verified
//! before deployment, and the outcome of the deployment (deployed or rolled back).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{ReleaseId, TeamId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

lifecycle! {
    /// planned -> building -> testing -> deploying -> deployed or rolled_back -> closed; anything
    /// before deploying can be cancelled, and testing can go back to building.
    ReleaseStatus {
        Planned = "planned" => [Building, Cancelled],
        Building = "building" => [Testing, Cancelled],
        Testing = "testing" => [Deploying, Building, Cancelled],
        Deploying = "deploying" => [Deployed, RolledBack],
        Deployed = "deployed" => [Closed],
        RolledBack = "rolled_back" => [Closed, Building],
        Closed = "closed" => [],
        Cancelled = "cancelled" => [],
    }
}

named_enum! {
    ReleaseType { Major = "major", Minor = "minor", Emergency = "emergency" }
}

/// A condition the release must meet before it is deployed, and who checked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AcceptanceCriterion {
    pub criterion: String,
    #[serde(default)]
    pub verified_by: Option<UserId>,
    #[serde(default)]
    pub verified_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Release {
    pub id: ReleaseId,
    pub name: String,
    pub description: String,
    pub status: ReleaseStatus,
    pub release_type: ReleaseType,
    pub planned_deployment: Option<DateTime<Utc>>,
    pub acceptance_criteria: Vec<AcceptanceCriterion>,
    pub deployment_notes: Option<String>,
    /// Whether its last deployment was rolled back.
    pub rolled_back: bool,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    pub deployed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Release, RecordKind::Release, ReleaseId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRelease {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Defaults to minor.
    #[serde(default)]
    pub release_type: Option<ReleaseType>,
    #[serde(default)]
    pub planned_deployment: Option<DateTime<Utc>>,
    /// The conditions to verify before deployment.
    #[serde(default)]
    pub acceptance_criteria: Vec<String>,
    #[serde(default)]
    pub assignee: Option<UserId>,
    #[serde(default)]
    pub team: Option<TeamId>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleasePatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub release_type: Option<ReleaseType>,
    #[serde(default, deserialize_with = "nullable")]
    pub planned_deployment: Option<Option<DateTime<Utc>>>,
    /// Replaces the criteria; each starts unverified again.
    #[serde(default)]
    pub acceptance_criteria: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub assignee: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub team: Option<Option<TeamId>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseTransition {
    pub to: String,
    /// Required when the deployment ends (deployed or rolled back).
    #[serde(default)]
    pub deployment_notes: Option<String>,
}

fn criteria(c: &mut Checker, items: Vec<String>) -> Vec<AcceptanceCriterion> {
    for (i, s) in items.iter().enumerate() {
        c.line(&format!("acceptance_criteria[{i}]"), s, NAME_MAX * 4);
    }
    if items.len() > 100 {
        c.fail("acceptance_criteria", "at most 100 criteria");
    }
    items
        .into_iter()
        .map(|criterion| AcceptanceCriterion {
            criterion: criterion.trim().to_string(),
            verified_by: None,
            verified_at: None,
        })
        .collect()
}

impl Release {
    pub fn create(input: NewRelease, at: DateTime<Utc>) -> Result<Release> {
        let mut c = Checker::new();
        c.line("name", &input.name, NAME_MAX);
        let description = input.description.unwrap_or_default();
        c.text("description", &description, TEXT_MAX);
        let acceptance_criteria = criteria(&mut c, input.acceptance_criteria);
        c.finish()?;
        Ok(Release {
            id: ReleaseId(0),
            name: input.name.trim().to_string(),
            description,
            status: ReleaseStatus::Planned,
            release_type: input.release_type.unwrap_or(ReleaseType::Minor),
            planned_deployment: input.planned_deployment,
            acceptance_criteria,
            deployment_notes: None,
            rolled_back: false,
            assignee: input.assignee,
            team: input.team,
            deployed_at: None,
            created_at: at,
            updated_at: at,
        })
    }

    pub fn apply_patch(&mut self, p: ReleasePatch) -> Result<()> {
        if matches!(self.status, ReleaseStatus::Closed | ReleaseStatus::Cancelled) {
            return Err(Error::Conflict(format!(
                "{} is {} and can no longer be edited",
                self.id, self.status
            )));
        }
        let mut c = Checker::new();
        c.opt_line("name", p.name.as_deref(), NAME_MAX);
        c.opt_text("description", p.description.as_deref(), TEXT_MAX);
        let new_criteria = p.acceptance_criteria.map(|items| criteria(&mut c, items));
        c.finish()?;
        set(&mut self.name, p.name.map(|n| n.trim().to_string()));
        set(&mut self.description, p.description);
        set(&mut self.release_type, p.release_type);
        set(&mut self.planned_deployment, p.planned_deployment);
        set(&mut self.acceptance_criteria, new_criteria);
        set(&mut self.assignee, p.assignee);
        set(&mut self.team, p.team);
        Ok(())
    }

    /// Records that `by` verified criterion `index` (counting from 0).
    pub fn verify_criterion(&mut self, index: usize, by: UserId, at: DateTime<Utc>) -> Result<()> {
        if !matches!(self.status, ReleaseStatus::Building | ReleaseStatus::Testing) {
            return Err(Error::Conflict(format!(
                "criteria are verified while building or testing; {} is {}",
                self.id, self.status
            )));
        }
        let c = self
            .acceptance_criteria
            .get_mut(index)
            .ok_or_else(|| Error::not_found("acceptance criterion", index))?;
        c.verified_by = Some(by);
        c.verified_at = Some(at);
        Ok(())
    }

    pub fn transition(&mut self, t: ReleaseTransition, at: DateTime<Utc>) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let notes = blank_to_none(t.deployment_notes);
        let mut c = Checker::new();
        if to == ReleaseStatus::Deploying {
            let open: Vec<String> = self
                .acceptance_criteria
                .iter()
                .enumerate()
                .filter(|(_, a)| a.verified_at.is_none())
                .map(|(i, a)| format!("[{i}] {}", a.criterion))
                .collect();
            if !open.is_empty() {
                c.fail(
                    "acceptance_criteria",
                    format!(
                        "verify every criterion before deployment; still open: {}",
                        open.join("; ")
                    ),
                );
            }
        }
        let ends_deployment = matches!(to, ReleaseStatus::Deployed | ReleaseStatus::RolledBack);
        match (ends_deployment, &notes) {
            (true, None) => c.fail("deployment_notes", "say how the deployment went"),
            (false, Some(_)) => c.fail("deployment_notes", "is only taken when the deployment ends"),
            _ => {}
        }
        c.opt_text("deployment_notes", notes.as_deref(), TEXT_MAX);
        c.finish()?;
        if to == ReleaseStatus::Building && self.status == ReleaseStatus::RolledBack {
            for a in &mut self.acceptance_criteria {
                a.verified_by = None;
                a.verified_at = None;
            }
        }
        self.status = to;
        if ends_deployment {
            self.deployment_notes = notes;
            self.deployed_at = Some(at);
            self.rolled_back = to == ReleaseStatus::RolledBack;
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
        use ReleaseStatus::*;
        assert_table(&[
            (Planned, &[Building, Cancelled][..]),
            (Building, &[Testing, Cancelled]),
            (Testing, &[Deploying, Building, Cancelled]),
            (Deploying, &[Deployed, RolledBack]),
            (Deployed, &[Closed]),
            (RolledBack, &[Closed, Building]),
            (Closed, &[]),
            (Cancelled, &[]),
        ]);
    }

    #[test]
    fn deployment_waits_for_every_criterion() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let input = NewRelease {
            name: "R1".into(),
            description: None,
            release_type: None,
            planned_deployment: None,
            acceptance_criteria: vec!["Smoke tests pass".into(), "Rollback rehearsed".into()],
            assignee: None,
            team: None,
        };
        let mut r = Release::create(input, t0).unwrap();
        let mv = |to: &str| ReleaseTransition {
            to: to.into(),
            deployment_notes: None,
        };
        r.transition(mv("building"), t0).unwrap();
        r.transition(mv("testing"), t0).unwrap();
        r.verify_criterion(0, UserId(1), t0).unwrap();
        match r.transition(mv("deploying"), t0) {
            Err(Error::Invalid(f)) => assert!(f[0].message.contains("Rollback rehearsed")),
            other => panic!("{other:?}"),
        }
        r.verify_criterion(1, UserId(1), t0).unwrap();
        r.transition(mv("deploying"), t0).unwrap();
        assert!(r.transition(mv("deployed"), t0).is_err(), "notes required");
        r.transition(
            ReleaseTransition {
                to: "rolled_back".into(),
                deployment_notes: Some("Checks failed".into()),
            },
            t0,
        )
        .unwrap();
        r.transition(mv("building"), t0).unwrap();
        assert!(
            r.acceptance_criteria.iter().all(|a| a.verified_at.is_none()),
            "a rebuild is verified again"
        );
    }
}
