//! Agreements: service level agreements with customers, operational level agreements with
//! internal teams, and underpinning contracts with suppliers. Each sets, per service and
//! priority, a response and a resolution target counted in a business-hours calendar.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::BusinessDuration;
use crate::error::Result;
use crate::id::{AgreementId, CalendarId, OrganisationId, ServiceId, SupplierId, TeamId, UserId};
use crate::incident::PendingReason;
use crate::patch::{nullable, set};
use crate::priority::Priority;
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX};
use crate::{named_enum, record};

named_enum! {
    /// With whom the agreement is made.
    AgreementKind {
        /// A service level agreement with customers.
        ServiceLevel = "sla",
        /// An operational level agreement with an internal team.
        OperationalLevel = "ola",
        /// An underpinning contract with a supplier.
        UnderpinningContract = "uc",
    }
}

/// The targets for one priority, on one service or (without `service`) on every service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(default)]
    pub service: Option<ServiceId>,
    pub priority: Priority,
    /// Business time allowed until the first response.
    pub response: BusinessDuration,
    /// Business time allowed until resolution (or fulfilment).
    pub resolution: BusinessDuration,
}

/// What to do, besides recording it and notifying the assignee and team, when a clock reaches
/// a threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationAction {
    /// One of `warning_percent`, or 100 for the breach.
    pub at_percent: u8,
    /// Hand the ticket to this team (and clear its assignee).
    #[serde(default)]
    pub reassign_team: Option<TeamId>,
    /// Raise the ticket's priority one step (P3 to P2, say; P1 stays P1).
    #[serde(default)]
    pub raise_priority: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Agreement {
    pub id: AgreementId,
    pub name: String,
    pub kind: AgreementKind,
    pub description: String,
    /// The customer of a service level agreement; none means every customer.
    pub organisation: Option<OrganisationId>,
    /// The internal team of an operational level agreement.
    pub team: Option<TeamId>,
    /// The supplier of an underpinning contract.
    pub supplier: Option<SupplierId>,
    /// The calendar targets are counted in.
    pub calendar: CalendarId,
    pub targets: Vec<Target>,
    /// Pending reasons that stop the clock.
    pub pause_on: Vec<PendingReason>,
    /// Percentages of a target at which a warning is raised.
    pub warning_percent: Vec<u8>,
    /// Actions taken at a warning threshold or at the breach.
    pub actions: Vec<EscalationAction>,
    /// Whether a reopened ticket's resolution clock runs on (true) or stays as it was at the
    /// first resolution (false).
    pub resume_on_reopen: bool,
    pub owner: Option<UserId>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub review_date: Option<NaiveDate>,
    /// Deactivating an agreement stops its clocks and withdraws their pending escalations.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Agreement, RecordKind::Agreement, AgreementId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgreement {
    pub name: String,
    pub kind: AgreementKind,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
    #[serde(default)]
    pub team: Option<TeamId>,
    #[serde(default)]
    pub supplier: Option<SupplierId>,
    pub calendar: CalendarId,
    pub targets: Vec<Target>,
    /// Defaults to waiting for customer and waiting for supplier.
    #[serde(default)]
    pub pause_on: Option<Vec<PendingReason>>,
    /// Defaults to [75].
    #[serde(default)]
    pub warning_percent: Option<Vec<u8>>,
    #[serde(default)]
    pub actions: Vec<EscalationAction>,
    /// Defaults to true.
    #[serde(default)]
    pub resume_on_reopen: Option<bool>,
    #[serde(default)]
    pub owner: Option<UserId>,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    #[serde(default)]
    pub review_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub organisation: Option<Option<OrganisationId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub team: Option<Option<TeamId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub supplier: Option<Option<SupplierId>>,
    #[serde(default)]
    pub calendar: Option<CalendarId>,
    #[serde(default)]
    pub targets: Option<Vec<Target>>,
    #[serde(default)]
    pub pause_on: Option<Vec<PendingReason>>,
    #[serde(default)]
    pub warning_percent: Option<Vec<u8>>,
    #[serde(default)]
    pub actions: Option<Vec<EscalationAction>>,
    #[serde(default)]
    pub resume_on_reopen: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    pub valid_to: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub review_date: Option<Option<NaiveDate>>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl Agreement {
    pub fn create(input: NewAgreement, at: DateTime<Utc>) -> Result<Agreement> {
        let mut a = Agreement {
            id: AgreementId(0),
            name: input.name.trim().to_string(),
            kind: input.kind,
            description: input.description.unwrap_or_default(),
            organisation: input.organisation,
            team: input.team,
            supplier: input.supplier,
            calendar: input.calendar,
            targets: input.targets,
            pause_on: input
                .pause_on
                .unwrap_or_else(|| vec![PendingReason::WaitingForCustomer, PendingReason::WaitingForSupplier]),
            warning_percent: input.warning_percent.unwrap_or_else(|| vec![75]),
            actions: input.actions,
            resume_on_reopen: input.resume_on_reopen.unwrap_or(true),
            owner: input.owner,
            valid_from: input.valid_from,
            valid_to: input.valid_to,
            review_date: input.review_date,
            active: true,
            created_at: at,
            updated_at: at,
        };
        a.normalise();
        let mut c = Checker::new();
        c.line("name", &input.name, NAME_MAX);
        a.check(&mut c);
        c.finish()?;
        Ok(a)
    }

    pub fn apply_patch(&mut self, p: AgreementPatch) -> Result<()> {
        let mut c = Checker::new();
        if let Some(n) = &p.name {
            c.line("name", n, NAME_MAX);
        }
        let mut next = self.clone();
        set(&mut next.name, p.name.map(|n| n.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.organisation, p.organisation);
        set(&mut next.team, p.team);
        set(&mut next.supplier, p.supplier);
        set(&mut next.calendar, p.calendar);
        set(&mut next.targets, p.targets);
        set(&mut next.pause_on, p.pause_on);
        set(&mut next.warning_percent, p.warning_percent);
        set(&mut next.actions, p.actions);
        set(&mut next.resume_on_reopen, p.resume_on_reopen);
        set(&mut next.owner, p.owner);
        set(&mut next.valid_from, p.valid_from);
        set(&mut next.valid_to, p.valid_to);
        set(&mut next.review_date, p.review_date);
        set(&mut next.active, p.active);
        next.normalise();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    fn normalise(&mut self) {
        self.warning_percent.sort_unstable();
        self.warning_percent.dedup();
        self.pause_on.sort_by_key(|r| r.as_str());
        self.pause_on.dedup();
        self.targets.sort_by_key(|t| (t.service, t.priority as u8));
    }

    fn check(&self, c: &mut Checker) {
        c.text("description", &self.description, TEXT_MAX);
        match self.kind {
            AgreementKind::OperationalLevel if self.team.is_none() => {
                c.fail("team", "an operational level agreement is made with a team")
            }
            AgreementKind::UnderpinningContract if self.supplier.is_none() => {
                c.fail("supplier", "an underpinning contract is made with a supplier")
            }
            _ => {}
        }
        if self.targets.is_empty() {
            c.fail("targets", "an agreement needs at least one target");
        }
        for (i, t) in self.targets.iter().enumerate() {
            if t.response.0 <= 0 {
                c.fail(&format!("targets[{i}].response"), "must be longer than zero");
            }
            if t.resolution.0 < t.response.0 {
                c.fail(
                    &format!("targets[{i}].resolution"),
                    "must not be shorter than the response target",
                );
            }
            if i > 0 && self.targets[i - 1].service == t.service && self.targets[i - 1].priority == t.priority {
                c.fail(
                    &format!("targets[{i}]"),
                    "repeats the service and priority of another target",
                );
            }
        }
        if self.targets.len() > 500 {
            c.fail("targets", "at most 500 targets");
        }
        if self.warning_percent.iter().any(|p| !(1..=99).contains(p)) {
            c.fail("warning_percent", "each threshold must be between 1 and 99");
        }
        for (i, a) in self.actions.iter().enumerate() {
            if a.at_percent != 100 && !self.warning_percent.contains(&a.at_percent) {
                c.fail(
                    &format!("actions[{i}].at_percent"),
                    "must be one of warning_percent, or 100 for the breach",
                );
            }
            if a.reassign_team.is_none() && !a.raise_priority {
                c.fail(
                    &format!("actions[{i}]"),
                    "does nothing: give reassign_team or raise_priority",
                );
            }
            if self.actions[..i].iter().any(|b| b.at_percent == a.at_percent) {
                c.fail(
                    &format!("actions[{i}].at_percent"),
                    "repeats another action's threshold",
                );
            }
        }
        if self.valid_to.is_some_and(|to| to < self.valid_from) {
            c.fail("valid_to", "must not be before valid_from");
        }
    }

    /// The action to take at a threshold, if any.
    pub fn action_at(&self, percent: u8) -> Option<&EscalationAction> {
        self.actions.iter().find(|a| a.at_percent == percent)
    }

    /// Whether this agreement is in force on a date.
    pub fn in_force(&self, on: NaiveDate) -> bool {
        self.active && self.valid_from <= on && self.valid_to.is_none_or(|to| on <= to)
    }
}

/// What a ticket offers for choosing the agreement that governs it.
#[derive(Debug, Clone, Copy)]
pub struct TicketTerms {
    pub organisation: Option<OrganisationId>,
    pub team: Option<TeamId>,
    /// The supplier the ticket is handed to.
    pub supplier: Option<SupplierId>,
    pub service: Option<ServiceId>,
    pub priority: Priority,
    /// The date (in UTC) the ticket was opened.
    pub opened_on: NaiveDate,
}

/// The service level agreement and target that govern a ticket: among agreements in force on
/// the day it was opened, for its customer (or every customer) and with a target for its
/// priority on its service (or every service), the most specific wins — a customer's own over
/// a general one, then a service's own target over a general one — and then the oldest.
pub fn select<'a>(agreements: &'a [Agreement], terms: &TicketTerms) -> Option<(&'a Agreement, &'a Target)> {
    agreements
        .iter()
        .filter(|a| a.kind == AgreementKind::ServiceLevel && a.in_force(terms.opened_on))
        .filter(|a| a.organisation.is_none() || a.organisation == terms.organisation)
        .flat_map(|a| {
            a.targets
                .iter()
                .filter(|t| t.priority == terms.priority && (t.service.is_none() || t.service == terms.service))
                .map(move |t| (a, t))
        })
        .max_by_key(|(a, t)| (a.organisation.is_some(), t.service.is_some(), std::cmp::Reverse(a.id)))
}

/// The operational level agreement and target that govern a team's part in a ticket: among the
/// team's agreements in force on the day the ticket was opened, with a target for its priority
/// on its service (or every service), a service's own target first, then the oldest agreement.
pub fn select_operational<'a>(
    agreements: &'a [Agreement],
    terms: &TicketTerms,
    team: TeamId,
) -> Option<(&'a Agreement, &'a Target)> {
    most_specific(agreements, terms, |a| {
        a.kind == AgreementKind::OperationalLevel && a.team == Some(team)
    })
}

/// The underpinning contract and target that govern a ticket while it is with `supplier`: the
/// supplier's underpinning contracts, chosen as [`select_operational`] chooses a team's.
pub fn select_underpinning<'a>(
    agreements: &'a [Agreement],
    terms: &TicketTerms,
    supplier: SupplierId,
) -> Option<(&'a Agreement, &'a Target)> {
    most_specific(agreements, terms, |a| {
        a.kind == AgreementKind::UnderpinningContract && a.supplier == Some(supplier)
    })
}

