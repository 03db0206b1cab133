//! What every stored record has in common, so storage, history and access are written once.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::id::OrganisationId;

/// The kinds of record Steward keeps, in the words used by the API paths and history entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Service,
    CatalogueItem,
    Calendar,
    Agreement,
    Organisation,
    Team,
    User,
    Incident,
    Request,
    Problem,
    Change,
    ChangeBlackout,
    ChangeTemplate,
    Release,
    ConfigurationItem,
    Asset,
    Licence,
    SmsScope,
    Assessment,
    Document,
    Evidence,
    Audit,
    Finding,
    Nonconformity,
    Action,
    ManagementReview,
    Improvement,
    Risk,
    Objective,
    Programme,
    Certificate,
    Outage,
    Supplier,
    Contract,
    Dispute,
    ServiceReview,
    Complaint,
    Survey,
    Budget,
    Cost,
    CapacityRequirement,
    DemandForecast,
    ContinuityPlan,
    ContinuityTest,
    SecurityControl,
    Article,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Service => "service",
            RecordKind::CatalogueItem => "catalogue_item",
            RecordKind::Calendar => "calendar",
            RecordKind::Agreement => "agreement",
            RecordKind::Organisation => "organisation",
            RecordKind::Team => "team",
            RecordKind::User => "user",
            RecordKind::Incident => "incident",
            RecordKind::Request => "request",
            RecordKind::Problem => "problem",
            RecordKind::Change => "change",
            RecordKind::ChangeBlackout => "change_blackout",
            RecordKind::ChangeTemplate => "change_template",
            RecordKind::Release => "release",
            RecordKind::Asset => "asset",
            RecordKind::Licence => "licence",
            RecordKind::ConfigurationItem => "configuration_item",
            RecordKind::SmsScope => "sms_scope",
            RecordKind::Assessment => "assessment",
            RecordKind::Document => "document",
            RecordKind::Evidence => "evidence",
            RecordKind::Audit => "audit",
            RecordKind::Finding => "finding",
            RecordKind::Nonconformity => "nonconformity",
            RecordKind::Action => "action",
            RecordKind::ManagementReview => "management_review",
            RecordKind::Improvement => "improvement",
            RecordKind::Risk => "risk",
            RecordKind::Objective => "objective",
            RecordKind::Programme => "programme",
            RecordKind::Certificate => "certificate",
            RecordKind::Outage => "outage",
            RecordKind::Supplier => "supplier",
            RecordKind::Contract => "contract",
            RecordKind::Dispute => "dispute",
            RecordKind::ServiceReview => "service_review",
            RecordKind::Complaint => "complaint",
            RecordKind::Survey => "survey",
            RecordKind::Budget => "budget",
            RecordKind::Cost => "cost",
            RecordKind::CapacityRequirement => "capacity_requirement",
            RecordKind::DemandForecast => "demand_forecast",
            RecordKind::ContinuityPlan => "continuity_plan",
            RecordKind::ContinuityTest => "continuity_test",
            RecordKind::SecurityControl => "security_control",
            RecordKind::Article => "article",
        }
    }

    /// Every kind, in a fixed order.
    pub const ALL: [RecordKind; 46] = [
        RecordKind::Service,
        RecordKind::CatalogueItem,
        RecordKind::Calendar,
        RecordKind::Agreement,
        RecordKind::Organisation,
        RecordKind::Team,
        RecordKind::User,
        RecordKind::Incident,
        RecordKind::Request,
        RecordKind::Problem,
        RecordKind::Change,
        RecordKind::ChangeBlackout,
        RecordKind::ChangeTemplate,
        RecordKind::Release,
        RecordKind::ConfigurationItem,
        RecordKind::Asset,
        RecordKind::Licence,
        RecordKind::SmsScope,
        RecordKind::Assessment,
        RecordKind::Document,
        RecordKind::Evidence,
        RecordKind::Audit,
        RecordKind::Finding,
        RecordKind::Nonconformity,
        RecordKind::Action,
        RecordKind::ManagementReview,
        RecordKind::Improvement,
        RecordKind::Risk,
        RecordKind::Objective,
        RecordKind::Programme,
        RecordKind::Certificate,
        RecordKind::Outage,
        RecordKind::Supplier,
        RecordKind::Contract,
        RecordKind::Dispute,
        RecordKind::ServiceReview,
        RecordKind::Complaint,
        RecordKind::Survey,
        RecordKind::Budget,
        RecordKind::Cost,
        RecordKind::CapacityRequirement,
        RecordKind::DemandForecast,
        RecordKind::ContinuityPlan,
        RecordKind::ContinuityTest,
        RecordKind::SecurityControl,
        RecordKind::Article,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The path segment of the kind's web pages: `/incidents/INC-42`.
    pub fn collection(self) -> &'static str {
        match self {
            RecordKind::Service => "services",
            RecordKind::CatalogueItem => "catalogue-items",
            RecordKind::Calendar => "calendars",
            RecordKind::Agreement => "agreements",
            RecordKind::Organisation => "organisations",
            RecordKind::Team => "teams",
            RecordKind::User => "users",
            RecordKind::Incident => "incidents",
            RecordKind::Request => "requests",
            RecordKind::Problem => "problems",
            RecordKind::Change => "changes",
            RecordKind::ChangeBlackout => "change-blackouts",
            RecordKind::ChangeTemplate => "change-templates",
            RecordKind::Release => "releases",
            RecordKind::ConfigurationItem => "configuration-items",
            RecordKind::Asset => "assets",
            RecordKind::Licence => "licences",
            RecordKind::SmsScope => "sms-scopes",
            RecordKind::Assessment => "assessments",
            RecordKind::Document => "documents",
            RecordKind::Evidence => "evidence",
            RecordKind::Audit => "audits",
            RecordKind::Finding => "findings",
            RecordKind::Nonconformity => "nonconformities",
            RecordKind::Action => "actions",
            RecordKind::ManagementReview => "management-reviews",
            RecordKind::Improvement => "improvements",
            RecordKind::Risk => "risks",
            RecordKind::Objective => "objectives",
            RecordKind::Programme => "programmes",
            RecordKind::Certificate => "certificates",
            RecordKind::Outage => "outages",
            RecordKind::Supplier => "suppliers",
            RecordKind::Contract => "contracts",
            RecordKind::Dispute => "disputes",
            RecordKind::ServiceReview => "service-reviews",
            RecordKind::Complaint => "complaints",
            RecordKind::Survey => "surveys",
            RecordKind::Budget => "budgets",
            RecordKind::Cost => "costs",
            RecordKind::CapacityRequirement => "capacity-requirements",
            RecordKind::DemandForecast => "demand-forecasts",
            RecordKind::ContinuityPlan => "continuity-plans",
            RecordKind::ContinuityTest => "continuity-tests",
            RecordKind::SecurityControl => "security-controls",
            RecordKind::Article => "articles",
        }
    }

    /// The prefix of this kind's references (`INC` for `INC-42`).
    pub fn prefix(self) -> &'static str {
        use crate::id::*;
        match self {
            RecordKind::Service => ServiceId::PREFIX,
            RecordKind::CatalogueItem => CatalogueItemId::PREFIX,
            RecordKind::Calendar => CalendarId::PREFIX,
            RecordKind::Agreement => AgreementId::PREFIX,
            RecordKind::Organisation => OrganisationId::PREFIX,
            RecordKind::Team => TeamId::PREFIX,
            RecordKind::User => UserId::PREFIX,
            RecordKind::Incident => IncidentId::PREFIX,
            RecordKind::Request => RequestId::PREFIX,
            RecordKind::Problem => ProblemId::PREFIX,
            RecordKind::Change => ChangeId::PREFIX,
            RecordKind::ChangeBlackout => ChangeBlackoutId::PREFIX,
            RecordKind::ChangeTemplate => ChangeTemplateId::PREFIX,
            RecordKind::Release => ReleaseId::PREFIX,
            RecordKind::Asset => AssetId::PREFIX,
            RecordKind::Licence => LicenceId::PREFIX,
            RecordKind::ConfigurationItem => ConfigurationItemId::PREFIX,
            RecordKind::SmsScope => SmsScopeId::PREFIX,
            RecordKind::Assessment => AssessmentId::PREFIX,
            RecordKind::Document => DocumentId::PREFIX,
            RecordKind::Evidence => EvidenceId::PREFIX,
            RecordKind::Audit => AuditId::PREFIX,
            RecordKind::Finding => FindingId::PREFIX,
            RecordKind::Nonconformity => NonconformityId::PREFIX,
            RecordKind::Action => ActionId::PREFIX,
            RecordKind::ManagementReview => ManagementReviewId::PREFIX,
            RecordKind::Improvement => ImprovementId::PREFIX,
            RecordKind::Risk => RiskId::PREFIX,
            RecordKind::Objective => ObjectiveId::PREFIX,
            RecordKind::Programme => ProgrammeId::PREFIX,
            RecordKind::Certificate => CertificateId::PREFIX,
            RecordKind::Outage => OutageId::PREFIX,
            RecordKind::Supplier => SupplierId::PREFIX,
            RecordKind::Contract => ContractId::PREFIX,
            RecordKind::Dispute => DisputeId::PREFIX,
            RecordKind::ServiceReview => ServiceReviewId::PREFIX,
            RecordKind::Complaint => ComplaintId::PREFIX,
            RecordKind::Survey => SurveyId::PREFIX,
            RecordKind::Budget => BudgetId::PREFIX,
            RecordKind::Cost => CostId::PREFIX,
            RecordKind::CapacityRequirement => CapacityRequirementId::PREFIX,
            RecordKind::DemandForecast => DemandForecastId::PREFIX,
            RecordKind::ContinuityPlan => ContinuityPlanId::PREFIX,
            RecordKind::ContinuityTest => ContinuityTestId::PREFIX,
            RecordKind::SecurityControl => SecurityControlId::PREFIX,
            RecordKind::Article => ArticleId::PREFIX,
        }
    }

    /// Which kind a reference such as `CHG-3` names, and its number.
    pub fn parse_reference(s: &str) -> Option<(RecordKind, i64)> {
        let (prefix, _) = s.split_once('-')?;
        let kind = Self::ALL
            .into_iter()
            .find(|k| k.prefix().eq_ignore_ascii_case(prefix))?;
        let n = reference_number(s, kind.prefix())?;
        Some((kind, n))
    }
}

