//! Change approval: who must approve a change, and when their decisions settle it. Normal
//! changes go to the service owner, the owners of the items they touch and the change advisory
//! board, and are approved at the policy's quorum; any rejection rejects. Emergency changes need
//! one emergency approver. Standard changes are pre-approved.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::change::ChangeType;
use crate::error::{Error, Result};
use crate::id::{TeamId, UserId};
use crate::named_enum;

named_enum! {
    /// Why someone is asked to approve.
    ApproverRole {
        ServiceOwner = "service_owner",
        ItemOwner = "item_owner",
        AdvisoryBoard = "advisory_board",
        EmergencyApprover = "emergency_approver",
    }
}

named_enum! {
    Decision { Pending = "pending", Approved = "approved", Rejected = "rejected" }
}

/// One approver's say on a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Approval {
    pub approver: UserId,
    pub role: ApproverRole,
    pub decision: Decision,
    pub comment: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The change policy: who sits on the change advisory board, how many approvals carry a normal
/// change, and who may approve emergencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePolicy {
    /// The team whose members form the change advisory board.
    #[serde(default)]
    pub advisory_board: Option<TeamId>,
    /// Approvals needed for a normal change; capped at the number of approvers.
    pub quorum: u32,
    /// Users who may approve emergency changes (any one suffices).
    #[serde(default)]
    pub emergency_approvers: Vec<UserId>,
}

impl Default for ChangePolicy {
    fn default() -> Self {
        ChangePolicy {
            advisory_board: None,
            quorum: 2,
            emergency_approvers: Vec::new(),
        }
    }
}

impl ChangePolicy {
    pub fn validate(&self) -> Result<()> {
        if !(1..=50).contains(&self.quorum) {
            return Err(Error::invalid("quorum", "must be between 1 and 50"));
        }
        Ok(())
    }
}

/// The approvers of a change, each once, under their first reason: the service owner, the
/// item owners, the board — or, for an emergency, the emergency approvers.
pub fn approvers(
    change_type: ChangeType,
    policy: &ChangePolicy,
    service_owner: Option<UserId>,
    item_owners: &[UserId],
    board: &[UserId],
) -> Vec<(UserId, ApproverRole)> {
    let candidates: Vec<(UserId, ApproverRole)> = match change_type {
        ChangeType::Standard => Vec::new(),
        ChangeType::Emergency => policy
            .emergency_approvers
            .iter()
            .map(|u| (*u, ApproverRole::EmergencyApprover))
            .collect(),
        ChangeType::Normal => service_owner
            .map(|u| (u, ApproverRole::ServiceOwner))
            .into_iter()
            .chain(item_owners.iter().map(|u| (*u, ApproverRole::ItemOwner)))
            .chain(board.iter().map(|u| (*u, ApproverRole::AdvisoryBoard)))
            .collect(),
    };
    let mut out: Vec<(UserId, ApproverRole)> = Vec::new();
    for (u, r) in candidates {
        if !out.iter().any(|(v, _)| *v == u) {
            out.push((u, r));
        }
    }
    out
}

/// What the decisions so far settle: `Some(true)` approved, `Some(false)` rejected, `None` not yet.
pub fn settled(change_type: ChangeType, policy: &ChangePolicy, approvals: &[Approval]) -> Option<bool> {
    if approvals.iter().any(|a| a.decision == Decision::Rejected) {
        return Some(false);
    }
    let yes = approvals.iter().filter(|a| a.decision == Decision::Approved).count();
    let needed = match change_type {
        ChangeType::Standard => 0,
        ChangeType::Emergency => 1,
        ChangeType::Normal => (policy.quorum as usize).min(approvals.len()).max(1),
    };
    (yes >= needed).then_some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(u: i64, d: Decision) -> Approval {
        Approval {
            approver: UserId(u),
            role: ApproverRole::AdvisoryBoard,
            decision: d,
            comment: None,
            decided_at: None,
        }
    }

    #[test]
    fn quorum_and_any_rejection() {
        let policy = ChangePolicy {
            advisory_board: None,
            quorum: 2,
            emergency_approvers: vec![],
        };
        use Decision::*;
        let n = ChangeType::Normal;
        assert_eq!(
            settled(
                n,
                &policy,
                &[approval(1, Approved), approval(2, Pending), approval(3, Pending)]
            ),
            None
        );
        assert_eq!(
            settled(
                n,
                &policy,
                &[approval(1, Approved), approval(2, Approved), approval(3, Pending)]
            ),
            Some(true)
        );
        assert_eq!(
            settled(
                n,
                &policy,
                &[approval(1, Approved), approval(2, Approved), approval(3, Rejected)]
            ),
            Some(false)
        );
        assert_eq!(
            settled(n, &policy, &[approval(1, Approved)]),
            Some(true),
            "quorum capped at the approvers there are"
        );
        assert_eq!(settled(n, &policy, &[]), None, "nobody to approve: not approved");
        assert_eq!(
            settled(
                ChangeType::Emergency,
                &policy,
                &[approval(9, Approved), approval(8, Pending)]
            ),
            Some(true)
        );
    }

    #[test]
    fn approvers_are_chosen_by_rule_once_each() {
        let policy = ChangePolicy {
            advisory_board: Some(TeamId(1)),
            quorum: 2,
            emergency_approvers: vec![UserId(9)],
        };
        let got = approvers(
            ChangeType::Normal,
            &policy,
            Some(UserId(1)),
            &[UserId(2), UserId(1)],
            &[UserId(3), UserId(2)],
        );
        assert_eq!(
            got,
            [
                (UserId(1), ApproverRole::ServiceOwner),
                (UserId(2), ApproverRole::ItemOwner),
                (UserId(3), ApproverRole::AdvisoryBoard)
            ]
        );
        assert_eq!(
            approvers(ChangeType::Emergency, &policy, Some(UserId(1)), &[], &[]),
            [(UserId(9), ApproverRole::EmergencyApprover)]
        );
        assert!(approvers(ChangeType::Standard, &policy, Some(UserId(1)), &[UserId(2)], &[]).is_empty());
    }
}
