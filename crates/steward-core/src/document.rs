//! Documented information (clause 7.5): the register of controlled documents and retained
//! records, each with its identifier, version, owner, approval, review date, retention and
//! disposal, linked to the requirements it satisfies; and the set clause 7.5.4 makes mandatory,
//! shown with what is missing or overdue for review.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::compliance::catalogue;
use crate::error::{Error, Result};
use crate::id::{DocumentId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, NAME_MAX, TITLE_MAX, blank_to_none};
use crate::{lifecycle, named_enum, record};

lifecycle! {
    /// draft -> in_review -> approved; an approved document goes back to review for its next
    /// version; withdrawn documents are kept for their retention period.
    DocumentStatus {
        Draft = "draft" => [InReview, Withdrawn],
        InReview = "in_review" => [Approved, Draft, Withdrawn],
        Approved = "approved" => [InReview, Withdrawn],
        Withdrawn = "withdrawn" => [],
    }
}

named_enum! {
    DocumentType {
        Policy = "policy",
        Plan = "plan",
        Process = "process",
        Procedure = "procedure",
        Agreement = "agreement",
        Record = "record",
        Other = "other",
    }
}

named_enum! {
    /// The documented information clause 7.5.4 requires of every service management system.
    MandatoryDocument {
        Scope = "scope",
        ServiceManagementPolicy = "service_management_policy",
        ServiceManagementObjectives = "service_management_objectives",
        ServiceManagementPlan = "service_management_plan",
        ChangeManagementPolicy = "change_management_policy",
        InformationSecurityPolicy = "information_security_policy",
        ServiceContinuityPlan = "service_continuity_plan",
        Processes = "processes",
        ServiceRequirements = "service_requirements",
        ServiceCatalogue = "service_catalogue",
        ServiceLevelAgreements = "service_level_agreements",
        SupplierContracts = "supplier_contracts",
        InternalAgreements = "internal_agreements",
        Procedures = "procedures",
        ConformityRecords = "conformity_records",
    }
}

/// Where Steward itself holds a mandatory item as live records rather than as a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HeldAs {
    /// An approved SMS scope record.
    ApprovedScope,
    /// Live services in the service catalogue.
    LiveServices,
    /// Active service level agreements.
    ServiceLevelAgreements,
    /// Active operational level agreements.
    OperationalLevelAgreements,
    /// The hash-chained history of every record.
    History,
}

impl MandatoryDocument {
    /// The requirement that asks for it, and a one-line description in Steward's words.
    pub fn describe(self) -> (&'static str, &'static str) {
        use MandatoryDocument::*;
        match self {
            Scope => ("4.3", "The scope of the service management system"),
            ServiceManagementPolicy => ("5.2.1", "The service management policy"),
            ServiceManagementObjectives => ("6.2.1", "The service management objectives"),
            ServiceManagementPlan => ("6.3", "The service management plan"),
            ChangeManagementPolicy => ("8.5.1.1", "The change management policy"),
            InformationSecurityPolicy => ("8.7.3.1", "The information security policy"),
            ServiceContinuityPlan => ("8.7.2", "The service continuity plan or plans"),
            Processes => ("4.4", "The processes of the service management system"),
            ServiceRequirements => ("8.2.2", "The service requirements"),
            ServiceCatalogue => ("8.2.4", "The service catalogue"),
            ServiceLevelAgreements => ("8.3.3", "The service level agreements"),
            SupplierContracts => ("8.3.4.1", "Contracts with external suppliers"),
            InternalAgreements => (
                "8.3.4.2",
                "Agreements with internal suppliers and customers acting as suppliers",
            ),
            Procedures => ("7.5.4", "The procedures the standard asks for"),
            ConformityRecords => ("7.5.4", "Records that show conformity to the requirements"),
        }
    }

    /// Whether Steward holds it as live records, so no separate document is needed.
    pub fn held_as(self) -> Option<HeldAs> {
        use MandatoryDocument::*;
        match self {
            Scope => Some(HeldAs::ApprovedScope),
            ServiceCatalogue => Some(HeldAs::LiveServices),
            ServiceLevelAgreements => Some(HeldAs::ServiceLevelAgreements),
            InternalAgreements => Some(HeldAs::OperationalLevelAgreements),
            ConformityRecords => Some(HeldAs::History),
            _ => None,
        }
    }
}

