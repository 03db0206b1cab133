//! The administrator's email page (`/admin/mail`): messages held for review (read as they came,
//! placed again once the user or rule they lacked exists, or discarded), the latest arrivals and
//! what became of them, the mail rules, the dead letters of the outbox, and the templates of
//! Steward's own email. The same store calls and checks as `/api/v1/mail/*`; administrators only.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::authorize_mail_administration;
use steward_core::id::{CatalogueItemId, OrganisationId, ServiceId, TeamId};
use steward_core::inbound::{InboundMail, InboundState, MailRule, NewMailRule, Opens, UnknownSender};
use steward_core::mail::{MailState, OutboxMessage};
use steward_core::notification::{Template as MailTemplate, TemplateInput, TemplateName};

use super::form::FormErrors;
use super::session::Posted;
use super::ticket::Choice;
use super::{Chrome, UiResult, Viewer, href_of_reference, render, see_other};
use crate::api::inbound::id_of;
use crate::error::ApiError;

#[derive(Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    matches: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    opens: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    catalogue_item: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    unknown_sender: String,
}

/// The empty form: a rule for an address, opening incidents, holding unknown senders' mail.
impl Default for RuleForm {
    fn default() -> Self {
        RuleForm {
            matches: "recipient".into(),
            value: String::new(),
            opens: Opens::Incident.to_string(),
            service: String::new(),
            catalogue_item: String::new(),
            team: String::new(),
            organisation: String::new(),
            unknown_sender: UnknownSender::Hold.to_string(),
        }
    }
}

/// A template as its form shows it: what is kept, or what was typed when a save was refused.
struct TemplateRow {
    name: String,
    subject: String,
    body: String,
    placeholders: String,
    customised: bool,
    subject_error: Option<String>,
    body_error: Option<String>,
}

