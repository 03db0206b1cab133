//! Complaints (8.3.2): a customer's or another party's expression of dissatisfaction with a
//! service or with how it was delivered. Each is recorded when received, acknowledged and
//! investigated, escalated if the handler cannot settle it, resolved with what was done, and
//! closed — against its own targets, set by the complaint policy when it is received.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{ComplaintId, OrganisationId, ServiceId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, record};

lifecycle! {
    /// open -> investigating -> resolved -> closed, with escalated between investigating and
    /// resolved when the handler cannot settle it; a resolution the complainant does not accept
    /// goes back to investigating.
    ComplaintStatus {
        Open = "open" => [Investigating, Escalated, Resolved],
        Investigating = "investigating" => [Escalated, Resolved],
        Escalated = "escalated" => [Investigating, Resolved],
        Resolved = "resolved" => [Closed, Investigating],
        Closed = "closed" => [],
    }
}

/// The targets every complaint is held to, in calendar days from when it was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintPolicy {
    /// Days to acknowledge it (move it out of `open`).
    pub acknowledge_within_days: u16,
    /// Days to resolve it.
    pub resolve_within_days: u16,
}

impl Default for ComplaintPolicy {
    fn default() -> Self {
        ComplaintPolicy {
            acknowledge_within_days: 2,
            resolve_within_days: 20,
        }
    }
}

impl ComplaintPolicy {
    pub fn validate(&self) -> Result<()> {
        let mut c = Checker::new();
        if !(1..=365).contains(&self.acknowledge_within_days) {
            c.fail("acknowledge_within_days", "must be between 1 and 365");
        }
        if !(1..=365).contains(&self.resolve_within_days) {
            c.fail("resolve_within_days", "must be between 1 and 365");
        } else if self.resolve_within_days < self.acknowledge_within_days {
            c.fail(
                "resolve_within_days",
                "must be at least acknowledge_within_days: a complaint is acknowledged before it is resolved",
            );
        }
        c.finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Complaint {
    pub id: ComplaintId,
    /// The customer or interested party it comes from.
    pub organisation: Option<OrganisationId>,
    /// The service it is about, if one.
    pub service: Option<ServiceId>,
    /// Who complained, in words (a name, a role, an address).
    pub complainant: String,
    pub title: String,
    pub description: String,
    /// Who handles it.
    pub owner: Option<UserId>,
    /// What was found and done.
    pub resolution: String,
    pub status: ComplaintStatus,
    pub received_at: DateTime<Utc>,
    /// Its targets, set from the policy when it was received.
    pub acknowledge_by: DateTime<Utc>,
    pub resolve_by: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Complaint, RecordKind::Complaint, ComplaintId, |r| r.organisation);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComplaint {
    /// A requester's complaint is their organisation's, whatever is sent.
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
    #[serde(default)]
    pub service: Option<ServiceId>,
    /// The complainant in words; a requester's own name if absent.
    #[serde(default)]
    pub complainant: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner: Option<UserId>,
    /// When it was received, if earlier than now (by phone, by letter); never in the future.
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintPatch {
    #[serde(default, deserialize_with = "nullable")]
    pub organisation: Option<Option<OrganisationId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub service: Option<Option<ServiceId>>,
    #[serde(default)]
    pub complainant: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default)]
    pub resolution: Option<String>,
}

/// The body of `POST /api/v1/complaints/{ref}/transition`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintTransition {
    pub to: String,
    /// For `resolved`, unless already recorded.
    #[serde(default)]
    pub resolution: Option<String>,
}

/// Whether a target was kept: met if done by the deadline, missed if done late or still
/// undone after it, open while undone before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Met,
    Missed,
    Running,
}

fn target(done: Option<DateTime<Utc>>, by: DateTime<Utc>, now: DateTime<Utc>) -> Target {
    match done {
        Some(d) if d <= by => Target::Met,
        Some(_) => Target::Missed,
        None if now > by => Target::Missed,
        None => Target::Running,
    }
}

impl Complaint {
    /// `received_at` defaults to `now` and may not be after it; the targets follow from it.
    pub fn create(input: NewComplaint, policy: &ComplaintPolicy, now: DateTime<Utc>) -> Result<Complaint> {
        let received_at = input.received_at.unwrap_or(now);
        if received_at > now {
            return Err(Error::invalid(
                "received_at",
                "a complaint cannot be received in the future",
            ));
        }
        let k = Complaint {
            id: ComplaintId(0),
            organisation: input.organisation,
            service: input.service,
            complainant: input.complainant.unwrap_or_default().trim().to_string(),
            title: input.title.trim().to_string(),
            description: input.description.unwrap_or_default(),
            owner: input.owner,
            resolution: String::new(),
            status: ComplaintStatus::Open,
            received_at,
            acknowledge_by: received_at + Duration::days(policy.acknowledge_within_days.into()),
            resolve_by: received_at + Duration::days(policy.resolve_within_days.into()),
            acknowledged_at: None,
            resolved_at: None,
            created_at: now,
            updated_at: now,
        };
        let mut c = Checker::new();
        k.check(&mut c);
        c.finish()?;
        Ok(k)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.line("complainant", &self.complainant, NAME_MAX);
        c.text("description", &self.description, TEXT_MAX);
        c.text("resolution", &self.resolution, TEXT_MAX);
    }