/// A document is due for review soon when its review date is this close.
pub const REVIEW_SOON_DAYS: u64 = 30;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Document {
    pub id: DocumentId,
    /// The organisation's own control number, unique in the register (e.g. `SMS-POL-001`).
    pub identifier: String,
    pub title: String,
    pub document_type: DocumentType,
    /// The version as the organisation numbers it (e.g. `2.1`).
    pub version: String,
    pub status: DocumentStatus,
    pub owner: UserId,
    pub approved_by: Option<UserId>,
    pub approved_on: Option<NaiveDate>,
    /// When the document takes effect.
    pub effective_date: Option<NaiveDate>,
    pub next_review: Option<NaiveDate>,
    /// How long it is kept (e.g. "3 years after withdrawal").
    pub retention: Option<String>,
    /// How it is disposed of at the end of retention.
    pub disposal: Option<String>,
    /// Where the controlled copy lives (a URL or a path).
    pub location: Option<String>,
    /// The 7.5.4 item it fulfils, if any.
    pub mandatory: Option<MandatoryDocument>,
    /// The requirements it helps satisfy, by clause.
    pub requirements: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Document, RecordKind::Document, DocumentId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    pub identifier: String,
    pub title: String,
    pub document_type: DocumentType,
    #[serde(default)]
    pub version: Option<String>,
    /// Defaults to the person registering it.
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub effective_date: Option<NaiveDate>,
    #[serde(default)]
    pub next_review: Option<NaiveDate>,
    #[serde(default)]
    pub retention: Option<String>,
    #[serde(default)]
    pub disposal: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub mandatory: Option<MandatoryDocument>,
    #[serde(default)]
    pub requirements: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentPatch {
    #[serde(default)]
    pub identifier: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub document_type: Option<DocumentType>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default, deserialize_with = "nullable")]
    pub effective_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub next_review: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub retention: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub disposal: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub mandatory: Option<Option<MandatoryDocument>>,
    #[serde(default)]
    pub requirements: Option<Vec<String>>,
}

/// Where a document stands against its review date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Approved and its review date is more than 30 days away.
    Current,
    /// Approved and due for review within 30 days.
    DueSoon,
    /// Approved and its review date has passed.
    Overdue,
    /// Not approved (draft or in review).
    NotApproved,
    Withdrawn,
}

