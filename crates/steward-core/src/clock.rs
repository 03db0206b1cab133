//! Service level clocks: how much business time a ticket has used against a target, exactly,
//! through any sequence of pauses, resumptions, re-targeting, stops and reopenings.
//!
//! A clock keeps the business time counted up to `running_since` (or in total when it is not
//! running). Every change first banks the time since `running_since` and then moves it, so the
//! running intervals partition the timeline: no business time is lost or counted twice.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::calendar::{Schedule, format_duration};
use crate::error::Result;
use crate::id::AgreementId;
use crate::incident::{IncidentStatus, PendingReason};
use crate::named_enum;
use crate::request::RequestStatus;

named_enum! {
    /// What a clock measures.
    Metric { Response = "response", Resolution = "resolution" }
}

named_enum! {
    /// How a stopped clock ended.
    Outcome {
        /// Stopped within the target.
        Met = "met",
        /// Stopped after the target ran out.
        Breached = "breached",
        /// The ticket was cancelled.
        Cancelled = "cancelled",
        /// The agreement was deactivated while the clock ran.
        Withdrawn = "withdrawn",
    }
}

named_enum! {
    /// A clock's state as shown at a given instant.
    ClockState {
        Running = "running",
        Paused = "paused",
        Met = "met",
        Breached = "breached",
        Cancelled = "cancelled",
        Withdrawn = "withdrawn",
    }
}

/// What the ticket's state asks of a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Running,
    Paused,
    /// The measured thing happened (first response; resolution).
    Done,
    Cancelled,
}

/// A clock as stored. Instants and durations are microseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub metric: Metric,
    pub agreement: AgreementId,
    pub target: i64,
    pub started_at: i64,
    /// Business time counted before `running_since`, or in total while not running.
    pub elapsed: i64,
    pub running_since: Option<i64>,
    /// While running: the instant the target runs out.
    pub due_at: Option<i64>,
    /// The instant the target ran out, once it has.
    pub breached_at: Option<i64>,
    pub stopped_at: Option<i64>,
    pub outcome: Option<Outcome>,
}

/// Whose clock it is: the customer's service level agreement, an internal team's operational
/// level agreement (which counts only while the ticket is with that team), or a supplier's
/// underpinning contract (which counts only while the ticket is with that supplier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClockScope {
    ServiceLevel,
    Operational(crate::id::TeamId),
    Underpinning(crate::id::SupplierId),
}

impl ClockScope {
    /// `sla`, `ola-<team id>` or `uc-<supplier id>`, as stored.
    pub fn key(&self) -> String {
        match self {
            ClockScope::ServiceLevel => "sla".into(),
            ClockScope::Operational(t) => format!("ola-{}", t.0),
            ClockScope::Underpinning(s) => format!("uc-{}", s.0),
        }
    }

    pub fn parse(s: &str) -> Option<ClockScope> {
        if s == "sla" {
            return Some(ClockScope::ServiceLevel);
        }
        if let Some(team) = s.strip_prefix("ola-") {
            return team
                .parse()
                .ok()
                .map(|id| ClockScope::Operational(crate::id::TeamId(id)));
        }
        s.strip_prefix("uc-")?
            .parse()
            .ok()
            .map(|id| ClockScope::Underpinning(crate::id::SupplierId(id)))
    }
}

/// A clock as shown in a ticket, at a given instant.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ClockView {
    /// `sla` for the customer's agreement, `ola` for an internal team's, `uc` for a supplier's.
    pub scope: String,
    /// The team of an operational level clock.
    pub team: Option<crate::id::TeamId>,
    /// The supplier of an underpinning contract's clock.
    pub supplier: Option<crate::id::SupplierId>,
    pub metric: Metric,
    pub agreement: AgreementId,
    pub state: ClockState,
    /// The target, as ISO 8601.
    pub target: String,
    /// Business time used so far, as ISO 8601.
    pub elapsed: String,
    pub elapsed_seconds: i64,
    pub started_at: DateTime<Utc>,
    /// While running: when the target runs out.
    pub due_at: Option<DateTime<Utc>>,
    pub breached_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
}

fn instant(micros: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros)
}