/// A received message as the page lists it.
struct Arrival {
    mail: InboundMail,
    record_href: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/mail.html")]
struct MailPage {
    chrome: Chrome,
    held: Vec<Arrival>,
    latest: Vec<Arrival>,
    rules: Vec<MailRule>,
    dead: Vec<OutboxMessage>,
    templates: Vec<TemplateRow>,
    opens: Vec<Choice>,
    unknown_senders: Vec<Choice>,
    form: RuleForm,
    errors: FormErrors,
    /// The template a failed save was for, with what was typed.
    template_form: Option<(String, String, String)>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct MailParams {
    #[serde(default)]
    done: Option<String>,
}

fn arrivals(items: Vec<InboundMail>) -> Vec<Arrival> {
    items
        .into_iter()
        .map(|mail| Arrival {
            record_href: mail.record.as_deref().and_then(href_of_reference),
            mail,
        })
        .collect()
}

async fn show(
    viewer: &Viewer,
    message: Option<String>,
    form: RuleForm,
    errors: FormErrors,
    template_form: Option<(String, String, String)>,
) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    authorize_mail_administration(&ctx.actor)?;
    let store = &ctx.state.store;
    let held = arrivals(store.inbound_mail(Some(InboundState::Held), None, 100).await?.items);
    let latest = arrivals(store.inbound_mail(None, None, 25).await?.items);
    let rules = store.mail_rules().await?;
    let dead = store.outbox(MailState::Dead, None, 50).await?.items;
    let templates = store
        .notification_templates()
        .await?
        .into_iter()
        .map(|t: MailTemplate| {
            let refused = template_form.as_ref().filter(|(n, _, _)| *n == t.name.as_str());
            let of = |field: &str| refused.and_then(|_| errors.of(field)).map(str::to_string);
            TemplateRow {
                name: t.name.to_string(),
                subject: refused.map_or(t.subject.clone(), |(_, s, _)| s.clone()),
                body: refused.map_or(t.body.clone(), |(_, _, b)| b.clone()),
                placeholders: t
                    .placeholders
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                customised: t.customised,
                subject_error: of("subject"),
                body_error: of("body"),
            }
        })
        .collect();
    let status = errors.status();
    let page = MailPage {
        chrome: viewer.chrome("admin"),
        held,
        latest,
        rules,
        dead,
        templates,
        opens: Opens::ALL
            .iter()
            .map(|o| Choice {
                value: o.to_string(),
                label: format!("opens an {o}").replace("an request", "a request"),
            })
            .collect(),
        unknown_senders: UnknownSender::ALL
            .iter()
            .map(|u| Choice {
                value: u.to_string(),
                label: match u {
                    UnknownSender::Create => "make them a requester of the organisation".into(),
                    UnknownSender::Reject => "refuse, with a reply saying so".into(),
                    UnknownSender::Hold => "hold the message for review".into(),
                },
            })
            .collect(),
        form,
        errors,
        template_form,
        message,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn mail_page(viewer: Viewer, Query(p): Query<MailParams>) -> UiResult<Response> {
    let message = p.done.map(|d| {
        match d.as_str() {
            "reconsidered" => "The message is back in line; it is placed within a few seconds.",
            "discarded" => "The message was discarded (it stays kept).",
            "rule" => "The rule was added.",
            "rule-deleted" => "The rule was removed.",
            "retried" => "The message will be sent again.",
            "template" => "The template was saved.",
            _ => "Steward's own words are back in the template.",
        }
        .to_string()
    });
    show(&viewer, message, RuleForm::default(), FormErrors::default(), None).await
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn reconsider(Path(id): Path<String>, posted: Posted<Empty>) -> UiResult<Response> {
    let ctx = &posted.viewer.ctx;
    authorize_mail_administration(&ctx.actor)?;
    ctx.state.store.reconsider_mail(id_of("inbound mail", &id)?).await?;
    Ok(see_other("/admin/mail?done=reconsidered"))
}

pub async fn discard(Path(id): Path<String>, posted: Posted<Empty>) -> UiResult<Response> {
    let ctx = &posted.viewer.ctx;
    authorize_mail_administration(&ctx.actor)?;
    ctx.state
        .store
        .discard_mail(id_of("inbound mail", &id)?, ctx.now)
        .await?;
    Ok(see_other("/admin/mail?done=discarded"))
}

/// The message as it came, as a download (never shown in the page).
pub async fn message(viewer: Viewer, Path(id): Path<String>) -> UiResult<Response> {
    authorize_mail_administration(&viewer.ctx.actor)?;
    Ok(crate::api::inbound::message_download(&viewer.ctx, &id).await?)
}

/// A reference typed or chosen in the rule form, or a field error naming it.
fn reference<T: std::str::FromStr>(e: &mut FormErrors, field: &str, value: &str, example: &str) -> Option<T> {
    match value.trim() {
        "" => None,
        v => v
            .parse::<T>()
            .map_err(|_| e.fail(field, format!("must be a reference such as {example}")))
            .ok(),
    }
}

pub async fn add_rule(posted: Posted<RuleForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize_mail_administration(&ctx.actor)?;
    let mut e = FormErrors::default();
    let (recipient, sender_domain) = match form.matches.as_str() {
        "recipient" => (Some(form.value.clone()), None),
        "sender_domain" => (None, Some(form.value.clone())),
        _ => {
            e.fail("matches", "choose whether the rule matches an address or a domain");
            (None, None)
        }
    };
    let opens = match form.opens.as_str() {
        "" => None,
        o => Opens::parse(o).or_else(|| {
            e.fail("opens", "choose incident or request");
            None
        }),
    };
    let unknown_sender = match form.unknown_sender.as_str() {
        "" => None,
        u => UnknownSender::parse(u).or_else(|| {
            e.fail("unknown_sender", "choose one of the listed answers");
            None
        }),
    };
    let input = NewMailRule {
        recipient,
        sender_domain,
        opens,
        service: reference::<ServiceId>(&mut e, "service", &form.service, "SVC-1"),
        catalogue_item: reference::<CatalogueItemId>(&mut e, "catalogue_item", &form.catalogue_item, "CAT-1"),
        team: reference::<TeamId>(&mut e, "team", &form.team, "TEAM-1"),
        organisation: reference::<OrganisationId>(&mut e, "organisation", &form.organisation, "ORG-1"),
        unknown_sender,
    };
    let outcome = async {
        e.finish()?;
        let rule = input.check(ctx.now)?;
        ctx.state.store.add_mail_rule(rule).await?;
        Ok::<(), Error>(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(see_other("/admin/mail?done=rule#h-rules")),
        Err(Error::Invalid(fields)) => show(&viewer, None, form, FormErrors(fields), None).await,
        Err(other) => Err(other.into()),
    }
}

pub async fn delete_rule(Path(id): Path<String>, posted: Posted<Empty>) -> UiResult<Response> {
    let ctx = &posted.viewer.ctx;
    authorize_mail_administration(&ctx.actor)?;
    ctx.state.store.delete_mail_rule(id_of("mail rule", &id)?).await?;
    Ok(see_other("/admin/mail?done=rule-deleted#h-rules"))
}

pub async fn retry(Path(id): Path<String>, posted: Posted<Empty>) -> UiResult<Response> {
    let ctx = &posted.viewer.ctx;
    authorize_mail_administration(&ctx.actor)?;
    ctx.state
        .store
        .retry_mail(id_of("outbox message", &id)?, ctx.now)
        .await?;
    Ok(see_other("/admin/mail?done=retried#h-dead"))
}

#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

fn template_named(name: &str) -> Result<TemplateName, ApiError> {
    TemplateName::parse(name).ok_or_else(|| {
        ApiError::Domain(Error::not_found(
            "notification template",
            name.chars().take(40).collect::<String>(),
        ))
    })
}

pub async fn save_template(Path(name): Path<String>, posted: Posted<TemplateForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    authorize_mail_administration(&ctx.actor)?;
    let which = template_named(&name)?;
    let input = TemplateInput {
        subject: form.subject.clone(),
        body: form.body.clone(),
    };
    match input.check(which) {
        Ok((subject, body)) => {
            ctx.state
                .store
                .set_notification_template(which, &subject, &body, ctx.actor.user, ctx.now)
                .await?;
            Ok(see_other(&format!("/admin/mail?done=template#template-{which}")))
        }
        Err(Error::Invalid(fields)) => {
            let typed = Some((which.to_string(), form.subject, form.body));
            show(&viewer, None, RuleForm::default(), FormErrors(fields), typed).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn reset_template(Path(name): Path<String>, posted: Posted<Empty>) -> UiResult<Response> {
    let ctx = &posted.viewer.ctx;
    authorize_mail_administration(&ctx.actor)?;
    let which = template_named(&name)?;
    ctx.state.store.reset_notification_template(which).await?;
    Ok(see_other(&format!("/admin/mail?done=reset#template-{which}")))
}
