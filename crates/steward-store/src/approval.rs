//! How change approvals are stored: requested when a change enters assessment (in the same
//! transaction), decided one approver at a time, and settling the change when the policy says.

use chrono::{DateTime, Utc};
use steward_core::approval::{Approval, ApproverRole, ChangePolicy, Decision, approvers, settled};
use steward_core::change::{Change, ChangeStatus, ChangeTransition};
use steward_core::history::{EntryContent, HistoryAction};
use steward_core::id::{ChangeId, UserId};
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::Tx;
use crate::record::{get_in, save};
use crate::{Store, args, history, micros, opt_from_micros, parse_stored};

#[derive(sqlx::FromRow)]
struct ApprovalRow {
    approver_id: i64,
    role: String,
    decision: String,
    comment: Option<String>,
    decided_at: Option<i64>,
}

async fn approvals_in(tx: &mut Tx, change: i64) -> Result<Vec<Approval>> {
    let rows: Vec<ApprovalRow> = tx
        .fetch_all(
            "SELECT approver_id, role, decision, comment, decided_at FROM change_approvals WHERE change_id = $1 ORDER BY approver_id",
            args![change],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Approval {
                approver: UserId(r.approver_id),
                role: parse_stored("role", &r.role, ApproverRole::parse)?,
                decision: parse_stored("decision", &r.decision, Decision::parse)?,
                comment: r.comment,
                decided_at: opt_from_micros(r.decided_at)?,
            })
        })
        .collect()
}

pub(crate) async fn policy_in(tx: &mut Tx) -> Result<ChangePolicy> {
    let row: Option<(String,)> = tx
        .fetch_optional(
            "SELECT value FROM settings WHERE key = $1",
            args![crate::settings::CHANGE_POLICY],
        )
        .await?;
    match row {
        Some((json,)) => serde_json::from_str(&json)
            .map_err(|e| Error::unexpected(format!("stored change policy is not valid: {e}"))),
        None => Ok(ChangePolicy::default()),
    }
}

fn entry(change: i64, actor: Option<UserId>, at: i64, value: serde_json::Value) -> EntryContent {
    EntryContent {
        record_kind: RecordKind::Change,
        record_id: change,
        actor,
        at_micros: at,
        action: HistoryAction::Update,
        field: Some("approvals".into()),
        old_value: None,
        new_value: Some(value.to_string()),
    }
}

/// Keeps a change's approvals in step with its state: asks the approvers when it enters
/// assessment, and clears them when it goes back to draft for rework.
pub(crate) async fn follow_change(tx: &mut Tx, change: &Change, at: i64) -> Result<()> {
    match change.status {
        ChangeStatus::Draft => {
            tx.execute("DELETE FROM change_approvals WHERE change_id = $1", args![change.id.0])
                .await?;
        }
        ChangeStatus::Assessment => {
            let (n,): (i64,) = tx
                .fetch_one(
                    "SELECT COUNT(*) FROM change_approvals WHERE change_id = $1",
                    args![change.id.0],
                )
                .await?;
            if n > 0 {
                return Ok(());
            }
            let policy = policy_in(tx).await?;
            let service_owner: Option<(Option<i64>,)> = match change.service {
                Some(s) => {
                    tx.fetch_optional("SELECT owner_id FROM services WHERE id = $1", args![s.0])
                        .await?
                }
                None => None,
            };
            let owners: Vec<(i64,)> = tx
                .fetch_all(
                    "SELECT DISTINCT ci.owner_id FROM links l JOIN configuration_items ci ON ci.id = l.to_id \
                     WHERE l.from_kind = 'change' AND l.from_id = $1 AND l.to_kind = 'configuration_item' \
                     AND ci.owner_id IS NOT NULL ORDER BY ci.owner_id",
                    args![change.id.0],
                )
                .await?;
            let board: Vec<(i64,)> = match policy.advisory_board {
                Some(t) => {
                    tx.fetch_all(
                        "SELECT user_id FROM team_members WHERE team_id = $1 ORDER BY user_id",
                        args![t.0],
                    )
                    .await?
                }
                None => Vec::new(),
            };
            let chosen = approvers(
                change.change_type,
                &policy,
                service_owner.and_then(|(o,)| o).map(UserId),
                &owners.into_iter().map(|(u,)| UserId(u)).collect::<Vec<_>>(),
                &board.into_iter().map(|(u,)| UserId(u)).collect::<Vec<_>>(),
            );
            for (user, role) in &chosen {
                tx.execute(
                    "INSERT INTO change_approvals (change_id, approver_id, role, decision) VALUES ($1, $2, $3, 'pending')",
                    args![change.id.0, user.0, role.as_str()],
                )
                .await?;
            }
            if !chosen.is_empty() {
                let asked: Vec<String> = chosen.iter().map(|(u, r)| format!("{u} ({r})")).collect();
                history::append(
                    tx,
                    vec![entry(change.id.0, None, at, serde_json::json!({ "requested": asked }))],
                )
                .await?;
            }
        }
        _ => {}
    }
    Ok(())
}

