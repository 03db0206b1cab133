//! Standard change templates: pre-approved, repeatable changes (rotate a certificate, add a
//! user to a group) from which standard changes are raised.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::change::ChangeRisk;
use crate::error::Result;
use crate::id::{ChangeTemplateId, ServiceId};
use crate::patch::{nullable, set};
use crate::record;
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, blank_to_none};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChangeTemplate {
    pub id: ChangeTemplateId,
    pub name: String,
    pub description: String,
    pub service: Option<ServiceId>,
    pub risk: ChangeRisk,
    pub implementation_plan: String,
    pub backout_plan: String,
    pub category: Option<String>,
    /// Only active templates raise changes.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(ChangeTemplate, RecordKind::ChangeTemplate, ChangeTemplateId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChangeTemplate {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub service: Option<ServiceId>,
    /// Defaults to low: a standard change is a low-risk routine.
    #[serde(default)]
    pub risk: Option<ChangeRisk>,
    pub implementation_plan: String,
    pub backout_plan: String,
    #[serde(default)]
    pub category: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeTemplatePatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub service: Option<Option<ServiceId>>,
    #[serde(default)]
    pub risk: Option<ChangeRisk>,
    #[serde(default)]
    pub implementation_plan: Option<String>,
    #[serde(default)]
    pub backout_plan: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub category: Option<Option<String>>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl ChangeTemplate {
    pub fn create(input: NewChangeTemplate, at: DateTime<Utc>) -> Result<ChangeTemplate> {
        let t = ChangeTemplate {
            id: ChangeTemplateId(0),
            name: input.name.trim().to_string(),
            description: input.description.unwrap_or_default(),
            service: input.service,
            risk: input.risk.unwrap_or(ChangeRisk::Low),
            implementation_plan: input.implementation_plan,
            backout_plan: input.backout_plan,
            category: blank_to_none(input.category),
            active: true,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        c.line("name", &input.name, NAME_MAX);
        t.check(&mut c);
        c.finish()?;
        Ok(t)
    }

    fn check(&self, c: &mut Checker) {
        c.text("description", &self.description, TEXT_MAX);
        for (field, v) in [
            ("implementation_plan", &self.implementation_plan),
            ("backout_plan", &self.backout_plan),
        ] {
            if v.trim().is_empty() {
                c.fail(field, "a standard change template must say it");
            }
            c.text(field, v, TEXT_MAX);
        }
        c.opt_line("category", self.category.as_deref(), NAME_MAX);
    }

    pub fn apply_patch(&mut self, p: ChangeTemplatePatch) -> Result<()> {
        let mut c = Checker::new();
        c.opt_line("name", p.name.as_deref(), NAME_MAX);
        let mut next = self.clone();
        set(&mut next.name, p.name.map(|n| n.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.service, p.service);
        set(&mut next.risk, p.risk);
        set(&mut next.implementation_plan, p.implementation_plan);
        set(&mut next.backout_plan, p.backout_plan);
        set(&mut next.category, p.category.map(blank_to_none));
        set(&mut next.active, p.active);
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }
}
