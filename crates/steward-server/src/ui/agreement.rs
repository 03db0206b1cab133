//! Agreements in the administration: a form to add one or change one — with whom it is made
//! (a customer, an internal team or a supplier), the calendar it counts in, a response and a
//! resolution target per priority written as "4h" or "1h30m", the pending reasons that pause
//! it and its warning thresholds. Targets for one service and escalation actions are kept as
//! they are (the API edits them). Written through the API's own calls.

use std::collections::HashMap;

use askama::Template;
use axum::extract::Path;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::agreement::{Agreement, AgreementKind, AgreementPatch, NewAgreement, Target};
use steward_core::calendar::{BusinessDuration, Calendar, parse_written_duration};
use steward_core::history::HistoryAction;
use steward_core::id::{CalendarId, OrganisationId, SupplierId, TeamId, UserId};
use steward_core::incident::PendingReason;
use steward_core::organisation::Organisation;
use steward_core::priority::Priority;
use steward_core::record::RecordKind;

use super::form::{FormErrors, date, named, parsed, reference, text};
use super::session::Posted;
use super::ticket::{Choice, Options};
use super::{Chrome, UiResult, Viewer, record_href, render, see_other};
use crate::api::{create, modify, read_one};
use crate::auth::Ctx;
use crate::error::ApiError;

/// The agreement form as typed. Each priority's targets arrive as `P1_response` and
/// `P1_resolution`, each pausing reason as `pause_<reason>`, so they are read from `more`.
#[derive(Debug, Default, Deserialize)]
pub struct AgreementForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    calendar: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    review_date: String,
    #[serde(default)]
    warning_percent: String,
    #[serde(flatten)]
    more: HashMap<String, String>,
}

/// One priority's row of the targets table.
pub struct TargetRow {
    pub priority: &'static str,
    pub response: String,
    pub resolution: String,
}

/// One pending reason with whether it pauses the clock.
pub struct PauseChoice {
    pub field: String,
    pub label: String,
    pub checked: bool,
}

/// What the form has read: everything the agreement needs but its service-specific targets.
struct Read {
    kind: AgreementKind,
    organisation: Option<OrganisationId>,
    team: Option<TeamId>,
    supplier: Option<SupplierId>,
    calendar: CalendarId,
    owner: Option<UserId>,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    review_date: Option<NaiveDate>,
    targets: Vec<Target>,
    pause_on: Vec<PendingReason>,
    warning_percent: Vec<u8>,
}

