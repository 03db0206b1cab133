//! Who may do what: the one table deciding each role's reach over each kind of record.

use crate::error::{Error, Result};
use crate::id::{OrganisationId, UserId};
use crate::record::RecordKind;
use crate::user::Role;

/// The authenticated user a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub role: Role,
    pub organisation: Option<OrganisationId>,
    /// May see records kept on a need-to-know basis (security incidents): administrators, and
    /// anyone an administrator has cleared for them.
    pub cleared: bool,
}

impl Actor {
    /// The actor a signed-in user acts as.
    pub fn of(u: &crate::user::User) -> Actor {
        Actor {
            user: u.id,
            role: u.role,
            organisation: u.organisation,
            cleared: u.role == Role::Admin || u.security_cleared,
        }
    }

    /// Whether the actor may see a record with this need-to-know restriction (`None`: none).
    pub fn knows(&self, need: Option<&NeedToKnow>) -> bool {
        need.is_none_or(|n| self.cleared || n.0.contains(&self.user))
    }
}

/// The people who, besides those cleared for such records, may see a record kept on a
/// need-to-know basis: for a security incident, whoever reported it and whoever works it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NeedToKnow(pub Vec<UserId>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Read one record, list them, read their history and links.
    Read,
    Create,
    /// Patch, transition, link and unlink.
    Update,
}

/// How far an allowed action reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Only records of this customer organisation.
    Organisation(OrganisationId),
    /// Only records published to customers (knowledge articles for them), which belong to no
    /// organisation.
    Published,
}

impl Scope {
    /// Whether a record belonging to `organisation` is within reach.
    /// A published record is reached only through [`Scope::admits`], which reads the record.
    pub fn covers(self, organisation: Option<OrganisationId>) -> bool {
        match self {
            Scope::All => true,
            Scope::Organisation(o) => organisation == Some(o),
            Scope::Published => false,
        }
    }

    /// Whether this record is within reach.
    pub fn admits<R: crate::record::Record>(self, r: &R) -> bool {
        match self {
            Scope::Published => r.published(),
            _ => self.covers(r.organisation()),
        }
    }
}

/// Decides whether `actor` may take `action` on records of `kind`, and over which records.
pub fn authorize(actor: &Actor, kind: RecordKind, action: Operation) -> Result<Scope> {
    use RecordKind as K;
    let allowed = match (actor.role, action) {
        (Role::Admin, _) => true,
        (Role::Manager | Role::Agent | Role::Auditor, Operation::Read) => true,
        (Role::Auditor, _) => false,
        (Role::Manager, _) => kind != K::User,
        (Role::Agent, _) => matches!(
            kind,
            K::Incident
                | K::Request
                | K::Problem
                | K::Change
                | K::Release
                | K::ConfigurationItem
                | K::Asset
                | K::Complaint
                | K::Cost
                | K::Article
        ),
        (Role::Requester, Operation::Read) => matches!(
            kind,
            K::Service
                | K::CatalogueItem
                | K::Incident
                | K::Request
                | K::Organisation
                | K::Complaint
                | K::Survey
                | K::Article
        ),
        (Role::Requester, Operation::Create) => matches!(kind, K::Incident | K::Request | K::Complaint),
        (Role::Requester, Operation::Update) => false,
    };
    if !allowed {
        let verb = match action {
            Operation::Read => "read",
            Operation::Create => "create",
            Operation::Update => "change",
        };
        return Err(Error::Forbidden(format!(
            "the {} role may not {verb} {} records",
            actor.role,
            kind.as_str()
        )));
    }
    match (actor.role, kind) {
        (Role::Requester, K::Incident | K::Request | K::Organisation | K::Complaint | K::Survey) => actor
            .organisation
            .map(Scope::Organisation)
            .ok_or_else(|| Error::Forbidden("this requester belongs to no organisation".into())),
        (Role::Requester, K::Article) => Ok(Scope::Published),
        _ => Ok(Scope::All),
    }
}

/// Changing system settings (such as the priority matrix) is for administrators only; reading
/// them is for everyone signed in.
pub fn authorize_settings(actor: &Actor, action: Operation) -> Result<()> {
    match (actor.role, action) {
        (_, Operation::Read) | (Role::Admin, _) => Ok(()),
        _ => Err(Error::Forbidden("only an administrator may change settings".into())),
    }
}