impl Store {
    pub async fn approvals(&self, change: ChangeId) -> Result<Vec<Approval>> {
        let mut tx = self.begin_read().await?;
        let out = approvals_in(&mut tx, change.0).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Records `approver`'s decision on a change in assessment and, when the decisions settle
    /// it, approves or rejects the change — all in one transaction.
    pub async fn decide(
        &self,
        change: ChangeId,
        approver: UserId,
        approve: bool,
        comment: Option<String>,
        at: DateTime<Utc>,
    ) -> Result<(Change, Vec<Approval>)> {
        let mut tx = self.begin().await?;
        let Some(current) = get_in::<Change>(&mut tx, change.0).await? else {
            return Err(Error::not_found("change", change));
        };
        if current.status != ChangeStatus::Assessment {
            return Err(Error::Conflict(format!(
                "{change} is {}, not in assessment: there is nothing to decide",
                current.status
            )));
        }
        let decision = if approve {
            Decision::Approved
        } else {
            Decision::Rejected
        };
        let n = tx
            .execute(
                "UPDATE change_approvals SET decision = $1, comment = $2, decided_at = $3 \
                 WHERE change_id = $4 AND approver_id = $5 AND decision = 'pending'",
                args![decision.as_str(), comment.clone(), micros(at), change.0, approver.0],
            )
            .await?;
        if n == 0 {
            let listed: Option<(String,)> = tx
                .fetch_optional(
                    "SELECT decision FROM change_approvals WHERE change_id = $1 AND approver_id = $2",
                    args![change.0, approver.0],
                )
                .await?;
            return Err(match listed {
                Some(_) => Error::Conflict(format!("{approver} has already decided on {change}")),
                None => Error::Forbidden(format!("{approver} is not an approver of {change}")),
            });
        }
        history::append(
            &mut tx,
            vec![entry(change.0, Some(approver), micros(at), serde_json::json!({ "approver": approver.to_string(), "decision": decision.as_str(), "comment": comment }))],
        )
        .await?;
        let approvals = approvals_in(&mut tx, change.0).await?;
        let policy = policy_in(&mut tx).await?;
        let saved = match settled(current.change_type, &policy, &approvals) {
            Some(outcome) => {
                let mut next = current.clone();
                let to = if outcome { "approved" } else { "rejected" };
                next.transition(
                    ChangeTransition {
                        to: to.into(),
                        planned_start: None,
                        planned_end: None,
                        outcome: None,
                        review_notes: None,
                        accept_conflicts: false,
                    },
                    at,
                )?;
                save(&mut tx, &current, next, Some(approver), at, HistoryAction::Transition).await?
            }
            None => current,
        };
        tx.commit().await?;
        Ok((saved, approvals))
    }
}
