//! Change management figures for a period: how many changes closed and how they went, the share
//! of emergencies, the changes that caused incidents, and unauthorised changes (items under
//! change control modified with no change covering the moment).

use serde::Serialize;

use crate::id::{ChangeId, ConfigurationItemId};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChangeFigures {
    /// Changes closed in the period after implementation (with an outcome).
    pub implemented: u64,
    pub successful: u64,
    /// Successful (with or without issues) / implemented, in percent; absent when none.
    pub success_rate_percent: Option<f64>,
    /// Changes raised in the period.
    pub raised: u64,
    pub emergency: u64,
    /// Emergency / raised, in percent; absent when none.
    pub emergency_share_percent: Option<f64>,
    /// Changes closed in the period that an incident is linked to as its cause.
    pub caused_incidents: Vec<ChangeId>,
    /// Modifications, in the period, of items whose type is under change control, made when no
    /// change linked to the item had its planned window open.
    pub unauthorised: Vec<UnauthorisedChange>,
    /// Releases whose deployment ended in the period, and how many of them were rolled back.
    pub releases_deployed: u64,
    pub releases_rolled_back: u64,
    /// Deployed without rollback / all whose deployment ended, in percent.
    pub release_success_rate_percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnauthorisedChange {
    pub item: ConfigurationItemId,
    /// The history entry that records the modification.
    pub history_seq: i64,
    pub field: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Percent with two decimals.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 10_000.0 / whole as f64).round() / 100.0)
}
