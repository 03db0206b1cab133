//! The information security page (`/security`, 8.7.3): the security incidents raised month by
//! month over the last six months (counts only, so everyone who may read controls may see it),
//! the policy in force, the security risks with the controls in operation against them, and every
//! control with its effectiveness and review; and, for whoever may write controls, the forms to
//! add a control, put it in operation, link it to the risk it treats and review it.

use askama::Template;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::history::HistoryAction;
use steward_core::id::{RiskId, SecurityControlId};
use steward_core::record::RecordKind;
use steward_core::security_control::{
    ControlKind, ControlReview, Effectiveness, NewSecurityControl, SecurityControl, SecurityControlStatus,
    SecurityControlTransition,
};

use super::form::{FormErrors, date, required, required_date, required_named, text, written_or_redisplay};
use super::session::Posted;
use super::ticket::Choice;
use super::{Chrome, UiResult, Viewer, record_href, render};
use crate::api::{create, modify};
use crate::error::ApiError;

/// How many months of security incidents the page shows, this one included.
const MONTHS: u32 = 6;

#[derive(Deserialize, Default)]
pub struct ControlForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    catalogue_reference: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    next_review: String,
}

#[derive(Deserialize, Default)]
pub struct ImplementForm {
    #[serde(default)]
    control: String,
}

#[derive(Deserialize, Default)]
pub struct TreatForm {
    #[serde(default)]
    control: String,
    #[serde(default)]
    risk: String,
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    control: String,
    #[serde(default)]
    effectiveness: String,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    next_review: String,
}

#[derive(Default)]
struct Typed {
    control: ControlForm,
    implement: ImplementForm,
    treat: TreatForm,
    review: ReviewForm,
}

struct Month {
    month: String,
    raised: u64,
    urgent: u64,
    resolved: u64,
    mean_hours: String,
}

struct RiskRow {
    href: String,
    title: String,
    rating: u8,
    status: String,
    treatment: String,
    controls: u64,
}

struct ControlRow {
    href: String,
    title: String,
    kind: String,
    status: String,
    effectiveness: String,
    weak: bool,
    reviewed: String,
    next_review: String,
    review_due: bool,
    risks: String,
}

#[derive(Template)]
#[template(path = "security/index.html")]
struct SecurityPage {
    chrome: Chrome,
    months: Vec<Month>,
    open_incidents: u64,
    policy: Option<(String, String)>,
    risks: Vec<RiskRow>,
    controls: Vec<ControlRow>,
    may_write: bool,
    kinds: Vec<Choice>,
    verdicts: Vec<Choice>,
    planned: Vec<Choice>,
    implemented: Vec<Choice>,
    all_controls: Vec<Choice>,
    risk_choices: Vec<Choice>,
    control_form: ControlForm,
    implement_form: ImplementForm,
    treat_form: TreatForm,
    review_form: ReviewForm,
    errors: FormErrors,
}

fn words(s: &str) -> String {
    s.replace('_', " ")
}

