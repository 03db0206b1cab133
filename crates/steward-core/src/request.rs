//! Service requests: a user asks for something the catalogue offers (access, equipment, advice).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{CatalogueItemId, OrganisationId, RequestId, ServiceId, SupplierId, TeamId, UserId};
use crate::incident::PendingReason;
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::priority::{Impact, Priority, PriorityMatrix, Urgency};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, record};

lifecycle! {
    /// new -> in_progress -> pending -> fulfilled -> closed; fulfilled can be reopened, and
    /// anything not yet fulfilled can be cancelled.
    RequestStatus {
        New = "new" => [InProgress, Pending, Fulfilled, Cancelled],
        InProgress = "in_progress" => [Pending, Fulfilled, Cancelled],
        Pending = "pending" => [InProgress, Fulfilled, Cancelled],
        Fulfilled = "fulfilled" => [Closed, InProgress],
        Closed = "closed" => [],
        Cancelled = "cancelled" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Request {
    pub id: RequestId,
    pub title: String,
    pub description: String,
    pub status: RequestStatus,
    pub pending_reason: Option<PendingReason>,
    pub catalogue_item: CatalogueItemId,
    /// The service the catalogue item belongs to.
    pub service: ServiceId,
    pub requested_for: Option<UserId>,
    pub organisation: Option<OrganisationId>,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    /// The supplier the ticket is handed to; its underpinning contract's clocks run meanwhile.
    pub supplier: Option<SupplierId>,
    pub fulfilment_notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub fulfilled_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

record!(Request, RecordKind::Request, RequestId, |r| r.organisation);

/// The body of `POST /api/v1/requests`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub catalogue_item: CatalogueItemId,
    /// Defaults to the requester when a requester raises it.
    #[serde(default)]
    pub requested_for: Option<UserId>,
    #[serde(default)]
    pub impact: Option<Impact>,
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub subcategory: Option<String>,
    #[serde(default)]
    pub assignee: Option<UserId>,
    #[serde(default)]
    pub team: Option<TeamId>,
    #[serde(default)]
    pub supplier: Option<SupplierId>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub requested_for: Option<Option<UserId>>,
    #[serde(default)]
    pub impact: Option<Impact>,
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default, deserialize_with = "nullable")]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub subcategory: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub assignee: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub team: Option<Option<TeamId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub supplier: Option<Option<SupplierId>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestTransition {
    pub to: String,
    /// Required when moving to `pending`.
    #[serde(default)]
    pub pending_reason: Option<PendingReason>,
    /// Required when moving to `fulfilled` or `cancelled`.
    #[serde(default)]
    pub fulfilment_notes: Option<String>,
}

impl Request {
    /// `service` is the catalogue item's service, looked up by the caller.
    pub fn create(
        input: NewRequest,
        service: ServiceId,
        organisation: Option<OrganisationId>,
        matrix: &PriorityMatrix,
        at: DateTime<Utc>,
    ) -> Result<Request> {
        let description = input.description.unwrap_or_default();
        let category = blank_to_none(input.category);
        let subcategory = blank_to_none(input.subcategory);
        let mut c = Checker::new();
        c.line("title", &input.title, TITLE_MAX);
        c.text("description", &description, TEXT_MAX);
        c.opt_line("category", category.as_deref(), NAME_MAX);
        c.opt_line("subcategory", subcategory.as_deref(), NAME_MAX);
        c.finish()?;
        let impact = input.impact.unwrap_or(Impact::Low);
        let urgency = input.urgency.unwrap_or(Urgency::Medium);
        Ok(Request {
            id: RequestId(0),
            title: input.title.trim().to_string(),
            description,
            status: RequestStatus::New,
            pending_reason: None,
            catalogue_item: input.catalogue_item,
            service,
            requested_for: input.requested_for,
            organisation,
            impact,
            urgency,
            priority: matrix.priority(impact, urgency),
            category,
            subcategory,
            assignee: input.assignee,
            team: input.team,
            supplier: input.supplier,
            fulfilment_notes: None,
            created_at: at,
            updated_at: at,
            fulfilled_at: None,
            closed_at: None,
        })
    }

    /// What this request tells its service level clocks.
    pub fn clock_subject(&self) -> crate::clock::ClockSubject {
        crate::clock::ClockSubject {
            terms: crate::agreement::TicketTerms {
                organisation: self.organisation,
                team: self.team,
                supplier: self.supplier,
                service: Some(self.service),
                priority: self.priority,
                opened_on: self.created_at.date_naive(),
            },
            opened_at: self.created_at.timestamp_micros(),
            state: crate::clock::TicketState::Request(self.status, self.pending_reason),
        }
    }

    /// Applies an escalation action: hand it to another team, raise its priority.
    pub fn escalate(&mut self, action: &crate::agreement::EscalationAction) {
        if let Some(team) = action.reassign_team {
            self.team = Some(team);
            self.assignee = None;
        }
        if action.raise_priority {
            self.priority = self.priority.raised();
        }
    }

    pub fn apply_patch(&mut self, p: RequestPatch, matrix: &PriorityMatrix) -> Result<()> {
        if matches!(self.status, RequestStatus::Closed | RequestStatus::Cancelled) {
            return Err(Error::Conflict(format!(
                "{} is {} and can no longer be edited",
                self.id, self.status
            )));
        }
        let mut c = Checker::new();
        if let Some(t) = &p.title {
            c.line("title", t, TITLE_MAX);
        }
        c.opt_text("description", p.description.as_deref(), TEXT_MAX);
        let category = p.category.map(blank_to_none).unwrap_or(self.category.clone());
        let subcategory = p.subcategory.map(blank_to_none).unwrap_or(self.subcategory.clone());
        c.opt_line("category", category.as_deref(), NAME_MAX);
        c.opt_line("subcategory", subcategory.as_deref(), NAME_MAX);
        c.finish()?;
        set(&mut self.title, p.title.map(|t| t.trim().to_string()));
        set(&mut self.description, p.description);
        set(&mut self.requested_for, p.requested_for);
        set(&mut self.impact, p.impact);
        set(&mut self.urgency, p.urgency);
        set(&mut self.assignee, p.assignee);
        set(&mut self.team, p.team);
        set(&mut self.supplier, p.supplier);
        self.category = category;
        self.subcategory = subcategory;
        self.priority = matrix.priority(self.impact, self.urgency);
        Ok(())
    }

    pub fn transition(&mut self, t: RequestTransition, at: DateTime<Utc>) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let notes = blank_to_none(t.fulfilment_notes);
        let mut c = Checker::new();
        match (to == RequestStatus::Pending, t.pending_reason.is_some()) {
            (true, false) => c.fail("pending_reason", "is required to move to pending"),
            (false, true) => c.fail("pending_reason", "is only taken when moving to pending"),
            _ => {}
        }
        let wants_notes = matches!(to, RequestStatus::Fulfilled | RequestStatus::Cancelled);
        match (wants_notes, notes.is_some()) {
            (true, false) => c.fail("fulfilment_notes", "is required to fulfil or cancel"),
            (false, true) => c.fail(
                "fulfilment_notes",
                "is only taken when moving to fulfilled or cancelled",
            ),
            _ => {}
        }
        c.opt_text("fulfilment_notes", notes.as_deref(), TEXT_MAX);
        c.finish()?;
        let from = self.status;
        self.status = to;
        self.pending_reason = t.pending_reason;
        match to {
            RequestStatus::Fulfilled => {
                self.fulfilment_notes = notes;
                self.fulfilled_at = Some(at);
            }
            RequestStatus::Cancelled => {
                self.fulfilment_notes = notes;
                self.closed_at = Some(at);
            }
            RequestStatus::Closed => self.closed_at = Some(at),
            RequestStatus::InProgress if from == RequestStatus::Fulfilled => {
                self.fulfilled_at = None;
                self.fulfilment_notes = None;
            }
            RequestStatus::New | RequestStatus::InProgress | RequestStatus::Pending => {}
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
        use RequestStatus::*;
        assert_table(&[
            (New, &[InProgress, Pending, Fulfilled, Cancelled][..]),
            (InProgress, &[Pending, Fulfilled, Cancelled]),
            (Pending, &[InProgress, Fulfilled, Cancelled]),
            (Fulfilled, &[Closed, InProgress]),
            (Closed, &[]),
            (Cancelled, &[]),
        ]);
    }
}
