//! Links between records: incident-problem, problem-change, change-CI, incident-CI,
//! incident-change (an incident a change caused), CI-service and incident-capacity requirement
//! (a capacity-related incident), continuity plan-risk (a continuity risk it treats),
//! security control-risk (a security risk it treats), article-problem (the problem or known error
//! an article explains) and incident-article (an article used to resolve an incident).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::UserId;
use crate::record::RecordKind;

/// The pairs that may be linked, each written in its canonical direction.
pub const ALLOWED: &[(RecordKind, RecordKind)] = &[
    (RecordKind::Incident, RecordKind::Problem),
    (RecordKind::Problem, RecordKind::Change),
    (RecordKind::Change, RecordKind::ConfigurationItem),
    (RecordKind::Incident, RecordKind::ConfigurationItem),
    // An incident caused by a change.
    (RecordKind::Incident, RecordKind::Change),
    // A change deployed in a release.
    (RecordKind::Change, RecordKind::Release),
    (RecordKind::ConfigurationItem, RecordKind::Service),
    // A capacity-related incident, linked to the resource that ran short.
    (RecordKind::Incident, RecordKind::CapacityRequirement),
    // A continuity risk of the register, treated by the plan.
    (RecordKind::ContinuityPlan, RecordKind::Risk),
    // A security risk of the register, treated by the control.
    (RecordKind::SecurityControl, RecordKind::Risk),
    // The problem or known error an article explains, with its workaround.
    (RecordKind::Article, RecordKind::Problem),
    // An article used to resolve an incident.
    (RecordKind::Incident, RecordKind::Article),
];

/// One end of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub kind: RecordKind,
    pub id: i64,
}

impl Endpoint {
    pub fn parse(field: &str, reference: &str) -> Result<Endpoint> {
        RecordKind::parse_reference(reference)
            .map(|(kind, id)| Endpoint { kind, id })
            .ok_or_else(|| {
                Error::invalid(
                    field,
                    format!(
                        "'{}' is not a record reference such as INC-1",
                        reference.chars().take(40).collect::<String>()
                    ),
                )
            })
    }

    pub fn reference(&self) -> String {
        format!("{}-{}", self.kind.prefix(), self.id)
    }
}

/// Puts two ends in the canonical order, or explains which pairs can be linked.
pub fn canonical(a: Endpoint, b: Endpoint) -> Result<(Endpoint, Endpoint)> {
    if ALLOWED.contains(&(a.kind, b.kind)) {
        Ok((a, b))
    } else if ALLOWED.contains(&(b.kind, a.kind)) {
        Ok((b, a))
    } else {
        let pairs: Vec<String> = ALLOWED
            .iter()
            .map(|(x, y)| format!("{}-{}", x.prefix(), y.prefix()))
            .collect();
        Err(Error::invalid(
            "to",
            format!(
                "a {} cannot be linked to a {}; linkable pairs are {}",
                a.kind.as_str(),
                b.kind.as_str(),
                pairs.join(", ")
            ),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Link {
    /// Reference of the first record, in canonical order (for example the incident of an
    /// incident-problem link).
    pub from: String,
    pub to: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// The body of `POST /api/v1/links` and `DELETE /api/v1/links`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    pub from: String,
    pub to: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_canonical_and_odd_pairs_refused() {
        let inc = Endpoint {
            kind: RecordKind::Incident,
            id: 1,
        };
        let prb = Endpoint {
            kind: RecordKind::Problem,
            id: 2,
        };
        let svc = Endpoint {
            kind: RecordKind::Service,
            id: 3,
        };
        assert_eq!(canonical(prb, inc).unwrap(), (inc, prb));
        assert_eq!(canonical(inc, prb).unwrap(), (inc, prb));
        assert!(canonical(inc, svc).is_err());
        assert!(canonical(inc, inc).is_err());
    }
}