/// References as a client may type them (`chg-4 `), in their stored form (`CHG-4`).
pub fn normalise_references(v: Vec<String>) -> Vec<String> {
    v.into_iter().map(|r| r.trim().to_uppercase()).collect()
}

/// The records a list of references names, as (kind, id); malformed entries are skipped
/// (they were refused by [`check_references`] on the way in).
pub fn parse_references(v: &[String]) -> Vec<(RecordKind, i64)> {
    v.iter().filter_map(|r| RecordKind::parse_reference(r)).collect()
}

/// Every entry of a `records` field must be a record reference such as `INC-42`; at most 100.
pub fn check_references(c: &mut crate::validate::Checker, records: &[String]) {
    if records.len() > 100 {
        c.fail("records", "must name at most 100 records");
    }
    for r in records {
        if RecordKind::parse_reference(r).is_none() {
            c.fail(
                "records",
                format!(
                    "'{}' is not a record reference such as INC-42",
                    r.chars().take(40).collect::<String>()
                ),
            );
        }
    }
}

fn reference_number(s: &str, prefix: &str) -> Option<i64> {
    let (p, n) = s.split_once('-')?;
    if !p.eq_ignore_ascii_case(prefix) || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok().filter(|v: &i64| *v > 0)
}

/// A stored record: it has an id (its reference), timestamps, and may belong to an organisation.
pub trait Record: Serialize + Clone + Send + Sync + 'static {
    const KIND: RecordKind;
    fn id(&self) -> i64;
    fn set_id(&mut self, id: i64);
    fn created_at(&self) -> DateTime<Utc>;
    fn updated_at(&self) -> DateTime<Utc>;
    fn touch(&mut self, at: DateTime<Utc>);
    /// The customer organisation a requester must belong to in order to see this record;
    /// `None` for records requesters never see by organisation.
    fn organisation(&self) -> Option<OrganisationId> {
        None
    }
    /// For a record kept on a need-to-know basis, the people besides those cleared who may see
    /// it; `None` for a record everyone within reach may see.
    fn need_to_know(&self) -> Option<crate::access::NeedToKnow> {
        None
    }
    /// Whether the record is published to customers, so a requester may read it though it
    /// belongs to no organisation (a knowledge article for customers).
    fn published(&self) -> bool {
        false
    }
}

