//! Evidence for a requirement that Steward's own records cannot compute: minutes, training
//! records, a signed contract. Each piece carries the date it speaks for (its effective date),
//! separate from when it was registered, and stays fresh for a stated number of days after it.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::document::check_requirements;
use crate::error::Result;
use crate::id::EvidenceId;
use crate::patch::{nullable, set};
use crate::record;
use crate::record::{RecordKind, check_references, normalise_references, parse_references};
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX, blank_to_none};

/// How long evidence stays fresh unless it says otherwise: a year, the surveillance cycle.
pub const DEFAULT_VALID_DAYS: i64 = 365;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub id: EvidenceId,
    pub title: String,
    /// The requirement it speaks to, by clause.
    pub requirement: String,
    pub description: String,
    /// Where it is kept (a URL, a path, a document identifier).
    pub location: Option<String>,
    /// References of Steward records it points to (e.g. `CHG-12`, `DOC-3`).
    pub records: Vec<String>,
    /// The day the evidence speaks for (the meeting, the test, the signature).
    pub effective_date: NaiveDate,
    /// How many days after its effective date it counts as fresh.
    pub valid_days: i64,
    /// Registered at; the upload date, as opposed to the effective date.
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Evidence, RecordKind::Evidence, EvidenceId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvidence {
    pub title: String,
    pub requirement: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub records: Vec<String>,
    pub effective_date: NaiveDate,
    #[serde(default)]
    pub valid_days: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidencePatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub requirement: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub location: Option<Option<String>>,
    #[serde(default)]
    pub records: Option<Vec<String>>,
    #[serde(default)]
    pub effective_date: Option<NaiveDate>,
    #[serde(default)]
    pub valid_days: Option<i64>,
}

impl Evidence {
    pub fn create(input: NewEvidence, at: DateTime<Utc>) -> Result<Evidence> {
        let e = Evidence {
            id: EvidenceId(0),
            title: input.title.trim().to_string(),
            requirement: input.requirement.trim().to_string(),
            description: input.description.unwrap_or_default(),
            location: blank_to_none(input.location),
            records: normalise_references(input.records),
            effective_date: input.effective_date,
            valid_days: input.valid_days.unwrap_or(DEFAULT_VALID_DAYS),
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        e.check(&mut c);
        c.finish()?;
        Ok(e)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("description", &self.description, TEXT_MAX);
        c.opt_text("location", self.location.as_deref(), 2_000);
        if !(1..=3650).contains(&self.valid_days) {
            c.fail("valid_days", "must be between 1 and 3650 days");
        }
        check_requirements(c, "requirement", std::slice::from_ref(&self.requirement));
        check_references(c, &self.records);
    }

    pub fn apply_patch(&mut self, p: EvidencePatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|v| v.trim().to_string()));
        set(&mut next.requirement, p.requirement.map(|v| v.trim().to_string()));
        set(&mut next.description, p.description);
        set(&mut next.location, p.location.map(blank_to_none));
        set(
            &mut next.records,
            p.records
                .map(|v| v.into_iter().map(|r| r.trim().to_uppercase()).collect()),
        );
        set(&mut next.effective_date, p.effective_date);
        set(&mut next.valid_days, p.valid_days);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    /// The last day it counts as fresh.
    pub fn fresh_until(&self) -> NaiveDate {
        self.effective_date
            .checked_add_days(Days::new(self.valid_days.max(0) as u64))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Fresh on `today`: its effective date has come and it has not run out.
    pub fn is_fresh(&self, today: NaiveDate) -> bool {
        self.effective_date <= today && today <= self.fresh_until()
    }

    /// The referenced records, as (kind, id).
    pub fn referenced(&self) -> Vec<(RecordKind, i64)> {
        parse_references(&self.records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_runs_from_the_effective_date_not_the_upload() {
        let uploaded: DateTime<Utc> = "2026-06-01T09:00:00Z".parse().unwrap();
        let e = Evidence::create(
            NewEvidence {
                title: "Continuity test report".into(),
                requirement: "8.7.2".into(),
                description: None,
                location: Some("https://intranet/dr-test-2025.pdf".into()),
                records: vec!["chg-4".into()],
                effective_date: "2025-09-01".parse().unwrap(),
                valid_days: None,
            },
            uploaded,
        )
        .unwrap();
        assert_eq!(e.records, vec!["CHG-4"]);
        assert_eq!(e.referenced(), vec![(RecordKind::Change, 4)]);
        assert_eq!(e.fresh_until(), "2026-09-01".parse().unwrap());
        assert!(e.is_fresh("2026-06-01".parse().unwrap()));
        assert!(e.is_fresh("2026-09-01".parse().unwrap()));
        assert!(!e.is_fresh("2026-09-02".parse().unwrap()));
        assert!(
            !e.is_fresh("2025-08-31".parse().unwrap()),
            "not fresh before it takes effect"
        );
    }

    #[test]
    fn bad_evidence_names_its_fields() {
        let e = Evidence::create(
            NewEvidence {
                title: " ".into(),
                requirement: "11.1".into(),
                description: None,
                location: None,
                records: vec!["nonsense".into()],
                effective_date: "2025-09-01".parse().unwrap(),
                valid_days: Some(0),
            },
            Utc::now(),
        )
        .unwrap_err()
        .to_string();
        for f in ["title", "requirement", "records", "valid_days"] {
            assert!(e.contains(f), "{f} in {e}");
        }
    }
}