impl Clock {
    /// A clock started at `at`, running.
    pub fn start(metric: Metric, agreement: AgreementId, target: i64, at: i64, cal: &Schedule) -> Result<Clock> {
        let mut c = Clock {
            metric,
            agreement,
            target,
            started_at: at,
            elapsed: 0,
            running_since: None,
            due_at: None,
            breached_at: None,
            stopped_at: None,
            outcome: None,
        };
        c.run_from(at, cal)?;
        Ok(c)
    }

    fn run_from(&mut self, at: i64, cal: &Schedule) -> Result<()> {
        self.running_since = Some(at);
        let remaining = self.target - self.elapsed;
        if remaining >= 0 {
            self.due_at = Some(cal.add(at, remaining)?);
        } else {
            self.due_at = None;
            self.breached_at.get_or_insert(at);
        }
        Ok(())
    }

    /// Banks the business time since `running_since` up to `at` and stops running.
    fn bank(&mut self, at: i64, cal: &Schedule) -> Result<()> {
        if let Some(since) = self.running_since.take() {
            self.elapsed += cal.business_time(since, at.max(since))?;
            // Using up the target exactly is still within it; any business time beyond is not,
            // and the breach happened at the due instant.
            let due = self.due_at.take();
            if let Some(d) = due.filter(|_| self.elapsed > self.target) {
                self.breached_at.get_or_insert(d);
            }
        }
        Ok(())
    }

    /// Follows the ticket into `phase` at `at`. A stopped clock starts again only when
    /// `resume_after_stop` (a reopened ticket, under an agreement that says so).
    pub fn follow(&mut self, phase: Phase, at: i64, cal: &Schedule, resume_after_stop: bool) -> Result<()> {
        let stopped = self.outcome.is_some();
        match phase {
            Phase::Running if stopped && !resume_after_stop => {}
            Phase::Running => {
                if self.running_since.is_none() {
                    self.outcome = None;
                    self.stopped_at = None;
                    self.run_from(at, cal)?;
                }
            }
            Phase::Paused if stopped => {}
            Phase::Paused => self.bank(at, cal)?,
            Phase::Done | Phase::Cancelled if stopped => {}
            Phase::Done | Phase::Cancelled => {
                self.bank(at, cal)?;
                self.stopped_at = Some(at);
                self.outcome = Some(match phase {
                    Phase::Cancelled => Outcome::Cancelled,
                    _ if self.breached_at.is_some() => Outcome::Breached,
                    _ => Outcome::Met,
                });
            }
        }
        Ok(())
    }

    /// Changes the target (and the calendar it counts in) at `at`, keeping the time used so
    /// far: time up to `at` is counted in the old calendar, time after it in the new one.
    pub fn retarget(
        &mut self,
        agreement: AgreementId,
        target: i64,
        at: i64,
        old: &Schedule,
        new: &Schedule,
    ) -> Result<()> {
        if self.outcome.is_some() {
            return Ok(());
        }
        let running = self.running_since.is_some();
        self.bank(at, old)?;
        self.agreement = agreement;
        self.target = target;
        // Judged against the new target; a target already used up counts as breached from now.
        if self.elapsed > target {
            self.breached_at.get_or_insert(at);
        } else {
            self.breached_at = None;
        }
        if running {
            self.run_from(at, new)?;
        }
        Ok(())
    }

    /// Stops the clock because its agreement no longer applies.
    pub fn withdraw(&mut self, at: i64, cal: &Schedule) -> Result<()> {
        if self.outcome.is_none() {
            self.bank(at, cal)?;
            self.stopped_at = Some(at);
            self.outcome = Some(Outcome::Withdrawn);
        }
        Ok(())
    }

    /// The business time at which `percent` of the target is used up.
    pub fn threshold_amount(&self, percent: u8) -> i64 {
        self.target / 100 * i64::from(percent) + self.target % 100 * i64::from(percent) / 100
    }

    /// For each threshold (percent of the target; 100 is the breach), when it falls due: `Some`
    /// for a running clock that has not reached it yet (the instant it will) or for any clock that
    /// already has (`at`, the change instant); `None` while it cannot be reached.
    pub fn thresholds(&self, percents: &[u8], at: i64, cal: &Schedule) -> Result<Vec<(u8, Option<i64>)>> {
        let mut out = Vec::with_capacity(percents.len());
        for &p in percents {
            let amount = self.threshold_amount(p);
            let when = if self.elapsed >= amount {
                Some(at)
            } else {
                match (self.running_since, self.outcome) {
                    (Some(since), None) => Some(cal.add(since, amount - self.elapsed)?),
                    _ => None,
                }
            };
            out.push((p, when));
        }
        Ok(out)
    }

