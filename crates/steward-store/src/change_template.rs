//! How standard change templates are stored.

use steward_core::Result;
use steward_core::change::ChangeRisk;
use steward_core::change_template::ChangeTemplate;
use steward_core::id::{ChangeTemplateId, ServiceId};
use steward_core::record::RecordKind;

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct ChangeTemplateRow {
    id: i64,
    name: String,
    description: String,
    service_id: Option<i64>,
    risk: String,
    implementation_plan: String,
    backout_plan: String,
    category: Option<String>,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl Table for ChangeTemplate {
    type Row = ChangeTemplateRow;
    const TABLE: &'static str = "change_templates";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "description",
        "service_id",
        "risk",
        "implementation_plan",
        "backout_plan",
        "category",
        "active",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: ChangeTemplateRow) -> Result<Self> {
        Ok(ChangeTemplate {
            id: ChangeTemplateId(r.id),
            name: r.name,
            description: r.description,
            service: r.service_id.map(ServiceId),
            risk: parse_stored("risk", &r.risk, ChangeRisk::parse)?,
            implementation_plan: r.implementation_plan,
            backout_plan: r.backout_plan,
            category: r.category,
            active: r.active,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.name,
            &self.description,
            self.service.map(|s| s.0),
            self.risk.as_str(),
            &self.implementation_plan,
            &self.backout_plan,
            self.category.clone(),
            self.active,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "service", RecordKind::Service, self.service.map(|s| s.0));
        r
    }
}
