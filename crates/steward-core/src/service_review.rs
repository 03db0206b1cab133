//! Service reviews (8.3.2): the provider and a customer meet at planned intervals to look at the
//! services delivered, their performance against the agreements, and what should change. A
//! review is planned for a day, held with minutes, or cancelled; what it decides to do becomes
//! actions in the action register (source `SR-n`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{OrganisationId, ServiceId, ServiceReviewId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set, sorted_unique};
use crate::record::RecordKind;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, record};

lifecycle! {
    /// planned -> held (with its minutes) or cancelled; both are final.
    ServiceReviewStatus {
        Planned = "planned" => [Held, Cancelled],
        Held = "held" => [],
        Cancelled = "cancelled" => [],
    }
}

/// How many services one review may cover.
const SERVICES_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ServiceReview {
    pub id: ServiceReviewId,
    /// The customer or interested party the review is held with.
    pub organisation: OrganisationId,
    /// The services it looks at.
    pub services: Vec<ServiceId>,
    pub title: String,
    /// The day it is planned for.
    pub scheduled_on: NaiveDate,
    /// The day it was held.
    pub held_on: Option<NaiveDate>,
    /// Who runs it on the provider's side (usually the relationship owner).
    pub owner: Option<UserId>,
    /// Who took part, on both sides, in words (the customer's people need not be users).
    pub attendees: String,
    pub minutes: String,
    pub status: ServiceReviewStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// A service review is the provider's record of a meeting, not a customer's: requesters do not
// read it, so it belongs to no organisation for access.
record!(ServiceReview, RecordKind::ServiceReview, ServiceReviewId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewServiceReview {
    pub organisation: OrganisationId,
    #[serde(default)]
    pub services: Vec<ServiceId>,
    pub title: String,
    pub scheduled_on: NaiveDate,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub attendees: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceReviewPatch {
    #[serde(default)]
    pub services: Option<Vec<ServiceId>>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub scheduled_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default)]
    pub attendees: Option<String>,
    /// Minutes can be corrected after the review was held.
    #[serde(default)]
    pub minutes: Option<String>,
}

/// The body of `POST /api/v1/service-reviews/{ref}/transition`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceReviewTransition {
    /// `held` or `cancelled`.
    pub to: String,
    /// For `held`: the day it was held (today if absent; never in the future).
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    /// For `held`, unless already recorded.
    #[serde(default)]
    pub minutes: Option<String>,
    #[serde(default)]
    pub attendees: Option<String>,
}

