//! How configuration item types are stored.

use chrono::{DateTime, Utc};
use steward_core::configuration_item_type::ConfigurationItemType;
use steward_core::{Error, Result};

use crate::{Store, args, from_micros, json_text, micros};

#[derive(sqlx::FromRow)]
struct TypeRow {
    name: String,
    description: String,
    attributes: String,
    verification_interval_days: Option<i64>,
    under_change_control: bool,
    created_at: i64,
    updated_at: i64,
}

impl TypeRow {
    fn into_type(self) -> Result<ConfigurationItemType> {
        Ok(ConfigurationItemType {
            name: self.name,
            description: self.description,
            attributes: serde_json::from_str(&self.attributes)
                .map_err(|e| Error::unexpected(format!("stored attributes are not valid: {e}")))?,
            verification_interval_days: self.verification_interval_days.and_then(|d| u32::try_from(d).ok()),
            under_change_control: self.under_change_control,
            created_at: from_micros(self.created_at)?,
            updated_at: from_micros(self.updated_at)?,
        })
    }
}

const SELECT: &str = "SELECT name, description, attributes, verification_interval_days, under_change_control, \
                      created_at, updated_at FROM configuration_item_types";

impl Store {
    pub async fn configuration_item_types(&self) -> Result<Vec<ConfigurationItemType>> {
        let mut c = self.read().await?;
        let rows: Vec<TypeRow> = c.fetch_all(&format!("{SELECT} ORDER BY name"), vec![]).await?;
        rows.into_iter().map(TypeRow::into_type).collect()
    }

    pub async fn configuration_item_type(&self, name: &str) -> Result<Option<ConfigurationItemType>> {
        let mut c = self.read().await?;
        let row: Option<TypeRow> = c
            .fetch_optional(&format!("{SELECT} WHERE name = $1"), args![name])
            .await?;
        row.map(TypeRow::into_type).transpose()
    }

    /// Adds a type, or replaces the one of the same name.
    pub async fn put_configuration_item_type(&self, t: &ConfigurationItemType, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO configuration_item_types (name, description, attributes, verification_interval_days, \
             under_change_control, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (name) DO UPDATE SET description = excluded.description, attributes = excluded.attributes, \
             verification_interval_days = excluded.verification_interval_days, \
             under_change_control = excluded.under_change_control, updated_at = excluded.updated_at",
            args![
                &t.name,
                &t.description,
                json_text(&t.attributes),
                t.verification_interval_days.map(i64::from),
                t.under_change_control,
                micros(at),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
