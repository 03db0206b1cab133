//! Incidents: unplanned interruptions or degradations of a service, and their lifecycle.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{ConfigurationItemId, IncidentId, OrganisationId, ServiceId, SupplierId, TeamId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::priority::{Impact, Priority, PriorityRules, Urgency};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

lifecycle! {
    /// new -> in_progress -> pending -> resolved -> closed; resolved can be reopened, and anything
    /// not yet resolved can be cancelled.
    IncidentStatus {
        New = "new" => [InProgress, Pending, Resolved, Cancelled],
        InProgress = "in_progress" => [Pending, Resolved, Cancelled],
        Pending = "pending" => [InProgress, Resolved, Cancelled],
        Resolved = "resolved" => [Closed, InProgress],
        Closed = "closed" => [],
        Cancelled = "cancelled" => [],
    }
}

named_enum! {
    /// Why a ticket waits; the service level clock later pauses on some of these.
    PendingReason {
        WaitingForCustomer = "waiting_for_customer",
        WaitingForSupplier = "waiting_for_supplier",
        WaitingForChange = "waiting_for_change",
        Other = "other",
    }
}

named_enum! {
    /// How an incident was resolved.
    ResolutionCode {
        Fixed = "fixed",
        Workaround = "workaround",
        NotReproducible = "not_reproducible",
        Duplicate = "duplicate",
        UserError = "user_error",
        ThirdParty = "third_party",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Incident {
    pub id: IncidentId,
    pub title: String,
    pub description: String,
    pub status: IncidentStatus,
    pub pending_reason: Option<PendingReason>,
    pub service: Option<ServiceId>,
    pub configuration_item: Option<ConfigurationItemId>,
    pub caller: Option<UserId>,
    pub organisation: Option<OrganisationId>,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: Priority,
    pub major: bool,
    /// A security incident (8.7.3): its priority is read from the security matrix, and only
    /// those cleared for security incidents, its caller and its assignee may see it.
    pub security: bool,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    /// The supplier the ticket is handed to; its underpinning contract's clocks run meanwhile.
    pub supplier: Option<SupplierId>,
    pub resolution_code: Option<ResolutionCode>,
    pub resolution_notes: Option<String>,
    pub reopen_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

record!(
    Incident,
    RecordKind::Incident,
    IncidentId,
    |r| r.organisation,
    need_to_know
        | n
        | n.security
            .then(|| crate::access::NeedToKnow(n.caller.into_iter().chain(n.assignee).collect()))
);

/// The body of `POST /api/v1/incidents`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub service: Option<ServiceId>,
    #[serde(default)]
    pub configuration_item: Option<ConfigurationItemId>,
    /// Who reported it; defaults to the requester when a requester raises it.
    #[serde(default)]
    pub caller: Option<UserId>,
    /// Defaults to medium.
    #[serde(default)]
    pub impact: Option<Impact>,
    /// Defaults to medium.
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default)]
    pub major: Option<bool>,
    /// A security incident; false by default.
    #[serde(default)]
    pub security: Option<bool>,
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

/// The body of `PATCH /api/v1/incidents/{ref}`: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub service: Option<Option<ServiceId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub configuration_item: Option<Option<ConfigurationItemId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub caller: Option<Option<UserId>>,
    #[serde(default)]
    pub impact: Option<Impact>,
    #[serde(default)]
    pub urgency: Option<Urgency>,
    #[serde(default)]
    pub major: Option<bool>,
    #[serde(default)]
    pub security: Option<bool>,
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

/// The body of `POST /api/v1/incidents/{ref}/transition`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentTransition {
    /// The state to move to.
    pub to: String,
    /// Required when moving to `pending`.
    #[serde(default)]
    pub pending_reason: Option<PendingReason>,
    /// Required when moving to `resolved`.
    #[serde(default)]
    pub resolution_code: Option<ResolutionCode>,
    /// Required when moving to `resolved` or `cancelled`.
    #[serde(default)]
    pub resolution_notes: Option<String>,
}

fn check_classification(c: &mut Checker, category: Option<&str>, subcategory: Option<&str>) {
    c.opt_line("category", category, NAME_MAX);
    c.opt_line("subcategory", subcategory, NAME_MAX);
    if subcategory.is_some() && category.is_none() {
        c.fail("subcategory", "needs a category");
    }
}

