//! The suppliers page (`/suppliers`, 8.3.4 and 8.2.3): every active supplier with its
//! performance over the last days (tickets open with it, its underpinning contract clocks met
//! and breached), its contracts with their review dates, the disputes not yet settled, and, for
//! whoever may write them, the forms to add a supplier, record a contract review and raise a
//! dispute.

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::contract::{Contract, ContractReview, ContractStatus};
use steward_core::dispute::{Dispute, DisputeStatus, NewDispute};
use steward_core::history::HistoryAction;
use steward_core::id::{ContractId, OrganisationId, SupplierId, TeamId, UserId};
use steward_core::organisation::Organisation;
use steward_core::record::RecordKind;
use steward_core::supplier::{NewSupplier, Supplier, SupplierKind, SupplierPerformance};
use steward_store::ListQuery;

use super::form::{FormErrors, date, named, reference, required, text, written_or_redisplay};
use super::session::Posted;
use super::ticket::{Choice, Options, all};
use super::{Chrome, UiResult, Viewer, record_href, render};
use crate::api::{create, list_all, modify};

#[derive(Deserialize, Default)]
pub struct SuppliersParams {
    #[serde(default)]
    days: Option<i64>,
}

/// The three forms of the page, as typed.
#[derive(Deserialize, Default)]
pub struct SupplierForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    contact: String,
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    contract: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    next_review: String,
}

#[derive(Deserialize, Default)]
pub struct DisputeForm {
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

/// A supplier's row, in words.
struct Row {
    supplier: String,
    href: String,
    kind: &'static str,
    open_tickets: i64,
    met: i64,
    breached: i64,
    attainment: String,
    contracts: i64,
    due_review: i64,
    open_disputes: i64,
}

/// A contract or a dispute in a list.
struct Listed {
    reference: String,
    href: String,
    title: String,
    supplier: String,
    when: String,
    status: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "supplier/index.html")]
struct SuppliersPage {
    chrome: Chrome,
    days: i64,
    rows: Vec<Row>,
    contracts: Vec<Listed>,
    disputes: Vec<Listed>,
    may_write: bool,
    kinds: Vec<Choice>,
    reviewable: Vec<Choice>,
    options: Options,
    organisations: Vec<Choice>,
    supplier_form: SupplierForm,
    review_form: ReviewForm,
    dispute_form: DisputeForm,
    errors: FormErrors,
}

fn kind_words(k: SupplierKind) -> &'static str {
    match k {
        SupplierKind::External => "external supplier",
        SupplierKind::Internal => "internal supplier",
        SupplierKind::Customer => "customer as supplier",
    }
}

fn row(p: SupplierPerformance) -> Row {
    Row {
        href: record_href(RecordKind::Supplier, p.supplier.0),
        supplier: p.supplier_name,
        kind: kind_words(p.kind),
        open_tickets: p.open_tickets,
        met: p.met,
        breached: p.breached,
        attainment: p
            .attainment_percent
            .map(|a| format!("{a:.1}%"))
            .unwrap_or_else(|| "—".into()),
        contracts: p.active_contracts,
        due_review: p.contracts_due_review,
        open_disputes: p.open_disputes,
    }
}

/// Which form a refused post came from, with what was typed.
#[derive(Default)]
struct Typed {
    supplier: SupplierForm,
    review: ReviewForm,
    dispute: DisputeForm,
}