impl ServiceReview {
    pub fn create(input: NewServiceReview, at: DateTime<Utc>) -> Result<ServiceReview> {
        let r = ServiceReview {
            id: ServiceReviewId(0),
            organisation: input.organisation,
            services: sorted_unique(input.services),
            title: input.title.trim().to_string(),
            scheduled_on: input.scheduled_on,
            held_on: None,
            owner: input.owner,
            attendees: input.attendees.unwrap_or_default().trim().to_string(),
            minutes: String::new(),
            status: ServiceReviewStatus::Planned,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        r.check(&mut c);
        c.finish()?;
        Ok(r)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("attendees", &self.attendees, TEXT_MAX);
        c.text("minutes", &self.minutes, TEXT_MAX);
        if self.services.len() > SERVICES_MAX {
            c.fail("services", format!("at most {SERVICES_MAX} services"));
        }
    }

    pub fn apply_patch(&mut self, p: ServiceReviewPatch) -> Result<()> {
        if self.status == ServiceReviewStatus::Cancelled {
            return Err(Error::Conflict(format!(
                "{} was cancelled and no longer changes",
                self.id
            )));
        }
        if self.status == ServiceReviewStatus::Held && p.scheduled_on.is_some() {
            return Err(Error::invalid(
                "scheduled_on",
                "the review was held: plan the next one as a new review",
            ));
        }
        let mut next = self.clone();
        set(&mut next.services, p.services.map(sorted_unique));
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.scheduled_on, p.scheduled_on);
        set(&mut next.owner, p.owner);
        set(&mut next.attendees, p.attendees.map(|a| a.trim().to_string()));
        set(&mut next.minutes, p.minutes.map(|m| m.trim().to_string()));
        let mut c = Checker::new();
        if next.status == ServiceReviewStatus::Held && next.minutes.is_empty() {
            c.fail("minutes", "a held review keeps its minutes");
        }
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Holding needs the minutes and a day that has come; cancelling needs nothing.
    pub fn transition(&mut self, t: ServiceReviewTransition, today: NaiveDate) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        let mut next = self.clone();
        if let Some(m) = t.minutes {
            next.minutes = m.trim().to_string();
        }
        if let Some(a) = t.attendees {
            next.attendees = a.trim().to_string();
        }
        let mut c = Checker::new();
        if to == ServiceReviewStatus::Held {
            let held_on = t.held_on.unwrap_or(today);
            if held_on > today {
                c.fail("held_on", "a review is recorded as held once it has taken place");
            }
            if next.minutes.is_empty() {
                c.fail("minutes", "a review is held with its minutes");
            }
            next.held_on = Some(held_on);
        } else if t.held_on.is_some() {
            c.fail("held_on", "only a held review has a day it was held");
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

    fn review() -> ServiceReview {
        ServiceReview::create(
            NewServiceReview {
                organisation: OrganisationId(1),
                services: vec![ServiceId(3), ServiceId(1), ServiceId(3)],
                title: "Quarterly review with Contoso".into(),
                scheduled_on: now().date_naive(),
                owner: None,
                attendees: None,
            },
            now(),
        )
        .unwrap()
    }

    fn to(s: &str, held_on: Option<NaiveDate>, minutes: Option<&str>) -> ServiceReviewTransition {
        ServiceReviewTransition {
            to: s.into(),
            held_on,
            minutes: minutes.map(String::from),
            attendees: None,
        }
    }

    #[test]
    fn transition_table() {
        use ServiceReviewStatus::*;
        assert_table(&[(Planned, &[Held, Cancelled][..]), (Held, &[]), (Cancelled, &[])]);
    }

    #[test]
    fn services_are_kept_sorted_and_once() {
        assert_eq!(review().services, vec![ServiceId(1), ServiceId(3)]);
    }

    #[test]
    fn holding_needs_minutes_and_a_day_that_has_come() {
        let today = now().date_naive();
        let mut r = review();
        let err = r.transition(to("held", None, Some("  ")), today).unwrap_err();
        assert!(err.to_string().contains("minutes"), "{err}");
        let tomorrow = today.succ_opt().unwrap();
        let err = r
            .transition(to("held", Some(tomorrow), Some("Reviewed the SLA report")), today)
            .unwrap_err();
        assert!(err.to_string().contains("held_on"), "{err}");
        assert_eq!(r.status, ServiceReviewStatus::Planned);
        r.transition(to("held", None, Some("Reviewed the SLA report")), today)
            .unwrap();
        assert_eq!((r.status, r.held_on), (ServiceReviewStatus::Held, Some(today)));
        // The minutes can be corrected but not emptied; the plan's day no longer moves.
        assert!(
            r.apply_patch(ServiceReviewPatch {
                minutes: Some(" ".into()),
                ..Default::default()
            })
            .is_err()
        );
        assert!(
            r.apply_patch(ServiceReviewPatch {
                scheduled_on: Some(tomorrow),
                ..Default::default()
            })
            .is_err()
        );
    }

    #[test]
    fn a_cancelled_review_no_longer_changes() {
        let mut r = review();
        assert!(
            r.transition(to("cancelled", Some(now().date_naive()), None), now().date_naive())
                .is_err()
        );
        r.transition(to("cancelled", None, None), now().date_naive()).unwrap();
        assert!(r.apply_patch(ServiceReviewPatch::default()).is_err());
    }
}