    /// Business time used by `now`.
    pub fn elapsed_at(&self, now: i64, cal: &Schedule) -> Result<i64> {
        Ok(self.elapsed
            + match self.running_since {
                Some(since) if now > since => cal.business_time(since, now)?,
                _ => 0,
            })
    }

    pub fn view(&self, scope: ClockScope, now: i64, cal: &Schedule) -> Result<ClockView> {
        let elapsed = self.elapsed_at(now, cal)?;
        let running_over = self.running_since.is_some() && elapsed > self.target;
        let breached_at = self.breached_at.or(self.due_at.filter(|_| running_over));
        let state = match self.outcome {
            Some(Outcome::Met) => ClockState::Met,
            Some(Outcome::Breached) => ClockState::Breached,
            Some(Outcome::Cancelled) => ClockState::Cancelled,
            Some(Outcome::Withdrawn) => ClockState::Withdrawn,
            None if breached_at.is_some() => ClockState::Breached,
            None if self.running_since.is_some() => ClockState::Running,
            None => ClockState::Paused,
        };
        let (scope, team, supplier) = match scope {
            ClockScope::ServiceLevel => ("sla".to_string(), None, None),
            ClockScope::Operational(t) => ("ola".to_string(), Some(t), None),
            ClockScope::Underpinning(s) => ("uc".to_string(), None, Some(s)),
        };
        Ok(ClockView {
            scope,
            team,
            supplier,
            metric: self.metric,
            agreement: self.agreement,
            state,
            target: format_duration(self.target),
            elapsed: format_duration(elapsed),
            elapsed_seconds: elapsed / crate::calendar::MICROS_PER_SECOND,
            started_at: instant(self.started_at).unwrap_or_default(),
            due_at: self.due_at.and_then(instant),
            breached_at: breached_at.and_then(instant),
            stopped_at: self.stopped_at.and_then(instant),
        })
    }
}

/// The phase of an incident's clock for a metric.
pub fn incident_phase(
    metric: Metric,
    status: IncidentStatus,
    reason: Option<PendingReason>,
    pause_on: &[PendingReason],
) -> Phase {
    use IncidentStatus::*;
    match (metric, status) {
        (_, Cancelled) => Phase::Cancelled,
        (Metric::Response, New) => Phase::Running,
        (Metric::Response, _) => Phase::Done,
        (Metric::Resolution, Resolved | Closed) => Phase::Done,
        (Metric::Resolution, Pending) if reason.is_some_and(|r| pause_on.contains(&r)) => Phase::Paused,
        (Metric::Resolution, New | InProgress | Pending) => Phase::Running,
    }
}

/// The phase of a service request's clock for a metric.
pub fn request_phase(
    metric: Metric,
    status: RequestStatus,
    reason: Option<PendingReason>,
    pause_on: &[PendingReason],
) -> Phase {
    use RequestStatus::*;
    match (metric, status) {
        (_, Cancelled) => Phase::Cancelled,
        (Metric::Response, New) => Phase::Running,
        (Metric::Response, _) => Phase::Done,
        (Metric::Resolution, Fulfilled | Closed) => Phase::Done,
        (Metric::Resolution, Pending) if reason.is_some_and(|r| pause_on.contains(&r)) => Phase::Paused,
        (Metric::Resolution, New | InProgress | Pending) => Phase::Running,
    }
}

/// What a ticket tells its clocks: the terms that choose its agreement, when it was opened, and
/// the state its clocks follow.
#[derive(Debug, Clone)]
pub struct ClockSubject {
    pub terms: crate::agreement::TicketTerms,
    pub opened_at: i64,
    pub state: TicketState,
}

#[derive(Debug, Clone, Copy)]
pub enum TicketState {
    Incident(IncidentStatus, Option<PendingReason>),
    Request(RequestStatus, Option<PendingReason>),
}

