//! Customer organisations; their people are users with the requester role.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::OrganisationId;
use crate::patch::set;
use crate::record;
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
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
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    #[serde(default)]
    pub name: Option<String>,
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
        set(&mut self.description, p.description);
        set(&mut self.active, p.active);
        Ok(())
    }
}
