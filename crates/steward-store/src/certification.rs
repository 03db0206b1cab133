//! How certification programmes and certificates are stored. A new programme gets its plan of
//! tasks (one action per step) in its own transaction; a certificate keeps its reminder jobs in
//! step with its dates and status on every write, and the job runner sends each reminder once.

use chrono::NaiveTime;
use steward_core::action::Action;
use steward_core::certification::{BoardMember, Certificate, CertificateStatus, Programme, ProgrammeStatus};
use steward_core::id::{CertificateId, ProgrammeId, UserId};
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::{Arg, Tx};
use crate::job::{self, Planned};
use crate::record::{Table, insert};
use crate::{Store, args, from_micros, json_text, micros, parse_stored, stored_date, stored_json};

#[derive(sqlx::FromRow)]
pub struct ProgrammeRow {
    id: i64,
    name: String,
    goals: String,
    sponsor_id: i64,
    manager_id: i64,
    board: String,
    certification_body: Option<String>,
    external_adviser: Option<String>,
    start_date: String,
    target_date: String,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Programme {
    type Row = ProgrammeRow;
    const TABLE: &'static str = "programmes";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "goals",
        "sponsor_id",
        "manager_id",
        "board",
        "certification_body",
        "external_adviser",
        "start_date",
        "target_date",
        "status",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ProgrammeRow) -> Result<Self> {
        Ok(Programme {
            id: ProgrammeId(r.id),
            name: r.name,
            goals: r.goals,
            sponsor: UserId(r.sponsor_id),
            manager: UserId(r.manager_id),
            board: stored_json::<Vec<BoardMember>>("board", &r.board)?,
            certification_body: r.certification_body,
            external_adviser: r.external_adviser,
            start_date: stored_date("start_date", &r.start_date)?,
            target_date: stored_date("target_date", &r.target_date)?,
            status: parse_stored("status", &r.status, ProgrammeStatus::parse)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            &self.goals,
            self.sponsor.0,
            self.manager.0,
            json_text(&self.board),
            self.certification_body.clone(),
            self.external_adviser.clone(),
            self.start_date.to_string(),
            self.target_date.to_string(),
            self.status.as_str(),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![
            ("sponsor", RecordKind::User, self.sponsor.0),
            ("manager", RecordKind::User, self.manager.0),
        ];
        r.extend(self.board.iter().map(|m| ("board", RecordKind::User, m.user.0)));
        r
    }
}

#[derive(sqlx::FromRow)]
pub struct CertificateRow {
    id: i64,
    number: String,
    certification_body: String,
    scope: String,
    issued_on: String,
    expires_on: String,
    owner_id: i64,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Certificate {
    type Row = CertificateRow;
    const TABLE: &'static str = "certificates";
    const COLUMNS: &'static [&'static str] = &[
        "number",
        "certification_body",
        "scope",
        "issued_on",
        "expires_on",
        "owner_id",
        "status",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: CertificateRow) -> Result<Self> {
        Ok(Certificate {
            id: CertificateId(r.id),
            number: r.number,
            certification_body: r.certification_body,
            scope: r.scope,
            issued_on: stored_date("issued_on", &r.issued_on)?,
            expires_on: stored_date("expires_on", &r.expires_on)?,
            owner: UserId(r.owner_id),
            status: parse_stored("status", &r.status, CertificateStatus::parse)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.number,
            &self.certification_body,
            &self.scope,
            self.issued_on.to_string(),
            self.expires_on.to_string(),
            self.owner.0,
            self.status.as_str(),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        vec![("owner", RecordKind::User, self.owner.0)]
    }

    fn after_write<'a>(&'a self, tx: &'a mut Tx, at: i64) -> impl std::future::Future<Output = Result<()>> + Send + 'a {
        plan_reminders(tx, self, at)
    }
}

pub(crate) const REMINDER_QUEUE: &str = "certificate_reminder";

#[derive(serde::Serialize, serde::Deserialize)]
struct ReminderPayload {
    certificate: i64,
    step: String,
    due: chrono::NaiveDate,
    days_before: u64,
}

/// Arms one job per reminder still ahead (at midnight UTC of its day); past ones are not sent
/// late, and a certificate that is not active has none.
async fn plan_reminders(tx: &mut Tx, cert: &Certificate, at: i64) -> Result<()> {
    let subject = format!("certificate:{}", cert.id.0);
    let planned: Vec<Planned> = cert
        .reminders()
        .into_iter()
        .filter_map(|(audit, days, day)| {
            let run_at = micros(day.and_time(NaiveTime::MIN).and_utc());
            (run_at >= at).then(|| Planned {
                subject: subject.clone(),
                key: format!("certificate:{}:{}:{days}", cert.id.0, audit.step.as_str()),
                payload: json_text(&ReminderPayload {
                    certificate: cert.id.0,
                    step: audit.step.as_str().to_string(),
                    due: audit.due,
                    days_before: days,
                }),
                run_at,
                settled: false,
            })
        })
        .collect();
    job::plan(tx, REMINDER_QUEUE, &subject, &planned, at).await
}

impl Store {
    /// Creates a programme with its plan: one task a step, in the same transaction.
    pub async fn insert_programme(&self, p: Programme, actor: UserId) -> Result<(Programme, Vec<Action>)> {
        let mut tx = self.begin().await?;
        let saved = insert(&mut tx, p, Some(actor)).await?;
        let tasks = saved
            .plan()
            .into_iter()
            .map(|t| Action::create(t, saved.manager, saved.created_at))
            .collect::<Result<Vec<_>>>()?;
        let tasks = crate::action::insert_all(&mut tx, tasks, Some(actor)).await?;
        tx.commit().await?;
        Ok((saved, tasks))
    }

    /// Sends the certificate reminders due by `now`: a notification to the certificate's owner,
    /// each exactly once however many processes run.
    pub async fn run_due_reminders(&self, now: i64, max: usize) -> Result<usize> {
        Ok(self
            .run_due(REMINDER_QUEUE, now, max, |tx, job, now| {
                Box::pin(send_reminder(tx, job, now))
            })
            .await?
            .done)
    }
}

/// Sends one reminder to the certificate's owner, unless the certificate is gone or not active.
async fn send_reminder(tx: &mut Tx, job: &job::Claimed, now: i64) -> Result<bool> {
    let p: ReminderPayload = serde_json::from_str(&job.payload)
        .map_err(|e| Error::unexpected(format!("reminder payload is malformed: {e}")))?;
    let Some(cert) = crate::record::get_in::<Certificate>(tx, p.certificate).await? else {
        return Ok(false);
    };
    if cert.status != CertificateStatus::Active {
        return Ok(false);
    }
    let what =
        steward_core::action::CertificationStep::parse(&p.step).map_or(p.step.clone(), |s| s.describe().to_string());
    let message = format!(
        "{} ({}): due {} — in {} days. {what}.",
        cert.id, cert.number, p.due, p.days_before
    );
    // The reminder is part of the certificate's story; the notifier tells its owner from it.
    crate::history::append(
        tx,
        vec![steward_core::history::EntryContent {
            record_kind: RecordKind::Certificate,
            record_id: cert.id.0,
            actor: None,
            at_micros: now,
            action: steward_core::history::HistoryAction::Reminder,
            field: Some(p.step.clone()),
            old_value: None,
            new_value: Some(
                serde_json::json!({ "due": p.due, "days_before": p.days_before, "message": message }).to_string(),
            ),
        }],
    )
    .await?;
    Ok(true)
}
