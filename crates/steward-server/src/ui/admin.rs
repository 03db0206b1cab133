//! Administration: the people and their roles, teams, services, organisations, calendars and
//! agreements, listed with links to their pages, and the forms to add people, teams and
//! services and to change a person's role or switch them off. Who may do what is the access
//! table's rule (only an administrator manages people; a manager manages teams and services);
//! the auditor sees the lists and no form.

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_core::Error;
use steward_core::access::{Operation, authorize};
use steward_core::agreement::Agreement;
use steward_core::calendar::Calendar;
use steward_core::history::HistoryAction;
use steward_core::id::OrganisationId;
use steward_core::organisation::Organisation;
use steward_core::record::RecordKind;
use steward_core::service::{NewService, Service, ServiceStatus};
use steward_core::team::{NewTeam, Team};
use steward_core::user::{NewUser, Role, User, UserPatch};
use steward_store::{ListQuery, Sort, Table};

use super::form::FormErrors;
use super::session::Posted;
use super::ticket::Choice;
use super::{Chrome, UiResult, Viewer, record_href, render, see_other, urlencode};
use crate::api::{create, list_all, modify};
use crate::auth::Ctx;
use crate::error::ApiError;

const PEOPLE_PAGE: u32 = 100;

pub struct Entry {
    pub reference: String,
    pub href: String,
    pub name: String,
    pub detail: String,
}

#[derive(Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct AdminPage {
    chrome: Chrome,
    people: Vec<Entry>,
    people_next: Option<String>,
    teams: Vec<Entry>,
    services: Vec<Entry>,
    organisations: Vec<Entry>,
    calendars: Vec<Entry>,
    agreements: Vec<Entry>,
    roles: Vec<Choice>,
    organisation_choices: Vec<Choice>,
    may_manage_people: bool,
    may_manage_teams: bool,
    may_manage_services: bool,
    may_manage_calendars: bool,
    may_manage_agreements: bool,
    may_administer_mail: bool,
    form: NewUserForm,
    errors: FormErrors,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct AdminParams {
    #[serde(default)]
    people: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

async fn entries<T: Table>(
    ctx: &Ctx,
    cursor: Option<String>,
    limit: u32,
    show: impl Fn(&T) -> (String, String),
) -> Result<(Vec<Entry>, Option<String>), ApiError> {
    let q = ListQuery {
        sort: Sort {
            column: "created_at",
            descending: false,
        },
        cursor,
        limit,
        ..ListQuery::default()
    };
    let page = list_all::<T>(ctx, q).await?.0;
    let list = page
        .items
        .iter()
        .map(|r| {
            let (name, detail) = show(r);
            Entry {
                reference: format!("{}-{}", T::KIND.prefix(), r.id()),
                href: record_href(T::KIND, r.id()),
                name,
                detail,
            }
        })
        .collect();
    Ok((list, page.next_cursor))
}

fn may(ctx: &Ctx, kind: RecordKind) -> bool {
    authorize(&ctx.actor, kind, Operation::Create).is_ok()
}

async fn admin_page(viewer: &Viewer, params: AdminParams, form: NewUserForm, errors: FormErrors) -> UiResult<Response> {
    let ctx = &viewer.ctx;
    if ctx.actor.role == Role::Requester {
        return Err(Error::Forbidden("administration is for the service provider's people".into()).into());
    }
    let (people, people_next) = entries::<User>(ctx, params.people.clone(), PEOPLE_PAGE, |u| {
        let state = if u.active { "" } else { ", switched off" };
        let cleared = if u.security_cleared {
            ", cleared for security incidents"
        } else {
            ""
        };
        (
            format!("{} <{}>", u.name, u.email),
            format!("{}{state}{cleared}", u.role),
        )
    })
    .await?;
    let (teams, _) = entries::<Team>(ctx, None, 500, |t| (t.name.clone(), String::new())).await?;
    let (services, _) = entries::<Service>(ctx, None, 500, |s| (s.name.clone(), s.status.to_string())).await?;
    let (organisations, _) = entries::<Organisation>(ctx, None, 500, |o| (o.name.clone(), String::new())).await?;
    let (calendars, _) = entries::<Calendar>(ctx, None, 500, |c| {
        let hours = if c.always_open {
            "24x7".to_string()
        } else {
            "business hours".to_string()
        };
        (c.name.clone(), format!("{}, {hours}", c.time_zone))
    })
    .await?;
    let (agreements, _) = entries::<Agreement>(ctx, None, 500, |a| {
        (a.name.clone(), format!("{}, {} targets", a.kind, a.targets.len()))
    })
    .await?;
    let organisation_choices = organisations
        .iter()
        .map(|o| Choice {
            value: o.reference.clone(),
            label: o.name.clone(),
        })
        .collect();
    let status = errors.status();
    let page = AdminPage {
        chrome: viewer.chrome("admin"),
        people_next: people_next.map(|c| format!("/admin?people={}", urlencode(&c))),
        people,
        teams,
        services,
        organisations,
        calendars,
        agreements,
        roles: Role::ALL
            .iter()
            .map(|r| Choice {
                value: r.to_string(),
                label: r.to_string(),
            })
            .collect(),
        organisation_choices,
        may_manage_people: may(ctx, RecordKind::User),
        may_manage_teams: may(ctx, RecordKind::Team),
        may_manage_services: may(ctx, RecordKind::Service),
        may_manage_calendars: may(ctx, RecordKind::Calendar),
        may_manage_agreements: may(ctx, RecordKind::Agreement),
        may_administer_mail: steward_core::access::authorize_mail_administration(&ctx.actor).is_ok(),
        form,
        errors,
        message: params.done.map(|d| match d.as_str() {
            "user" => "The person was added.".to_string(),
            "role" => "The person was changed.".to_string(),
            "team" => "The team was added.".to_string(),
            _ => "The service was added.".to_string(),
        }),
    };
    Ok((status, render(&page)).into_response())
}

pub async fn admin(viewer: Viewer, Query(p): Query<AdminParams>) -> UiResult<Response> {
    admin_page(&viewer, p, NewUserForm::default(), FormErrors::default()).await
}

fn field_errors(e: ApiError) -> Result<FormErrors, ApiError> {
    match e {
        ApiError::Domain(Error::Invalid(fields)) => Ok(FormErrors(fields)),
        other => Err(other),
    }
}

pub async fn add_user(posted: Posted<NewUserForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let outcome = async {
        authorize(&ctx.actor, RecordKind::User, Operation::Create)?;
        let role = Role::parse(&form.role).ok_or_else(|| Error::invalid("role", "choose one of the listed roles"))?;
        let organisation = match form.organisation.trim() {
            "" => None,
            o => Some(
                o.parse::<OrganisationId>()
                    .map_err(|_| Error::invalid("organisation", "must be an organisation reference such as ORG-1"))?,
            ),
        };
        let input = NewUser {
            email: form.email.clone(),
            name: Some(form.name.clone()).filter(|n| !n.trim().is_empty()),
            role,
            organisation,
            password: Some(form.password.clone()).filter(|p| !p.is_empty()),
            security_cleared: None,
        };
        let user = User::create(&input, ctx.now)?;
        let hash = input.password.as_deref().map(crate::auth::hash_password).transpose()?;
        ctx.state.store.create_user(user, hash, Some(ctx.actor.user)).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(see_other("/admin?done=user")),
        Err(e) => {
            let errors = field_errors(e)?;
            let form = NewUserForm {
                password: String::new(),
                ..form
            };
            admin_page(&viewer, AdminParams::default(), form, errors).await
        }
    }
}

#[derive(Deserialize)]
pub struct ChangeUserForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    active: String,
    #[serde(default)]
    security_cleared: String,
}

