//! The requirement catalogue of ISO/IEC 20000-1: every clause and numbered sub-clause from 4 to
//! 10.2, with Steward's own summary of each (the standard's text is not reproduced), whether it
//! asks for documented information, and the evidence an auditor looks for. Kept as versioned
//! data (`data/iso20000-1-2018.json`), so an edition or amendment is a data change.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::named_enum;

named_enum! {
    /// What documented information a clause asks for.
    DocumentedInformation {
        None = "none",
        /// Documents to maintain (policies, plans, procedures).
        Maintain = "maintain",
        /// Records to retain (evidence that something happened).
        Retain = "retain",
        Both = "both",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The clause number, e.g. `8.5.1.3`.
    pub clause: String,
    pub title: String,
    /// In Steward's own words.
    pub summary: String,
    pub documented_information: DocumentedInformation,
    /// What an auditor expects to see.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub edition: String,
    pub note: String,
    pub requirements: Vec<Requirement>,
}

const EDITION_2018: &str = include_str!("../data/iso20000-1-2018.json");

/// The catalogue of the 2018 edition, parsed once.
pub fn catalogue() -> Result<&'static Catalogue> {
    static PARSED: OnceLock<std::result::Result<Catalogue, String>> = OnceLock::new();
    PARSED
        .get_or_init(|| serde_json::from_str(EDITION_2018).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::unexpected(format!("the requirement catalogue does not parse: {e}")))
}

/// Whether `clause` is `prefix` or lies under it (`8.5` covers `8.5.1.3`, not `8.50`).
pub fn under(clause: &str, prefix: &str) -> bool {
    clause == prefix || clause.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clause_from_4_to_10_2_is_there_once_with_its_parent() {
        let c = catalogue().unwrap();
        let clauses: Vec<&str> = c.requirements.iter().map(|r| r.clause.as_str()).collect();
        for must in [
            "4.1", "4.2", "4.3", "4.4", "5.1", "5.2.1", "5.2.2", "5.3", "6.1", "6.2.1", "6.2.2", "6.3", "7.1", "7.2",
            "7.3", "7.4", "7.5.1", "7.5.2", "7.5.3", "7.5.4", "7.6", "8.1", "8.2.1", "8.2.2", "8.2.3", "8.2.4",
            "8.2.5", "8.2.6", "8.3.1", "8.3.2", "8.3.3", "8.3.4.1", "8.3.4.2", "8.4.1", "8.4.2", "8.4.3", "8.5.1.1",
            "8.5.1.2", "8.5.1.3", "8.5.2.1", "8.5.2.2", "8.5.2.3", "8.5.3", "8.6.1", "8.6.2", "8.6.3", "8.7.1",
            "8.7.2", "8.7.3.1", "8.7.3.2", "8.7.3.3", "9.1", "9.2", "9.3", "9.4", "10.1", "10.2",
        ] {
            assert_eq!(clauses.iter().filter(|c| **c == must).count(), 1, "{must}");
        }
        for r in &c.requirements {
            if let Some((parent, _)) = r.clause.rsplit_once('.') {
                assert!(clauses.contains(&parent), "{} has no parent {parent}", r.clause);
            }
            assert!(!r.title.is_empty() && r.summary.len() > 20, "{}", r.clause);
        }
        assert!(under("8.5.1.3", "8.5") && !under("8.50", "8.5") && under("8", "8"));
    }
}
