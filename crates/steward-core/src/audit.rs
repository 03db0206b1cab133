//! Audits (9.2 and the certification body's): internal audits of the programme and the
//! external Stage 1, Stage 2, surveillance and recertification audits, each with its scope,
//! the requirements and teams it covers, and its auditors; and the findings they raise, graded
//! major or minor nonconformity, observation or opportunity for improvement, each tied to a
//! requirement and to the records that show it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::document::check_requirements;
use crate::error::{Error, Result};
use crate::id::{AuditId, CertificateId, FindingId, ImprovementId, NonconformityId, TeamId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set, sorted_unique};
use crate::record::{RecordKind, check_references, normalise_references, parse_references};
use crate::service::StatusTransition;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

named_enum! {
    AuditType {
        Internal = "internal",
        Stage1 = "stage1",
        Stage2 = "stage2",
        Surveillance = "surveillance",
        Recertification = "recertification",
    }
}

impl AuditType {
    pub fn is_external(self) -> bool {
        self != AuditType::Internal
    }
}

lifecycle! {
    /// planned -> in_progress -> completed; planned or in-progress audits can be cancelled.
    AuditStatus {
        Planned = "planned" => [InProgress, Cancelled],
        InProgress = "in_progress" => [Completed, Cancelled],
        Completed = "completed" => [],
        Cancelled = "cancelled" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Audit {
    pub id: AuditId,
    pub title: String,
    pub audit_type: AuditType,
    pub status: AuditStatus,
    /// What the audit covers, in words.
    pub scope: String,
    /// The requirements it covers, by clause.
    pub requirements: Vec<String>,
    /// The teams whose work is audited; no auditor may belong to one.
    pub audited_teams: Vec<TeamId>,
    pub lead_auditor: Option<UserId>,
    pub auditors: Vec<UserId>,
    /// For an external audit, the certification body and its auditor.
    pub external_auditor: Option<String>,
    pub certificate: Option<CertificateId>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    /// The conclusion of the audit report.
    pub summary: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Audit, RecordKind::Audit, AuditId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAudit {
    pub title: String,
    pub audit_type: AuditType,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub requirements: Vec<String>,
    #[serde(default)]
    pub audited_teams: Vec<TeamId>,
    #[serde(default)]
    pub lead_auditor: Option<UserId>,
    #[serde(default)]
    pub auditors: Vec<UserId>,
    #[serde(default)]
    pub external_auditor: Option<String>,
    #[serde(default)]
    pub certificate: Option<CertificateId>,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub requirements: Option<Vec<String>>,
    #[serde(default)]
    pub audited_teams: Option<Vec<TeamId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub lead_auditor: Option<Option<UserId>>,
    #[serde(default)]
    pub auditors: Option<Vec<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub external_auditor: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub certificate: Option<Option<CertificateId>>,
    #[serde(default)]
    pub planned_start: Option<NaiveDate>,
    #[serde(default)]
    pub planned_end: Option<NaiveDate>,
    #[serde(default)]
    pub summary: Option<String>,
}

impl Audit {
    pub fn create(input: NewAudit, at: DateTime<Utc>) -> Result<Audit> {
        let a = Audit {
            id: AuditId(0),
            title: input.title.trim().to_string(),
            audit_type: input.audit_type,
            status: AuditStatus::Planned,
            scope: input.scope.unwrap_or_default(),
            requirements: sorted_unique(input.requirements),
            audited_teams: sorted_unique(input.audited_teams),
            lead_auditor: input.lead_auditor,
            auditors: sorted_unique(input.auditors),
            external_auditor: blank_to_none(input.external_auditor),
            certificate: input.certificate,
            planned_start: input.planned_start,
            planned_end: input.planned_end,
            completed_on: None,
            summary: String::new(),
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        a.check(&mut c);
        c.finish()?;
        Ok(a)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("scope", &self.scope, TEXT_MAX);
        c.text("summary", &self.summary, TEXT_MAX);
        c.opt_line("external_auditor", self.external_auditor.as_deref(), NAME_MAX);
        check_requirements(c, "requirements", &self.requirements);
        if self.planned_end < self.planned_start {
            c.fail("planned_end", "must not be before planned_start");
        }
        if self.audit_type.is_external() {
            if self.external_auditor.is_none() {
                c.fail("external_auditor", "name the certification body for an external audit");
            }
        } else if self.lead_auditor.is_none() {
            c.fail("lead_auditor", "an internal audit needs a lead auditor");
        }
        if self.auditors.len() > 50 || self.audited_teams.len() > 200 {
            c.fail("auditors", "at most 50 auditors and 200 audited teams");
        }
    }

    /// Everyone auditing: the lead and the other auditors.
    pub fn all_auditors(&self) -> Vec<UserId> {
        let mut v: Vec<UserId> = self
            .lead_auditor
            .into_iter()
            .chain(self.auditors.iter().copied())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    pub fn apply_patch(&mut self, p: AuditPatch) -> Result<()> {
        if matches!(self.status, AuditStatus::Completed | AuditStatus::Cancelled) {
            return Err(Error::Conflict(format!(
                "{} is {} and no longer changes",
                self.id,
                self.status.as_str()
            )));
        }
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.scope, p.scope);
        set(&mut next.requirements, p.requirements.map(sorted_unique));
        set(&mut next.audited_teams, p.audited_teams.map(sorted_unique));
        set(&mut next.lead_auditor, p.lead_auditor);
        set(&mut next.auditors, p.auditors.map(sorted_unique));
        set(&mut next.external_auditor, p.external_auditor.map(blank_to_none));
        set(&mut next.certificate, p.certificate);
        set(&mut next.planned_start, p.planned_start);
        set(&mut next.planned_end, p.planned_end);
        set(&mut next.summary, p.summary);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Completing needs the report's conclusion and records `today`.
    pub fn transition(&mut self, t: StatusTransition, today: NaiveDate) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        if to == AuditStatus::Completed {
            if self.summary.trim().is_empty() {
                return Err(Error::invalid(
                    "summary",
                    "write the audit's conclusion before completing it",
                ));
            }
            self.completed_on = Some(today);
        }
        self.status = to;
        Ok(())
    }
}

named_enum! {
    FindingGrade {
        MajorNonconformity = "major_nonconformity",
        MinorNonconformity = "minor_nonconformity",
        Observation = "observation",
        OpportunityForImprovement = "opportunity_for_improvement",
    }
}

impl FindingGrade {
    pub fn is_nonconformity(self) -> bool {
        matches!(
            self,
            FindingGrade::MajorNonconformity | FindingGrade::MinorNonconformity
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Finding {
    pub id: FindingId,
    pub audit: AuditId,
    pub grade: FindingGrade,
    pub requirement: String,
    pub title: String,
    pub description: String,
    /// References of the records that show it (`CHG-12`, `DOC-3`...).
    pub records: Vec<String>,
    pub raised_on: NaiveDate,
    /// The nonconformity raised from it (for a nonconformity grade).
    pub nonconformity: Option<NonconformityId>,
    /// The improvement raised from it (for an opportunity for improvement).
    pub improvement: Option<ImprovementId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Finding, RecordKind::Finding, FindingId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    pub audit: AuditId,
    pub grade: FindingGrade,
    pub requirement: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub records: Vec<String>,
    /// Defaults to today.
    #[serde(default)]
    pub raised_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub records: Option<Vec<String>>,
}

impl Finding {
    pub fn create(input: NewFinding, at: DateTime<Utc>) -> Result<Finding> {
        let f = Finding {
            id: FindingId(0),
            audit: input.audit,
            grade: input.grade,
            requirement: input.requirement.trim().to_string(),
            title: input.title.trim().to_string(),
            description: input.description.unwrap_or_default(),
            records: normalise_references(input.records),
            raised_on: input.raised_on.unwrap_or_else(|| at.date_naive()),
            nonconformity: None,
            improvement: None,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        f.check(&mut c);
        c.finish()?;
        Ok(f)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("description", &self.description, TEXT_MAX);
        check_requirements(c, "requirement", std::slice::from_ref(&self.requirement));
        check_references(c, &self.records);
    }

    pub fn apply_patch(&mut self, p: FindingPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.description, p.description);
        set(
            &mut next.records,
            p.records
                .map(|v| v.into_iter().map(|r| r.trim().to_uppercase()).collect()),
        );
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// The referenced records, as (kind, id).
    pub fn referenced(&self) -> Vec<(RecordKind, i64)> {
        parse_references(&self.records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input(audit_type: AuditType) -> NewAudit {
        NewAudit {
            title: "Internal audit of change management".into(),
            audit_type,
            scope: Some("Change and release".into()),
            requirements: vec!["8.5.1.3".into(), "8.5.1.1".into(), "8.5.1.3".into()],
            audited_teams: vec![TeamId(2)],
            lead_auditor: Some(UserId(5)),
            auditors: vec![],
            external_auditor: None,
            certificate: None,
            planned_start: day("2026-04-01"),
            planned_end: day("2026-04-02"),
        }
    }

    #[test]
    fn transition_table() {
        use AuditStatus::*;
        assert_table(&[
            (Planned, &[InProgress, Cancelled][..]),
            (InProgress, &[Completed, Cancelled]),
            (Completed, &[]),
            (Cancelled, &[]),
        ]);
    }

    #[test]
    fn audits_need_their_auditor_and_a_conclusion() {
        let a = Audit::create(input(AuditType::Internal), Utc::now()).unwrap();
        assert_eq!(a.requirements, vec!["8.5.1.1", "8.5.1.3"]);
        let mut ext = input(AuditType::Stage1);
        let e = Audit::create(ext.clone(), Utc::now()).unwrap_err().to_string();
        assert!(e.contains("external_auditor"), "{e}");
        ext.external_auditor = Some("Example Certification Ltd".into());
        assert!(Audit::create(ext, Utc::now()).is_ok());
        let mut bad = input(AuditType::Internal);
        bad.lead_auditor = None;
        bad.planned_end = day("2026-03-01");
        let e = Audit::create(bad, Utc::now()).unwrap_err().to_string();
        assert!(e.contains("lead_auditor") && e.contains("planned_end"), "{e}");

        let mut a = a;
        a.transition(
            StatusTransition {
                to: "in_progress".into(),
            },
            day("2026-04-01"),
        )
        .unwrap();
        let e = a
            .clone()
            .transition(StatusTransition { to: "completed".into() }, day("2026-04-02"))
            .unwrap_err();
        assert!(e.to_string().contains("summary"));
        a.summary = "Change management is effective; two minor findings.".into();
        a.transition(StatusTransition { to: "completed".into() }, day("2026-04-02"))
            .unwrap();
        assert_eq!(a.completed_on, Some(day("2026-04-02")));
        assert!(
            a.apply_patch(AuditPatch::default()).is_err(),
            "a completed audit is fixed"
        );
    }

    #[test]
    fn findings_name_a_requirement_and_records() {
        let f = Finding::create(
            NewFinding {
                audit: AuditId(1),
                grade: FindingGrade::MinorNonconformity,
                requirement: "8.5.1.3".into(),
                title: "Two changes closed without review".into(),
                description: None,
                records: vec!["chg-4".into(), "CHG-9".into()],
                raised_on: None,
            },
            "2026-04-02T10:00:00Z".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(f.raised_on, day("2026-04-02"));
        assert_eq!(f.referenced(), vec![(RecordKind::Change, 4), (RecordKind::Change, 9)]);
        assert!(f.grade.is_nonconformity());
        let e = Finding::create(
            NewFinding {
                audit: AuditId(1),
                grade: FindingGrade::Observation,
                requirement: "12.1".into(),
                title: "x".into(),
                description: None,
                records: vec!["x".into()],
                raised_on: None,
            },
            Utc::now(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("requirement:") && e.contains("records"), "{e}");
    }
}
