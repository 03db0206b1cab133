//! How outages are stored, and the availability each service reached over a period: one read of
//! the services with a target or an outage and one of the outages touching the period, however
//! many services.

use chrono::{DateTime, Utc};
use steward_core::id::{IncidentId, OutageId, ProblemId, ServiceId};
use steward_core::lifecycle::Lifecycle;
use steward_core::outage::{Availability, Outage, OutageStatus, Span, availability};
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::Table;
use crate::{Store, args, from_micros, json_text, micros, opt_from_micros, parse_stored, stored_json};

#[derive(sqlx::FromRow)]
pub struct OutageRow {
    id: i64,
    service_id: i64,
    title: String,
    planned: bool,
    started_at: i64,
    ended_at: Option<i64>,
    incident_id: Option<i64>,
    configuration_items: String,
    cause: String,
    problem_id: Option<i64>,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Outage {
    type Row = OutageRow;
    const TABLE: &'static str = "outages";
    const COLUMNS: &'static [&'static str] = &[
        "service_id",
        "title",
        "planned",
        "started_at",
        "ended_at",
        "incident_id",
        "configuration_items",
        "cause",
        "problem_id",
        "status",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: OutageRow) -> Result<Self> {
        Ok(Outage {
            id: OutageId(r.id),
            service: ServiceId(r.service_id),
            title: r.title,
            planned: r.planned,
            started_at: from_micros(r.started_at)?,
            ended_at: opt_from_micros(r.ended_at)?,
            incident: r.incident_id.map(IncidentId),
            configuration_items: stored_json("configuration_items", &r.configuration_items)?,
            cause: r.cause,
            problem: r.problem_id.map(ProblemId),
            status: parse_stored("status", &r.status, OutageStatus::parse)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.service.0,
            &self.title,
            self.planned,
            micros(self.started_at),
            self.ended_at.map(micros),
            self.incident.map(|i| i.0),
            json_text(&self.configuration_items),
            &self.cause,
            self.problem.map(|p| p.0),
            self.status.as_str(),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("service", RecordKind::Service, self.service.0)];
        if let Some(i) = self.incident {
            r.push(("incident", RecordKind::Incident, i.0));
        }
        if let Some(p) = self.problem {
            r.push(("problem", RecordKind::Problem, p.0));
        }
        for (kind, id) in steward_core::record::parse_references(&self.configuration_items) {
            r.push(("configuration_items", kind, id));
        }
        r
    }
}

/// Services read at most by the availability report; more is refused rather than cut.
const SERVICES_MAX: i64 = 5_000;

impl Store {
    /// Each service's availability over `[from, to)`: every service with a target, and every
    /// service with an outage touching the period, by name.
    pub async fn availability(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Availability>> {
        if to <= from {
            return Err(Error::invalid("to", "must be after from"));
        }
        let (f, t) = (micros(from), micros(to));
        let mut c = self.read().await?;
        let outages: Vec<(i64, i64, Option<i64>, bool, String)> = c
            .fetch_all(
                "SELECT service_id, started_at, ended_at, planned, status FROM outages \
                 WHERE started_at < $1 AND (ended_at IS NULL OR ended_at > $2)",
                args![t, f],
            )
            .await?;
        let services: Vec<(i64, String, Option<i64>)> = c
            .fetch_all(
                "SELECT id, name, availability_target FROM services \
                 WHERE availability_target IS NOT NULL OR id IN (SELECT service_id FROM outages \
                 WHERE started_at < $1 AND (ended_at IS NULL OR ended_at > $2)) ORDER BY name, id LIMIT $3",
                args![t, f, SERVICES_MAX + 1],
            )
            .await?;
        if services.len() as i64 > SERVICES_MAX {
            return Err(Error::invalid(
                "from",
                format!(
                    "more than {SERVICES_MAX} services have a target or an outage in the period; the report covers at most {SERVICES_MAX}"
                ),
            ));
        }
        let mut by_service: std::collections::HashMap<i64, Vec<(Span, bool, bool)>> = std::collections::HashMap::new();
        for (service, started, ended, planned, status) in outages {
            let span = Span {
                started_at: from_micros(started)?,
                ended_at: opt_from_micros(ended)?,
            };
            let reviewed = parse_stored("status", &status, OutageStatus::parse)? == OutageStatus::Reviewed;
            by_service.entry(service).or_default().push((span, planned, reviewed));
        }
        Ok(services
            .into_iter()
            .map(|(id, name, target)| {
                let spans = by_service.remove(&id).unwrap_or_default();
                availability(
                    ServiceId(id),
                    &name,
                    target.map(|t| t as f64 / 1000.0),
                    &spans,
                    from,
                    to,
                    now,
                )
            })
            .collect())
    }
}