/// Who may vote on an article they can read (`Create`) and read the votes cast (`Read`):
/// everyone but auditors, who only look, votes; customers vote but read no one else's.
pub fn authorize_vote(actor: &Actor, action: Operation) -> Result<()> {
    match (actor.role, action) {
        (Role::Auditor, Operation::Create | Operation::Update) => Err(Error::Forbidden(
            "auditors read articles but do not vote on them".into(),
        )),
        (Role::Requester, Operation::Read) => Err(Error::Forbidden(
            "the votes on an article are for its editors to read".into(),
        )),
        _ => Ok(()),
    }
}

/// Who may read and rewrite the email templates and read the outbox (which holds what was
/// written to customers): administrators only.
pub fn authorize_mail_administration(actor: &Actor) -> Result<()> {
    match actor.role {
        Role::Admin => Ok(()),
        _ => Err(Error::Forbidden(
            "only an administrator may see or change email templates and the outbox".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user: UserId(1),
            role,
            organisation: Some(OrganisationId(7)),
            cleared: false,
        }
    }

    /// The whole table, one row per role, one column per kind in `RecordKind::ALL` order:
    /// R read, C create, U update; lower case = not allowed.
    #[test]
    #[rustfmt::skip]
    fn access_table() {
        let kinds = RecordKind::ALL;
        // service, catalogue item, calendar, agreement, organisation, team, user,
        // incident, request, problem, change, change blackout, change template, release,
        // configuration item, asset, licence, SMS scope, assessment, document, evidence, audit,
        // finding, nonconformity, action, management review, improvement, risk, objective,
        // programme, certificate, outage, supplier, contract, dispute, service review, complaint, survey,
        // budget, cost, capacity requirement, demand forecast, continuity plan, continuity test,
        // security control, article
        let table: &[(Role, [&str; RecordKind::ALL.len()])] = &[
            (Role::Admin,     ["RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU"]),
            (Role::Manager,   ["RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "Rcu", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU", "RCU"]),
            (Role::Agent,     ["Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "RCU", "RCU", "RCU", "RCU", "Rcu", "Rcu", "RCU", "RCU", "RCU", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "RCU", "Rcu", "Rcu", "RCU", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "RCU"]),
            (Role::Auditor,   ["Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu", "Rcu"]),
            (Role::Requester, ["Rcu", "Rcu", "rcu", "rcu", "Rcu", "rcu", "rcu", "RCu", "RCu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "RCu", "Rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "rcu", "Rcu"]),
        ];
        for (role, row) in table {
            for (kind, cell) in kinds.iter().zip(row) {
                for (action, letter) in [(Operation::Read, 'R'), (Operation::Create, 'C'), (Operation::Update, 'U')] {
                    let want = cell.contains(letter);
                    let got = authorize(&actor(*role), *kind, action).is_ok();
                    assert_eq!(got, want, "{role} {action:?} {kind:?}");
                }
            }
        }
    }

    #[test]
    fn auditors_do_not_vote_and_customers_read_no_one_elses_votes() {
        for role in [Role::Admin, Role::Manager, Role::Agent, Role::Auditor, Role::Requester] {
            let a = actor(role);
            assert_eq!(
                authorize_vote(&a, Operation::Create).is_ok(),
                role != Role::Auditor,
                "{role}"
            );
            assert_eq!(
                authorize_vote(&a, Operation::Read).is_ok(),
                role != Role::Requester,
                "{role}"
            );
        }
    }

    #[test]
    fn requesters_are_scoped_to_their_organisation() {
        let a = actor(Role::Requester);
        let s = authorize(&a, RecordKind::Incident, Operation::Read).unwrap();
        assert_eq!(s, Scope::Organisation(OrganisationId(7)));
        assert!(s.covers(Some(OrganisationId(7))));
        assert!(!s.covers(Some(OrganisationId(8))));
        assert!(!s.covers(None));
        let orphan = Actor {
            organisation: None,
            ..a
        };
        assert!(authorize(&orphan, RecordKind::Incident, Operation::Read).is_err());
        assert_eq!(
            authorize(&actor(Role::Agent), RecordKind::Incident, Operation::Read).unwrap(),
            Scope::All
        );
    }

    #[test]
    fn a_need_to_know_record_is_for_the_cleared_and_the_people_it_names() {
        let need = NeedToKnow(vec![UserId(1)]);
        let named = actor(Role::Agent);
        let other = Actor {
            user: UserId(2),
            ..actor(Role::Agent)
        };
        let cleared = Actor {
            cleared: true,
            ..other.clone()
        };
        assert!(named.knows(Some(&need)));
        assert!(!other.knows(Some(&need)));
        assert!(cleared.knows(Some(&need)));
        assert!(
            other.knows(None),
            "a record without restriction is for everyone in reach"
        );
    }
}
