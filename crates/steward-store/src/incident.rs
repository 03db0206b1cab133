//! How incidents are stored.

use steward_core::Result;
use steward_core::id::*;
use steward_core::incident::{Incident, IncidentStatus, PendingReason, ResolutionCode};
use steward_core::lifecycle::Lifecycle;
use steward_core::priority::{Impact, Urgency};
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, opt_from_micros, parse_stored};

#[derive(sqlx::FromRow)]
pub struct IncidentRow {
    id: i64,
    title: String,
    description: String,
    status: String,
    pending_reason: Option<String>,
    service_id: Option<i64>,
    configuration_item_id: Option<i64>,
    caller_id: Option<i64>,
    organisation_id: Option<i64>,
    impact: String,
    urgency: String,
    priority: i64,
    major: bool,
    security: bool,
    category: Option<String>,
    subcategory: Option<String>,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
    supplier_id: Option<i64>,
    resolution_code: Option<String>,
    resolution_notes: Option<String>,
    reopen_count: i64,
    created_at: i64,
    updated_at: i64,
    resolved_at: Option<i64>,
    closed_at: Option<i64>,
}

impl Table for Incident {
    type Row = IncidentRow;
    const TABLE: &'static str = "incidents";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "description",
        "status",
        "pending_reason",
        "service_id",
        "configuration_item_id",
        "caller_id",
        "organisation_id",
        "impact",
        "urgency",
        "priority",
        "major",
        "security",
        "category",
        "subcategory",
        "assignee_id",
        "team_id",
        "supplier_id",
        "resolution_code",
        "resolution_notes",
        "reopen_count",
        "created_at",
        "updated_at",
        "resolved_at",
        "closed_at",
    ];
    const ORGANISATION_COLUMN: Option<&'static str> = Some("organisation_id");
    const NEED_TO_KNOW: Option<crate::record::NeedToKnowColumns> = Some(crate::record::NeedToKnowColumns {
        flag: "security",
        people: ["caller_id", "assignee_id"],
    });
    const STORED_SORTS: &'static [&'static str] = &["sla_due_at"];

    fn from_row(r: IncidentRow) -> Result<Self> {
        Ok(Incident {
            id: IncidentId(r.id),
            title: r.title,
            description: r.description,
            status: parse_stored("status", &r.status, IncidentStatus::parse)?,
            pending_reason: r
                .pending_reason
                .map(|v| parse_stored("pending_reason", &v, PendingReason::parse))
                .transpose()?,
            service: r.service_id.map(ServiceId),
            configuration_item: r.configuration_item_id.map(ConfigurationItemId),
            caller: r.caller_id.map(UserId),
            organisation: r.organisation_id.map(OrganisationId),
            impact: parse_stored("impact", &r.impact, Impact::parse)?,
            urgency: parse_stored("urgency", &r.urgency, Urgency::parse)?,
            priority: crate::priority_from_stored(r.priority)?,
            major: r.major,
            security: r.security,
            category: r.category,
            subcategory: r.subcategory,
            assignee: r.assignee_id.map(UserId),
            team: r.team_id.map(TeamId),
            supplier: r.supplier_id.map(SupplierId),
            resolution_code: r
                .resolution_code
                .map(|v| parse_stored("resolution_code", &v, ResolutionCode::parse))
                .transpose()?,
            resolution_notes: r.resolution_notes,
            reopen_count: r.reopen_count,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
            resolved_at: opt_from_micros(r.resolved_at)?,
            closed_at: opt_from_micros(r.closed_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.description,
            self.status.as_str(),
            self.pending_reason.map(|p| p.as_str()),
            self.service.map(|v| v.0),
            self.configuration_item.map(|v| v.0),
            self.caller.map(|v| v.0),
            self.organisation.map(|v| v.0),
            self.impact.as_str(),
            self.urgency.as_str(),
            crate::priority_to_stored(self.priority),
            self.major,
            self.security,
            self.category.clone(),
            self.subcategory.clone(),
            self.assignee.map(|v| v.0),
            self.team.map(|v| v.0),
            self.supplier.map(|v| v.0),
            self.resolution_code.map(|p| p.as_str()),
            self.resolution_notes.clone(),
            self.reopen_count,
            micros(self.created_at),
            micros(self.updated_at),
            self.resolved_at.map(micros),
            self.closed_at.map(micros),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        crate::refer(&mut r, "service", RecordKind::Service, self.service.map(|v| v.0));
        crate::refer(
            &mut r,
            "configuration_item",
            RecordKind::ConfigurationItem,
            self.configuration_item.map(|v| v.0),
        );
        crate::refer(&mut r, "caller", RecordKind::User, self.caller.map(|v| v.0));
        crate::refer(&mut r, "assignee", RecordKind::User, self.assignee.map(|v| v.0));
        crate::refer(&mut r, "team", RecordKind::Team, self.team.map(|v| v.0));
        crate::refer(&mut r, "supplier", RecordKind::Supplier, self.supplier.map(|v| v.0));
        r
    }

    async fn after_write(&self, tx: &mut crate::exec::Tx, at: i64) -> Result<()> {
        crate::clock::reconcile_in(tx, RecordKind::Incident, self.id.0, self.clock_subject(), at).await?;
        crate::survey::on_resolve(
            tx,
            steward_core::survey::Subject::Incident(self.id),
            self.resolved_at,
            self.caller,
            self.service,
            at,
        )
        .await
    }

    fn after_write_many<'a>(
        tx: &'a mut crate::exec::Tx,
        recs: &'a [Self],
    ) -> impl std::future::Future<Output = Result<()>> + Send + 'a {
        crate::clock::reconcile_inserted(tx, recs)
    }

    fn sort_value(&self, column: &str) -> i64 {
        match column {
            "priority" => crate::priority_to_stored(self.priority),
            "created_at" => micros(self.created_at),
            _ => micros(self.updated_at),
        }
    }
}
