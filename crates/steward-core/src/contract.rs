//! Contracts and agreements with suppliers (8.3.4.1, 8.3.4.2): what a supplier undertakes — its
//! scope, the services it covers, the interfaces between the parties, the obligations on each —
//! with start, end and review dates, and the agreement whose service level targets it holds (an
//! underpinning contract or operational level agreement, whose clocks run on the tickets handed
//! to the supplier). A contract is reviewed on or before its review date; each review sets the
//! next.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::id::{AgreementId, ContractId, ServiceId, SupplierId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set, sorted_unique};
use crate::record::RecordKind;
use crate::service::StatusTransition;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, record};

lifecycle! {
    /// draft -> active -> ended; a draft may be dropped (ended) before it takes effect.
    ContractStatus {
        Draft = "draft" => [Active, Ended],
        Active = "active" => [Ended],
        Ended = "ended" => [],
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Contract {
    pub id: ContractId,
    pub supplier: SupplierId,
    pub title: String,
    /// What the supplier provides under it.
    pub scope: String,
    /// The services it supports.
    pub services: Vec<ServiceId>,
    /// The agreement holding its service level targets: an underpinning contract with the
    /// supplier, or an operational level agreement with an internal one.
    pub agreement: Option<AgreementId>,
    /// How the parties work together: contacts, hand-offs, tools, reports.
    pub interfaces: String,
    /// What each party undertakes.
    pub obligations: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// When it is next to be reviewed.
    pub review_date: Option<NaiveDate>,
    /// When it was last reviewed, and what that review found.
    pub last_reviewed_on: Option<NaiveDate>,
    pub review_notes: String,
    pub owner: Option<UserId>,
    pub status: ContractStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

record!(Contract, RecordKind::Contract, ContractId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    pub supplier: SupplierId,
    pub title: String,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub services: Vec<ServiceId>,
    #[serde(default)]
    pub agreement: Option<AgreementId>,
    #[serde(default)]
    pub interfaces: Option<String>,
    #[serde(default)]
    pub obligations: Option<String>,
    pub starts_on: NaiveDate,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    pub review_date: Option<NaiveDate>,
    #[serde(default)]
    pub owner: Option<UserId>,
    /// Defaults to `active`; `draft` for one still being negotiated.
    #[serde(default)]
    pub status: Option<ContractStatus>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub services: Option<Vec<ServiceId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub agreement: Option<Option<AgreementId>>,
    #[serde(default)]
    pub interfaces: Option<String>,
    #[serde(default)]
    pub obligations: Option<String>,
    #[serde(default)]
    pub starts_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "nullable")]
    pub ends_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub review_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
}

/// The body of `POST /api/v1/contracts/{ref}/review`: a review held, what it found, and when
/// the next is due.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractReview {
    /// The day it was held; today if absent.
    #[serde(default)]
    pub held_on: Option<NaiveDate>,
    pub notes: String,
    /// When the next review is due; none if the contract ends first.
    #[serde(default)]
    pub next_review: Option<NaiveDate>,
}

const SERVICES_MAX: usize = 100;

