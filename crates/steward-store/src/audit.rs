//! How audits and findings are stored: an internal audit is checked, in its write's transaction,
//! to have no auditor from an audited team; a finding graded as a nonconformity raises the
//! nonconformity, and an opportunity for improvement an entry of the improvement register, in
//! the finding's transaction.

use steward_core::audit::{Audit, AuditStatus, AuditType, Finding, FindingGrade};
use steward_core::id::{AuditId, CertificateId, FindingId, ImprovementId, NonconformityId, TeamId, UserId};
use steward_core::improvement::{Improvement, ImprovementSource, NewImprovement};
use steward_core::lifecycle::Lifecycle;
use steward_core::nonconformity::{NewNonconformity, Nonconformity, NonconformitySource, Severity};
use steward_core::record::RecordKind;
use steward_core::{Error, FieldError, Result};

use crate::exec::{Arg, Tx};
use crate::record::{Table, get_in, insert};
use crate::{
    Store, args, from_micros, json_text, micros, opt_stored_date, parse_stored, refer, stored_date, stored_json,
};

#[derive(sqlx::FromRow)]
pub struct AuditRow {
    id: i64,
    title: String,
    audit_type: String,
    status: String,
    scope: String,
    requirements: String,
    audited_teams: String,
    lead_auditor_id: Option<i64>,
    auditors: String,
    external_auditor: Option<String>,
    certificate_id: Option<i64>,
    planned_start: String,
    planned_end: String,
    completed_on: Option<String>,
    summary: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Audit {
    type Row = AuditRow;
    const TABLE: &'static str = "audits";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "audit_type",
        "status",
        "scope",
        "requirements",
        "audited_teams",
        "lead_auditor_id",
        "auditors",
        "external_auditor",
        "certificate_id",
        "planned_start",
        "planned_end",
        "completed_on",
        "summary",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: AuditRow) -> Result<Self> {
        Ok(Audit {
            id: AuditId(r.id),
            title: r.title,
            audit_type: parse_stored("audit_type", &r.audit_type, AuditType::parse)?,
            status: parse_stored("status", &r.status, AuditStatus::parse)?,
            scope: r.scope,
            requirements: stored_json("requirements", &r.requirements)?,
            audited_teams: stored_json("audited_teams", &r.audited_teams)?,
            lead_auditor: r.lead_auditor_id.map(UserId),
            auditors: stored_json("auditors", &r.auditors)?,
            external_auditor: r.external_auditor,
            certificate: r.certificate_id.map(CertificateId),
            planned_start: stored_date("planned_start", &r.planned_start)?,
            planned_end: stored_date("planned_end", &r.planned_end)?,
            completed_on: opt_stored_date("completed_on", r.completed_on)?,
            summary: r.summary,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            self.audit_type.as_str(),
            self.status.as_str(),
            &self.scope,
            json_text(&self.requirements),
            json_text(&self.audited_teams),
            self.lead_auditor.map(|v| v.0),
            json_text(&self.auditors),
            self.external_auditor.clone(),
            self.certificate.map(|v| v.0),
            self.planned_start.to_string(),
            self.planned_end.to_string(),
            self.completed_on.map(|d| d.to_string()),
            &self.summary,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "lead_auditor", RecordKind::User, self.lead_auditor.map(|v| v.0));
        refer(
            &mut r,
            "certificate",
            RecordKind::Certificate,
            self.certificate.map(|v| v.0),
        );
        r.extend(self.auditors.iter().map(|u| ("auditors", RecordKind::User, u.0)));
        r.extend(
            self.audited_teams
                .iter()
                .map(|t| ("audited_teams", RecordKind::Team, t.0)),
        );
        r
    }

    fn after_write<'a>(
        &'a self,
        tx: &'a mut Tx,
        _at: i64,
    ) -> impl std::future::Future<Output = Result<()>> + Send + 'a {
        check_independence(tx, self)
    }
}

/// No one audits their own work: an internal auditor may not belong to an audited team.
async fn check_independence(tx: &mut Tx, audit: &Audit) -> Result<()> {
    let auditors = audit.all_auditors();
    if audit.audit_type.is_external() || auditors.is_empty() || audit.audited_teams.is_empty() {
        return Ok(());
    }
    let mut a: Vec<Arg> = auditors.iter().map(|u| Arg::from(u.0)).collect();
    let users = crate::placeholders(1, a.len());
    a.extend(audit.audited_teams.iter().map(|t| Arg::from(t.0)));
    let teams = crate::placeholders(auditors.len() + 1, audit.audited_teams.len());
    let clashes: Vec<(i64, i64)> = tx
        .fetch_all(
            &format!(
                "SELECT user_id, team_id FROM team_members WHERE user_id IN ({users}) AND team_id IN ({teams}) ORDER BY user_id, team_id"
            ),
            a,
        )
        .await?;
    if clashes.is_empty() {
        return Ok(());
    }
    Err(Error::Invalid(
        clashes
            .into_iter()
            .map(|(u, t)| {
                FieldError::new(
                    "auditors",
                    format!(
                        "{} is a member of {}, an audited team: auditors must not audit their own work",
                        UserId(u),
                        TeamId(t)
                    ),
                )
            })
            .collect(),
    ))
}

