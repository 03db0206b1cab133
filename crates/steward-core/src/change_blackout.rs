//! Change blackouts: windows in which no change may be scheduled without accepting the conflict
//! (a year-end freeze, say), for every service or one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{ChangeBlackoutId, ServiceId};
use crate::patch::{nullable, set};
use crate::record;
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChangeBlackout {
    pub id: ChangeBlackoutId,
    pub name: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The one service it covers; none means every service.
    pub service: Option<ServiceId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(ChangeBlackout, RecordKind::ChangeBlackout, ChangeBlackoutId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChangeBlackout {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub service: Option<ServiceId>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBlackoutPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "nullable")]
    pub service: Option<Option<ServiceId>>,
}

impl ChangeBlackout {
    pub fn create(input: NewChangeBlackout, at: DateTime<Utc>) -> Result<ChangeBlackout> {
        let b = ChangeBlackout {
            id: ChangeBlackoutId(0),
            name: input.name.trim().to_string(),
            description: input.description.unwrap_or_default(),
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            service: input.service,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        c.line("name", &input.name, NAME_MAX);
        b.check(&mut c);
        c.finish()?;
        Ok(b)
    }

    fn check(&self, c: &mut Checker) {
        c.text("description", &self.description, TEXT_MAX);
        if self.ends_at <= self.starts_at {
            c.fail("ends_at", "must be after starts_at");
        }
    }

    pub fn apply_patch(&mut self, p: ChangeBlackoutPatch) -> Result<()> {
        let mut c = Checker::new();
        c.opt_line("name", p.name.as_deref(), NAME_MAX);
        let mut next = self.clone();
        set(&mut next.name, p.name.map(|n| n.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.starts_at, p.starts_at);
        set(&mut next.ends_at, p.ends_at);
        set(&mut next.service, p.service);
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }
}
