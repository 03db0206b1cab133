//! How service reviews and complaints are stored, and the relationship report: each active
//! organisation's owner, reviews and complaints over a period.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use steward_core::Result;
use steward_core::complaint::{Complaint, ComplaintStatus};
use steward_core::id::*;
use steward_core::lifecycle::Lifecycle;
use steward_core::organisation::{OrganisationKind, Relationship};
use steward_core::record::RecordKind;
use steward_core::service_review::{ServiceReview, ServiceReviewStatus};

use crate::exec::Arg;
use crate::record::Table;
use crate::{
    args, from_micros, json_text, micros, opt_from_micros, opt_stored_date, parse_stored, refer, stored_date,
    stored_json,
};

#[derive(sqlx::FromRow)]
pub struct ServiceReviewRow {
    id: i64,
    organisation_id: i64,
    services: String,
    title: String,
    scheduled_on: String,
    held_on: Option<String>,
    owner_id: Option<i64>,
    attendees: String,
    minutes: String,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for ServiceReview {
    type Row = ServiceReviewRow;
    const TABLE: &'static str = "service_reviews";
    const COLUMNS: &'static [&'static str] = &[
        "organisation_id",
        "services",
        "title",
        "scheduled_on",
        "held_on",
        "owner_id",
        "attendees",
        "minutes",
        "status",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ServiceReviewRow) -> Result<Self> {
        Ok(ServiceReview {
            id: ServiceReviewId(r.id),
            organisation: OrganisationId(r.organisation_id),
            services: stored_json("services", &r.services)?,
            title: r.title,
            scheduled_on: stored_date("scheduled_on", &r.scheduled_on)?,
            held_on: opt_stored_date("held_on", r.held_on)?,
            owner: r.owner_id.map(UserId),
            attendees: r.attendees,
            minutes: r.minutes,
            status: parse_stored("status", &r.status, ServiceReviewStatus::parse)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.organisation.0,
            json_text(&self.services),
            &self.title,
            self.scheduled_on.to_string(),
            self.held_on.map(|d| d.to_string()),
            self.owner.map(|v| v.0),
            &self.attendees,
            &self.minutes,
            self.status.as_str(),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("organisation", RecordKind::Organisation, self.organisation.0)];
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        r.extend(self.services.iter().map(|s| ("services", RecordKind::Service, s.0)));
        r
    }
}

#[derive(sqlx::FromRow)]
pub struct ComplaintRow {
    id: i64,
    organisation_id: Option<i64>,
    service_id: Option<i64>,
    complainant: String,
    title: String,
    description: String,
    owner_id: Option<i64>,
    resolution: String,
    status: String,
    received_at: i64,
    acknowledge_by: i64,
    resolve_by: i64,
    acknowledged_at: Option<i64>,
    resolved_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Complaint {
    type Row = ComplaintRow;
    const TABLE: &'static str = "complaints";
    const COLUMNS: &'static [&'static str] = &[
        "organisation_id",
        "service_id",
        "complainant",
        "title",
        "description",
        "owner_id",
        "resolution",
        "status",
        "received_at",
        "acknowledge_by",
        "resolve_by",
        "acknowledged_at",
        "resolved_at",
        "created_at",
        "updated_at",
    ];
    const ORGANISATION_COLUMN: Option<&'static str> = Some("organisation_id");