impl Contract {
    pub fn create(input: NewContract, at: DateTime<Utc>) -> Result<Contract> {
        let status = input.status.unwrap_or(ContractStatus::Active);
        let k = Contract {
            id: ContractId(0),
            supplier: input.supplier,
            title: input.title.trim().to_string(),
            scope: input.scope.unwrap_or_default(),
            services: sorted_unique(input.services),
            agreement: input.agreement,
            interfaces: input.interfaces.unwrap_or_default(),
            obligations: input.obligations.unwrap_or_default(),
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            review_date: input.review_date,
            last_reviewed_on: None,
            review_notes: String::new(),
            owner: input.owner,
            status,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        if status == ContractStatus::Ended {
            c.fail("status", "a new contract is draft or active");
        }
        k.check(&mut c);
        c.finish()?;
        Ok(k)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        for (field, v) in [
            ("scope", &self.scope),
            ("interfaces", &self.interfaces),
            ("obligations", &self.obligations),
            ("review_notes", &self.review_notes),
        ] {
            c.text(field, v, TEXT_MAX);
        }
        if self.services.len() > SERVICES_MAX {
            c.fail("services", format!("must have at most {SERVICES_MAX} entries"));
        }
        if self.ends_on.is_some_and(|e| e < self.starts_on) {
            c.fail("ends_on", "must not be before starts_on");
        }
        if let (Some(r), Some(l)) = (self.review_date, self.last_reviewed_on)
            && r <= l
        {
            c.fail("review_date", "the next review falls after the last one");
        }
    }

    pub fn apply_patch(&mut self, p: ContractPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.scope, p.scope);
        set(&mut next.services, p.services.map(sorted_unique));
        set(&mut next.agreement, p.agreement);
        set(&mut next.interfaces, p.interfaces);
        set(&mut next.obligations, p.obligations);
        set(&mut next.starts_on, p.starts_on);
        set(&mut next.ends_on, p.ends_on);
        set(&mut next.review_date, p.review_date);
        set(&mut next.owner, p.owner);
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: StatusTransition) -> Result<()> {
        self.status = self.status.check_move(&t.to)?;
        Ok(())
    }

    /// Records a review held on `r.held_on` (or `today`): not in the future, not before the
    /// contract started, not of an ended contract, and saying what it found.
    pub fn review(&mut self, r: ContractReview, today: NaiveDate) -> Result<()> {
        let held = r.held_on.unwrap_or(today);
        let mut c = Checker::new();
        if self.status == ContractStatus::Ended {
            c.fail("status", "an ended contract is not reviewed");
        }
        c.review_dates(held, self.last_reviewed_on, None, today);
        if held < self.starts_on {
            c.fail("held_on", "must not be before the contract starts");
        }
        if r.notes.trim().is_empty() {
            c.fail("notes", "must say what the review found");
        }
        let mut next = self.clone();
        next.last_reviewed_on = Some(held);
        next.review_notes = r.notes.trim().to_string();
        next.review_date = r.next_review;
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    fn contract() -> Contract {
        Contract::create(
            NewContract {
                supplier: SupplierId(1),
                title: "Hosting".into(),
                scope: None,
                services: vec![],
                agreement: None,
                interfaces: None,
                obligations: None,
                starts_on: day("2026-01-01"),
                ends_on: Some(day("2028-12-31")),
                review_date: Some(day("2026-12-01")),
                owner: None,
                status: None,
            },
            DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
        )
        .unwrap()
    }

    #[test]
    fn transition_table() {
        use ContractStatus::*;
        assert_table(&[(Draft, &[Active, Ended][..]), (Active, &[Ended]), (Ended, &[])]);
    }

    #[test]
    fn a_review_sets_the_next_and_is_checked() {
        let mut k = contract();
        assert_eq!(k.status, ContractStatus::Active);
        let r = |held: &str, notes: &str, next: Option<&str>| ContractReview {
            held_on: Some(day(held)),
            notes: notes.into(),
            next_review: next.map(day),
        };
        assert!(k.review(r("2026-12-05", "ok", None), day("2026-12-02")).is_err());
        assert!(k.review(r("2026-11-20", " ", None), day("2026-12-02")).is_err());
        assert!(
            k.review(r("2026-11-20", "ok", Some("2026-11-01")), day("2026-12-02"))
                .is_err()
        );
        k.review(
            r("2026-11-20", " all targets met ", Some("2027-11-20")),
            day("2026-12-02"),
        )
        .unwrap();
        assert_eq!(k.last_reviewed_on, Some(day("2026-11-20")));
        assert_eq!(k.review_date, Some(day("2027-11-20")));
        assert_eq!(k.review_notes, "all targets met");
        assert!(k.review(r("2026-11-19", "late", None), day("2026-12-02")).is_err());
        k.transition(StatusTransition { to: "ended".into() }).unwrap();
        assert!(k.review(r("2026-12-01", "x", None), day("2026-12-02")).is_err());
    }

    #[test]
    fn dates_are_in_order() {
        let mut k = contract();
        let bad = ContractPatch {
            ends_on: Some(Some(day("2025-01-01"))),
            ..Default::default()
        };
        assert!(k.apply_patch(bad).is_err());
    }
}