impl Incident {
    /// Builds a new incident; its id is given by the store when it is inserted.
    pub fn create(
        input: NewIncident,
        organisation: Option<OrganisationId>,
        rules: &PriorityRules,
        at: DateTime<Utc>,
    ) -> Result<Incident> {
        let description = input.description.unwrap_or_default();
        let category = blank_to_none(input.category);
        let subcategory = blank_to_none(input.subcategory);
        let mut c = Checker::new();
        c.line("title", &input.title, TITLE_MAX);
        c.text("description", &description, TEXT_MAX);
        check_classification(&mut c, category.as_deref(), subcategory.as_deref());
        c.finish()?;
        let impact = input.impact.unwrap_or(Impact::Medium);
        let urgency = input.urgency.unwrap_or(Urgency::Medium);
        let security = input.security.unwrap_or(false);
        Ok(Incident {
            id: IncidentId(0),
            title: input.title.trim().to_string(),
            description,
            status: IncidentStatus::New,
            pending_reason: None,
            service: input.service,
            configuration_item: input.configuration_item,
            caller: input.caller,
            organisation,
            impact,
            urgency,
            priority: rules.matrix(security).priority(impact, urgency),
            major: input.major.unwrap_or(false),
            security,
            category,
            subcategory,
            assignee: input.assignee,
            team: input.team,
            supplier: input.supplier,
            resolution_code: None,
            resolution_notes: None,
            reopen_count: 0,
            created_at: at,
            updated_at: at,
            resolved_at: None,
            closed_at: None,
        })
    }