    fn from_row(r: ComplaintRow) -> Result<Self> {
        Ok(Complaint {
            id: ComplaintId(r.id),
            organisation: r.organisation_id.map(OrganisationId),
            service: r.service_id.map(ServiceId),
            complainant: r.complainant,
            title: r.title,
            description: r.description,
            owner: r.owner_id.map(UserId),
            resolution: r.resolution,
            status: parse_stored("status", &r.status, ComplaintStatus::parse)?,
            received_at: from_micros(r.received_at)?,
            acknowledge_by: from_micros(r.acknowledge_by)?,
            resolve_by: from_micros(r.resolve_by)?,
            acknowledged_at: opt_from_micros(r.acknowledged_at)?,
            resolved_at: opt_from_micros(r.resolved_at)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.organisation.map(|v| v.0),
            self.service.map(|v| v.0),
            &self.complainant,
            &self.title,
            &self.description,
            self.owner.map(|v| v.0),
            &self.resolution,
            self.status.as_str(),
            micros(self.received_at),
            micros(self.acknowledge_by),
            micros(self.resolve_by),
            self.acknowledged_at.map(micros),
            self.resolved_at.map(micros),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(
            &mut r,
            "organisation",
            RecordKind::Organisation,
            self.organisation.map(|v| v.0),
        );
        refer(&mut r, "service", RecordKind::Service, self.service.map(|v| v.0));
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        r
    }
}

/// Organisations read at most by the relationship report; more is refused rather than cut.
const ORGANISATIONS_MAX: i64 = 5_000;

/// Complaint statuses that still need work.
const COMPLAINT_OPEN: &str = "status IN ('open', 'investigating', 'escalated')";

impl crate::Store {
    /// How the relationship with each active organisation stands: its owner, its service
    /// reviews and complaints, counted for `[from, to)` and as of `now` — four grouped reads,
    /// however many organisations.
    pub async fn relationships(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Relationship>> {
        if to <= from {
            return Err(steward_core::Error::invalid("to", "must be after from"));
        }
        let (day_from, day_to) = (from.date_naive().to_string(), to.date_naive().to_string());
        let mut c = self.read().await?;
        let organisations: Vec<(i64, String, String, Option<i64>)> = c
            .fetch_all(
                "SELECT id, name, kind, relationship_owner_id FROM organisations WHERE active = $1 \
                 ORDER BY name, id LIMIT $2",
                args![true, ORGANISATIONS_MAX + 1],
            )
            .await?;
        if organisations.len() as i64 > ORGANISATIONS_MAX {
            return Err(steward_core::Error::invalid(
                "from",
                format!("more than {ORGANISATIONS_MAX} active organisations to report on; contact the maintainers"),
            ));
        }
        let held: Vec<(i64, Option<String>, i64)> = c
            .fetch_all(
                "SELECT organisation_id, MAX(held_on), \
                 SUM(CASE WHEN held_on >= $1 AND held_on < $2 THEN 1 ELSE 0 END) \
                 FROM service_reviews WHERE status = 'held' GROUP BY organisation_id",
                args![day_from, day_to],
            )
            .await?;
        let planned: Vec<(i64, Option<String>)> = c
            .fetch_all(
                "SELECT organisation_id, MIN(scheduled_on) FROM service_reviews WHERE status = 'planned' \
                 GROUP BY organisation_id",
                args![],
            )
            .await?;
        let (f, t, n) = (micros(from), micros(to), micros(now));
        let complaints: Vec<(i64, i64, i64, i64, i64, i64)> = c
            .fetch_all(
                &format!(
                    "SELECT organisation_id, \
                     SUM(CASE WHEN received_at >= $1 AND received_at < $2 THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN {COMPLAINT_OPEN} THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN {COMPLAINT_OPEN} AND resolve_by < $3 THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN resolved_at >= $1 AND resolved_at < $2 THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN resolved_at >= $1 AND resolved_at < $2 AND resolved_at <= resolve_by THEN 1 ELSE 0 END) \
                     FROM complaints WHERE organisation_id IS NOT NULL GROUP BY organisation_id"
                ),
                args![f, t, n],
            )
            .await?;
        let date = |column: &str, v: Option<String>| opt_stored_date(column, v);
        let mut held_by: HashMap<i64, (Option<NaiveDate>, i64)> = HashMap::new();
        for (o, last, n) in held {
            held_by.insert(o, (date("held_on", last)?, n));
        }
        let mut planned_by: HashMap<i64, Option<NaiveDate>> = HashMap::new();
        for (o, next) in planned {
            planned_by.insert(o, date("scheduled_on", next)?);
        }
        let complaints: HashMap<i64, (i64, i64, i64, i64, i64)> = complaints
            .into_iter()
            .map(|(o, a, b, c, d, e)| (o, (a, b, c, d, e)))
            .collect();
        organisations
            .into_iter()
            .map(|(id, name, kind, owner)| {
                let (last_review_on, reviews_held) = held_by.get(&id).copied().unwrap_or((None, 0));
                let (received, open, overdue, resolved, on_time) = complaints.get(&id).copied().unwrap_or_default();
                Ok(Relationship {
                    organisation: OrganisationId(id),
                    organisation_name: name,
                    kind: parse_stored("kind", &kind, OrganisationKind::parse)?,
                    relationship_owner: owner.map(UserId),
                    last_review_on,
                    next_review_on: planned_by.get(&id).copied().flatten(),
                    reviews_held,
                    complaints_received: received,
                    complaints_open: open,
                    complaints_overdue: overdue,
                    complaints_resolved: resolved,
                    complaints_resolved_on_time: on_time,
                })
            })
            .collect()
    }
}
