//! Identifier newtypes. Each record's id is also its human reference (`INC-42` is incident 42), so
//! ids serialise as references and references parse back into ids.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// Declares an id newtype with its reference prefix.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident => $prefix:literal, $noun:literal;)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl $name {
            pub const PREFIX: &'static str = $prefix;
            pub const NOUN: &'static str = $noun;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}-{}", $prefix, self.0)
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_reference(s, $prefix).map($name)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some(concat!("^", $prefix, "-[1-9][0-9]*$")))
                    .examples([concat!($prefix, "-1")])
                    .description(Some(concat!("The reference of the ", $noun, ".")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    )+};
}

ids! {
    /// A service in the catalogue.
    ServiceId => "SVC", "service";
    /// An incident.
    IncidentId => "INC", "incident";
    /// A service request.
    RequestId => "REQ", "request";
    /// A problem.
    ProblemId => "PRB", "problem";
    /// A change.
    ChangeId => "CHG", "change";
    /// A configuration item.
    ConfigurationItemId => "CI", "configuration item";
    /// A user: agent, manager, requester, auditor or admin.
    UserId => "USR", "user";
    /// A team of agents.
    TeamId => "TEAM", "team";
    /// A customer organisation.
    OrganisationId => "ORG", "organisation";
    /// A requestable item of the service catalogue.
    CatalogueItemId => "CAT", "catalogue item";
    /// A business-hours calendar.
    CalendarId => "CAL", "calendar";
    /// A service level agreement, operational level agreement or underpinning contract.
    AgreementId => "AGR", "agreement";
    /// A window in which changes are not to be made.
    ChangeBlackoutId => "BLK", "change blackout";
    /// A pre-approved template of standard changes.
    ChangeTemplateId => "TPL", "change template";
    /// A release: changes grouped for deployment.
    ReleaseId => "REL", "release";
    /// A hardware or software asset.
    AssetId => "AST", "asset";
    /// A software licence.
    LicenceId => "LIC", "licence";
    /// A version-controlled statement of the service management system's scope.
    SmsScopeId => "SCOPE", "SMS scope";
    /// A self-assessment (gap analysis) against the standard's requirements.
    AssessmentId => "ASM", "assessment";
    /// A controlled document or record in the register of documented information.
    DocumentId => "DOC", "document";
    /// A piece of evidence for a requirement, with the date it speaks for.
    EvidenceId => "EVD", "evidence";
    /// An internal or external audit.
    AuditId => "AUD", "audit";
    /// A finding of an audit.
    FindingId => "FND", "finding";
    /// A nonconformity under corrective action.
    NonconformityId => "NC", "nonconformity";
    /// An action with an owner and a due date.
    ActionId => "ACT", "action";
    /// A management review.
    ManagementReviewId => "MR", "management review";
    /// An entry of the improvement register.
    ImprovementId => "IMP", "improvement";
    /// A risk or opportunity.
    RiskId => "RSK", "risk";
    /// A service management objective.
    ObjectiveId => "OBJ", "objective";
    /// A certification programme.
    ProgrammeId => "PRG", "programme";
    /// A time a service was unavailable, planned or not.
    OutageId => "OUT", "outage";
    /// A party that provides or operates part of a service: an external supplier, an internal
    /// group or a customer acting as a supplier.
    SupplierId => "SUP", "supplier";
    /// A contract or agreement with a supplier.
    ContractId => "CTR", "contract";
    /// A dispute with a supplier.
    DisputeId => "DSP", "dispute";
    /// A service review held with a customer (8.3.2).
    ServiceReviewId => "SR", "service review";
    /// A complaint from a customer or another interested party.
    ComplaintId => "CMP", "complaint";
    /// A satisfaction survey put to one customer.
    SurveyId => "SAT", "satisfaction survey";
    /// What a service may spend over a period.
    BudgetId => "BUD", "budget";
    /// One expense, credit or piece of staff time spent on a service.
    CostId => "CST", "cost";
    /// A resource a service needs (people, technical, information or money), with how much of it
    /// there is and the thresholds its utilisation is read against.
    CapacityRequirementId => "CAP", "capacity requirement";
    /// The demand expected of a service over a period, beside what it turned out to be.
    DemandForecastId => "DEM", "demand forecast";
    /// A service's continuity plan: its recovery objectives, invocation and return to normal.
    ContinuityPlanId => "CTP", "continuity plan";
    /// A scheduled exercise of a continuity plan, and what it found.
    ContinuityTestId => "CTT", "continuity test";
    SecurityControlId => "CTL", "security control";
    /// A knowledge article.
    ArticleId => "KB", "article";
    /// A certificate of conformity.
    CertificateId => "CERT", "certificate";
    /// An API token (its hash; the token itself is shown once).
    TokenId => "TOK", "API token";
    /// A file attached to a record.
    AttachmentId => "ATT", "attachment";
}

/// Parses `PREFIX-n` (prefix case-insensitive, n a positive integer without sign or leading zero).
fn parse_reference(s: &str, prefix: &str) -> Result<i64, String> {
    let bad = || format!("'{}' is not a reference of the form {prefix}-<number>", truncate(s));
    let (p, n) = s.split_once('-').ok_or_else(bad)?;
    if !p.eq_ignore_ascii_case(prefix) || n.is_empty() || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    n.parse::<i64>().map_err(|_| bad())
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Parses a reference into an id, naming `field` in the error.
pub fn parse_field<T: FromStr<Err = String>>(field: &str, s: &str) -> Result<T, Error> {
    s.parse().map_err(|e: String| Error::invalid(field, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_round_trip_and_reject_garbage() {
        assert_eq!("INC-42".parse::<IncidentId>(), Ok(IncidentId(42)));
        assert_eq!("inc-7".parse::<IncidentId>(), Ok(IncidentId(7)));
        assert_eq!(IncidentId(42).to_string(), "INC-42");
        for bad in [
            "",
            "INC",
            "INC-",
            "INC-0",
            "INC-01",
            "INC--1",
            "INC-1a",
            "REQ-1",
            "INC-99999999999999999999",
        ] {
            assert!(bad.parse::<IncidentId>().is_err(), "{bad} parsed");
        }
    }
}