#[derive(sqlx::FromRow)]
pub struct FindingRow {
    id: i64,
    audit_id: i64,
    grade: String,
    requirement: String,
    title: String,
    description: String,
    records: String,
    raised_on: String,
    nonconformity_id: Option<i64>,
    improvement_id: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Finding {
    type Row = FindingRow;
    const TABLE: &'static str = "findings";
    const COLUMNS: &'static [&'static str] = &[
        "audit_id",
        "grade",
        "requirement",
        "title",
        "description",
        "records",
        "raised_on",
        "nonconformity_id",
        "improvement_id",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: FindingRow) -> Result<Self> {
        Ok(Finding {
            id: FindingId(r.id),
            audit: AuditId(r.audit_id),
            grade: parse_stored("grade", &r.grade, FindingGrade::parse)?,
            requirement: r.requirement,
            title: r.title,
            description: r.description,
            records: stored_json("records", &r.records)?,
            raised_on: stored_date("raised_on", &r.raised_on)?,
            nonconformity: r.nonconformity_id.map(NonconformityId),
            improvement: r.improvement_id.map(ImprovementId),
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.audit.0,
            self.grade.as_str(),
            &self.requirement,
            &self.title,
            &self.description,
            json_text(&self.records),
            self.raised_on.to_string(),
            self.nonconformity.map(|v| v.0),
            self.improvement.map(|v| v.0),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("audit", RecordKind::Audit, self.audit.0)];
        r.extend(self.referenced().into_iter().map(|(k, id)| ("records", k, id)));
        r
    }
}

impl Store {
    /// Records a finding of an audit in progress. A nonconformity grade raises the nonconformity
    /// (owned by `owner`, if given), an opportunity for improvement an improvement, both in the
    /// same transaction and linked from the finding.
    pub async fn record_finding(&self, mut finding: Finding, owner: Option<UserId>, actor: UserId) -> Result<Finding> {
        let mut tx = self.begin().await?;
        let audit: Audit = get_in(&mut tx, finding.audit.0)
            .await?
            .ok_or_else(|| Error::invalid("audit", format!("{} does not exist", finding.audit)))?;
        if audit.status != AuditStatus::InProgress {
            return Err(Error::Conflict(format!(
                "{} is {}: findings are recorded while an audit is in progress",
                audit.id,
                audit.status.as_str()
            )));
        }
        let at = finding.created_at;
        let saved = insert(&mut tx, finding.clone(), Some(actor)).await?;
        finding.id = saved.id;
        if finding.grade.is_nonconformity() {
            let nc = Nonconformity::create(
                NewNonconformity {
                    title: finding.title.clone(),
                    description: Some(finding.description.clone()),
                    requirement: finding.requirement.clone(),
                    severity: if finding.grade == FindingGrade::MajorNonconformity {
                        Severity::Major
                    } else {
                        Severity::Minor
                    },
                    source: if audit.audit_type.is_external() {
                        NonconformitySource::ExternalAudit
                    } else {
                        NonconformitySource::InternalAudit
                    },
                    raised_on: Some(finding.raised_on),
                    owner,
                    correction: None,
                },
                Some(finding.id),
                at,
            )?;
            finding.nonconformity = Some(insert(&mut tx, nc, Some(actor)).await?.id);
        } else if finding.grade == FindingGrade::OpportunityForImprovement {
            let imp = Improvement::create(
                NewImprovement {
                    title: finding.title.clone(),
                    description: Some(finding.description.clone()),
                    source: ImprovementSource::Audit,
                    service: None,
                    owner,
                    expected_benefit: None,
                    target_date: None,
                },
                Some(finding.id),
                at,
            )?;
            finding.improvement = Some(insert(&mut tx, imp, Some(actor)).await?.id);
        }
        let finding = if finding.nonconformity.is_some() || finding.improvement.is_some() {
            crate::record::save(
                &mut tx,
                &saved,
                finding,
                Some(actor),
                at,
                steward_core::history::HistoryAction::Update,
            )
            .await?
        } else {
            saved
        };
        tx.commit().await?;
        Ok(finding)
    }

    /// Counts of findings by grade among audits completed in `[from, to]` (ISO dates).
    pub async fn finding_counts(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<(String, i64)>> {
        let mut c = self.read().await?;
        Ok(c.fetch_all(
            "SELECT f.grade, COUNT(*) FROM findings f JOIN audits a ON a.id = f.audit_id \
             WHERE a.completed_on >= $1 AND a.completed_on <= $2 GROUP BY f.grade ORDER BY f.grade",
            args![from.to_string(), to.to_string()],
        )
        .await?)
    }
}
