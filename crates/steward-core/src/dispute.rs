//! Disputes with suppliers (8.3.4.1): a disagreement over what a contract requires or what the
//! supplier delivered, raised, escalated if the owner cannot settle it, resolved with a recorded
//! outcome, and closed once both parties accept it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{ContractId, DisputeId, SupplierId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, record};

lifecycle! {
    /// open -> escalated -> resolved -> closed; open may be resolved directly, and a resolved
    /// dispute the supplier does not accept opens again.
    DisputeStatus {
        Open = "open" => [Escalated, Resolved],
        Escalated = "escalated" => [Resolved],
        Resolved = "resolved" => [Closed, Open],
        Closed = "closed" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Dispute {
    pub id: DisputeId,
    pub supplier: SupplierId,
    /// The contract in question, if it is about one.
    pub contract: Option<ContractId>,
    pub title: String,
    pub description: String,
    /// Who handles it on the organisation's side.
    pub owner: Option<UserId>,
    /// How it was settled.
    pub resolution: String,
    pub status: DisputeStatus,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Dispute, RecordKind::Dispute, DisputeId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDispute {
    pub supplier: SupplierId,
    #[serde(default)]
    pub contract: Option<ContractId>,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner: Option<UserId>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputePatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub contract: Option<Option<ContractId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default)]
    pub resolution: Option<String>,
}

/// The body of `POST /api/v1/disputes/{ref}/transition`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeTransition {
    pub to: String,
    /// How it was settled (for `resolved`, unless already recorded).
    #[serde(default)]
    pub resolution: Option<String>,
}

impl Dispute {
    pub fn create(input: NewDispute, at: DateTime<Utc>) -> Result<Dispute> {
        let d = Dispute {
            id: DisputeId(0),
            supplier: input.supplier,
            contract: input.contract,
            title: input.title.trim().to_string(),
            description: input.description.unwrap_or_default(),
            owner: input.owner,
            resolution: String::new(),
            status: DisputeStatus::Open,
            resolved_at: None,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        d.check(&mut c);
        c.finish()?;
        Ok(d)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("description", &self.description, TEXT_MAX);
        c.text("resolution", &self.resolution, TEXT_MAX);
    }

    pub fn apply_patch(&mut self, p: DisputePatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.contract, p.contract);
        set(&mut next.owner, p.owner);
        set(&mut next.resolution, p.resolution.map(|r| r.trim().to_string()));
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Resolving needs the outcome recorded; opening again clears when it was resolved.
    pub fn transition(&mut self, t: DisputeTransition, now: DateTime<Utc>) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let mut next = self.clone();
        if let Some(r) = t.resolution {
            next.resolution = r.trim().to_string();
        }
        let mut c = Checker::new();
        match to {
            DisputeStatus::Resolved if next.resolution.is_empty() => {
                c.fail("resolution", "a dispute is resolved with how it was settled")
            }
            DisputeStatus::Resolved => next.resolved_at = Some(now),
            DisputeStatus::Open => next.resolved_at = None,
            _ => {}
        }
        next.status = to;
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn transition_table() {
        use DisputeStatus::*;
        assert_table(&[
            (Open, &[Escalated, Resolved][..]),
            (Escalated, &[Resolved]),
            (Resolved, &[Closed, Open]),
            (Closed, &[]),
        ]);
    }

    #[test]
    fn resolving_needs_the_outcome() {
        let mut d = Dispute::create(
            NewDispute {
                supplier: SupplierId(1),
                contract: None,
                title: "Credits for the March outage".into(),
                description: None,
                owner: None,
            },
            now(),
        )
        .unwrap();
        let to = |s: &str, r: Option<&str>| DisputeTransition {
            to: s.into(),
            resolution: r.map(String::from),
        };
        assert!(d.transition(to("resolved", Some("  ")), now()).is_err());
        assert_eq!(d.status, DisputeStatus::Open);
        d.transition(to("escalated", None), now()).unwrap();
        d.transition(to("resolved", Some("Two months' credit")), now()).unwrap();
        assert_eq!(d.resolved_at, Some(now()));
        d.transition(to("open", None), now()).unwrap();
        assert_eq!(d.resolved_at, None);
        assert_eq!(d.resolution, "Two months' credit");
    }
}