async fn show(viewer: &Viewer, typed: Typed, errors: FormErrors) -> UiResult<Response> {
    use chrono::Datelike;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::SecurityControl, Operation::Read)?;
    let today = ctx.now.date_naive();
    let this_month = today.with_day(1).unwrap_or(today);
    let from = this_month
        .checked_sub_months(chrono::Months::new(MONTHS - 1))
        .unwrap_or(this_month);
    let to = today + chrono::Duration::days(1);
    let midnight = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let report = ctx
        .state
        .store
        .security_report(midnight(from), midnight(to), today)
        .await?;
    let choices = |status: Option<SecurityControlStatus>| -> Vec<Choice> {
        report
            .controls
            .iter()
            .filter(|s| status.is_none_or(|st| s.control.status == st))
            .map(|s| {
                Choice::new(
                    s.control.id.to_string(),
                    format!("{} {}", s.control.id, s.control.title),
                )
            })
            .collect()
    };
    let page = SecurityPage {
        chrome: viewer.chrome("dashboard"),
        months: report
            .months
            .iter()
            .map(|m| Month {
                month: m.month.clone(),
                raised: m.raised,
                urgent: m.urgent,
                resolved: m.resolved,
                mean_hours: m
                    .mean_hours_to_resolve
                    .map(|h| format!("{h:.1}"))
                    .unwrap_or_else(|| "—".into()),
            })
            .collect(),
        open_incidents: report.open_incidents,
        policy: report
            .policy
            .as_ref()
            .and_then(|p| RecordKind::parse_reference(p).map(|(k, id)| (p.clone(), record_href(k, id)))),
        risks: report
            .risks
            .iter()
            .map(|r| RiskRow {
                href: RecordKind::parse_reference(&r.risk)
                    .map(|(k, id)| record_href(k, id))
                    .unwrap_or_default(),
                title: format!("{} {}", r.risk, r.title),
                rating: r.rating,
                status: words(&r.status),
                treatment: r.treatment.clone().unwrap_or_else(|| "none chosen".into()),
                controls: r.controls_in_operation,
            })
            .collect(),
        controls: report
            .controls
            .iter()
            .map(|s| {
                let c = &s.control;
                ControlRow {
                    href: record_href(RecordKind::SecurityControl, c.id.0),
                    title: format!("{} {}", c.id, c.title),
                    kind: c.kind.to_string(),
                    status: c.status.to_string(),
                    effectiveness: c
                        .effectiveness
                        .map(|e| words(e.as_str()))
                        .unwrap_or_else(|| "not reviewed".into()),
                    weak: c.effectiveness.is_some_and(|e| e != Effectiveness::Effective),
                    reviewed: c.reviewed_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                    next_review: c.next_review.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                    review_due: s.review_due,
                    risks: if s.risks.is_empty() {
                        "—".into()
                    } else {
                        s.risks.join(", ")
                    },
                }
            })
            .collect(),
        may_write: authorize(&ctx.actor, RecordKind::SecurityControl, Operation::Create).is_ok(),
        kinds: ControlKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), k.as_str()))
            .collect(),
        verdicts: Effectiveness::ALL
            .iter()
            .map(|e| Choice::new(e.as_str(), words(e.as_str())))
            .collect(),
        planned: choices(Some(SecurityControlStatus::Planned)),
        implemented: choices(Some(SecurityControlStatus::Implemented)),
        all_controls: choices(None),
        risk_choices: report
            .risks
            .iter()
            .map(|r| Choice::new(r.risk.clone(), format!("{} {}", r.risk, r.title)))
            .collect(),
        control_form: typed.control,
        implement_form: typed.implement,
        treat_form: typed.treat,
        review_form: typed.review,
        errors,
    };
    Ok((page.errors.status(), render(&page)).into_response())
}

pub async fn security_page(viewer: Viewer) -> UiResult<Response> {
    show(&viewer, Typed::default(), FormErrors::default()).await
}

async fn outcome(viewer: &Viewer, typed: Typed, written: Result<String, ApiError>) -> UiResult<Response> {
    written_or_redisplay(written, |errors| show(viewer, typed, errors)).await
}

/// The forms naming a control: a message about it is said beside the form's own select.
fn on_form(written: Result<String, ApiError>, form: &str) -> Result<String, ApiError> {
    super::form::beside(written, form, &["control", "status"], "control")
}

/// Adds a planned control owned by whoever adds it, then shows it.
pub async fn add_control(posted: Posted<ControlForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::SecurityControl, Operation::Create)?;
    let mut e = FormErrors::default();
    let kind: Option<ControlKind> = required_named(&mut e, "kind", &form.kind, "choose what the control does");
    let next_review = date(&mut e, "next_review", &form.next_review);
    let written = async {
        let (Some(kind), false) = (kind, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let c = SecurityControl::create(
            NewSecurityControl {
                title: form.title.clone(),
                description: text(&form.description),
                catalogue_reference: text(&form.catalogue_reference),
                kind,
                service: None,
                owner: None,
                next_review,
            },
            ctx.actor.user,
            ctx.now,
        )?;
        let (_, axum::Json(saved)) = create(ctx, c).await?;
        Ok(record_href(RecordKind::SecurityControl, saved.id.0))
    }
    .await;
    let typed = Typed {
        control: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, written).await
}

