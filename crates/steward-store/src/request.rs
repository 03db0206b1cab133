//! How service requests are stored.

use steward_core::Result;
use steward_core::id::*;
use steward_core::incident::PendingReason;
use steward_core::lifecycle::Lifecycle;
use steward_core::priority::{Impact, Urgency};
use steward_core::record::RecordKind;
use steward_core::request::{Request, RequestStatus};

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, opt_from_micros, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct RequestRow {
    id: i64,
    title: String,
    description: String,
    status: String,
    pending_reason: Option<String>,
    catalogue_item_id: i64,
    service_id: i64,
    requested_for_id: Option<i64>,
    organisation_id: Option<i64>,
    impact: String,
    urgency: String,
    priority: i64,
    category: Option<String>,
    subcategory: Option<String>,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
    supplier_id: Option<i64>,
    fulfilment_notes: Option<String>,
    created_at: i64,
    updated_at: i64,
    fulfilled_at: Option<i64>,
    closed_at: Option<i64>,
}

impl Table for Request {
    type Row = RequestRow;
    const TABLE: &'static str = "requests";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "description",
        "status",
        "pending_reason",
        "catalogue_item_id",
        "service_id",
        "requested_for_id",
        "organisation_id",
        "impact",
        "urgency",
        "priority",
        "category",
        "subcategory",
        "assignee_id",
        "team_id",
        "supplier_id",
        "fulfilment_notes",
        "created_at",
        "updated_at",
        "fulfilled_at",
        "closed_at",
    ];
    const ORGANISATION_COLUMN: Option<&'static str> = Some("organisation_id");
    const STORED_SORTS: &'static [&'static str] = &["sla_due_at"];

    fn from_row(r: RequestRow) -> Result<Self> {
        Ok(Request {
            id: RequestId(r.id),
            title: r.title,
            description: r.description,
            status: parse_stored("status", &r.status, RequestStatus::parse)?,
            pending_reason: r
                .pending_reason
                .map(|v| parse_stored("pending_reason", &v, PendingReason::parse))
                .transpose()?,
            catalogue_item: CatalogueItemId(r.catalogue_item_id),
            service: ServiceId(r.service_id),
            requested_for: r.requested_for_id.map(UserId),
            organisation: r.organisation_id.map(OrganisationId),
            impact: parse_stored("impact", &r.impact, Impact::parse)?,
            urgency: parse_stored("urgency", &r.urgency, Urgency::parse)?,
            priority: crate::priority_from_stored(r.priority)?,
            category: r.category,
            subcategory: r.subcategory,
            assignee: r.assignee_id.map(UserId),
            team: r.team_id.map(TeamId),
            supplier: r.supplier_id.map(SupplierId),
            fulfilment_notes: r.fulfilment_notes,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
            fulfilled_at: opt_from_micros(r.fulfilled_at)?,
            closed_at: opt_from_micros(r.closed_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.description,
            self.status.as_str(),
            self.pending_reason.map(|p| p.as_str()),
            self.catalogue_item.0,
            self.service.0,
            self.requested_for.map(|v| v.0),
            self.organisation.map(|v| v.0),
            self.impact.as_str(),
            self.urgency.as_str(),
            crate::priority_to_stored(self.priority),
            self.category.clone(),
            self.subcategory.clone(),
            self.assignee.map(|v| v.0),
            self.team.map(|v| v.0),
            self.supplier.map(|v| v.0),
            self.fulfilment_notes.clone(),
            micros(self.created_at),
            micros(self.updated_at),
            self.fulfilled_at.map(micros),
            self.closed_at.map(micros),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(
            &mut r,
            "catalogue_item",
            RecordKind::CatalogueItem,
            Some(self.catalogue_item.0),
        );
        refer(
            &mut r,
            "requested_for",
            RecordKind::User,
            self.requested_for.map(|v| v.0),
        );
        refer(&mut r, "assignee", RecordKind::User, self.assignee.map(|v| v.0));
        refer(&mut r, "team", RecordKind::Team, self.team.map(|v| v.0));
        crate::refer(&mut r, "supplier", RecordKind::Supplier, self.supplier.map(|v| v.0));
        r
    }

    async fn after_write(&self, tx: &mut crate::exec::Tx, at: i64) -> Result<()> {
        crate::clock::reconcile_in(tx, RecordKind::Request, self.id.0, self.clock_subject(), at).await?;
        crate::survey::on_resolve(
            tx,
            steward_core::survey::Subject::Request(self.id),
            self.fulfilled_at,
            self.requested_for,
            Some(self.service),
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
