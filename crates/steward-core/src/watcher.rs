//! Watchers: people who asked to be told of a record's replies, notes and changes of state as
//! its assignee is. Anyone who may read a record may watch it; whoever may change it may add
//! or remove others, who must themselves be able to read it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::access::{Actor, Operation, authorize};
use crate::error::{Error, Result};
use crate::id::{OrganisationId, UserId};
use crate::record::RecordKind;
use crate::user::Role;

/// One watcher of a record.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Watcher {
    pub user: UserId,
    pub name: String,
    /// Who added them (themselves, usually).
    pub added_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// Whether `actor` may add `user` to, or take them off, a record of `kind` that they can reach:
/// oneself with the right to read it, anyone else with the right to change it (never a
/// requester, who may watch only for themselves).
pub fn authorize_watch(actor: &Actor, kind: RecordKind, user: UserId) -> Result<()> {
    if user == actor.user {
        authorize(actor, kind, Operation::Read).map(|_| ())
    } else if actor.role == Role::Requester {
        Err(Error::Forbidden(
            "a requester may watch records for themselves only".into(),
        ))
    } else {
        authorize(actor, kind, Operation::Update).map(|_| ())
    }
}

/// Whether someone may be a watcher of a record of `kind` belonging to `organisation` (and kept
/// to `need`, if on a need-to-know basis): they must be active and able to read it themselves,
/// or they would be told of what they may not see.
pub fn check_watcher(
    person: &crate::user::User,
    kind: RecordKind,
    organisation: Option<OrganisationId>,
    need: Option<&crate::access::NeedToKnow>,
) -> Result<()> {
    let as_actor = Actor::of(person);
    let user = person.id;
    let active = person.active;
    let readable = authorize(&as_actor, kind, Operation::Read)
        .map(|scope| scope.covers(organisation))
        .unwrap_or(false)
        && as_actor.knows(need);
    if !active {
        return Err(Error::invalid("user", format!("{user} is inactive")));
    }
    if !readable {
        return Err(Error::invalid(
            "user",
            format!("{user} may not read this {} record, so cannot watch it", kind.as_str()),
        ));
    }
    Ok(())
}