async fn show(viewer: &Viewer, days: i64, typed: Typed, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Supplier, Operation::Read)?;
    let days = days.clamp(1, 366);
    let today = ctx.now.date_naive();
    let rows: Vec<Row> = ctx
        .state
        .store
        .supplier_performance(ctx.now - Duration::days(days), ctx.now, today)
        .await?
        .into_iter()
        .map(row)
        .collect();
    // Every supplier, inactive ones too, to name the supplier of each contract and dispute; the
    // forms offer the active ones from `Options`.
    let suppliers: Vec<Supplier> = all(ctx, vec![]).await?;
    let name_of = |id: SupplierId| {
        suppliers
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let live = |column: &'static str, values: &[&str]| ListQuery {
        any_of: vec![(column, values.iter().map(|v| v.to_string().into()).collect())],
        limit: steward_store::MAX_LIMIT,
        ..ListQuery::default()
    };
    let contracts: Vec<Contract> = list_all::<Contract>(ctx, live("status", &["active", "draft"]))
        .await?
        .0
        .items;
    let disputes: Vec<Dispute> = list_all::<Dispute>(ctx, live("status", &["open", "escalated", "resolved"]))
        .await?
        .0
        .items;
    let reviewable = contracts
        .iter()
        .filter(|k| k.status == ContractStatus::Active)
        .map(|k| {
            Choice::new(
                k.id.to_string(),
                format!("{} {} ({})", k.id, k.title, name_of(k.supplier)),
            )
        })
        .collect();
    let contracts = contracts
        .iter()
        .map(|k| Listed {
            reference: k.id.to_string(),
            href: record_href(RecordKind::Contract, k.id.0),
            title: k.title.clone(),
            supplier: name_of(k.supplier),
            when: k
                .review_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "none set".into()),
            status: k.status.to_string(),
            overdue: k.status == ContractStatus::Active && k.review_date.is_none_or(|d| d < today),
        })
        .collect();
    let disputes = disputes
        .iter()
        .map(|d| Listed {
            reference: d.id.to_string(),
            href: record_href(RecordKind::Dispute, d.id.0),
            title: d.title.clone(),
            supplier: name_of(d.supplier),
            when: d.created_at.format("%Y-%m-%d").to_string(),
            status: d.status.to_string(),
            overdue: d.status == DisputeStatus::Escalated,
        })
        .collect();
    let organisations: Vec<Organisation> = all(ctx, vec![]).await?;
    let status = errors.status();
    let page = SuppliersPage {
        chrome: viewer.chrome("dashboard"),
        days,
        rows,
        contracts,
        disputes,
        may_write: authorize(&ctx.actor, RecordKind::Supplier, Operation::Create).is_ok(),
        kinds: [SupplierKind::External, SupplierKind::Internal, SupplierKind::Customer]
            .into_iter()
            .map(|k| Choice::new(k.as_str(), kind_words(k)))
            .collect(),
        reviewable,
        options: Options::load(ctx).await?,
        organisations: organisations
            .iter()
            .map(|o| Choice::new(o.id.to_string(), &o.name))
            .collect(),
        supplier_form: typed.supplier,
        review_form: typed.review,
        dispute_form: typed.dispute,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn suppliers_page(viewer: Viewer, Query(p): Query<SuppliersParams>) -> UiResult<Response> {
    show(&viewer, p.days.unwrap_or(90), Typed::default(), FormErrors::default()).await
}

/// What became of a form: the page of the record written, or this page again with its errors.
async fn outcome(viewer: &Viewer, typed: Typed, written: Result<String, crate::error::ApiError>) -> UiResult<Response> {
    written_or_redisplay(written, |errors| show(viewer, 90, typed, errors)).await
}

/// Adds a supplier from the page's form, then shows its page.
pub async fn add_supplier(posted: Posted<SupplierForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Supplier, Operation::Create)?;
    let mut e = FormErrors::default();
    let kind: Option<SupplierKind> = named(&mut e, "kind", &form.kind);
    let owner: Option<UserId> = reference(&mut e, "owner", &form.owner, RecordKind::User);
    let team: Option<TeamId> = reference(&mut e, "team", &form.team, RecordKind::Team);
    let organisation: Option<OrganisationId> =
        reference(&mut e, "organisation", &form.organisation, RecordKind::Organisation);
    if form.kind.is_empty() {
        e.fail("kind", "choose what kind of supplier it is");
    }
    if owner.is_none() {
        e.fail("owner", "choose who manages the relationship");
    }
    let written = async {
        let (Some(kind), Some(owner), false) = (kind, owner, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let supplier = Supplier::create(
            NewSupplier {
                name: form.name.clone(),
                kind,
                owner,
                team,
                organisation,
                contact: text(&form.contact),
                description: None,
                services: vec![],
                configuration_items: vec![],
                processes: vec![],
                review_date: None,
            },
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, supplier).await?;
        Ok(record_href(RecordKind::Supplier, saved.id.0))
    }
    .await;
    let typed = Typed {
        supplier: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Records a review of a contract, then shows the contract.
pub async fn review_contract(posted: Posted<ReviewForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Contract, Operation::Update)?;
    let mut e = FormErrors::default();
    let contract: Option<ContractId> = reference(&mut e, "contract", &form.contract, RecordKind::Contract);
    let next_review = date(&mut e, "next_review", &form.next_review);
    if contract.is_none() && !e.any() {
        e.fail("contract", "choose the contract reviewed");
    }
    let written = async {
        let (Some(contract), false) = (contract, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let review = ContractReview {
            held_on: None,
            notes: form.notes.clone(),
            next_review,
        };
        let today = ctx.now.date_naive();
        let saved = modify(ctx, &contract.to_string(), HistoryAction::Update, |k: &mut Contract| {
            k.review(review, today)
        })
        .await?;
        Ok(record_href(RecordKind::Contract, saved.0.id.0))
    }
    .await;
    let typed = Typed {
        review: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Raises a dispute with a supplier, then shows it.
pub async fn raise_dispute(posted: Posted<DisputeForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::Dispute, Operation::Create)?;
    let mut e = FormErrors::default();
    let supplier: Option<SupplierId> = required(
        &mut e,
        "supplier",
        &form.supplier,
        RecordKind::Supplier,
        "choose the supplier the dispute is with",
    );
    let written = async {
        let (Some(supplier), false) = (supplier, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let dispute = Dispute::create(
            NewDispute {
                supplier,
                contract: None,
                title: form.title.clone(),
                description: text(&form.description),
                owner: Some(ctx.actor.user),
            },
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, dispute).await?;
        Ok(record_href(RecordKind::Dispute, saved.id.0))
    }
    .await;
    let typed = Typed {
        dispute: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}
