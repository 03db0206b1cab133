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
    /// Cleared by an administrator to see security incidents (administrators always are).
    pub security_cleared: bool,
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
    /// May see security incidents; false by default.
    #[serde(default)]
    pub security_cleared: Option<bool>,
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
    #[serde(default)]
    pub security_cleared: Option<bool>,
}

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 1024;

/// Words that make a long password easy to guess when all that is added to them is digits,
/// symbols or letter-for-digit swaps (`P@ssw0rd2026!`).
const COMMON_WORDS: &[&str] = &[
    "password",
    "passwort",
    "motdepasse",
    "contrasena",
    "qwerty",
    "qwertz",
    "azerty",
    "letmein",
    "welcome",
    "admin",
    "administrator",
    "root",
    "changeme",
    "iloveyou",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "soccer",
    "sunshine",
    "princess",
    "trustno",
    "master",
    "shadow",
    "superman",
    "batman",
    "secret",
    "login",
    "default",
    "steward",
    "servicedesk",
    "helpdesk",
    "support",
    "summer",
    "winter",
    "spring",
    "autumn",
    "january",
    "december",
    "company",
];

/// Runs of keys or letters that are easy to guess however long; a password that lies inside one
/// of them, forwards or backwards, is refused.
const RUNS: &[&str] = &[
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
];

/// The fewest different characters a password may be made of.
pub const PASSWORD_MIN_DISTINCT: usize = 5;

/// The rules for a new password: 12 to 1,024 characters, at least five different ones, not a run
/// of keys or letters, and not a common word or the person's own address or name with only digits
/// or symbols added. Length does most of the work; there are no rules about character classes.
pub fn check_password(c: &mut Checker, field: &str, password: &str, email: &str, name: &str) {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        c.fail(field, format!("must be at least {PASSWORD_MIN} characters"));
        return;
    }
    if n > PASSWORD_MAX {
        c.fail(field, format!("must be at most {PASSWORD_MAX} characters"));
        return;
    }
    let lower = password.to_lowercase();
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < PASSWORD_MIN_DISTINCT {
        c.fail(
            field,
            format!("must use at least {PASSWORD_MIN_DISTINCT} different characters"),
        );
        return;
    }
    let backwards: String = lower.chars().rev().collect();
    if RUNS.iter().any(|run| {
        let run = run.repeat(3);
        run.contains(&lower) || run.contains(&backwards)
    }) {
        c.fail(
            field,
            "must not be a run of keys or letters such as 123456789012 or qwertyuiopas",
        );
        return;
    }
    let core = password_core(&lower);
    let own: Vec<String> = [email.split('@').next().unwrap_or_default(), name]
        .iter()
        .map(|s| password_core(&s.to_lowercase()))
        .filter(|s| s.chars().count() >= 3)
        .collect();
    if !core.is_empty() && (COMMON_WORDS.contains(&core.as_str()) || own.contains(&core)) {
        c.fail(
            field,
            "must not be a common word, or your own name or address, with only digits or symbols added",
        );
    }
}

/// What is left of a password once digits and symbols at either end are taken off, the usual
/// digit-for-letter swaps undone, and anything that is not a letter dropped: `P@ssw0rd2026!`
/// becomes `password`.
fn password_core(lower: &str) -> String {
    lower
        .trim_matches(|ch: char| !ch.is_alphabetic())
        .chars()
        .map(|ch| match ch {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            other => other,
        })
        .filter(|ch| ch.is_alphabetic())
        .collect()
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

/// Failed sign-ins from one network address, within the window, before its first delay: many
/// people may share an address (an office behind one gateway), so it is given more than an account.
pub const ADDRESS_FREE_FAILURES: i64 = 50;

/// How long sign-ins for an account are refused after its `failures`-th failure in a row: the
/// first four cost nothing (people mistype), then 30 seconds, doubling to at most 15 minutes, so
/// guessing is slow while the owner is only briefly kept out.
pub fn sign_in_delay(failures: i64) -> chrono::Duration {
    delay_after(failures, 4)
}

/// How long sign-ins from a network address are refused after its `failures`-th failure: the
/// first [`ADDRESS_FREE_FAILURES`] cost nothing, then as for an account.
pub fn address_sign_in_delay(failures: i64) -> chrono::Duration {
    delay_after(failures, ADDRESS_FREE_FAILURES)
}

fn delay_after(failures: i64, free: i64) -> chrono::Duration {
    if failures <= free {
        return chrono::Duration::zero();
    }
    let doublings = u32::try_from(failures - free - 1).unwrap_or(u32::MAX).min(5);
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
            check_password(&mut c, "password", p, &email, &name);
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
            security_cleared: input.security_cleared.unwrap_or(false),
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
        set(&mut next.security_cleared, p.security_cleared);
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
        let free = ADDRESS_FREE_FAILURES;
        assert_eq!(address_sign_in_delay(free).num_seconds(), 0);
        assert_eq!(address_sign_in_delay(free + 1).num_seconds(), 30);
        assert_eq!(address_sign_in_delay(free + 2).num_seconds(), 60);
        assert_eq!(address_sign_in_delay(i64::MAX).num_seconds(), 900);
    }

    fn password_fault(password: &str) -> Option<String> {
        let mut c = Checker::new();
        check_password(&mut c, "password", password, "ana.lima@example.com", "Ana Lima");
        c.finish().err().map(|e| e.to_string())
    }

    #[test]
    fn passwords_that_are_long_but_easy_to_guess_are_refused() {
        for weak in [
            "short",
            "aaaaaaaaaaaaaaaa",
            "abababababab",
            "121212121212",
            "123456789012",
            "210987654321",
            "abcdefghijklm",
            "qwertyuiopasdf",
            "1qaz2wsx3edc",
            "password1234",
            "P@ssw0rd2026!",
            "Welcome2026!!",
            "1234steward!!",
            "Helpdesk-2026",
            "ana.lima20262026",
            "AnaLima!!2026",
        ] {
            assert!(password_fault(weak).is_some(), "{weak} was accepted");
        }
        for strong in [
            "correct horse battery staple",
            "tram-lemon-orbit-94",
            "Gq7#vL2m!pZ9",
            "my password is long enough",
            "anamaria-sails-2026",
        ] {
            assert_eq!(password_fault(strong), None, "{strong}");
        }
        assert!(password_fault(&"x1".repeat(600)).unwrap().contains("at most"));
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
