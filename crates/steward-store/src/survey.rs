//! How satisfaction surveys are stored: sent when a ticket is resolved (from the ticket's own
//! write, in its transaction) or in a periodic round, answered once, and read per service.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use steward_core::Result;
use steward_core::id::*;
use steward_core::record::RecordKind;
use steward_core::survey::{
    SATISFIED_FROM, Satisfaction, Subject, Survey, SurveyKind, SurveyRound, SurveyStatus, share,
};

use crate::exec::{Arg, Tx};
use crate::record::Table;
use crate::{args, from_micros, micros, opt_from_micros, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct SurveyRow {
    id: i64,
    kind: String,
    recipient_id: i64,
    organisation_id: Option<i64>,
    service_id: Option<i64>,
    incident_id: Option<i64>,
    request_id: Option<i64>,
    status: String,
    score: Option<i64>,
    comment: String,
    sent_at: i64,
    answered_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Survey {
    type Row = SurveyRow;
    const TABLE: &'static str = "surveys";
    const COLUMNS: &'static [&'static str] = &[
        "kind",
        "recipient_id",
        "organisation_id",
        "service_id",
        "incident_id",
        "request_id",
        "status",
        "score",
        "comment",
        "sent_at",
        "answered_at",
        "created_at",
        "updated_at",
    ];
    const ORGANISATION_COLUMN: Option<&'static str> = Some("organisation_id");

    fn from_row(r: SurveyRow) -> Result<Self> {
        Ok(Survey {
            id: SurveyId(r.id),
            kind: parse_stored("kind", &r.kind, SurveyKind::parse)?,
            recipient: UserId(r.recipient_id),
            organisation: r.organisation_id.map(OrganisationId),
            service: r.service_id.map(ServiceId),
            incident: r.incident_id.map(IncidentId),
            request: r.request_id.map(RequestId),
            status: parse_stored("status", &r.status, SurveyStatus::parse)?,
            score: match r.score {
                Some(s) => Some(u8::try_from(s).map_err(|_| {
                    steward_core::Error::unexpected(format!("stored survey score {s} is out of range"))
                })?),
                None => None,
            },
            comment: r.comment,
            sent_at: from_micros(r.sent_at)?,
            answered_at: opt_from_micros(r.answered_at)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.kind.as_str(),
            self.recipient.0,
            self.organisation.map(|v| v.0),
            self.service.map(|v| v.0),
            self.incident.map(|v| v.0),
            self.request.map(|v| v.0),
            self.status.as_str(),
            self.score.map(i64::from),
            &self.comment,
            micros(self.sent_at),
            self.answered_at.map(micros),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("recipient", RecordKind::User, self.recipient.0)];
        refer(
            &mut r,
            "organisation",
            RecordKind::Organisation,
            self.organisation.map(|v| v.0),
        );
        refer(&mut r, "service", RecordKind::Service, self.service.map(|v| v.0));
        refer(&mut r, "incident", RecordKind::Incident, self.incident.map(|v| v.0));
        refer(&mut r, "request", RecordKind::Request, self.request.map(|v| v.0));
        r
    }
}

/// Sends the ticket's survey when the write being made resolved it (`resolved_at` is this
/// write's instant): to the customer it was for, if that person is an active requester, and
/// only once per ticket whatever it goes through after. Called from the ticket's own write.
pub(crate) async fn on_resolve(
    tx: &mut Tx,
    subject: Subject,
    resolved_at: Option<DateTime<Utc>>,
    customer: Option<UserId>,
    service: Option<ServiceId>,
    at: i64,
) -> Result<()> {
    let (Some(resolved_at), Some(customer)) = (resolved_at, customer) else {
        return Ok(());
    };
    if micros(resolved_at) != at {
        return Ok(());
    }
    let (column, id) = match subject {
        Subject::Incident(i) => ("incident_id", i.0),
        Subject::Request(r) => ("request_id", r.0),
        Subject::Service => return Ok(()),
    };
    let asked: Option<(i64,)> = tx
        .fetch_optional(&format!("SELECT id FROM surveys WHERE {column} = $1"), args![id])
        .await?;
    if asked.is_some() {
        return Ok(());
    }
    let person: Option<(Option<i64>,)> = tx
        .fetch_optional(
            "SELECT organisation_id FROM users WHERE id = $1 AND role = 'requester' AND active = $2",
            args![customer.0, true],
        )
        .await?;
    let Some((organisation,)) = person else {
        return Ok(());
    };
    let survey = Survey::send(
        customer,
        organisation.map(OrganisationId),
        service,
        subject,
        resolved_at,
    );
    crate::record::insert(tx, survey, None).await?;
    Ok(())
}

/// Customers asked at most by one round; more is refused rather than cut.
const ROUND_MAX: i64 = 20_000;

impl crate::Store {
    /// A periodic round on a service: one survey to each active requester of the organisations
    /// named (of every active customer organisation if none), in one transaction.
    pub async fn send_round(
        &self,
        round: &SurveyRound,
        actor: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Survey>> {
        round.validate()?;
        let mut tx = self.begin().await?;
        crate::record::check_references(&mut tx, &[("service", RecordKind::Service, round.service.0)]).await?;
        let refs: Vec<(&'static str, RecordKind, i64)> = round
            .organisations
            .iter()
            .map(|o| ("organisations", RecordKind::Organisation, o.0))
            .collect();
        crate::record::check_references(&mut tx, &refs).await?;
        let people: Vec<(i64, i64)> = if round.organisations.is_empty() {
            tx.fetch_all(
                "SELECT u.id, u.organisation_id FROM users u JOIN organisations o ON o.id = u.organisation_id \
                 WHERE u.role = 'requester' AND u.active = $1 AND o.active = $1 AND o.kind = 'customer' \
                 ORDER BY u.id LIMIT $2",
                args![true, ROUND_MAX + 1],
            )
            .await?
        } else {
            let marks: Vec<String> = (0..round.organisations.len()).map(|i| format!("${}", i + 3)).collect();
            let mut a = args![true, ROUND_MAX + 1];
            a.extend(round.organisations.iter().map(|o| Arg::from(o.0)));
            tx.fetch_all(
                &format!(
                    "SELECT id, organisation_id FROM users WHERE role = 'requester' AND active = $1 \
                     AND organisation_id IN ({}) ORDER BY id LIMIT $2",
                    marks.join(", ")
                ),
                a,
            )
            .await?
        };
        if people.len() as i64 > ROUND_MAX {
            return Err(steward_core::Error::invalid(
                "organisations",
                format!("more than {ROUND_MAX} customers in one round; name fewer organisations"),
            ));
        }
        if people.is_empty() {
            return Err(steward_core::Error::invalid(
                "organisations",
                "no active customer to ask in the organisations named",
            ));
        }
        let surveys = people
            .into_iter()
            .map(|(u, o)| {
                (
                    Survey::send(
                        UserId(u),
                        Some(OrganisationId(o)),
                        Some(round.service),
                        Subject::Service,
                        at,
                    ),
                    actor,
                )
            })
            .collect();
        let saved = crate::record::insert_many(&mut tx, surveys)
            .await?
            .into_iter()
            .collect::<Result<Vec<Survey>>>()?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Satisfaction per service over `[from, to)`: surveys sent in the period and, of those,
    /// the answers — two grouped reads, however many surveys. Surveys on no service come last.
    pub async fn satisfaction(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Satisfaction>> {
        if to <= from {
            return Err(steward_core::Error::invalid("to", "must be after from"));
        }
        let mut c = self.read().await?;
        // service, sent, answered, sum of scores, satisfied, dissatisfied
        type Tally = (Option<i64>, i64, i64, Option<i64>, i64, i64);
        let rows: Vec<Tally> = c
            .fetch_all(
                "SELECT service_id, COUNT(*), SUM(CASE WHEN status = 'answered' THEN 1 ELSE 0 END), \
                 CAST(SUM(score) AS BIGINT), SUM(CASE WHEN score >= $3 THEN 1 ELSE 0 END), SUM(CASE WHEN score <= 2 THEN 1 ELSE 0 END) \
                 FROM surveys WHERE sent_at >= $1 AND sent_at < $2 GROUP BY service_id",
                args![micros(from), micros(to), i64::from(SATISFIED_FROM)],
            )
            .await?;
        let names: Vec<(i64, String)> = c.fetch_all("SELECT id, name FROM services", args![]).await?;
        let names: HashMap<i64, String> = names.into_iter().collect();
        let mut out: Vec<Satisfaction> = rows
            .into_iter()
            .map(
                |(service, sent, answered, total, satisfied, dissatisfied)| Satisfaction {
                    service: service.map(ServiceId),
                    service_name: service
                        .and_then(|s| names.get(&s).cloned())
                        .unwrap_or_else(|| "(no service)".into()),
                    sent,
                    answered,
                    response_percent: share(answered, sent),
                    mean_score: total
                        .filter(|_| answered > 0)
                        .map(|t| (t as f64 * 100.0 / answered as f64).round() / 100.0),
                    satisfied,
                    dissatisfied,
                },
            )
            .collect();
        out.sort_by(|a, b| (a.service.is_none(), &a.service_name).cmp(&(b.service.is_none(), &b.service_name)));
        Ok(out)
    }
}