impl Document {
    pub fn create(input: NewDocument, owner: UserId, at: DateTime<Utc>) -> Result<Document> {
        let d = Document {
            id: DocumentId(0),
            identifier: input.identifier.trim().to_string(),
            title: input.title.trim().to_string(),
            document_type: input.document_type,
            version: blank_to_none(input.version).map_or_else(|| "0.1".to_string(), |v| v.trim().to_string()),
            status: DocumentStatus::Draft,
            owner: input.owner.unwrap_or(owner),
            approved_by: None,
            approved_on: None,
            effective_date: input.effective_date,
            next_review: input.next_review,
            retention: blank_to_none(input.retention),
            disposal: blank_to_none(input.disposal),
            location: blank_to_none(input.location),
            mandatory: input.mandatory,
            requirements: normalise(input.requirements),
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        d.check(&mut c);
        c.finish()?;
        Ok(d)
    }

    fn check(&self, c: &mut Checker) {
        c.line("identifier", &self.identifier, NAME_MAX);
        c.line("title", &self.title, TITLE_MAX);
        c.line("version", &self.version, 40);
        c.opt_line("retention", self.retention.as_deref(), TITLE_MAX);
        c.opt_line("disposal", self.disposal.as_deref(), TITLE_MAX);
        c.opt_text("location", self.location.as_deref(), 2_000);
        check_requirements(c, "requirements", &self.requirements);
    }

    pub fn apply_patch(&mut self, p: DocumentPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.identifier, p.identifier.map(|v| v.trim().to_string()));
        set(&mut next.title, p.title.map(|v| v.trim().to_string()));
        set(&mut next.document_type, p.document_type);
        set(&mut next.version, p.version.map(|v| v.trim().to_string()));
        set(&mut next.owner, p.owner);
        set(&mut next.effective_date, p.effective_date);
        set(&mut next.next_review, p.next_review);
        set(&mut next.retention, p.retention.map(blank_to_none));
        set(&mut next.disposal, p.disposal.map(blank_to_none));
        set(&mut next.location, p.location.map(blank_to_none));
        set(&mut next.mandatory, p.mandatory);
        set(&mut next.requirements, p.requirements.map(normalise));
        let mut c = Checker::new();
        next.check(&mut c);
        if self.status == DocumentStatus::Approved && next.version != self.version {
            c.fail(
                "version",
                "an approved document keeps its version; move it to in_review to prepare the next one",
            );
        }
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// Moves the document on. Approving records `by` and `today` as the approval and needs a
    /// review date in the future; going back to review clears the approval.
    pub fn transition(&mut self, t: StatusTransition, by: UserId, today: NaiveDate) -> Result<()> {
        let to = self.status.check_move(&t.to)?;
        match to {
            DocumentStatus::Approved => {
                match self.next_review {
                    None => return Err(Error::invalid("next_review", "set a review date before approving")),
                    Some(d) if d <= today => {
                        return Err(Error::invalid(
                            "next_review",
                            "the review date must be after the approval date",
                        ));
                    }
                    Some(_) => {}
                }
                self.approved_by = Some(by);
                self.approved_on = Some(today);
                if self.effective_date.is_none() {
                    self.effective_date = Some(today);
                }
            }
            DocumentStatus::InReview | DocumentStatus::Draft => {
                self.approved_by = None;
                self.approved_on = None;
            }
            DocumentStatus::Withdrawn => {}
        }
        self.status = to;
        Ok(())
    }

    pub fn review_state(&self, today: NaiveDate) -> ReviewState {
        match self.status {
            DocumentStatus::Withdrawn => ReviewState::Withdrawn,
            DocumentStatus::Draft | DocumentStatus::InReview => ReviewState::NotApproved,
            DocumentStatus::Approved => match self.next_review {
                Some(d) if d < today => ReviewState::Overdue,
                Some(d) if d <= today.checked_add_days(Days::new(REVIEW_SOON_DAYS)).unwrap_or(today) => {
                    ReviewState::DueSoon
                }
                Some(_) => ReviewState::Current,
                None => ReviewState::Overdue,
            },
        }
    }

    /// Approved and not past its review date.
    pub fn is_current(&self, today: NaiveDate) -> bool {
        matches!(self.review_state(today), ReviewState::Current | ReviewState::DueSoon)
    }
}

fn normalise(mut v: Vec<String>) -> Vec<String> {
    for s in &mut v {
        *s = s.trim().to_string();
    }
    v.sort_by_key(|c| clause_order(c));
    v.dedup();
    v
}

/// Sort key putting clauses in the standard's order (`8.10` after `8.9`).
pub fn clause_order(clause: &str) -> Vec<u32> {
    clause.split('.').map(|p| p.parse().unwrap_or(u32::MAX)).collect()
}

/// Every entry must be a clause of the catalogue.
pub fn check_requirements(c: &mut Checker, field: &str, requirements: &[String]) {
    let Ok(cat) = catalogue() else {
        c.fail(field, "the requirement catalogue is unavailable");
        return;
    };
    if requirements.len() > 100 {
        c.fail(field, "must name at most 100 requirements");
    }
    for r in requirements {
        if !cat.requirements.iter().any(|q| &q.clause == r) {
            c.fail(
                field,
                format!(
                    "there is no clause '{}' in {}",
                    r.chars().take(40).collect::<String>(),
                    cat.edition
                ),
            );
        }
    }
}

/// One line of the 7.5.4 check.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MandatoryItem {
    pub item: MandatoryDocument,
    pub requirement: &'static str,
    pub description: &'static str,
    /// Registered documents filling it that are not withdrawn.
    pub documents: Vec<DocumentId>,
    /// How Steward holds it as live records, with what it found there.
    pub held_as: Option<HeldAs>,
    pub held_count: Option<i64>,
    /// present (a current document, or live records), not_current (registered, but only in
    /// draft, in review or past its review date), missing.
    pub state: MandatoryState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MandatoryState {
    Present,
    NotCurrent,
    Missing,
}

/// Checks the 7.5.4 set against the register and the counts of live records Steward holds.
pub fn mandatory_check(documents: &[Document], held: impl Fn(HeldAs) -> i64, today: NaiveDate) -> Vec<MandatoryItem> {
    MandatoryDocument::ALL
        .iter()
        .map(|&item| {
            let (requirement, description) = item.describe();
            let docs: Vec<&Document> = documents
                .iter()
                .filter(|d| d.mandatory == Some(item) && d.status != DocumentStatus::Withdrawn)
                .collect();
            let held_as = item.held_as();
            let held_count = held_as.map(&held);
            let state = if docs.iter().any(|d| d.is_current(today)) || held_count.is_some_and(|n| n > 0) {
                MandatoryState::Present
            } else if !docs.is_empty() {
                MandatoryState::NotCurrent
            } else {
                MandatoryState::Missing
            };
            MandatoryItem {
                item,
                requirement,
                description,
                documents: docs.iter().map(|d| d.id).collect(),
                held_as,
                held_count,
                state,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn doc(mandatory: Option<MandatoryDocument>) -> Document {
        Document::create(
            NewDocument {
                identifier: "SMS-POL-001".into(),
                title: "Service management policy".into(),
                document_type: DocumentType::Policy,
                version: Some("1.0".into()),
                owner: None,
                effective_date: None,
                next_review: Some(day("2027-01-31")),
                retention: Some("5 years after withdrawal".into()),
                disposal: Some("secure deletion".into()),
                location: None,
                mandatory,
                requirements: vec!["5.2.1".into(), "5.2.2".into(), "5.2.1".into()],
            },
            UserId(4),
            Utc::now(),
        )
        .unwrap()
    }

    #[test]
    fn transition_table() {
        use DocumentStatus::*;
        assert_table(&[
            (Draft, &[InReview, Withdrawn][..]),
            (InReview, &[Approved, Draft, Withdrawn]),
            (Approved, &[InReview, Withdrawn]),
            (Withdrawn, &[]),
        ]);
    }

    #[test]
    fn approval_records_who_and_when_and_needs_a_future_review() {
        let mut d = doc(None);
        assert_eq!(d.requirements, vec!["5.2.1", "5.2.2"]);
        d.transition(
            StatusTransition { to: "in_review".into() },
            UserId(2),
            day("2026-02-01"),
        )
        .unwrap();
        let late = d
            .clone()
            .transition(StatusTransition { to: "approved".into() }, UserId(2), day("2027-02-01"))
            .unwrap_err();
        assert!(late.to_string().contains("review date must be after"));
        d.transition(StatusTransition { to: "approved".into() }, UserId(2), day("2026-02-01"))
            .unwrap();
        assert_eq!(
            (d.approved_by, d.approved_on),
            (Some(UserId(2)), Some(day("2026-02-01")))
        );
        assert_eq!(d.effective_date, Some(day("2026-02-01")));
        assert!(
            d.clone()
                .apply_patch(DocumentPatch {
                    version: Some("1.1".into()),
                    ..Default::default()
                })
                .is_err()
        );
        assert_eq!(d.review_state(day("2026-06-01")), ReviewState::Current);
        assert_eq!(d.review_state(day("2027-01-10")), ReviewState::DueSoon);
        assert_eq!(d.review_state(day("2027-01-31")), ReviewState::DueSoon);
        assert_eq!(d.review_state(day("2027-02-01")), ReviewState::Overdue);
        d.transition(
            StatusTransition { to: "in_review".into() },
            UserId(2),
            day("2026-03-01"),
        )
        .unwrap();
        assert_eq!(
            (d.approved_by, d.review_state(day("2026-06-01"))),
            (None, ReviewState::NotApproved)
        );
    }

    #[test]
    fn unknown_requirements_are_refused() {
        let e = Document::create(
            NewDocument {
                requirements: vec!["8.9.9".into()],
                ..serde_json::from_value(serde_json::json!({"identifier": "X", "title": "X", "document_type": "plan"}))
                    .unwrap()
            },
            UserId(1),
            Utc::now(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("there is no clause '8.9.9'"), "{e}");
    }

    #[test]
    fn the_mandatory_set_shows_what_is_missing_or_overdue() {
        let today = day("2026-06-01");
        let mut policy = doc(Some(MandatoryDocument::ServiceManagementPolicy));
        policy.status = DocumentStatus::Approved;
        let mut plan = doc(Some(MandatoryDocument::ServiceManagementPlan));
        plan.status = DocumentStatus::Approved;
        plan.next_review = Some(day("2026-05-01"));
        let held = |h: HeldAs| match h {
            HeldAs::LiveServices => 3,
            HeldAs::History => 1,
            _ => 0,
        };
        let items = mandatory_check(&[policy, plan], held, today);
        assert_eq!(items.len(), MandatoryDocument::ALL.len());
        let state = |m| items.iter().find(|i| i.item == m).unwrap().state;
        assert_eq!(
            state(MandatoryDocument::ServiceManagementPolicy),
            MandatoryState::Present
        );
        assert_eq!(
            state(MandatoryDocument::ServiceManagementPlan),
            MandatoryState::NotCurrent
        );
        assert_eq!(state(MandatoryDocument::ServiceCatalogue), MandatoryState::Present);
        assert_eq!(state(MandatoryDocument::Scope), MandatoryState::Missing);
        assert_eq!(
            state(MandatoryDocument::ChangeManagementPolicy),
            MandatoryState::Missing
        );
    }
}