impl ClockSubject {
    pub fn phase(&self, metric: Metric, pause_on: &[PendingReason]) -> Phase {
        match self.state {
            TicketState::Incident(s, r) => incident_phase(metric, s, r, pause_on),
            TicketState::Request(s, r) => request_phase(metric, s, r, pause_on),
        }
    }
}

/// Looks up the schedule of an agreement's calendar.
pub trait Schedules {
    fn schedule(&self, calendar: crate::id::CalendarId) -> Result<&Schedule>;
}

impl Schedules for std::collections::HashMap<crate::id::CalendarId, Schedule> {
    fn schedule(&self, calendar: crate::id::CalendarId) -> Result<&Schedule> {
        self.get(&calendar)
            .ok_or_else(|| crate::Error::unexpected(format!("the schedule of {calendar} was not loaded")))
    }
}

/// Brings a ticket's clocks up to date with a change made at `at`. `agreements` holds the active
/// service level agreements and every agreement an existing clock names. It starts clocks when an
/// agreement first applies (from the ticket's opening when that is the change that created it),
/// re-targets them when the governing agreement or target changes, withdraws them when none
/// applies any more, and makes each follow the ticket's state.
pub fn reconcile(
    existing: Vec<Clock>,
    subject: &ClockSubject,
    scope: ClockScope,
    agreements: &[crate::agreement::Agreement],
    schedules: &impl Schedules,
    at: i64,
) -> Result<Vec<Clock>> {
    let chosen = match scope {
        ClockScope::ServiceLevel => crate::agreement::select(agreements, &subject.terms),
        ClockScope::Operational(team) => crate::agreement::select_operational(agreements, &subject.terms, team),
        ClockScope::Underpinning(supplier) => {
            crate::agreement::select_underpinning(agreements, &subject.terms, supplier)
        }
    };
    // A team's clock waits while the ticket is with another team, a supplier's while it is not
    // with that supplier.
    let phase = |metric: Metric, pause_on: &[PendingReason]| {
        let p = subject.phase(metric, pause_on);
        match scope {
            ClockScope::Operational(team) if subject.terms.team != Some(team) && p == Phase::Running => Phase::Paused,
            ClockScope::Underpinning(supplier) if subject.terms.supplier != Some(supplier) && p == Phase::Running => {
                Phase::Paused
            }
            _ => p,
        }
    };
    // The schedule a clock has been counting in.
    let governing = |c: &Clock| -> Result<&Schedule> {
        let a = agreements
            .iter()
            .find(|a| a.id == c.agreement)
            .ok_or_else(|| crate::Error::unexpected(format!("{} of a clock was not loaded", c.agreement)))?;
        schedules.schedule(a.calendar)
    };
    let mut out = Vec::with_capacity(2);
    for metric in [Metric::Response, Metric::Resolution] {
        let current = existing.iter().find(|c| c.metric == metric).cloned();
        let clock = match (current, chosen) {
            (None, None) => continue,
            (None, Some((agreement, target))) => {
                let cal = schedules.schedule(agreement.calendar)?;
                let amount = match metric {
                    Metric::Response => target.response.0,
                    Metric::Resolution => target.resolution.0,
                };
                let start = if existing.is_empty() && at == subject.opened_at {
                    subject.opened_at
                } else {
                    at
                };
                let mut c = Clock::start(metric, agreement.id, amount, start, cal)?;
                c.follow(phase(metric, &agreement.pause_on), at, cal, agreement.resume_on_reopen)?;
                c
            }
            (Some(mut c), None) => {
                // The agreement that governed it no longer applies: bank the time and stop.
                c.withdraw(at, governing(&c)?)?;
                c
            }
            (Some(mut c), Some((agreement, target))) => {
                let amount = match metric {
                    Metric::Response => target.response.0,
                    Metric::Resolution => target.resolution.0,
                };
                let new_cal = schedules.schedule(agreement.calendar)?;
                if c.outcome == Some(Outcome::Withdrawn) {
                    c.outcome = None;
                    c.stopped_at = None;
                }
                if c.agreement != agreement.id || c.target != amount {
                    c.retarget(agreement.id, amount, at, governing(&c)?, new_cal)?;
                }
                c.follow(
                    phase(metric, &agreement.pause_on),
                    at,
                    new_cal,
                    agreement.resume_on_reopen,
                )?;
                c
            }
        };
        out.push(clock);
    }
    Ok(out)
}
