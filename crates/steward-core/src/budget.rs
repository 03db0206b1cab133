//! Budgets (8.4.1): what a service may spend over a period, planned by its owner, approved, and
//! closed when the period is over. What it did spend is the sum of its costs
//! ([`crate::cost`]) in the period; the budget report sets the two side by side.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::cost::AMOUNT_MAX;
use crate::error::{Error, Result};
use crate::id::{BudgetId, ServiceId, UserId};
use crate::lifecycle::Lifecycle;
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, TEXT_MAX, TITLE_MAX};
use crate::{lifecycle, record};

lifecycle! {
    /// draft -> approved (the amount and period are settled) -> closed; an approved budget can
    /// go back to draft to be revised, and a draft abandoned straight to closed.
    BudgetStatus {
        Draft = "draft" => [Approved, Closed],
        Approved = "approved" => [Draft, Closed],
        Closed = "closed" => [],
    }
}

/// The longest period one budget may cover, in months.
const PERIOD_MAX_MONTHS: u32 = 60;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Budget {
    pub id: BudgetId,
    pub service: ServiceId,
    pub title: String,
    /// The first day of the period.
    pub starts_on: NaiveDate,
    /// The last day of the period (inclusive).
    pub ends_on: NaiveDate,
    /// What the service may spend over the period, in minor units of the currency (cents).
    pub amount: i64,
    /// Who answers for the budget.
    pub owner: Option<UserId>,
    pub notes: String,
    pub status: BudgetStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// Budgets are the provider's own figures: requesters do not read them.
record!(Budget, RecordKind::Budget, BudgetId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBudget {
    pub service: ServiceId,
    /// A name for the period, e.g. "Email, financial year 2027"; made from the service's period
    /// if absent.
    #[serde(default)]
    pub title: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// In minor units of the currency (cents).
    pub amount: i64,
    #[serde(default)]
    pub owner: Option<UserId>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetPatch {
    #[serde(default)]
    pub title: Option<String>,
    /// The period and the amount change only while the budget is a draft.
    #[serde(default)]
    pub starts_on: Option<NaiveDate>,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    pub amount: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub owner: Option<Option<UserId>>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// The body of `POST /api/v1/budgets/{ref}/transition`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetTransition {
    /// `approved`, `draft` (to revise an approved budget) or `closed`.
    pub to: String,
}

impl Budget {
    pub fn create(input: NewBudget, at: DateTime<Utc>) -> Result<Budget> {
        let title = input.title.map(|t| t.trim().to_string()).unwrap_or_default();
        let b = Budget {
            id: BudgetId(0),
            service: input.service,
            title: if title.is_empty() {
                period_title(input.starts_on, input.ends_on)
            } else {
                title
            },
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            amount: input.amount,
            owner: input.owner,
            notes: input.notes.unwrap_or_default().trim().to_string(),
            status: BudgetStatus::Draft,
            created_at: at,
            updated_at: at,
        };
        let mut c = Checker::new();
        b.check(&mut c);
        c.finish()?;
        Ok(b)
    }

    fn check(&self, c: &mut Checker) {
        c.line("title", &self.title, TITLE_MAX);
        c.text("notes", &self.notes, TEXT_MAX);
        if self.ends_on < self.starts_on {
            c.fail("ends_on", "must be on or after starts_on");
        } else if self
            .starts_on
            .checked_add_months(Months::new(PERIOD_MAX_MONTHS))
            .is_none_or(|limit| self.ends_on >= limit)
        {
            c.fail("ends_on", "a budget covers at most five years");
        }
        if !(0..=AMOUNT_MAX).contains(&self.amount) {
            c.fail("amount", format!("must be between 0 and {AMOUNT_MAX} (minor units)"));
        }
    }

    pub fn apply_patch(&mut self, p: BudgetPatch) -> Result<()> {
        if self.status == BudgetStatus::Closed {
            return Err(Error::Conflict(format!("{} is closed and no longer changes", self.id)));
        }
        let mut c = Checker::new();
        if self.status != BudgetStatus::Draft {
            for (field, given) in [
                ("starts_on", p.starts_on.is_some()),
                ("ends_on", p.ends_on.is_some()),
                ("amount", p.amount.is_some()),
            ] {
                if given {
                    c.fail(field, "the budget is approved: move it back to draft to revise it");
                }
            }
        }
        let mut next = self.clone();
        set(&mut next.title, p.title.map(|t| t.trim().to_string()));
        set(&mut next.starts_on, p.starts_on);
        set(&mut next.ends_on, p.ends_on);
        set(&mut next.amount, p.amount);
        set(&mut next.owner, p.owner);
        set(&mut next.notes, p.notes.map(|n| n.trim().to_string()));
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }

    pub fn transition(&mut self, t: BudgetTransition) -> Result<()> {
        self.status = self.status.check_move(&t.to)?;
        Ok(())
    }

    /// Whether the budget's period shares a day with `[from, to]`.
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.starts_on <= to && self.ends_on >= from
    }
}

/// "2027" for a calendar year, "2027-01-01 to 2027-03-31" otherwise.
fn period_title(from: NaiveDate, to: NaiveDate) -> String {
    let whole_year = from.ordinal() == 1 && to.year() == from.year() && to.succ_opt().is_some_and(|d| d.ordinal() == 1);
    if whole_year {
        format!("Budget {}", from.year())
    } else {
        format!("Budget {from} to {to}")
    }
}

/// A budget set beside what its service spent in the budget's period, by category.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BudgetLine {
    pub budget: BudgetId,
    pub title: String,
    pub service: ServiceId,
    pub service_name: String,
    pub status: BudgetStatus,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The budgeted amount (minor units).
    pub amount: i64,
    /// Every cost of the service dated in the budget's period (minor units).
    pub actual: i64,
    /// `amount - actual`: negative when overspent.
    pub remaining: i64,
    /// `actual` as a share of `amount`, in per cent (none for a zero budget).
    pub used_percent: Option<f64>,
    /// How much of the period has passed on the report's day, in per cent: spending well ahead
    /// of it is the early sign of an overrun.
    pub elapsed_percent: f64,
    pub staff: i64,
    pub supplier: i64,
    pub asset: i64,
    pub licence: i64,
    pub facilities: i64,
    pub other: i64,
}

impl BudgetLine {
    /// Figures the shares from the amount, the actual and the report's day.
    pub fn settle(&mut self, today: NaiveDate) {
        self.remaining = self.amount - self.actual;
        self.used_percent = (self.amount > 0).then(|| 100.0 * self.actual as f64 / self.amount as f64);
        let days = (self.ends_on - self.starts_on).num_days() + 1;
        let passed = ((today - self.starts_on).num_days() + 1).clamp(0, days);
        self.elapsed_percent = 100.0 * passed as f64 / days as f64;
    }

    pub fn overspent(&self) -> bool {
        self.actual > self.amount
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::assert_table;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn budget(from: NaiveDate, to: NaiveDate, amount: i64) -> Result<Budget> {
        Budget::create(
            NewBudget {
                service: ServiceId(1),
                title: None,
                starts_on: from,
                ends_on: to,
                amount,
                owner: None,
                notes: None,
            },
            now(),
        )
    }

    #[test]
    fn transition_table() {
        use BudgetStatus::*;
        assert_table(&[
            (Draft, &[Approved, Closed][..]),
            (Approved, &[Draft, Closed]),
            (Closed, &[]),
        ]);
    }

    #[test]
    fn a_period_runs_forwards_for_at_most_five_years_and_the_amount_is_not_negative() {
        assert_eq!(
            budget(day(2027, 1, 1), day(2027, 12, 31), 1).unwrap().title,
            "Budget 2027"
        );
        assert_eq!(
            budget(day(2027, 1, 1), day(2027, 3, 31), 1).unwrap().title,
            "Budget 2027-01-01 to 2027-03-31"
        );
        let e = budget(day(2027, 2, 1), day(2027, 1, 31), 1).unwrap_err();
        assert!(e.to_string().contains("ends_on"), "{e}");
        assert!(budget(day(2027, 1, 1), day(2031, 12, 31), 1).is_ok());
        assert!(budget(day(2027, 1, 1), day(2032, 1, 1), 1).is_err());
        let e = budget(day(2027, 1, 1), day(2027, 1, 1), -1).unwrap_err();
        assert!(e.to_string().contains("amount"), "{e}");
        assert!(budget(day(2027, 1, 1), day(2027, 1, 1), AMOUNT_MAX + 1).is_err());
    }

    #[test]
    fn an_approved_budget_keeps_its_amount_and_period_until_revised() {
        let mut b = budget(day(2027, 1, 1), day(2027, 12, 31), 100_000).unwrap();
        b.transition(BudgetTransition { to: "approved".into() }).unwrap();
        let raise = || BudgetPatch {
            amount: Some(120_000),
            ..Default::default()
        };
        let e = b.apply_patch(raise()).unwrap_err();
        assert!(e.to_string().contains("amount"), "{e}");
        b.apply_patch(BudgetPatch {
            notes: Some("Includes the migration".into()),
            ..Default::default()
        })
        .unwrap();
        b.transition(BudgetTransition { to: "draft".into() }).unwrap();
        b.apply_patch(raise()).unwrap();
        assert_eq!(b.amount, 120_000);
        b.transition(BudgetTransition { to: "closed".into() }).unwrap();
        assert!(b.apply_patch(BudgetPatch::default()).is_err());
    }

    #[test]
    fn a_line_shows_spend_against_the_share_of_the_period_passed() {
        let b = budget(day(2027, 1, 1), day(2027, 1, 10), 1_000).unwrap();
        let mut line = BudgetLine {
            budget: b.id,
            title: b.title,
            service: b.service,
            service_name: "Email".into(),
            status: b.status,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            amount: b.amount,
            actual: 1_250,
            remaining: 0,
            used_percent: None,
            elapsed_percent: 0.0,
            staff: 1_250,
            supplier: 0,
            asset: 0,
            licence: 0,
            facilities: 0,
            other: 0,
        };
        line.settle(day(2027, 1, 5));
        assert_eq!((line.remaining, line.used_percent), (-250, Some(125.0)));
        assert_eq!(line.elapsed_percent, 50.0);
        assert!(line.overspent());
        line.settle(day(2026, 12, 1));
        assert_eq!(line.elapsed_percent, 0.0);
        line.settle(day(2028, 1, 1));
        assert_eq!(line.elapsed_percent, 100.0);
    }
}
