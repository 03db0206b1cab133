//! Configuration item types: what kinds of item the configuration database holds, the attributes
//! each kind carries, and how often items of the kind must be verified.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, FieldError, Result};
use crate::named_enum;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX};

named_enum! {
    /// The kind of value an attribute holds.
    AttributeKind { Text = "text", Number = "number", Boolean = "boolean", Date = "date" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeDefinition {
    /// Lower-case name such as `ip_address`.
    pub name: String,
    pub kind: AttributeKind,
    #[serde(default)]
    pub required: bool,
}

/// A type of configuration item, identified by its lower-case name (`server`, `database`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ConfigurationItemType {
    pub name: String,
    pub description: String,
    pub attributes: Vec<AttributeDefinition>,
    /// Items of this type must be verified at least this often; none means never required.
    pub verification_interval_days: Option<u32>,
    /// Whether changes to items of this type must go through change management.
    pub under_change_control: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The body of `POST /api/v1/configuration-item-types`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConfigurationItemType {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub attributes: Vec<AttributeDefinition>,
    #[serde(default)]
    pub verification_interval_days: Option<u32>,
    #[serde(default)]
    pub under_change_control: bool,
}

/// Lower-case identifiers: a-z, 0-9 and `_`, starting with a letter, at most 40 characters.
pub fn is_identifier(s: &str) -> bool {
    (1..=40).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl ConfigurationItemType {
    pub fn create(input: NewConfigurationItemType, at: DateTime<Utc>) -> Result<ConfigurationItemType> {
        let mut c = Checker::new();
        if !is_identifier(&input.name) {
            c.fail(
                "name",
                "must be 1-40 characters of a-z, 0-9 or '_', starting with a letter",
            );
        }
        let description = input.description.unwrap_or_default();
        c.text("description", &description, TEXT_MAX);
        for (i, a) in input.attributes.iter().enumerate() {
            if !is_identifier(&a.name) {
                c.fail(
                    &format!("attributes[{i}].name"),
                    "must be 1-40 characters of a-z, 0-9 or '_'",
                );
            }
            if input.attributes[..i].iter().any(|b| b.name == a.name) {
                c.fail(&format!("attributes[{i}].name"), "repeats another attribute");
            }
        }
        if input.attributes.len() > 100 {
            c.fail("attributes", "at most 100 attributes");
        }
        if input
            .verification_interval_days
            .is_some_and(|d| !(1..=3660).contains(&d))
        {
            c.fail("verification_interval_days", "must be between 1 and 3660");
        }
        c.finish()?;
        Ok(ConfigurationItemType {
            name: input.name,
            description,
            attributes: input.attributes,
            verification_interval_days: input.verification_interval_days,
            under_change_control: input.under_change_control,
            created_at: at,
            updated_at: at,
        })
    }

    /// Checks an item's attributes against this type: every attribute known, of its kind, and
    /// every required one present.
    pub fn check_attributes(&self, attributes: &Map<String, Value>) -> Result<()> {
        let mut errors = Vec::new();
        for (name, value) in attributes {
            let field = format!("attributes.{name}");
            let Some(def) = self.attributes.iter().find(|d| &d.name == name) else {
                errors.push(FieldError::new(
                    field,
                    format!("is not an attribute of {} items", self.name),
                ));
                continue;
            };
            let ok = match (def.kind, value) {
                (_, Value::Null) => !def.required,
                (AttributeKind::Text, Value::String(s)) => s.chars().count() <= NAME_MAX * 4 && !s.contains('\0'),
                (AttributeKind::Number, Value::Number(_)) => true,
                (AttributeKind::Boolean, Value::Bool(_)) => true,
                (AttributeKind::Date, Value::String(s)) => s.parse::<NaiveDate>().is_ok(),
                _ => false,
            };
            if !ok {
                let want = match def.kind {
                    AttributeKind::Text => "a text of at most 480 characters",
                    AttributeKind::Number => "a number",
                    AttributeKind::Boolean => "true or false",
                    AttributeKind::Date => "a date such as 2026-12-31",
                };
                errors.push(FieldError::new(field, format!("must be {want}")));
            }
        }
        for def in self.attributes.iter().filter(|d| d.required) {
            if attributes.get(&def.name).is_none_or(Value::is_null) {
                errors.push(FieldError::new(
                    format!("attributes.{}", def.name),
                    "is required for this type",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_checked_against_the_type() {
        let t = ConfigurationItemType::create(
            NewConfigurationItemType {
                name: "server".into(),
                description: None,
                attributes: vec![
                    AttributeDefinition {
                        name: "hostname".into(),
                        kind: AttributeKind::Text,
                        required: true,
                    },
                    AttributeDefinition {
                        name: "cores".into(),
                        kind: AttributeKind::Number,
                        required: false,
                    },
                    AttributeDefinition {
                        name: "warranty_end".into(),
                        kind: AttributeKind::Date,
                        required: false,
                    },
                ],
                verification_interval_days: Some(90),
                under_change_control: true,
            },
            DateTime::<Utc>::UNIX_EPOCH,
        )
        .unwrap();
        let ok: Map<String, Value> =
            serde_json::from_str(r#"{"hostname":"db-1","cores":8,"warranty_end":"2027-03-31"}"#).unwrap();
        assert!(t.check_attributes(&ok).is_ok());
        let bad: Map<String, Value> =
            serde_json::from_str(r#"{"cores":"eight","warranty_end":"soon","colour":"red"}"#).unwrap();
        match t.check_attributes(&bad) {
            Err(Error::Invalid(f)) => {
                let mut names: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
                names.sort();
                assert_eq!(
                    names,
                    [
                        "attributes.colour",
                        "attributes.cores",
                        "attributes.hostname",
                        "attributes.warranty_end"
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
