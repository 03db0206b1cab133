//! Customer organisations, whose people are users with the requester role, and the other
//! interested parties of the services (8.3.2) — each with the person who owns the relationship.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{OrganisationId, UserId};
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX};
use crate::{named_enum, record};

named_enum! {
    /// What the organisation is to the services.
    OrganisationKind {
        /// It receives the services.
        Customer = "customer",
        /// It has a stake in them without receiving them: a regulator, a parent company, a
        /// partner, a user group.
        InterestedParty = "interested_party",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    /// Who manages the relationship and the party's satisfaction on the provider's side.
    pub relationship_owner: Option<UserId>,
    pub description: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Organisation, RecordKind::Organisation, OrganisationId, |r| Some(r.id));

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    pub name: String,
    /// `customer` unless said.
    #[serde(default)]
    pub kind: Option<OrganisationKind>,
    #[serde(default)]
    pub relationship_owner: Option<UserId>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: Option<OrganisationKind>,
    #[serde(default, deserialize_with = "nullable")]
    pub relationship_owner: Option<Option<UserId>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl Organisation {
    pub fn create(input: NewOrganisation, at: DateTime<Utc>) -> Result<Organisation> {
        let mut c = Checker::new();
        c.line("name", &input.name, NAME_MAX);
        let description = input.description.unwrap_or_default();
        c.text("description", &description, TEXT_MAX);
        c.finish()?;
        Ok(Organisation {
            id: OrganisationId(0),
            name: input.name.trim().to_string(),
            kind: input.kind.unwrap_or(OrganisationKind::Customer),
            relationship_owner: input.relationship_owner,
            description,
            active: true,
            created_at: at,
            updated_at: at,
        })
    }

    pub fn apply_patch(&mut self, p: OrganisationPatch) -> Result<()> {
        let mut c = Checker::new();
        c.opt_line("name", p.name.as_deref(), NAME_MAX);
        c.opt_text("description", p.description.as_deref(), TEXT_MAX);
        c.finish()?;
        set(&mut self.name, p.name.map(|n| n.trim().to_string()));
        set(&mut self.kind, p.kind);
        set(&mut self.relationship_owner, p.relationship_owner);
        set(&mut self.description, p.description);
        set(&mut self.active, p.active);
        Ok(())
    }
}

/// How the relationship with one active organisation stands: who owns it, its service reviews
/// (the last held, the next planned, those held in the period) and its complaints (received in
/// the period, still open, past their resolution target, resolved in the period and how many
/// of those on time).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Relationship {
    pub organisation: OrganisationId,
    pub organisation_name: String,
    pub kind: OrganisationKind,
    pub relationship_owner: Option<UserId>,
    pub last_review_on: Option<chrono::NaiveDate>,
    pub next_review_on: Option<chrono::NaiveDate>,
    pub reviews_held: i64,
    pub complaints_received: i64,
    pub complaints_open: i64,
    pub complaints_overdue: i64,
    pub complaints_resolved: i64,
    pub complaints_resolved_on_time: i64,
}
