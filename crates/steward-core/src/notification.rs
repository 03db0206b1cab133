//! In-app notifications: what Steward tells a user about a record (SLA warnings and breaches, so
//! far).

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    /// The record it is about, e.g. INC-42.
    pub record: String,
    /// `sla_warning` or `sla_breach`.
    pub kind: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}
