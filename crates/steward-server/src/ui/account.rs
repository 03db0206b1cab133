//! The signed-in person's own account: who they are, and their API tokens — each with its name,
//! when it was made and expires and whether it still works — with a form to make a new one
//! (shown once, on the page that answers the form) and a button to revoke each. The rules are
//! the API's own (`api::token`). It also holds how the person is told of each event: in the app
//! or not, and by email at once, in the daily digest, or not at all.

use askama::Template;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::notification::{EmailDelivery, Event, Preference};
use steward_core::token::{ApiToken, check_token};

use super::form::{FormErrors, parsed};
use super::session::Posted;
use super::{Chrome, UiResult, Viewer, render, see_other, when};
use crate::api::token::{issue, revoke, tokens_of};

pub struct TokenLine {
    pub reference: String,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub state: String,
    pub active: bool,
}

impl TokenLine {
    fn of(t: ApiToken) -> TokenLine {
        TokenLine {
            reference: t.id.to_string(),
            name: t.name,
            created: when(t.created_at),
            expires: t.expires_at.map(when).unwrap_or_else(|| "never".into()),
            active: t.state == steward_core::token::TokenState::Active,
            state: t.state.to_string(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_in_days: String,
}

/// One event's line of the notification preferences form.
pub struct PreferenceLine {
    pub event: String,
    pub describe: String,
    pub in_app: bool,
    /// (value, label, chosen) for the email choices.
    pub email: Vec<(String, String, bool)>,
}

impl PreferenceLine {
    fn of(p: &Preference) -> PreferenceLine {
        let label = |d: EmailDelivery| match d {
            EmailDelivery::Off => "Not by email",
            EmailDelivery::Immediate => "Email at once",
            EmailDelivery::Digest => "In the daily digest",
        };
        PreferenceLine {
            event: p.event.to_string(),
            describe: p.event.describe().to_string(),
            in_app: p.in_app,
            email: EmailDelivery::ALL
                .iter()
                .map(|d| (d.to_string(), label(*d).to_string(), *d == p.email))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "account/index.html")]
struct AccountPage {
    chrome: Chrome,
    email: String,
    role: String,
    preferences: Vec<PreferenceLine>,
    tokens: Vec<TokenLine>,
    /// A token just made, shown this once.
    new_token: Option<String>,
    form: TokenForm,
    errors: FormErrors,
    message: Option<String>,
}

async fn show(
    viewer: &Viewer,
    new_token: Option<String>,
    form: TokenForm,
    errors: FormErrors,
    message: Option<String>,
) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    let tokens = tokens_of(ctx, None).await?.into_iter().map(TokenLine::of).collect();
    let status = errors.status();
    let preferences = ctx
        .state
        .store
        .notification_preferences(ctx.actor.user)
        .await?
        .iter()
        .map(PreferenceLine::of)
        .collect();
    let page = AccountPage {
        chrome: viewer.chrome("account"),
        email: ctx.user.email.clone(),
        role: ctx.actor.role.to_string(),
        preferences,
        tokens,
        new_token,
        form,
        errors,
        message,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct AccountParams {
    #[serde(default)]
    revoked: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

pub async fn account_page(
    viewer: Viewer,
    axum::extract::Query(p): axum::extract::Query<AccountParams>,
) -> UiResult<Response> {
    let message = match (p.revoked, p.saved) {
        (Some(r), _) => Some(format!("{} was revoked.", r.chars().take(20).collect::<String>())),
        (None, Some(_)) => Some("Your notification preferences are saved.".to_string()),
        _ => None,
    };
    show(&viewer, None, TokenForm::default(), FormErrors::default(), message).await
}

/// Makes a token for the person signed in and shows it once.
pub async fn create_token(posted: Posted<TokenForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let mut e = FormErrors::default();
    let days = match form.expires_in_days.trim() {
        "" => None,
        d => match d.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                e.fail("expires_in_days", "must be a number of days between 1 and 365");
                None
            }
        },
    };
    let checked = parsed(&mut e, check_token(&form.name, days, ctx.now));
    let Some((name, expires_at)) = checked.filter(|_| !e.any()) else {
        return show(&viewer, None, form, e, None).await;
    };
    let (token, _) = issue(&ctx.state, ctx.actor.user, name, expires_at, ctx.now).await?;
    show(&viewer, Some(token), TokenForm::default(), FormErrors::default(), None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct RevokeForm {}

pub async fn revoke_token(uri: Uri, posted: Posted<RevokeForm>) -> UiResult<Response> {
    let reference = uri
        .path()
        .trim_start_matches("/account/tokens/")
        .trim_end_matches("/revoke")
        .to_string();
    let revoked = revoke(&posted.viewer.ctx, &reference).await?;
    Ok(see_other(&format!("/account?revoked={}", revoked.id)))
}

/// Saves how the person is told of every event, from the preferences form: `in_app_<event>` is
/// present when ticked, `email_<event>` names the email choice.
pub async fn save_preferences(posted: Posted<Vec<(String, String)>>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let mut e = FormErrors::default();
    let mut chosen = Vec::with_capacity(Event::ALL.len());
    for event in Event::ALL {
        let in_app = form.iter().any(|(k, _)| *k == format!("in_app_{event}"));
        let field = format!("email_{event}");
        let email = match form.iter().find(|(k, _)| *k == field) {
            Some((_, v)) => match EmailDelivery::parse(v) {
                Some(d) => d,
                None => {
                    e.fail(&field, "must be off, immediate or digest");
                    continue;
                }
            },
            None => event.default_preference().email,
        };
        chosen.push(Preference {
            event: *event,
            in_app,
            email,
            chosen: true,
        });
    }
    if e.any() {
        return show(&viewer, None, TokenForm::default(), e, None).await;
    }
    ctx.state
        .store
        .set_notification_preferences(ctx.actor.user, &chosen, ctx.now)
        .await?;
    Ok(see_other("/account?saved=1#h-notifications"))
}
