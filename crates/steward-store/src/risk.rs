//! How the register of risks and opportunities is stored.

use steward_core::id::{RiskId, ServiceId, UserId};
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;
use steward_core::risk::{Risk, RiskCategory, RiskStatus, Treatment};
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::Table;
use crate::{args, from_micros, micros, opt_stored_date, parse_stored, refer};

#[derive(sqlx::FromRow)]
pub struct RiskRow {
    id: i64,
    title: String,
    description: String,
    category: String,
    security: bool,
    service_id: Option<i64>,
    owner_id: i64,
    likelihood: i64,
    impact: i64,
    rating: i64,
    treatment: Option<String>,
    treatment_plan: String,
    residual_likelihood: Option<i64>,
    residual_impact: Option<i64>,
    status: String,
    review_date: Option<String>,
    created_at: i64,
    updated_at: i64,
}

fn scale(column: &str, v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| Error::unexpected(format!("stored {column} {v} is out of range")))
}

impl Table for Risk {
    type Row = RiskRow;
    const TABLE: &'static str = "risks";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "description",
        "category",
        "security",
        "service_id",
        "owner_id",
        "likelihood",
        "impact",
        "rating",
        "treatment",
        "treatment_plan",
        "residual_likelihood",
        "residual_impact",
        "status",
        "review_date",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: RiskRow) -> Result<Self> {
        Ok(Risk {
            id: RiskId(r.id),
            title: r.title,
            description: r.description,
            category: parse_stored("category", &r.category, RiskCategory::parse)?,
            security: r.security,
            service: r.service_id.map(ServiceId),
            owner: UserId(r.owner_id),
            likelihood: scale("likelihood", r.likelihood)?,
            impact: scale("impact", r.impact)?,
            rating: scale("rating", r.rating)?,
            treatment: r
                .treatment
                .map(|t| parse_stored("treatment", &t, Treatment::parse))
                .transpose()?,
            treatment_plan: r.treatment_plan,
            residual_likelihood: r
                .residual_likelihood
                .map(|v| scale("residual_likelihood", v))
                .transpose()?,
            residual_impact: r.residual_impact.map(|v| scale("residual_impact", v)).transpose()?,
            status: parse_stored("status", &r.status, RiskStatus::parse)?,
            review_date: opt_stored_date("review_date", r.review_date)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.description,
            self.category.as_str(),
            self.security,
            self.service.map(|v| v.0),
            self.owner.0,
            i64::from(self.likelihood),
            i64::from(self.impact),
            i64::from(self.rating),
            self.treatment.map(|t| t.as_str()),
            &self.treatment_plan,
            self.residual_likelihood.map(i64::from),
            self.residual_impact.map(i64::from),
            self.status.as_str(),
            self.review_date.map(|d| d.to_string()),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("owner", RecordKind::User, self.owner.0)];
        refer(&mut r, "service", RecordKind::Service, self.service.map(|v| v.0));
        r
    }

    fn sort_value(&self, column: &str) -> i64 {
        match column {
            "rating" => i64::from(self.rating),
            "created_at" => micros(self.created_at),
            _ => micros(self.updated_at),
        }
    }
}