    pub fn apply_patch(&mut self, p: ComplaintPatch) -> Result<()> {
        if self.status == ComplaintStatus::Closed {
            return Err(Error::Conflict(format!("{} is closed and no longer changes", self.id)));
        }
        let mut next = self.clone();
        set(&mut next.organisation, p.organisation);
        set(&mut next.service, p.service);
        set(&mut next.complainant, p.complainant.map(|c| c.trim().to_string()));
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.owner, p.owner);
        set(&mut next.resolution, p.resolution.map(|r| r.trim().to_string()));
        let mut c = Checker::new();
        if matches!(next.status, ComplaintStatus::Resolved) && next.resolution.is_empty() {
            c.fail("resolution", "a resolved complaint keeps what was done");
        }
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// The first move out of `open` acknowledges it; resolving needs what was done; going back
    /// to investigating clears when it was resolved (the resolution target runs again).
    pub fn transition(&mut self, t: ComplaintTransition, now: DateTime<Utc>) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let mut next = self.clone();
        if let Some(r) = t.resolution {
            next.resolution = r.trim().to_string();
        }
        let mut c = Checker::new();
        if next.acknowledged_at.is_none() {
            next.acknowledged_at = Some(now);
        }
        match to {
            ComplaintStatus::Resolved if next.resolution.is_empty() => {
                c.fail("resolution", "a complaint is resolved with what was found and done")
            }
            ComplaintStatus::Resolved => next.resolved_at = Some(now),
            ComplaintStatus::Investigating => next.resolved_at = None,
            _ => {}
        }
        next.status = to;
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn acknowledgement(&self, now: DateTime<Utc>) -> Target {
        target(self.acknowledged_at, self.acknowledge_by, now)
    }

    pub fn resolution_target(&self, now: DateTime<Utc>) -> Target {
        target(self.resolved_at, self.resolve_by, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn complaint(received_at: Option<DateTime<Utc>>) -> Result<Complaint> {
        Complaint::create(
            NewComplaint {
                organisation: Some(OrganisationId(2)),
                service: None,
                complainant: Some("Head of finance".into()),
                title: "Month-end close delayed by the outage".into(),
                description: None,
                owner: None,
                received_at,
            },
            &ComplaintPolicy::default(),
            now(),
        )
    }

    fn to(s: &str, r: Option<&str>) -> ComplaintTransition {
        ComplaintTransition {
            to: s.into(),
            resolution: r.map(String::from),
        }
    }

    #[test]
    fn transition_table() {
        use ComplaintStatus::*;
        assert_table(&[
            (Open, &[Investigating, Escalated, Resolved][..]),
            (Investigating, &[Escalated, Resolved]),
            (Escalated, &[Investigating, Resolved]),
            (Resolved, &[Closed, Investigating]),
            (Closed, &[]),
        ]);
    }

    #[test]
    fn targets_follow_the_policy_from_when_it_was_received() {
        let received = now() - Duration::days(3);
        let k = complaint(Some(received)).unwrap();
        assert_eq!(k.acknowledge_by, received + Duration::days(2));
        assert_eq!(k.resolve_by, received + Duration::days(20));
        // Three days on and still open: the acknowledgement is late, resolution still running.
        assert_eq!(k.acknowledgement(now()), Target::Missed);
        assert_eq!(k.resolution_target(now()), Target::Running);
        let err = complaint(Some(now() + Duration::minutes(1))).unwrap_err();
        assert!(err.to_string().contains("received_at"), "{err}");
    }

    #[test]
    fn acknowledging_resolving_and_reopening() {
        let mut k = complaint(None).unwrap();
        k.transition(to("investigating", None), now()).unwrap();
        assert_eq!(k.acknowledged_at, Some(now()));
        assert_eq!(k.acknowledgement(now()), Target::Met);
        assert!(k.transition(to("resolved", Some(" ")), now()).is_err());
        assert_eq!(k.status, ComplaintStatus::Investigating);
        let later = now() + Duration::days(25);
        k.transition(to("escalated", None), later).unwrap();
        assert_eq!(k.acknowledged_at, Some(now()), "the first acknowledgement stands");
        k.transition(to("resolved", Some("Credit agreed")), later).unwrap();
        assert_eq!(k.resolution_target(later), Target::Missed);
        k.transition(to("investigating", None), later).unwrap();
        assert_eq!(k.resolved_at, None);
        k.transition(to("resolved", None), later).unwrap();
        k.transition(to("closed", None), later).unwrap();
        assert!(k.apply_patch(ComplaintPatch::default()).is_err());
    }

    #[test]
    fn the_policy_is_checked() {
        assert!(ComplaintPolicy::default().validate().is_ok());
        let bad = ComplaintPolicy {
            acknowledge_within_days: 5,
            resolve_within_days: 3,
        };
        assert!(bad.validate().unwrap_err().to_string().contains("resolve_within_days"));
        let zero = ComplaintPolicy {
            acknowledge_within_days: 0,
            resolve_within_days: 3,
        };
        assert!(zero.validate().is_err());
    }
}
