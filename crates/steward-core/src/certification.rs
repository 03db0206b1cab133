//! The certification programme: the project that takes the organisation to certification (its
//! sponsor, manager and board, the certification body and any external adviser, and a plan of
//! tasks following the usual steps), and the certificate it earns — issued for three years, with
//! a surveillance audit due in each of the first two years and recertification before expiry,
//! each announced by reminders.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::action::{CertificationStep, NewAction};
use crate::error::Result;
use crate::id::{CertificateId, ProgrammeId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, record};

lifecycle! {
    ProgrammeStatus {
        Active = "active" => [Completed, Cancelled],
        Completed = "completed" => [],
        Cancelled = "cancelled" => [],
    }
}

/// A member of the project board and the part they play.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardMember {
    pub user: UserId,
    /// e.g. "sponsor", "SMS manager", "process owner, change".
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Programme {
    pub id: ProgrammeId,
    pub name: String,
    pub goals: String,
    /// The member of top management who sponsors it.
    pub sponsor: UserId,
    pub manager: UserId,
    pub board: Vec<BoardMember>,
    pub certification_body: Option<String>,
    pub external_adviser: Option<String>,
    pub start_date: NaiveDate,
    /// When certification (the Stage 2 audit) is aimed for.
    pub target_date: NaiveDate,
    pub status: ProgrammeStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Programme, RecordKind::Programme, ProgrammeId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgramme {
    pub name: String,
    #[serde(default)]
    pub goals: Option<String>,
    pub sponsor: UserId,
    /// Defaults to the person creating it.
    #[serde(default)]
    pub manager: Option<UserId>,
    #[serde(default)]
    pub board: Vec<BoardMember>,
    #[serde(default)]
    pub certification_body: Option<String>,
    #[serde(default)]
    pub external_adviser: Option<String>,
    pub start_date: NaiveDate,
    pub target_date: NaiveDate,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammePatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub goals: Option<String>,
    #[serde(default)]
    pub sponsor: Option<UserId>,
    #[serde(default)]
    pub manager: Option<UserId>,
    #[serde(default)]
    pub board: Option<Vec<BoardMember>>,
    #[serde(default, deserialize_with = "nullable")]
    pub certification_body: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub external_adviser: Option<Option<String>>,
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
}

impl Programme {
    pub fn create(input: NewProgramme, manager: UserId, at: DateTime<Utc>) -> Result<Programme> {
        let p = Programme {
            id: ProgrammeId(0),
            name: input.name.trim().to_string(),
            goals: input.goals.unwrap_or_default(),
            sponsor: input.sponsor,
            manager: input.manager.unwrap_or(manager),
            board: input.board,
            certification_body: blank_to_none(input.certification_body),
            external_adviser: blank_to_none(input.external_adviser),
            start_date: input.start_date,
            target_date: input.target_date,
            status: ProgrammeStatus::Active,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        p.check(&mut c);
        c.finish()?;
        Ok(p)
    }

    fn check(&self, c: &mut Checker) {
        c.line("name", &self.name, TITLE_MAX);
        c.text("goals", &self.goals, TEXT_MAX);
        c.opt_line("certification_body", self.certification_body.as_deref(), NAME_MAX);
        c.opt_line("external_adviser", self.external_adviser.as_deref(), NAME_MAX);
        if self.board.len() > 50 {
            c.fail("board", "at most 50 members");
        }
        for m in &self.board {
            c.line("board.role", &m.role, NAME_MAX);
        }
        if self.target_date <= self.start_date {
            c.fail("target_date", "must be after start_date");
        }
    }

    pub fn apply_patch(&mut self, p: ProgrammePatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.name, p.name.map(|t| t.trim().to_string()));
        set(&mut next.goals, p.goals);
        set(&mut next.sponsor, p.sponsor);
        set(&mut next.manager, p.manager);
        set(&mut next.board, p.board);
        set(&mut next.certification_body, p.certification_body.map(blank_to_none));
        set(&mut next.external_adviser, p.external_adviser.map(blank_to_none));
        set(&mut next.target_date, p.target_date);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: StatusTransition) -> Result<()> {
        self.status = self.status.check_move(&t.to)?;
        Ok(())
    }

    /// The plan: one task per step, owned by the programme manager. The steps up to Stage 2
    /// are spread over the time to the target date in proportion to their usual length;
    /// surveillance falls a year and two years after it, recertification three months before
    /// the certificate's third anniversary.
    pub fn plan(&self) -> Vec<NewAction> {
        use CertificationStep::*;
        // Cumulative share of the run-up at which each step should be done, in percent.
        let run_up = [
            (CommunicateGoals, 5),
            (DecideScope, 10),
            (GapAnalysis, 20),
            (Implementation, 65),
            (InternalAudit, 75),
            (ManagementReview, 80),
            (Stage1Audit, 88),
            (Stage2Audit, 100),
        ];
        let days = (self.target_date - self.start_date).num_days().max(1) as u64;
        let mut out: Vec<NewAction> = run_up
            .iter()
            .map(|(step, share)| (*step, add_days(self.start_date, days * share / 100)))
            .collect::<Vec<_>>()
            .into_iter()
            .chain([
                (SurveillanceYear1, add_months(self.target_date, 12)),
                (SurveillanceYear2, add_months(self.target_date, 24)),
                (Recertification, add_months(self.target_date, 33)),
            ])
            .map(|(step, due)| NewAction {
                title: step.describe().to_string(),
                description: None,
                owner: Some(self.manager),
                due_date: due,
                source: Some(self.id.to_string()),
                step: Some(step),
            })
            .collect();
        out.sort_by_key(|a| a.due_date);
        out
    }
}

fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(n)).unwrap_or(d)
}