/// Puts a planned control in operation, then shows it.
pub async fn implement_control(posted: Posted<ImplementForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::SecurityControl, Operation::Update)?;
    let mut e = FormErrors::default();
    let control: Option<SecurityControlId> = required(
        &mut e,
        "control",
        &form.control,
        RecordKind::SecurityControl,
        "choose the control now in operation",
    );
    let written = async {
        let (Some(control), false) = (control, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        let saved = modify(
            ctx,
            &control.to_string(),
            HistoryAction::Transition,
            |c: &mut SecurityControl| {
                c.transition(SecurityControlTransition {
                    to: "implemented".into(),
                })
            },
        )
        .await?;
        Ok(record_href(RecordKind::SecurityControl, saved.0.id.0))
    }
    .await;
    let typed = Typed {
        implement: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, on_form(written, "implement")).await
}

/// Links a control to the security risk it treats, then shows the control.
pub async fn treat_risk(posted: Posted<TreatForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::SecurityControl, Operation::Update)?;
    let mut e = FormErrors::default();
    let control: Option<SecurityControlId> = required(
        &mut e,
        "control",
        &form.control,
        RecordKind::SecurityControl,
        "choose the control",
    );
    let risk: Option<RiskId> = required(
        &mut e,
        "risk",
        &form.risk,
        RecordKind::Risk,
        "choose the risk it treats",
    );
    let written = async {
        let (Some(control), Some(risk), false) = (control, risk, e.any()) else {
            return Err(Error::Invalid(e.0).into());
        };
        crate::api::link::link_as(
            ctx,
            (
                steward_core::link::Endpoint {
                    kind: RecordKind::SecurityControl,
                    id: control.0,
                },
                "control",
            ),
            (
                steward_core::link::Endpoint {
                    kind: RecordKind::Risk,
                    id: risk.0,
                },
                "risk",
            ),
        )
        .await
        .map_err(|err| match err {
            ApiError::Domain(Error::Conflict(_)) => {
                Error::invalid("risk", format!("{control} already treats {risk}")).into()
            }
            other => other,
        })?;
        Ok(record_href(RecordKind::SecurityControl, control.0))
    }
    .await;
    let typed = Typed {
        treat: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, on_form(written, "treat")).await
}

/// Records an effectiveness review held today, then shows the control.
pub async fn review_control(posted: Posted<ReviewForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize(&ctx.actor, RecordKind::SecurityControl, Operation::Update)?;
    let mut e = FormErrors::default();
    let control: Option<SecurityControlId> = required(
        &mut e,
        "control",
        &form.control,
        RecordKind::SecurityControl,
        "choose the control reviewed",
    );
    let verdict: Option<Effectiveness> = required_named(
        &mut e,
        "effectiveness",
        &form.effectiveness,
        "say what the review found the control to be",
    );
    let next_review = required_date(&mut e, "next_review", &form.next_review, "say when it is next reviewed");
    let written = async {
        let (Some(control), Some(effectiveness), Some(next_review), false) = (control, verdict, next_review, e.any())
        else {
            return Err(Error::Invalid(e.0).into());
        };
        let review = ControlReview {
            held_on: None,
            effectiveness,
            findings: form.findings.clone(),
            next_review,
        };
        let saved = crate::api::security_control::review_control(ctx, &control.to_string(), review).await?;
        Ok(record_href(RecordKind::SecurityControl, saved.0.id.0))
    }
    .await;
    let typed = Typed {
        review: form,
        ..Typed::default()
    };
    outcome(&viewer, typed, on_form(written, "review")).await
}