/// Implements [`Record`] for a struct with `id`, `created_at` and `updated_at` fields.
#[macro_export]
macro_rules! record {
    ($ty:ty, $kind:expr, $id:ident) => {
        $crate::record!($ty, $kind, $id, |_r| None);
    };
    ($ty:ty, $kind:expr, $id:ident, |$r:ident| $org:expr) => {
        $crate::record!($ty, $kind, $id, |$r| $org, need_to_know | _n | None);
    };
    ($ty:ty, $kind:expr, $id:ident, |$r:ident| $org:expr, need_to_know |$n:ident| $need:expr) => {
        $crate::record!(
            $ty,
            $kind,
            $id,
            |$r| $org,
            need_to_know | $n | $need,
            published | _p | false
        );
    };
    ($ty:ty, $kind:expr, $id:ident, published |$p:ident| $published:expr) => {
        $crate::record!(
            $ty,
            $kind,
            $id,
            |_r| None,
            need_to_know | _n | None,
            published | $p | $published
        );
    };
    ($ty:ty, $kind:expr, $id:ident, |$r:ident| $org:expr, need_to_know |$n:ident| $need:expr, published |$p:ident| $published:expr) => {
        impl $crate::record::Record for $ty {
            const KIND: $crate::record::RecordKind = $kind;
            fn id(&self) -> i64 {
                self.id.0
            }
            fn set_id(&mut self, id: i64) {
                self.id = $crate::id::$id(id);
            }
            fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.created_at
            }
            fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
                self.updated_at
            }
            fn touch(&mut self, at: chrono::DateTime<chrono::Utc>) {
                self.updated_at = at;
            }
            fn organisation(&self) -> Option<$crate::id::OrganisationId> {
                let $r = self;
                $org
            }
            fn need_to_know(&self) -> Option<$crate::access::NeedToKnow> {
                let $n = self;
                $need
            }
            fn published(&self) -> bool {
                let $p = self;
                $published
            }
        }
    };
}
