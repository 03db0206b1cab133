//! How catalogue items are stored.

use steward_core::Result;
use steward_core::id::*;
use steward_core::record::RecordKind;
use steward_core::service::CatalogueItem;

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros};

#[derive(sqlx::FromRow)]
pub struct CatalogueItemRow {
    id: i64,
    service_id: i64,
    name: String,
    description: String,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl Table for CatalogueItem {
    type Row = CatalogueItemRow;
    const TABLE: &'static str = "catalogue_items";
    const COLUMNS: &'static [&'static str] = &[
        "service_id",
        "name",
        "description",
        "active",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: CatalogueItemRow) -> Result<Self> {
        Ok(CatalogueItem {
            id: CatalogueItemId(r.id),
            service: ServiceId(r.service_id),
            name: r.name,
            description: r.description,
            active: r.active,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.service.0,
            &self.name,
            &self.description,
            self.active,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        vec![("service", RecordKind::Service, self.service.0)]
    }
}