fn micros_text(d: BusinessDuration) -> String {
    let minutes = d.0 / 60_000_000;
    match (minutes / 60, minutes % 60, d.0 % 60_000_000) {
        (_, _, rest) if rest != 0 => steward_core::calendar::format_duration(d.0),
        (0, m, _) => format!("{m}m"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

impl AgreementForm {
    fn of(a: &Agreement) -> AgreementForm {
        let mut more = HashMap::new();
        for t in a.targets.iter().filter(|t| t.service.is_none()) {
            more.insert(format!("{}_response", t.priority), micros_text(t.response));
            more.insert(format!("{}_resolution", t.priority), micros_text(t.resolution));
        }
        for r in &a.pause_on {
            more.insert(format!("pause_{}", r.as_str()), "yes".into());
        }
        let show = |r: Option<String>| r.unwrap_or_default();
        AgreementForm {
            name: a.name.clone(),
            kind: a.kind.to_string(),
            description: a.description.clone(),
            organisation: show(a.organisation.map(|o| o.to_string())),
            team: show(a.team.map(|o| o.to_string())),
            supplier: show(a.supplier.map(|o| o.to_string())),
            calendar: a.calendar.to_string(),
            owner: show(a.owner.map(|o| o.to_string())),
            valid_from: a.valid_from.to_string(),
            valid_to: show(a.valid_to.map(|d| d.to_string())),
            review_date: show(a.review_date.map(|d| d.to_string())),
            warning_percent: a
                .warning_percent
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            more,
        }
    }

    fn value(&self, key: &str) -> &str {
        self.more.get(key).map(String::as_str).unwrap_or("")
    }

    fn rows(&self) -> Vec<TargetRow> {
        Priority::ALL
            .iter()
            .map(|p| TargetRow {
                priority: p.as_str(),
                response: self.value(&format!("{p}_response")).to_string(),
                resolution: self.value(&format!("{p}_resolution")).to_string(),
            })
            .collect()
    }

    fn pauses(&self) -> Vec<PauseChoice> {
        PendingReason::ALL
            .iter()
            .map(|r| {
                let field = format!("pause_{}", r.as_str());
                PauseChoice {
                    checked: !self.value(&field).is_empty(),
                    label: r.as_str().replace('_', " "),
                    field,
                }
            })
            .collect()
    }

    fn read(&self, e: &mut FormErrors) -> Option<Read> {
        let kind: Option<AgreementKind> = named(e, "kind", &self.kind);
        let organisation = reference(e, "organisation", &self.organisation, RecordKind::Organisation);
        let team = reference(e, "team", &self.team, RecordKind::Team);
        let supplier = reference(e, "supplier", &self.supplier, RecordKind::Supplier);
        let calendar: Option<CalendarId> = reference(e, "calendar", &self.calendar, RecordKind::Calendar);
        let owner = reference(e, "owner", &self.owner, RecordKind::User);
        let valid_from = date(e, "valid_from", &self.valid_from);
        let valid_to = date(e, "valid_to", &self.valid_to);
        let review_date = date(e, "review_date", &self.review_date);
        let mut targets = vec![];
        for p in Priority::ALL {
            let (rf, sf) = (format!("{p}_response"), format!("{p}_resolution"));
            let (r, s) = (self.value(&rf).trim(), self.value(&sf).trim());
            if r.is_empty() && s.is_empty() {
                continue;
            }
            let response = parsed(e, parse_written_duration(&rf, r));
            let resolution = parsed(e, parse_written_duration(&sf, s));
            if let (Some(response), Some(resolution)) = (response, resolution) {
                if resolution < response {
                    e.fail(&sf, "must not be shorter than the response target");
                }
                targets.push(Target {
                    service: None,
                    priority: *p,
                    response: BusinessDuration(response),
                    resolution: BusinessDuration(resolution),
                });
            }
        }
        let mut warning_percent = vec![];
        for part in self.warning_percent.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.trim_end_matches('%').trim().parse::<u8>() {
                Ok(p) if (1..=99).contains(&p) => warning_percent.push(p),
                _ => e.fail(
                    "warning_percent",
                    "give percentages between 1 and 99 separated by commas, such as 75, 90",
                ),
            }
        }
        let pause_on = PendingReason::ALL
            .iter()
            .filter(|r| !self.value(&format!("pause_{}", r.as_str())).is_empty())
            .copied()
            .collect();
        if calendar.is_none() && e.of("calendar").is_none() {
            e.fail("calendar", "choose the calendar the targets count in");
        }
        if valid_from.is_none() && e.of("valid_from").is_none() {
            e.fail("valid_from", "give the first day the agreement applies");
        }
        if kind.is_none() && e.of("kind").is_none() {
            e.fail("kind", "choose with whom the agreement is made");
        }
        if e.any() {
            return None;
        }
        Some(Read {
            kind: kind?,
            organisation,
            team,
            supplier,
            calendar: calendar?,
            owner,
            valid_from: valid_from?,
            valid_to,
            review_date,
            targets,
            pause_on,
            warning_percent,
        })
    }
}

#[derive(Template)]
#[template(path = "agreement/form.html")]
struct AgreementPage {
    chrome: Chrome,
    editing: Option<String>,
    action: String,
    kinds: Vec<Choice>,
    rows: Vec<TargetRow>,
    pauses: Vec<PauseChoice>,
    calendars: Vec<Choice>,
    organisations: Vec<Choice>,
    options: Options,
    /// Targets for one service, which this form keeps as they are.
    kept_targets: usize,
    form: AgreementForm,
    errors: FormErrors,
}

/// The records of a small table as choices, labelled by `label`.
async fn choices<T: steward_store::Table>(ctx: &Ctx, label: impl Fn(&T) -> String) -> Result<Vec<Choice>, ApiError> {
    Ok(super::ticket::all::<T>(ctx, vec![])
        .await?
        .iter()
        .map(|r| Choice {
            value: format!("{}-{}", T::KIND.prefix(), r.id()),
            label: label(r),
        })
        .collect())
}

async fn show(
    viewer: &Viewer,
    editing: Option<(String, usize)>,
    form: AgreementForm,
    errors: FormErrors,
) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    let op = if editing.is_some() {
        Operation::Update
    } else {
        Operation::Create
    };
    authorize(&ctx.actor, RecordKind::Agreement, op)?;
    let status = errors.status();
    let (editing, kept_targets) = match editing {
        Some((r, kept)) => (Some(r), kept),
        None => (None, 0),
    };
    let page = AgreementPage {
        chrome: viewer.chrome("admin"),
        action: match &editing {
            Some(r) => format!("/agreements/{r}/edit"),
            None => "/agreements/new".into(),
        },
        editing,
        kinds: [
            ("sla", "service level agreement, with a customer"),
            ("ola", "operational level agreement, with a team"),
            ("uc", "underpinning contract, with a supplier"),
        ]
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.into(),
            label: label.into(),
        })
        .collect(),
        rows: form.rows(),
        pauses: form.pauses(),
        calendars: choices::<Calendar>(ctx, |c| format!("{} ({})", c.name, c.time_zone)).await?,
        organisations: choices::<Organisation>(ctx, |o| o.name.clone()).await?,
        options: Options::load(ctx).await?,
        kept_targets,
        form,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn new_agreement_page(viewer: Viewer) -> UiResult<Response> {
    let mut more = HashMap::new();
    for (p, r, s) in [("P1", "30m", "4h"), ("P2", "1h", "8h"), ("P3", "4h", "24h")] {
        more.insert(format!("{p}_response"), r.to_string());
        more.insert(format!("{p}_resolution"), s.to_string());
    }
    for r in [PendingReason::WaitingForCustomer, PendingReason::WaitingForSupplier] {
        more.insert(format!("pause_{}", r.as_str()), "yes".into());
    }
    let form = AgreementForm {
        kind: "sla".into(),
        valid_from: viewer.ctx.now.date_naive().to_string(),
        warning_percent: "75".into(),
        more,
        ..AgreementForm::default()
    };
    show(&viewer, None, form, FormErrors::default()).await
}

pub async fn create_agreement(posted: Posted<AgreementForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let mut e = FormErrors::default();
    let Some(read) = form.read(&mut e) else {
        return show(&viewer, None, form, e).await;
    };
    let input = NewAgreement {
        name: form.name.clone(),
        kind: read.kind,
        description: text(&form.description),
        organisation: read.organisation,
        team: read.team,
        supplier: read.supplier,
        calendar: read.calendar,
        targets: read.targets,
        pause_on: Some(read.pause_on),
        warning_percent: Some(read.warning_percent),
        actions: vec![],
        resume_on_reopen: None,
        owner: read.owner,
        valid_from: read.valid_from,
        valid_to: read.valid_to,
        review_date: read.review_date,
    };
    let outcome = async {
        let agreement = Agreement::create(input, viewer.ctx.now)?;
        let (_, axum::Json(saved)) = create(&viewer.ctx, agreement).await?;
        Ok::<_, ApiError>(saved)
    }
    .await;
    match outcome {
        Ok(saved) => Ok(see_other(&record_href(RecordKind::Agreement, saved.id.0))),
        Err(ApiError::Domain(Error::Invalid(fields))) => show(&viewer, None, form, FormErrors(fields)).await,
        Err(other) => Err(other.into()),
    }
}

pub async fn edit_agreement_page(viewer: Viewer, Path(reference): Path<String>) -> UiResult<Response> {
    let agreement: Agreement = read_one(&viewer.ctx, &reference).await?;
    let kept = agreement.targets.iter().filter(|t| t.service.is_some()).count();
    let form = AgreementForm::of(&agreement);
    show(
        &viewer,
        Some((agreement.id.to_string(), kept)),
        form,
        FormErrors::default(),
    )
    .await
}

pub async fn update_agreement(uri: Uri, posted: Posted<AgreementForm>) -> UiResult<Response> {
    let (_, reference) = super::posted_to(uri.path(), &[RecordKind::Agreement])?;
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let current: Agreement = read_one(ctx, &reference).await?;
    let kept: Vec<Target> = current.targets.into_iter().filter(|t| t.service.is_some()).collect();
    let editing = Some((reference.clone(), kept.len()));
    let mut e = FormErrors::default();
    let Some(read) = form.read(&mut e) else {
        return show(&viewer, editing, form, e).await;
    };
    let mut targets = read.targets;
    targets.extend(kept);
    let patch = AgreementPatch {
        name: Some(form.name.clone()),
        description: Some(form.description.trim().to_string()),
        organisation: Some(read.organisation),
        team: Some(read.team),
        supplier: Some(read.supplier),
        calendar: Some(read.calendar),
        targets: Some(targets),
        pause_on: Some(read.pause_on),
        warning_percent: Some(read.warning_percent),
        owner: Some(read.owner),
        valid_from: Some(read.valid_from),
        valid_to: Some(read.valid_to),
        review_date: Some(read.review_date),
        ..AgreementPatch::default()
    };
    if read.kind != current.kind {
        e.fail("kind", "an agreement keeps its kind; add a new agreement instead");
        return show(&viewer, editing, form, e).await;
    }
    match modify(ctx, &reference, HistoryAction::Update, |a: &mut Agreement| {
        a.apply_patch(patch)
    })
    .await
    {
        Ok(_) => Ok(see_other(uri.path().trim_end_matches("/edit"))),
        Err(ApiError::Domain(Error::Invalid(fields))) => show(&viewer, editing, form, FormErrors(fields)).await,
        Err(other) => Err(other.into()),
    }
}