/// Changes a person's role or switches them off (which ends their tokens; their web sessions
/// stop at the next page, since every page checks the person is active).
pub async fn change_user(posted: Posted<ChangeUserForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let mut errors = FormErrors::default();
    let role = match form.role.as_str() {
        "" => None,
        r => Role::parse(r).or_else(|| {
            errors
                .0
                .push(steward_core::FieldError::new("role", "choose one of the listed roles"));
            None
        }),
    };
    let mut yes_no = |field: &str, value: &str| match value {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.0.push(steward_core::FieldError::new(field, "must be yes or no"));
            None
        }
    };
    let active = yes_no("active", &form.active);
    let security_cleared = yes_no("security_cleared", &form.security_cleared);
    if errors.any() {
        return admin_page(&viewer, AdminParams::default(), NewUserForm::default(), errors).await;
    }
    let patch = UserPatch {
        role,
        active,
        security_cleared,
        ..UserPatch::default()
    };
    let saved = modify(ctx, form.user.trim(), HistoryAction::Update, |u: &mut User| {
        u.apply_patch(patch)
    })
    .await?;
    if active == Some(false) {
        ctx.state.store.revoke_tokens(saved.0.id, ctx.now).await?;
    }
    Ok(see_other("/admin?done=role"))
}

#[derive(Deserialize)]
pub struct NewTeamForm {
    #[serde(default)]
    name: String,
}

pub async fn add_team(posted: Posted<NewTeamForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let team = Team::create(
        NewTeam {
            name: form.name,
            description: None,
        },
        ctx.now,
    );
    created(&viewer, team, "team").await
}

/// Writes a record built from one of the page's small forms, or shows the page again with the
/// form's field errors.
async fn created<T: Table>(viewer: &Viewer, built: Result<T, Error>, done: &str) -> UiResult<Response> {
    match built {
        Ok(r) => {
            create(&viewer.ctx, r).await.map(drop)?;
            Ok(see_other(&format!("/admin?done={done}")))
        }
        Err(Error::Invalid(fields)) => {
            admin_page(
                viewer,
                AdminParams::default(),
                NewUserForm::default(),
                FormErrors(fields),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct NewServiceForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

pub async fn add_service(posted: Posted<NewServiceForm>) -> UiResult<Response> {
    let Posted { viewer, form } = posted;
    let ctx = &viewer.ctx;
    let service = Service::create(
        NewService {
            code: form.code,
            name: form.name,
            description: Some(form.description).filter(|d| !d.trim().is_empty()),
            status: Some(ServiceStatus::Pipeline),
            criticality: None,
            owner: None,
            team: None,
            availability_target: None,
        },
        ctx.now,
    );
    created(&viewer, service, "service").await
}
