//! Configuration items: the components that make up services, with their type, owner and status.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{ConfigurationItemId, TeamId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX};
use crate::{lifecycle, record};

lifecycle! {
    /// planned -> active <-> maintenance -> retired.
    ConfigurationItemStatus {
        Planned = "planned" => [Active, Retired],
        Active = "active" => [Maintenance, Retired],
        Maintenance = "maintenance" => [Active, Retired],
        Retired = "retired" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ConfigurationItem {
    pub id: ConfigurationItemId,
    pub name: String,
    /// server, application, database, network_device, service_component, document, licence, or
    /// another lower-case type an administrator uses.
    pub ci_type: String,
    pub description: String,
    pub status: ConfigurationItemStatus,
    pub owner: Option<UserId>,
    pub team: Option<TeamId>,
    /// The values of its type's attributes.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// When someone last confirmed the record matches the real item, and who.
    pub last_verified_at: Option<DateTime<Utc>>,
    pub last_verified_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(ConfigurationItem, RecordKind::ConfigurationItem, ConfigurationItemId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConfigurationItem {
    pub name: String,
    pub ci_type: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Defaults to planned.
    #[serde(default)]
    pub status: Option<ConfigurationItemStatus>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub team: Option<TeamId>,
    /// Checked against the attributes of its type.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigurationItemPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub ci_type: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub team: Option<Option<TeamId>>,
    /// Replaces all attributes; checked against the (new) type.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

fn check_type(c: &mut Checker, t: &str) {
    let ok = (1..=40).contains(&t.len())
        && t.starts_with(|ch: char| ch.is_ascii_lowercase())
        && t.chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
    if !ok {
        c.fail(
            "ci_type",
            "must be 1-40 characters of a-z, 0-9 or '_', starting with a letter",
        );
    }
}

impl ConfigurationItem {
    pub fn create(input: NewConfigurationItem, at: DateTime<Utc>) -> Result<ConfigurationItem> {
        let mut c = Checker::new();
        c.line("name", &input.name, NAME_MAX);
        check_type(&mut c, &input.ci_type);
        let description = input.description.unwrap_or_default();
        c.text("description", &description, TEXT_MAX);
        c.finish()?;
        Ok(ConfigurationItem {
            id: ConfigurationItemId(0),
            name: input.name.trim().to_string(),
            ci_type: input.ci_type,
            description,
            status: input.status.unwrap_or(ConfigurationItemStatus::Planned),
            owner: input.owner,
            team: input.team,
            attributes: input.attributes,
            last_verified_at: None,
            last_verified_by: None,
            created_at: at,
            updated_at: at,
        })
    }

    /// Records that `by` checked the record against the real item at `at`.
    pub fn verify(&mut self, by: UserId, at: DateTime<Utc>) {
        self.last_verified_at = Some(at);
        self.last_verified_by = Some(by);
    }

    pub fn apply_patch(&mut self, p: ConfigurationItemPatch) -> Result<()> {
        let mut c = Checker::new();
        c.opt_line("name", p.name.as_deref(), NAME_MAX);
        if let Some(t) = &p.ci_type {
            check_type(&mut c, t);
        }
        c.opt_text("description", p.description.as_deref(), TEXT_MAX);
        c.finish()?;
        set(&mut self.name, p.name.map(|n| n.trim().to_string()));
        set(&mut self.ci_type, p.ci_type);
        set(&mut self.description, p.description);
        set(&mut self.owner, p.owner);
        set(&mut self.team, p.team);
        set(&mut self.attributes, p.attributes);
        Ok(())
    }

    pub fn transition(&mut self, t: StatusTransition) -> Result<()> {
        self.status = self.status.check_move(&t.to)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    #[test]
    fn transition_table() {
        use ConfigurationItemStatus::*;
        assert_table(&[
            (Planned, &[Active, Retired][..]),
            (Active, &[Maintenance, Retired]),
            (Maintenance, &[Active, Retired]),
            (Retired, &[]),
        ]);
    }
}
