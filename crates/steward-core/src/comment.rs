//! Comments on a record: public replies, which the customer sees, and internal work notes, which
//! only the service provider's people see. A comment is an entry in the record's hash-chained
//! history (action `comment`, field its visibility, value its text), so the conversation is as
//! tamper-evident as every other change and appears in the record's timeline in order.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Operation, Scope, authorize};
use crate::error::{Error, Result};
use crate::history::{HistoryAction, HistoryEntry};
use crate::id::UserId;
use crate::named_enum;
use crate::record::RecordKind;
use crate::user::Role;
use crate::validate::{Checker, TEXT_MAX};

named_enum! {
    /// Who may read a comment.
    Visibility {
        /// A reply the requester's organisation sees.
        Public = "public",
        /// A work note for the service provider's people only.
        Internal = "internal",
    }
}

/// A comment to add.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    pub body: String,
    /// `public` (the default for a requester) or `internal`.
    #[serde(default)]
    pub visibility: Option<Visibility>,
}

/// A comment as it is read back.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Comment {
    /// Its place in the history chain: comments are listed in this order, and a history entry
    /// with this `seq` is the same comment.
    pub seq: i64,
    /// The reference of the record it is on.
    pub record: String,
    pub author: Option<UserId>,
    pub at: DateTime<Utc>,
    pub visibility: Visibility,
    pub body: String,
}

impl Comment {
    /// The comment a history entry holds, if it holds one.
    pub fn from_entry(e: HistoryEntry) -> Option<Comment> {
        if e.action != HistoryAction::Comment {
            return None;
        }
        let visibility = Visibility::parse(e.field.as_deref()?)?;
        let body = match e.new_value? {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        Some(Comment {
            seq: e.seq,
            record: e.record,
            author: e.actor,
            at: e.at,
            visibility,
            body,
        })
    }
}

impl NewComment {
    /// Checks the text and settles the visibility: a requester's comment is always public, and
    /// anyone else's is internal unless they say otherwise, so a slip never reaches a customer.
    pub fn check(self, actor: &Actor) -> Result<(Visibility, String)> {
        let body = self.body.trim().to_string();
        let mut c = Checker::new();
        if body.is_empty() {
            c.fail("body", "must not be blank");
        } else {
            c.text("body", &body, TEXT_MAX);
        }
        let visibility = settle_visibility(&mut c, actor.role, self.visibility);
        c.finish()?;
        Ok((visibility, body))
    }
}

/// Who sees what a person writes or attaches to a record: a requester's is always public (asking
/// for internal is a field error on `visibility`); anyone else's is internal unless they say
/// public, so a slip never reaches a customer.
pub fn settle_visibility(c: &mut Checker, role: Role, requested: Option<Visibility>) -> Visibility {
    match (role, requested) {
        (Role::Requester, Some(Visibility::Internal)) => {
            c.fail("visibility", "a requester's comments and files are always public");
            Visibility::Public
        }
        (Role::Requester, _) => Visibility::Public,
        (_, v) => v.unwrap_or(Visibility::Internal),
    }
}

/// Who may comment on a record of `kind`: whoever may change it, and a requester on the tickets
/// they may read (their organisation's). The auditor reads and never writes.
pub fn authorize_comment(actor: &Actor, kind: RecordKind) -> Result<Scope> {
    match actor.role {
        Role::Requester => authorize(actor, kind, Operation::Read).and_then(|scope| match kind {
            RecordKind::Incident | RecordKind::Request | RecordKind::Complaint => Ok(scope),
            _ => Err(Error::Forbidden(format!(
                "a requester may not comment on {} records",
                kind.as_str()
            ))),
        }),
        _ => authorize(actor, kind, Operation::Update),
    }
}

/// Whether a reader in `role` may see comments of `visibility`.
pub fn visible_to(role: Role, visibility: Visibility) -> bool {
    visibility == Visibility::Public || role != Role::Requester
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{OrganisationId, UserId};

    fn actor(role: Role) -> Actor {
        Actor {
            user: UserId(1),
            role,
            organisation: Some(OrganisationId(3)),
            cleared: false,
        }
    }

    fn new(body: &str, visibility: Option<Visibility>) -> NewComment {
        NewComment {
            body: body.into(),
            visibility,
        }
    }

    #[test]
    fn visibility_defaults_to_internal_except_for_requesters() {
        let agent = actor(Role::Agent);
        assert_eq!(
            new(" hi ", None).check(&agent).unwrap(),
            (Visibility::Internal, "hi".into())
        );
        assert_eq!(
            new("hi", Some(Visibility::Public)).check(&agent).unwrap().0,
            Visibility::Public
        );
        let requester = actor(Role::Requester);
        assert_eq!(new("hi", None).check(&requester).unwrap().0, Visibility::Public);
        let e = new("hi", Some(Visibility::Internal)).check(&requester).unwrap_err();
        assert!(e.to_string().contains("visibility"), "{e}");
        let e = new("   ", None).check(&agent).unwrap_err();
        assert!(e.to_string().contains("body"), "{e}");
    }

    #[test]
    fn who_may_comment() {
        assert_eq!(
            authorize_comment(&actor(Role::Requester), RecordKind::Incident).unwrap(),
            Scope::Organisation(OrganisationId(3))
        );
        assert!(authorize_comment(&actor(Role::Requester), RecordKind::Problem).is_err());
        assert!(authorize_comment(&actor(Role::Auditor), RecordKind::Incident).is_err());
        assert_eq!(
            authorize_comment(&actor(Role::Agent), RecordKind::Change).unwrap(),
            Scope::All
        );
        assert!(!visible_to(Role::Requester, Visibility::Internal));
        assert!(visible_to(Role::Requester, Visibility::Public));
        assert!(visible_to(Role::Auditor, Visibility::Internal));
    }
}
