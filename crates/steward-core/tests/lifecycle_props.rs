//! Property tests: any sequence of requested moves keeps an incident consistent.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use steward_core::incident::{
    Incident, IncidentStatus, IncidentTransition, NewIncident, PendingReason, ResolutionCode,
};
use steward_core::lifecycle::Lifecycle;
use steward_core::priority::PriorityRules;

fn start() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH + Duration::days(20_000)
}

fn fresh() -> Incident {
    let input = NewIncident {
        title: "Printer jam".into(),
        description: None,
        service: None,
        configuration_item: None,
        caller: None,
        impact: None,
        urgency: None,
        major: None,
        security: None,
        category: None,
        subcategory: None,
        assignee: None,
        team: None,
        supplier: None,
    };
    Incident::create(input, None, &PriorityRules::default(), start()).unwrap()
}

fn request(to: IncidentStatus, with_fields: bool) -> IncidentTransition {
    let s = to.as_str();
    IncidentTransition {
        to: s.into(),
        pending_reason: (with_fields && s == "pending").then_some(PendingReason::WaitingForCustomer),
        resolution_code: (with_fields && s == "resolved").then_some(ResolutionCode::Fixed),
        resolution_notes: (with_fields && matches!(s, "resolved" | "cancelled")).then(|| "because".to_string()),
    }
}

proptest! {
    #[test]
    fn any_sequence_of_moves_keeps_an_incident_consistent(
        moves in proptest::collection::vec((0usize..6, any::<bool>()), 0..40)
    ) {
        let mut inc = fresh();
        let mut reopens = 0;
        for (step, (target, with_fields)) in moves.into_iter().enumerate() {
            let to = IncidentStatus::FIELD_VALUES[target];
            let before = inc.clone();
            let at = start() + Duration::minutes(step as i64 + 1);
            match inc.transition(request(to, with_fields), at) {
                Ok(()) => {
                    prop_assert!(before.status.allowed_next().contains(&to));
                    prop_assert_eq!(inc.status, to);
                    if before.status == IncidentStatus::Resolved && to == IncidentStatus::InProgress {
                        reopens += 1;
                    }
                }
                Err(_) => prop_assert_eq!(&inc, &before, "a refused move changes nothing"),
            }
            // Invariants that hold after every step.
            prop_assert_eq!(inc.pending_reason.is_some(), inc.status == IncidentStatus::Pending);
            let resolved_like = matches!(inc.status, IncidentStatus::Resolved | IncidentStatus::Closed);
            prop_assert_eq!(inc.resolution_code.is_some(), resolved_like && inc.resolved_at.is_some());
            if inc.status == IncidentStatus::Resolved {
                prop_assert!(inc.resolved_at.is_some() && inc.resolution_notes.is_some());
            }
            prop_assert_eq!(
                inc.closed_at.is_some(),
                matches!(inc.status, IncidentStatus::Closed | IncidentStatus::Cancelled)
            );
            prop_assert_eq!(inc.reopen_count, reopens);
        }
    }
}