/// Among the agreements `chosen` picks that are in force on the day the ticket was opened, the
/// target for its priority on its service (or every service): a service's own target first, then
/// the oldest agreement.
fn most_specific<'a>(
    agreements: &'a [Agreement],
    terms: &TicketTerms,
    chosen: impl Fn(&Agreement) -> bool,
) -> Option<(&'a Agreement, &'a Target)> {
    agreements
        .iter()
        .filter(|a| chosen(a) && a.in_force(terms.opened_on))
        .flat_map(|a| {
            a.targets
                .iter()
                .filter(|t| t.priority == terms.priority && (t.service.is_none() || t.service == terms.service))
                .map(move |t| (a, t))
        })
        .max_by_key(|(a, t)| (t.service.is_some(), std::cmp::Reverse(a.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(h: i64) -> BusinessDuration {
        BusinessDuration(h * 3_600_000_000)
    }

    fn agreement(id: i64, organisation: Option<i64>, targets: Vec<(Option<i64>, Priority, i64)>) -> Agreement {
        let input = NewAgreement {
            name: format!("a{id}"),
            kind: AgreementKind::ServiceLevel,
            description: None,
            organisation: organisation.map(OrganisationId),
            team: None,
            supplier: None,
            calendar: CalendarId(1),
            targets: targets
                .into_iter()
                .map(|(s, p, h)| Target {
                    service: s.map(ServiceId),
                    priority: p,
                    response: hours(1),
                    resolution: hours(h),
                })
                .collect(),
            pause_on: None,
            warning_percent: None,
            actions: vec![],
            resume_on_reopen: None,
            owner: None,
            valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            valid_to: Some(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            review_date: None,
        };
        let mut a = Agreement::create(input, DateTime::<Utc>::UNIX_EPOCH).unwrap();
        a.id = AgreementId(id);
        a
    }

    #[test]
    fn the_most_specific_agreement_in_force_wins() {
        use Priority::*;
        let general = agreement(1, None, vec![(None, P1, 4), (None, P2, 8)]);
        let general_mail = agreement(2, None, vec![(Some(10), P1, 2)]);
        let acme = agreement(3, Some(7), vec![(None, P1, 3)]);
        let all = [general, general_mail, acme];
        let terms = |org: Option<i64>, svc: Option<i64>, p: Priority, month: u32| TicketTerms {
            organisation: org.map(OrganisationId),
            team: None,
            supplier: None,
            service: svc.map(ServiceId),
            priority: p,
            opened_on: NaiveDate::from_ymd_opt(2026, month, 1).unwrap(),
        };
        let pick = |t: TicketTerms| select(&all, &t).map(|(a, t)| (a.id.0, t.resolution));
        assert_eq!(pick(terms(None, None, P1, 3)), Some((1, hours(4))));
        assert_eq!(pick(terms(None, Some(10), P1, 3)), Some((2, hours(2))));
        assert_eq!(
            pick(terms(Some(7), Some(10), P1, 3)),
            Some((3, hours(3))),
            "the customer's own first"
        );
        assert_eq!(
            pick(terms(Some(7), None, P2, 3)),
            Some((1, hours(8))),
            "falls back to the general one"
        );
        assert_eq!(pick(terms(None, None, P5, 3)), None);
        let mut expired = all.clone();
        for a in &mut expired {
            a.valid_to = Some(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        }
        assert!(select(&expired, &terms(None, None, P1, 3)).is_none());
        let mut inactive = all.clone();
        inactive[2].active = false;
        assert_eq!(
            select(&inactive, &terms(Some(7), None, P1, 3)).map(|(a, _)| a.id.0),
            Some(1)
        );
    }

    #[test]
    fn targets_and_kinds_are_checked() {
        let mut a = agreement(1, None, vec![(None, Priority::P1, 4)]);
        let dup = AgreementPatch {
            targets: Some(vec![
                Target {
                    service: None,
                    priority: Priority::P1,
                    response: hours(1),
                    resolution: hours(2),
                },
                Target {
                    service: None,
                    priority: Priority::P1,
                    response: hours(1),
                    resolution: hours(3),
                },
            ]),
            ..Default::default()
        };
        assert!(a.apply_patch(dup).is_err());
        let short = AgreementPatch {
            targets: Some(vec![Target {
                service: None,
                priority: Priority::P1,
                response: hours(4),
                resolution: hours(2),
            }]),
            warning_percent: Some(vec![150]),
            ..Default::default()
        };
        match a.apply_patch(short) {
            Err(crate::Error::Invalid(f)) => {
                let names: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(names, ["targets[0].resolution", "warning_percent"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(a.warning_percent, [75]);
    }
}
