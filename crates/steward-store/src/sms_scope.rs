//! How SMS scope statements are stored.

use steward_core::Result;
use steward_core::id::{SmsScopeId, UserId};
use steward_core::record::RecordKind;
use steward_core::sms_scope::SmsScope;

use crate::exec::Arg;
use crate::record::Table;
use crate::{Store, args, from_micros, json_text, micros, opt_stored_date, refer, stored_json};

#[derive(sqlx::FromRow)]
pub struct SmsScopeRow {
    id: i64,
    title: String,
    statement: String,
    services: String,
    customers: String,
    organisational_units: String,
    locations: String,
    exclusions: String,
    other_parties: String,
    version: i64,
    approved_by: Option<i64>,
    approved_on: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl Table for SmsScope {
    type Row = SmsScopeRow;
    const TABLE: &'static str = "sms_scopes";
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "statement",
        "services",
        "customers",
        "organisational_units",
        "locations",
        "exclusions",
        "other_parties",
        "version",
        "approved_by",
        "approved_on",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: SmsScopeRow) -> Result<Self> {
        Ok(SmsScope {
            id: SmsScopeId(r.id),
            title: r.title,
            statement: r.statement,
            services: stored_json("services", &r.services)?,
            customers: stored_json("customers", &r.customers)?,
            organisational_units: stored_json("organisational_units", &r.organisational_units)?,
            locations: stored_json("locations", &r.locations)?,
            exclusions: stored_json("exclusions", &r.exclusions)?,
            other_parties: stored_json("other_parties", &r.other_parties)?,
            version: r.version,
            approved_by: r.approved_by.map(UserId),
            approved_on: opt_stored_date("approved_on", r.approved_on)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.title,
            &self.statement,
            json_text(&self.services),
            json_text(&self.customers),
            json_text(&self.organisational_units),
            json_text(&self.locations),
            json_text(&self.exclusions),
            json_text(&self.other_parties),
            self.version,
            self.approved_by.map(|v| v.0),
            self.approved_on.map(|d| d.to_string()),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = Vec::new();
        refer(&mut r, "approved_by", RecordKind::User, self.approved_by.map(|v| v.0));
        for s in &self.services {
            r.push(("services", RecordKind::Service, s.0));
        }
        for o in &self.customers {
            r.push(("customers", RecordKind::Organisation, o.0));
        }
        r
    }
}

impl Store {
    /// The scope in force: the most recently changed statement, approved ones first.
    pub async fn current_scope(&self) -> Result<Option<SmsScope>> {
        let sql = format!(
            "SELECT id, {} FROM sms_scopes ORDER BY approved_by IS NULL, updated_at DESC, id DESC LIMIT 1",
            SmsScope::COLUMNS.join(", ")
        );
        let mut c = self.read().await?;
        c.fetch_optional::<SmsScopeRow>(&sql, vec![])
            .await?
            .map(SmsScope::from_row)
            .transpose()
    }
}
