//! API tokens as their owners see them: a name, when each was made, when it expires, whether it
//! was revoked. The token itself is shown once when it is made and never kept; only its hash is.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::id::{TokenId, UserId};
use crate::named_enum;
use crate::validate::{Checker, NAME_MAX};

named_enum! {
    /// Whether a token still opens the API.
    TokenState { Active = "active", Expired = "expired", Revoked = "revoked" }
}

/// One of a person's API tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: TokenId,
    pub user: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// At the instant of the answer.
    pub state: TokenState,
}

impl ApiToken {
    /// The state of a token at `now`: revoked before expired, since revocation is a decision.
    pub fn state_at(
        expires_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> TokenState {
        match (revoked_at, expires_at) {
            (Some(_), _) => TokenState::Revoked,
            (None, Some(e)) if e <= now => TokenState::Expired,
            _ => TokenState::Active,
        }
    }
}

/// The rules for every new token, whichever way it is asked for: a name of one line, and an
/// expiry of 1 to 365 days when there is one.
pub fn check_token(
    name: &str,
    expires_in_days: Option<u32>,
    now: DateTime<Utc>,
) -> Result<(String, Option<DateTime<Utc>>)> {
    let mut c = Checker::new();
    c.line("name", name, NAME_MAX);
    if expires_in_days.is_some_and(|d| !(1..=365).contains(&d)) {
        c.fail("expires_in_days", "must be between 1 and 365");
    }
    c.finish()?;
    let expires = expires_in_days.map(|d| now + chrono::Duration::days(i64::from(d)));
    Ok((name.trim().to_string(), expires))
}

/// Whether a person may revoke a token: its owner and administrators may (anyone else is to be
/// told it does not exist).
pub fn may_revoke(actor: &crate::access::Actor, owner: UserId) -> bool {
    actor.user == owner || actor.role == crate::user::Role::Admin
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn state_and_rules() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
        let past = Some(now - chrono::Duration::seconds(1));
        let future = Some(now + chrono::Duration::days(1));
        assert_eq!(ApiToken::state_at(None, None, now), TokenState::Active);
        assert_eq!(ApiToken::state_at(future, None, now), TokenState::Active);
        assert_eq!(ApiToken::state_at(Some(now), None, now), TokenState::Expired);
        assert_eq!(ApiToken::state_at(past, past, now), TokenState::Revoked);
        let (name, exp) = check_token(" laptop ", Some(30), now).unwrap();
        assert_eq!((name.as_str(), exp), ("laptop", Some(now + chrono::Duration::days(30))));
        assert!(check_token("", None, now).is_err());
        assert!(check_token("x", Some(0), now).is_err());
        assert!(check_token("x", Some(366), now).is_err());
        assert!(check_token("two\nlines", None, now).is_err());
    }
}
