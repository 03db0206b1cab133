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
const AMENDMENT_2024: &str = include_str!("../data/iso20000-1-2018-amd1-2024.json");
const MAPPING_2011: &str = include_str!("../data/iso20000-1-2011-mapping.json");

/// An amendment: additions to some requirements' summaries and expected evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    pub amendment: String,
    pub base: String,
    pub note: String,
    pub changes: Vec<AmendmentChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentChange {
    pub clause: String,
    pub summary_addition: String,
    pub evidence_addition: Vec<String>,
}

/// Where each clause of an earlier edition went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditionMapping {
    pub from_edition: String,
    pub to_edition: String,
    pub note: String,
    pub mappings: Vec<ClauseMapping>,
    /// Requirements of the newer edition with no counterpart in the older one.
    pub new_in_2018: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClauseMapping {
    pub from: String,
    pub title: String,
    pub to: Vec<String>,
}

fn parsed<T: serde::de::DeserializeOwned + Send + Sync + 'static>(
    cell: &'static OnceLock<std::result::Result<T, String>>,
    text: &str,
    what: &str,
) -> Result<&'static T> {
    cell.get_or_init(|| serde_json::from_str(text).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::unexpected(format!("{what} does not parse: {e}")))
}

/// The climate action amendment of 2024 (changes to 4.1 and 4.2).
pub fn amendment_2024() -> Result<&'static Amendment> {
    static PARSED: OnceLock<std::result::Result<Amendment, String>> = OnceLock::new();
    parsed(&PARSED, AMENDMENT_2024, "the 2024 amendment")
}

/// The mapping from the 2011 edition's clauses to the 2018 edition's.
pub fn mapping_2011() -> Result<&'static EditionMapping> {
    static PARSED: OnceLock<std::result::Result<EditionMapping, String>> = OnceLock::new();
    parsed(&PARSED, MAPPING_2011, "the 2011 mapping")
}

/// The catalogue with an amendment applied: its additions appended to the summaries and
/// evidence of the clauses it changes.
pub fn amended(base: &Catalogue, amendment: &Amendment) -> Catalogue {
    let mut c = base.clone();
    c.edition = format!("{} with {}", base.edition, amendment.amendment);
    for change in &amendment.changes {
        if let Some(r) = c.requirements.iter_mut().find(|r| r.clause == change.clause) {
            r.summary = format!("{} {}", r.summary, change.summary_addition);
            r.evidence.extend(change.evidence_addition.iter().cloned());
        }
    }
    c
}

/// The catalogue of the 2018 edition, parsed once.
pub fn catalogue() -> Result<&'static Catalogue> {
    static PARSED: OnceLock<std::result::Result<Catalogue, String>> = OnceLock::new();
    parsed(&PARSED, EDITION_2018, "the requirement catalogue")
}

/// Whether `clause` names a clause 8 process (or one of its parts) of the catalogue, e.g. `8.6.1`.
pub fn is_process(clause: &str) -> bool {
    clause != "8"
        && under(clause, "8")
        && catalogue().is_ok_and(|cat| cat.requirements.iter().any(|r| r.clause == clause))
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

    #[test]
    fn the_2024_amendment_changes_only_4_1_and_4_2() {
        let base = catalogue().unwrap();
        let a = amended(base, amendment_2024().unwrap());
        assert!(a.edition.ends_with("with ISO/IEC 20000-1:2018/Amd 1:2024"));
        for (old, new) in base.requirements.iter().zip(&a.requirements) {
            if ["4.1", "4.2"].contains(&old.clause.as_str()) {
                assert!(new.summary.contains("climate change") && new.evidence.len() == old.evidence.len() + 1);
            } else {
                assert_eq!(old, new);
            }
        }
    }

    #[test]
    fn every_2018_requirement_is_reached_from_2011_or_new() {
        let cat = catalogue().unwrap();
        let m = mapping_2011().unwrap();
        let known = |c: &str| cat.requirements.iter().any(|r| r.clause == c);
        let mut reached: Vec<&str> = m.new_in_2018.iter().map(String::as_str).collect();
        for x in &m.mappings {
            assert!(!x.to.is_empty(), "{}", x.from);
            for t in &x.to {
                assert!(known(t), "{} maps to unknown {t}", x.from);
                reached.push(t);
            }
        }
        for leaf in crate::assessment::assessable(cat) {
            assert!(
                reached.contains(&leaf.clause.as_str()),
                "{} is neither mapped nor new",
                leaf.clause
            );
        }
    }
}