    /// What this incident tells its service level clocks.
    pub fn clock_subject(&self) -> crate::clock::ClockSubject {
        crate::clock::ClockSubject {
            terms: crate::agreement::TicketTerms {
                organisation: self.organisation,
                team: self.team,
                supplier: self.supplier,
                service: self.service,
                priority: self.priority,
                opened_on: self.created_at.date_naive(),
            },
            opened_at: self.created_at.timestamp_micros(),
            state: crate::clock::TicketState::Incident(self.status, self.pending_reason),
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

    fn is_final(&self) -> bool {
        matches!(self.status, IncidentStatus::Closed | IncidentStatus::Cancelled)
    }

    pub fn apply_patch(&mut self, p: IncidentPatch, rules: &PriorityRules) -> Result<()> {
        if self.is_final() {
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
        check_classification(&mut c, category.as_deref(), subcategory.as_deref());
        c.finish()?;
        set(&mut self.title, p.title.map(|t| t.trim().to_string()));
        set(&mut self.description, p.description);
        set(&mut self.service, p.service);
        set(&mut self.configuration_item, p.configuration_item);
        set(&mut self.caller, p.caller);
        set(&mut self.impact, p.impact);
        set(&mut self.urgency, p.urgency);
        set(&mut self.major, p.major);
        set(&mut self.security, p.security);
        set(&mut self.assignee, p.assignee);
        set(&mut self.team, p.team);
        set(&mut self.supplier, p.supplier);
        self.category = category;
        self.subcategory = subcategory;
        self.priority = rules.matrix(self.security).priority(self.impact, self.urgency);
        Ok(())
    }

    pub fn transition(&mut self, t: IncidentTransition, at: DateTime<Utc>) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let mut c = Checker::new();
        let notes = blank_to_none(t.resolution_notes);
        if to == IncidentStatus::Pending && t.pending_reason.is_none() {
            c.fail("pending_reason", "is required to move to pending");
        }
        if to != IncidentStatus::Pending && t.pending_reason.is_some() {
            c.fail("pending_reason", "is only taken when moving to pending");
        }
        if to == IncidentStatus::Resolved {
            if t.resolution_code.is_none() {
                c.fail("resolution_code", "is required to resolve");
            }
            if notes.is_none() {
                c.fail("resolution_notes", "is required to resolve");
            }
        } else if t.resolution_code.is_some() {
            c.fail("resolution_code", "is only taken when moving to resolved");
        }
        if to == IncidentStatus::Cancelled && notes.is_none() {
            c.fail("resolution_notes", "is required to cancel: say why");
        }
        if !matches!(to, IncidentStatus::Resolved | IncidentStatus::Cancelled) && notes.is_some() {
            c.fail("resolution_notes", "is only taken when moving to resolved or cancelled");
        }
        c.opt_text("resolution_notes", notes.as_deref(), TEXT_MAX);
        c.finish()?;

        let from = self.status;
        self.status = to;
        self.pending_reason = t.pending_reason;
        match to {
            IncidentStatus::Resolved => {
                self.resolution_code = t.resolution_code;
                self.resolution_notes = notes;
                self.resolved_at = Some(at);
            }
            IncidentStatus::Closed => self.closed_at = Some(at),
            IncidentStatus::Cancelled => {
                self.resolution_notes = notes;
                self.closed_at = Some(at);
            }
            IncidentStatus::InProgress if from == IncidentStatus::Resolved => {
                self.reopen_count += 1;
                self.resolution_code = None;
                self.resolution_notes = None;
                self.resolved_at = None;
            }
            IncidentStatus::New | IncidentStatus::InProgress | IncidentStatus::Pending => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, 0, 0).single().unwrap_or_default()
    }

    fn incident() -> Incident {
        let input = NewIncident {
            title: "Mail is down".into(),
            description: None,
            service: None,
            configuration_item: None,
            caller: None,
            impact: Some(Impact::High),
            urgency: Some(Urgency::Medium),
            major: None,
            security: None,
            category: None,
            subcategory: None,
            assignee: None,
            team: None,
            supplier: None,
        };
        let mut i = Incident::create(input, None, &PriorityRules::default(), at(8)).unwrap();
        i.set_id(1);
        i
    }

    fn mv(to: &str) -> IncidentTransition {
        IncidentTransition {
            to: to.into(),
            pending_reason: (to == "pending").then_some(PendingReason::WaitingForCustomer),
            resolution_code: (to == "resolved").then_some(ResolutionCode::Fixed),
            resolution_notes: matches!(to, "resolved" | "cancelled").then(|| "done".to_string()),
        }
    }

    /// Every (from, to) pair: allowed exactly when the table says so.
    #[test]
    fn a_security_incident_takes_the_security_matrix_and_is_kept_to_its_people() {
        let mut i = incident();
        assert_eq!(
            i.priority,
            Priority::P2,
            "high impact, medium urgency on the usual table"
        );
        assert_eq!(i.need_to_know(), None);
        i.caller = Some(UserId(4));
        let p = IncidentPatch {
            security: Some(true),
            assignee: Some(Some(UserId(9))),
            ..IncidentPatch::default()
        };
        i.apply_patch(p, &PriorityRules::default()).unwrap();
        assert_eq!(i.priority, Priority::P1, "the security table puts it one step higher");
        assert_eq!(
            i.need_to_know(),
            Some(crate::access::NeedToKnow(vec![UserId(4), UserId(9)]))
        );
    }

    #[test]
    fn transition_table() {
        use IncidentStatus::*;
        let allowed: &[(IncidentStatus, &[IncidentStatus])] = &[
            (New, &[InProgress, Pending, Resolved, Cancelled]),
            (InProgress, &[Pending, Resolved, Cancelled]),
            (Pending, &[InProgress, Resolved, Cancelled]),
            (Resolved, &[Closed, InProgress]),
            (Closed, &[]),
            (Cancelled, &[]),
        ];
        for (from, nexts) in allowed {
            for to in IncidentStatus::FIELD_VALUES {
                let mut i = incident();
                i.status = *from;
                let r = i.transition(mv(to.as_str()), at(9));
                if nexts.contains(to) {
                    assert!(r.is_ok(), "{from} -> {to} refused: {r:?}");
                    assert_eq!(i.status, *to);
                } else {
                    match r {
                        Err(Error::InvalidTransition { allowed, .. }) => {
                            let want: Vec<String> = nexts.iter().map(|s| s.to_string()).collect();
                            assert_eq!(allowed, want, "{from} -> {to}");
                        }
                        other => panic!("{from} -> {to} gave {other:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn resolving_needs_code_and_notes_and_reopen_clears_them() {
        let mut i = incident();
        let bare = IncidentTransition {
            to: "resolved".into(),
            pending_reason: None,
            resolution_code: None,
            resolution_notes: None,
        };
        match i.transition(bare, at(9)) {
            Err(Error::Invalid(f)) => {
                let names: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(names, ["resolution_code", "resolution_notes"]);
            }
            other => panic!("{other:?}"),
        }
        i.transition(mv("resolved"), at(10)).unwrap();
        assert_eq!(i.resolved_at, Some(at(10)));
        i.transition(mv("in_progress"), at(11)).unwrap();
        assert_eq!(i.reopen_count, 1);
        assert_eq!(i.resolution_code, None);
        assert_eq!(i.resolved_at, None);
    }

    #[test]
    fn unknown_state_names_the_field() {
        let mut i = incident();
        match i.transition(mv("done"), at(9)) {
            Err(Error::Invalid(f)) => assert_eq!(f[0].field, "to"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn patch_recomputes_priority_and_closed_is_frozen() {
        let mut i = incident();
        assert_eq!(i.priority, Priority::P2);
        let p = IncidentPatch {
            urgency: Some(Urgency::High),
            ..Default::default()
        };
        i.apply_patch(p, &PriorityRules::default()).unwrap();
        assert_eq!(i.priority, Priority::P1);
        i.status = IncidentStatus::Closed;
        assert!(matches!(
            i.apply_patch(IncidentPatch::default(), &PriorityRules::default()),
            Err(Error::Conflict(_))
        ));
    }

    #[test]
    fn blank_title_and_orphan_subcategory_are_refused() {
        let input = NewIncident {
            title: "  ".into(),
            description: None,
            service: None,
            configuration_item: None,
            caller: None,
            impact: None,
            urgency: None,
            major: None,
            security: None,
            category: None,
            subcategory: Some("vpn".into()),
            assignee: None,
            team: None,
            supplier: None,
        };
        match Incident::create(input, None, &PriorityRules::default(), at(8)) {
            Err(Error::Invalid(f)) => {
                let names: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(names, ["title", "subcategory"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