lifecycle! {
    /// active <-> suspended; withdrawn or expired end it.
    CertificateStatus {
        Active = "active" => [Suspended, Withdrawn, Expired],
        Suspended = "suspended" => [Active, Withdrawn, Expired],
        Withdrawn = "withdrawn" => [],
        Expired = "expired" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Certificate {
    pub id: CertificateId,
    /// The certification body's certificate number.
    pub number: String,
    pub certification_body: String,
    /// The scope as the certificate states it.
    pub scope: String,
    pub issued_on: NaiveDate,
    /// Three years after issue unless the body says otherwise.
    pub expires_on: NaiveDate,
    /// Who is reminded before each audit falls due.
    pub owner: UserId,
    pub status: CertificateStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Certificate, RecordKind::Certificate, CertificateId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCertificate {
    pub number: String,
    pub certification_body: String,
    pub scope: String,
    pub issued_on: NaiveDate,
    #[serde(default)]
    pub expires_on: Option<NaiveDate>,
    /// Defaults to the person recording it.
    #[serde(default)]
    pub owner: Option<UserId>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificatePatch {
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub certification_body: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub issued_on: Option<NaiveDate>,
    #[serde(default)]
    pub expires_on: Option<NaiveDate>,
    #[serde(default)]
    pub owner: Option<UserId>,
}

/// An audit the certificate requires, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DueAudit {
    pub step: CertificationStep,
    pub due: NaiveDate,
}

/// How many days before an audit falls due its reminders go out.
pub const REMINDER_DAYS: [u64; 3] = [90, 30, 7];

impl Certificate {
    pub fn create(input: NewCertificate, owner: UserId, at: DateTime<Utc>) -> Result<Certificate> {
        let c_ = Certificate {
            id: CertificateId(0),
            number: input.number.trim().to_string(),
            certification_body: input.certification_body.trim().to_string(),
            scope: input.scope,
            issued_on: input.issued_on,
            expires_on: input.expires_on.unwrap_or_else(|| add_months(input.issued_on, 36)),
            owner: input.owner.unwrap_or(owner),
            status: CertificateStatus::Active,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        c_.check(&mut c);
        c.finish()?;
        Ok(c_)
    }

    fn check(&self, c: &mut Checker) {
        c.line("number", &self.number, NAME_MAX);
        c.line("certification_body", &self.certification_body, NAME_MAX);
        c.text("scope", &self.scope, TEXT_MAX);
        if self.expires_on <= self.issued_on {
            c.fail("expires_on", "must be after issued_on");
        } else if self.expires_on > add_months(self.issued_on, 36) {
            c.fail(
                "expires_on",
                "an ISO/IEC 20000-1 certificate runs for at most three years",
            );
        }
    }

    pub fn apply_patch(&mut self, p: CertificatePatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.number, p.number.map(|t| t.trim().to_string()));
        set(
            &mut next.certification_body,
            p.certification_body.map(|t| t.trim().to_string()),
        );
        set(&mut next.scope, p.scope);
        set(&mut next.issued_on, p.issued_on);
        set(&mut next.expires_on, p.expires_on);
        set(&mut next.owner, p.owner);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: StatusTransition) -> Result<()> {
        self.status = self.status.check_move(&t.to)?;
        Ok(())
    }

    /// The audits the certificate requires: surveillance within a year and within two years of
    /// issue, and recertification three months before expiry.
    pub fn schedule(&self) -> Vec<DueAudit> {
        let recert = self
            .expires_on
            .checked_sub_months(Months::new(3))
            .unwrap_or(self.expires_on);
        vec![
            DueAudit {
                step: CertificationStep::SurveillanceYear1,
                due: add_months(self.issued_on, 12).min(recert),
            },
            DueAudit {
                step: CertificationStep::SurveillanceYear2,
                due: add_months(self.issued_on, 24).min(recert),
            },
            DueAudit {
                step: CertificationStep::Recertification,
                due: recert,
            },
        ]
    }

    /// The reminders to send, as (audit, days before, day to send), for an active certificate.
    pub fn reminders(&self) -> Vec<(DueAudit, u64, NaiveDate)> {
        if self.status != CertificateStatus::Active {
            return Vec::new();
        }
        self.schedule()
            .into_iter()
            .flat_map(|a| {
                REMINDER_DAYS
                    .iter()
                    .map(move |d| (a, *d, a.due.checked_sub_days(Days::new(*d)).unwrap_or(a.due)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn transition_tables() {
        use CertificateStatus::*;
        assert_table(&[
            (Active, &[Suspended, Withdrawn, Expired][..]),
            (Suspended, &[Active, Withdrawn, Expired]),
            (Withdrawn, &[]),
            (Expired, &[]),
        ]);
        use ProgrammeStatus as P;
        assert_table(&[
            (P::Active, &[P::Completed, P::Cancelled][..]),
            (P::Completed, &[]),
            (P::Cancelled, &[]),
        ]);
    }

    #[test]
    fn the_plan_follows_the_usual_steps_in_order() {
        let mut p = Programme::create(
            NewProgramme {
                name: "ISO/IEC 20000-1 certification".into(),
                goals: None,
                sponsor: UserId(1),
                manager: None,
                board: vec![],
                certification_body: Some("Example Certification Ltd".into()),
                external_adviser: None,
                start_date: day("2026-01-01"),
                target_date: day("2026-11-01"),
            },
            UserId(2),
            Utc::now(),
        )
        .unwrap();
        p.id = ProgrammeId(4);
        let plan = p.plan();
        let steps: Vec<CertificationStep> = plan.iter().filter_map(|a| a.step).collect();
        assert_eq!(
            steps,
            CertificationStep::ALL.to_vec(),
            "one task a step, in the usual order"
        );
        assert!(
            plan.iter()
                .all(|a| a.owner == Some(UserId(2)) && a.source.as_deref() == Some("PRG-4"))
        );
        let due = |s| plan.iter().find(|a| a.step == Some(s)).unwrap().due_date;
        assert_eq!(due(CertificationStep::Stage2Audit), day("2026-11-01"));
        assert_eq!(due(CertificationStep::SurveillanceYear1), day("2027-11-01"));
        assert_eq!(due(CertificationStep::Recertification), day("2029-08-01"));
        assert!(due(CertificationStep::GapAnalysis) < due(CertificationStep::Implementation));
    }

    #[test]
    fn a_certificate_runs_three_years_with_surveillance_and_reminders() {
        let mut c = Certificate::create(
            NewCertificate {
                number: "ITSM 712345".into(),
                certification_body: "Example Certification Ltd".into(),
                scope: "IT services delivered from Leeds".into(),
                issued_on: day("2026-02-15"),
                expires_on: None,
                owner: None,
            },
            UserId(3),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(c.expires_on, day("2029-02-15"));
        let s = c.schedule();
        assert_eq!(
            s.iter().map(|a| a.due).collect::<Vec<_>>(),
            vec![day("2027-02-15"), day("2028-02-15"), day("2028-11-15")]
        );
        let r = c.reminders();
        assert_eq!(r.len(), 9);
        assert!(r.contains(&(s[0], 30, day("2027-01-16"))));
        c.transition(StatusTransition { to: "suspended".into() }).unwrap();
        assert!(c.reminders().is_empty(), "a suspended certificate sends none");
        let long = NewCertificate {
            number: "X".into(),
            certification_body: "Y".into(),
            scope: String::new(),
            issued_on: day("2026-01-01"),
            expires_on: Some(day("2029-06-01")),
            owner: None,
        };
        assert!(
            Certificate::create(long, UserId(1), Utc::now())
                .unwrap_err()
                .to_string()
                .contains("three years")
        );
    }
}
