//! How the register of documented information is stored, and the counts of live records that
//! stand in for mandatory items. A register holds hundreds of documents, so the requirements each
//! serves are kept as a list on the document and matched in memory.

use steward_core::document::{
    Document, DocumentStatus, DocumentType, HeldAs, MandatoryDocument, MandatoryItem, mandatory_check,
};
use steward_core::id::{DocumentId, UserId};
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::Table;
use crate::{Store, args, from_micros, json_text, micros, opt_stored_date, parse_stored, refer, stored_json};

#[derive(sqlx::FromRow)]
pub struct DocumentRow {
    id: i64,
    identifier: String,
    title: String,
    document_type: String,
    version: String,
    status: String,
    owner_id: i64,
    approved_by: Option<i64>,
    approved_on: Option<String>,
    effective_date: Option<String>,
    next_review: Option<String>,
    retention: Option<String>,
    disposal: Option<String>,
    location: Option<String>,
    mandatory: Option<String>,
    requirements: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Document {
    type Row = DocumentRow;
    const TABLE: &'static str = "documents";
    const COLUMNS: &'static [&'static str] = &[
        "identifier",
        "title",
        "document_type",
        "version",
        "status",
        "owner_id",
        "approved_by",
        "approved_on",
        "effective_date",
        "next_review",
        "retention",
        "disposal",
        "location",
        "mandatory",
        "requirements",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: DocumentRow) -> Result<Self> {
        Ok(Document {
            id: DocumentId(r.id),
            identifier: r.identifier,
            title: r.title,
            document_type: parse_stored("document_type", &r.document_type, DocumentType::parse)?,
            version: r.version,
            status: parse_stored("status", &r.status, DocumentStatus::parse)?,
            owner: UserId(r.owner_id),
            approved_by: r.approved_by.map(UserId),
            approved_on: opt_stored_date("approved_on", r.approved_on)?,
            effective_date: opt_stored_date("effective_date", r.effective_date)?,
            next_review: opt_stored_date("next_review", r.next_review)?,
            retention: r.retention,
            disposal: r.disposal,
            location: r.location,
            mandatory: r
                .mandatory
                .map(|m| parse_stored("mandatory", &m, MandatoryDocument::parse))
                .transpose()?,
            requirements: stored_json("requirements", &r.requirements)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            &self.identifier,
            &self.title,
            self.document_type.as_str(),
            &self.version,
            self.status.as_str(),
            self.owner.0,
            self.approved_by.map(|v| v.0),
            self.approved_on.map(|d| d.to_string()),
            self.effective_date.map(|d| d.to_string()),
            self.next_review.map(|d| d.to_string()),
            self.retention.clone(),
            self.disposal.clone(),
            self.location.clone(),
            self.mandatory.map(|m| m.as_str()),
            json_text(&self.requirements),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("owner", RecordKind::User, self.owner.0)];
        refer(&mut r, "approved_by", RecordKind::User, self.approved_by.map(|v| v.0));
        r
    }
}

/// Registers hold hundreds of documents, not millions; past this the register report refuses
/// rather than reading without bound.
pub const REGISTER_MAX: i64 = 20_000;

impl Store {
    /// Every document in the register that is not withdrawn, by identifier.
    pub async fn register(&self) -> Result<Vec<Document>> {
        let sql = format!(
            "SELECT id, {} FROM documents WHERE status <> 'withdrawn' ORDER BY identifier LIMIT $1",
            Document::COLUMNS.join(", ")
        );
        let mut c = self.read().await?;
        let rows: Vec<DocumentRow> = c.fetch_all(&sql, args![REGISTER_MAX + 1]).await?;
        if rows.len() as i64 > REGISTER_MAX {
            return Err(Error::Conflict(format!(
                "the register holds more than {REGISTER_MAX} documents in force; read it page by page through /api/v1/compliance/documents"
            )));
        }
        rows.into_iter().map(Document::from_row).collect()
    }

    /// The register in force and the 7.5.4 check of it on `today`, counting the live records
    /// Steward holds for some items.
    pub async fn register_check(&self, today: chrono::NaiveDate) -> Result<(Vec<Document>, Vec<MandatoryItem>)> {
        let documents = self.register().await?;
        let held: std::collections::HashMap<HeldAs, i64> = self.held_counts().await?.into_iter().collect();
        let mandatory = mandatory_check(&documents, |h| held.get(&h).copied().unwrap_or(0), today);
        Ok((documents, mandatory))
    }

    /// How many live records stand in for each mandatory item Steward holds itself.
    pub async fn held_counts(&self) -> Result<Vec<(HeldAs, i64)>> {
        let mut c = self.read().await?;
        let (scopes, services, slas, olas, history): (i64, i64, i64, i64, i64) = c
            .fetch_one(
                "SELECT (SELECT COUNT(*) FROM sms_scopes WHERE approved_by IS NOT NULL), \
                 (SELECT COUNT(*) FROM services WHERE status = 'live'), \
                 (SELECT COUNT(*) FROM agreements WHERE kind = 'sla' AND active), \
                 (SELECT COUNT(*) FROM agreements WHERE kind = 'ola' AND active), \
                 (SELECT seq FROM history_head WHERE id = 1)",
                vec![],
            )
            .await?;
        Ok(vec![
            (HeldAs::ApprovedScope, scopes),
            (HeldAs::LiveServices, services),
            (HeldAs::ServiceLevelAgreements, slas),
            (HeldAs::OperationalLevelAgreements, olas),
            (HeldAs::History, history),
        ])
    }
}
