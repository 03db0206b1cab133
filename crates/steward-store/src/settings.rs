//! Settings an administrator changes at run time, kept in the database so every process agrees.

use chrono::{DateTime, Utc};
use steward_core::approval::ChangePolicy;
use steward_core::complaint::ComplaintPolicy;
use steward_core::cost::CostRates;
use steward_core::priority::{PriorityMatrix, PriorityRules};
use steward_core::{Error, Result};

use crate::{Store, args, micros};

const PRIORITY_MATRIX: &str = "priority_matrix";
const SECURITY_PRIORITY_MATRIX: &str = "security_priority_matrix";
pub(crate) const CHANGE_POLICY: &str = "change_policy";
const COMPLAINT_POLICY: &str = "complaint_policy";
const COST_RATES: &str = "cost_rates";

impl Store {
    /// A setting as stored, or its default when none is.
    async fn setting<T: serde::de::DeserializeOwned + Default>(&self, key: &str) -> Result<T> {
        self.setting_or(key, T::default).await
    }

    /// A setting as stored, or `default()` when none is.
    async fn setting_or<T: serde::de::DeserializeOwned>(&self, key: &str, default: impl FnOnce() -> T) -> Result<T> {
        let mut c = self.read().await?;
        let row: Option<(String,)> = c
            .fetch_optional("SELECT value FROM settings WHERE key = $1", args![key])
            .await?;
        match row {
            Some((json,)) => parsed(key, &json),
            None => Ok(default()),
        }
    }
}

fn parsed<T: serde::de::DeserializeOwned>(key: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| Error::unexpected(format!("the stored setting {key} is not valid: {e}")))
}

/// Writes a setting, replacing what was stored under its key.
async fn put_setting<T: serde::Serialize>(
    tx: &mut crate::exec::Tx,
    key: &str,
    value: &T,
    at: DateTime<Utc>,
) -> Result<()> {
    let json = serde_json::to_string(value).map_err(|e| Error::Unexpected(Box::new(e)))?;
    tx.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        args![key, json, micros(at)],
    )
    .await?;
    Ok(())
}

impl Store {
    /// The priority matrix in force: the stored one, or the default table.
    pub async fn priority_matrix(&self) -> Result<PriorityMatrix> {
        self.setting(PRIORITY_MATRIX).await
    }

    pub async fn set_priority_matrix(&self, m: &PriorityMatrix, at: DateTime<Utc>) -> Result<()> {
        m.validate()?;
        let mut tx = self.begin().await?;
        put_setting(&mut tx, PRIORITY_MATRIX, m, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The matrix security incidents take their priority from: the stored one, or one step
    /// more urgent than the usual table.
    pub async fn security_priority_matrix(&self) -> Result<PriorityMatrix> {
        self.setting_or(SECURITY_PRIORITY_MATRIX, PriorityMatrix::security_default)
            .await
    }

    pub async fn set_security_priority_matrix(&self, m: &PriorityMatrix, at: DateTime<Utc>) -> Result<()> {
        m.validate()?;
        let mut tx = self.begin().await?;
        put_setting(&mut tx, SECURITY_PRIORITY_MATRIX, m, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Both matrices incidents follow, in one read (every incident written asks for them).
    pub async fn priority_rules(&self) -> Result<PriorityRules> {
        let mut c = self.read().await?;
        let rows: Vec<(String, String)> = c
            .fetch_all(
                "SELECT key, value FROM settings WHERE key IN ($1, $2)",
                args![PRIORITY_MATRIX, SECURITY_PRIORITY_MATRIX],
            )
            .await?;
        let mut rules = PriorityRules::default();
        for (key, json) in rows {
            if key == PRIORITY_MATRIX {
                rules.standard = parsed(&key, &json)?;
            } else {
                rules.security = parsed(&key, &json)?;
            }
        }
        Ok(rules)
    }
}

impl Store {
    pub async fn change_policy(&self) -> Result<ChangePolicy> {
        let mut tx = self.begin_read().await?;
        let p = crate::approval::policy_in(&mut tx).await?;
        tx.commit().await?;
        Ok(p)
    }

    pub async fn set_change_policy(&self, p: &ChangePolicy, at: DateTime<Utc>) -> Result<()> {
        p.validate()?;
        let mut tx = self.begin().await?;
        if let Some(team) = p.advisory_board {
            crate::record::check_references(
                &mut tx,
                &[("advisory_board", steward_core::record::RecordKind::Team, team.0)],
            )
            .await?;
        }
        let users: Vec<(&'static str, steward_core::record::RecordKind, i64)> = p
            .emergency_approvers
            .iter()
            .map(|u| ("emergency_approvers", steward_core::record::RecordKind::User, u.0))
            .collect();
        crate::record::check_references(&mut tx, &users).await?;
        put_setting(&mut tx, CHANGE_POLICY, p, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The targets complaints are held to: the stored policy, or the default.
    pub async fn complaint_policy(&self) -> Result<ComplaintPolicy> {
        self.setting(COMPLAINT_POLICY).await
    }

    /// Replaces the complaint policy; complaints already received keep their targets.
    pub async fn set_complaint_policy(&self, p: &ComplaintPolicy, at: DateTime<Utc>) -> Result<()> {
        p.validate()?;
        let mut tx = self.begin().await?;
        put_setting(&mut tx, COMPLAINT_POLICY, p, at).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// The currency and staff hour rate in force: the stored ones, or the defaults.
    pub async fn cost_rates(&self) -> Result<CostRates> {
        self.setting(COST_RATES).await
    }

    /// Replaces the cost rates; costs already recorded keep their amounts.
    pub async fn set_cost_rates(&self, r: &CostRates, at: DateTime<Utc>) -> Result<()> {
        r.validate()?;
        let mut tx = self.begin().await?;
        put_setting(&mut tx, COST_RATES, r, at).await?;
        tx.commit().await?;
        Ok(())
    }
}
