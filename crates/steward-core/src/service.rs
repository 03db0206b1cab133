//! The service catalogue: services with their owner, criticality and lifecycle, and the
//! requestable catalogue items each service offers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{CatalogueItemId, ServiceId, TeamId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

lifecycle! {
    /// pipeline -> live -> retired; a service still in the pipeline can also be retired.
    ServiceStatus {
        Pipeline = "pipeline" => [Live, Retired],
        Live = "live" => [Retired],
        Retired = "retired" => [],
    }
}

named_enum! {
    Criticality { Critical = "critical", High = "high", Medium = "medium", Low = "low" }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Service {
    pub id: ServiceId,
    /// A short unique code such as `MAIL`.
    pub code: String,
    pub name: String,
    pub description: String,
    pub status: ServiceStatus,
    pub criticality: Criticality,
    pub owner: Option<UserId>,
    pub team: Option<TeamId>,
    /// The agreed availability, in percent (e.g. 99.9), that its outages are measured against.
    pub availability_target: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Service, RecordKind::Service, ServiceId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewService {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Defaults to pipeline.
    #[serde(default)]
    pub status: Option<ServiceStatus>,
    /// Defaults to medium.
    #[serde(default)]
    pub criticality: Option<Criticality>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub team: Option<TeamId>,
    /// The agreed availability in percent, above 0 and at most 100, e.g. 99.9.
    #[serde(default)]
    pub availability_target: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub criticality: Option<Criticality>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub team: Option<Option<TeamId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub availability_target: Option<Option<f64>>,
}

/// The body of a transition for records whose moves need no extra fields.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusTransition {
    pub to: String,
}

/// Codes are upper-case letters, digits, `-` and `_`, starting with a letter.
pub fn check_code(c: &mut Checker, field: &str, code: &str) {
    let ok = (1..=32).contains(&code.len())
        && code.starts_with(|ch: char| ch.is_ascii_uppercase())
        && code
            .chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '-' || ch == '_');
    if !ok {
        c.fail(
            field,
            "must be 1-32 characters of A-Z, 0-9, '-' or '_', starting with a letter",
        );
    }
}

impl Service {
    pub fn create(input: NewService, at: DateTime<Utc>) -> Result<Service> {
        let mut c = Checker::new();
        check_code(&mut c, "code", &input.code);
        c.line("name", &input.name, NAME_MAX);
        let description = input.description.unwrap_or_default();
        c.text("description", &description, TEXT_MAX);
        if let Some(t) = input.availability_target {
            crate::outage::target_thousandths(&mut c, "availability_target", t);
        }
        c.finish()?;
        Ok(Service {
            id: ServiceId(0),
            code: input.code,
            name: input.name.trim().to_string(),
            description,
            status: input.status.unwrap_or(ServiceStatus::Pipeline),
            criticality: input.criticality.unwrap_or(Criticality::Medium),
            owner: input.owner,
            team: input.team,
            availability_target: input.availability_target,
            created_at: at,
            updated_at: at,
        })
    }

    pub fn apply_patch(&mut self, p: ServicePatch) -> Result<()> {
        let mut c = Checker::new();
        c.opt_line("name", p.name.as_deref(), NAME_MAX);
        c.opt_text("description", p.description.as_deref(), TEXT_MAX);
        if let Some(Some(t)) = p.availability_target {
            crate::outage::target_thousandths(&mut c, "availability_target", t);
        }
        c.finish()?;
        set(&mut self.availability_target, p.availability_target);
        set(&mut self.name, p.name.map(|n| n.trim().to_string()));
        set(&mut self.description, p.description);
        set(&mut self.criticality, p.criticality);
        set(&mut self.owner, p.owner);
        set(&mut self.team, p.team);
        Ok(())
    }

    pub fn transition(&mut self, t: StatusTransition) -> Result<()> {
        self.status = self.status.check_move(&t.to)?;
        Ok(())
    }
}

/// Something a customer can request from a service, such as "New laptop".
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CatalogueItem {
    pub id: CatalogueItemId,
    pub service: ServiceId,
    pub name: String,
    pub description: String,
    /// Only active items can be requested.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(CatalogueItem, RecordKind::CatalogueItem, CatalogueItemId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCatalogueItem {
    pub service: ServiceId,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueItemPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

impl CatalogueItem {
    pub fn create(input: NewCatalogueItem, at: DateTime<Utc>) -> Result<CatalogueItem> {
        let mut c = Checker::new();
        c.line("name", &input.name, NAME_MAX);
        let description = blank_to_none(input.description).unwrap_or_default();
        c.text("description", &description, TEXT_MAX);
        c.finish()?;
        Ok(CatalogueItem {
            id: CatalogueItemId(0),
            service: input.service,
            name: input.name.trim().to_string(),
            description,
            active: true,
            created_at: at,
            updated_at: at,
        })
    }

    pub fn apply_patch(&mut self, p: CatalogueItemPatch) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    #[test]
    fn transition_table() {
        use ServiceStatus::*;
        assert_table(&[(Pipeline, &[Live, Retired][..]), (Live, &[Retired]), (Retired, &[])]);
    }

    #[test]
    fn codes() {
        for (code, ok) in [
            ("MAIL", true),
            ("ERP-2", true),
            ("mail", false),
            ("", false),
            ("1X", false),
            ("A B", false),
        ] {
            let mut c = Checker::new();
            check_code(&mut c, "code", code);
            assert_eq!(c.finish().is_ok(), ok, "{code}");
        }
    }
}
