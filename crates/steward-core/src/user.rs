//! Users and their roles. Passwords and tokens are handled by the server; the domain sees only
//! who someone is and what role they hold.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{OrganisationId, UserId};
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX};
use crate::{named_enum, record};

named_enum! {
    /// What a user may do; see `access` for the one table that decides it.
    Role {
        Admin = "admin",
        Manager = "manager",
        Agent = "agent",
        Requester = "requester",
        Auditor = "auditor",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The customer organisation of a requester.
    pub organisation: Option<OrganisationId>,
    /// An inactive user can neither sign in nor use a token.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(User, RecordKind::User, UserId, |r| r.organisation);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
    pub role: Role,
    /// Required for requesters.
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
    /// At least 12 characters; without one the user can only use API tokens.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "nullable")]
    pub organisation: Option<Option<OrganisationId>>,
    #[serde(default)]
    pub active: Option<bool>,
}

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 1024;

pub fn check_password(c: &mut Checker, field: &str, password: &str) {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        c.fail(field, format!("must be at least {PASSWORD_MIN} characters"));
    } else if n > PASSWORD_MAX {
        c.fail(field, format!("must be at most {PASSWORD_MAX} characters"));
    }
}

/// A plausible address: one `@`, something either side, a dot in the domain, no spaces.
pub fn normalise_email(c: &mut Checker, email: &str) -> String {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && !e.chars().any(|ch| ch.is_whitespace() || ch.is_control())
        && matches!(e.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if !ok {
        c.fail("email", "must be an email address such as ana@example.com");
    }
    e
}

/// Failed sign-ins further apart than this start a new count.
pub const SIGN_IN_WINDOW_MINUTES: i64 = 60;

/// How long sign-ins for an address are refused after its `failures`-th failure in a row: the
/// first four cost nothing (people mistype), then 30 seconds, doubling to at most 15 minutes, so
/// guessing is slow while the owner is only briefly kept out.
pub fn sign_in_delay(failures: i64) -> chrono::Duration {
    if failures < 5 {
        return chrono::Duration::zero();
    }
    let doublings = u32::try_from(failures - 5).unwrap_or(u32::MAX).min(5);
    chrono::Duration::seconds((30i64 << doublings).min(15 * 60))
}

impl User {
    pub fn create(input: &NewUser, at: DateTime<Utc>) -> Result<User> {
        let mut c = Checker::new();
        let email = normalise_email(&mut c, &input.email);
        let name = input
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
        c.line("name", &name, NAME_MAX);
        if let Some(p) = &input.password {
            check_password(&mut c, "password", p);
        }
        check_organisation(&mut c, input.role, input.organisation);
        c.finish()?;
        Ok(User {
            id: UserId(0),
            email,
            name: name.trim().to_string(),
            role: input.role,
            organisation: input.organisation,
            active: true,
            created_at: at,
            updated_at: at,
        })
    }

    pub fn apply_patch(&mut self, p: UserPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.name, p.name.map(|n| n.trim().to_string()));
        set(&mut next.role, p.role);
        set(&mut next.organisation, p.organisation);
        set(&mut next.active, p.active);
        let mut c = Checker::new();
        c.line("name", &next.name, NAME_MAX);
        check_organisation(&mut c, next.role, next.organisation);
        c.finish()?;
        *self = next;
        Ok(())
    }
}

fn check_organisation(c: &mut Checker, role: Role, organisation: Option<OrganisationId>) {
    if role == Role::Requester && organisation.is_none() {
        c.fail("organisation", "a requester must belong to an organisation");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_out_delay_grows_then_stops_growing() {
        let secs: Vec<i64> = (1..=12).map(|n| sign_in_delay(n).num_seconds()).collect();
        assert_eq!(secs, [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(sign_in_delay(i64::MAX).num_seconds(), 900);
    }

    #[test]
    fn emails() {
        for (e, ok) in [
            ("Ana@Example.com", true),
            ("ana@example", false),
            ("@example.com", false),
            ("a b@example.com", false),
            ("ana@@example.com", false),
            ("ana@.com", false),
        ] {
            let mut c = Checker::new();
            let n = normalise_email(&mut c, e);
            assert_eq!(c.finish().is_ok(), ok, "{e}");
            if ok {
                assert_eq!(n, "ana@example.com");
            }
        }
    }
}
