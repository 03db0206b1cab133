//! Costs (8.4.1): what providing a service cost, one line per expense, credit or piece of staff
//! time, dated and put in a category. A cost is recorded by hand, imported from the ledger
//! (where its ledger reference keeps a second import of the same file from counting it twice),
//! or logged as time worked on a ticket, priced at the staff hour rate of the cost rates in
//! force. A cost may name what it was spent on: an incident or a request, a supplier contract,
//! an asset. Amounts are whole minor units of the one currency the cost rates name (cents).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::id::{AssetId, ContractId, CostId, IncidentId, RequestId, ServiceId};
use crate::patch::{nullable, set};
use crate::record::RecordKind;
use crate::validate::{Checker, NAME_MAX, TITLE_MAX};
use crate::{named_enum, record};

/// The largest amount one budget or cost may hold, in minor units: a hundred billion in the
/// currency, far past any one line, and far from overflowing a sum of millions of them.
pub const AMOUNT_MAX: i64 = 10_000_000_000_000;

/// The most minutes one time entry may log: a long day.
pub const TIME_ENTRY_MAX_MINUTES: i64 = 16 * 60;

/// The most minutes an imported staff cost may carry (a year of one person's hours).
const MINUTES_MAX: i64 = 366 * 24 * 60;

named_enum! {
    /// What kind of spending a cost is.
    CostCategory {
        Staff = "staff",
        Supplier = "supplier",
        Asset = "asset",
        Licence = "licence",
        Facilities = "facilities",
        Other = "other",
    }
}

named_enum! {
    /// How a cost reached Steward.
    CostSource {
        /// Entered by someone, one at a time.
        Recorded = "recorded",
        /// Read from the ledger in bulk.
        Imported = "imported",
        /// Time worked on a ticket, priced at the staff hour rate.
        Time = "time",
    }
}

/// The currency amounts are in and what an hour of staff time costs; a change applies to time
/// logged from then on, never to costs already recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostRates {
    /// The ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    /// What an hour of staff time costs, in minor units.
    pub staff_hour_rate: i64,
}

impl Default for CostRates {
    fn default() -> Self {
        CostRates {
            currency: "EUR".into(),
            staff_hour_rate: 6_000,
        }
    }
}

impl CostRates {
    pub fn validate(&self) -> Result<()> {
        let mut c = Checker::new();
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            c.fail("currency", "must be a three-letter ISO 4217 code such as EUR");
        }
        if !(0..=AMOUNT_MAX / MINUTES_MAX).contains(&self.staff_hour_rate) {
            c.fail(
                "staff_hour_rate",
                format!("must be between 0 and {} (minor units)", AMOUNT_MAX / MINUTES_MAX),
            );
        }
        c.finish()
    }

    /// What `minutes` of staff time cost, rounded to the nearest minor unit.
    pub fn price(&self, minutes: i64) -> i64 {
        (minutes * self.staff_hour_rate + 30) / 60
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Cost {
    pub id: CostId,
    pub service: ServiceId,
    /// The day the cost falls on (the invoice day, the day the time was worked).
    pub incurred_on: NaiveDate,
    /// In minor units of the currency; negative for a credit.
    pub amount: i64,
    pub category: CostCategory,
    pub description: String,
    pub source: CostSource,
    /// The ticket the cost was spent on, if one.
    pub incident: Option<IncidentId>,
    pub request: Option<RequestId>,
    /// The supplier contract it was paid under.
    pub contract: Option<ContractId>,
    /// The asset it bought or kept running.
    pub asset: Option<AssetId>,
    /// For staff time: how long.
    pub minutes: Option<i64>,
    /// The ledger's own reference (an invoice or journal number); unique when given.
    pub ledger_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// Costs are the provider's own figures: requesters do not read them.
record!(Cost, RecordKind::Cost, CostId);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCost {
    pub service: ServiceId,
    pub incurred_on: NaiveDate,
    /// In minor units of the currency (cents); negative for a credit, never zero.
    pub amount: i64,
    pub category: CostCategory,
    pub description: String,
    #[serde(default)]
    pub incident: Option<IncidentId>,
    #[serde(default)]
    pub request: Option<RequestId>,
    #[serde(default)]
    pub contract: Option<ContractId>,
    #[serde(default)]
    pub asset: Option<AssetId>,
    /// For a staff cost: the time it paid for.
    #[serde(default)]
    pub minutes: Option<i64>,
    #[serde(default)]
    pub ledger_ref: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostPatch {
    #[serde(default)]
    pub incurred_on: Option<NaiveDate>,
    #[serde(default)]
    pub amount: Option<i64>,
    #[serde(default)]
    pub category: Option<CostCategory>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub contract: Option<Option<ContractId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub asset: Option<Option<AssetId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub ledger_ref: Option<Option<String>>,
}

/// Time worked on a ticket: the body of `POST /api/v1/incidents/{ref}/time` (and requests').
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeEntry {
    /// 1 to 960.
    pub minutes: i64,
    /// The day it was worked: today if absent, never in the future.
    #[serde(default)]
    pub worked_on: Option<NaiveDate>,
    /// What was done; "Time on INC-n" if absent.
    #[serde(default)]
    pub description: Option<String>,
}

/// The ticket time is logged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ticket {
    Incident(IncidentId),
    Request(RequestId),
}

/// The body of `POST /api/v1/costs/import`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostImport {
    /// 1 to 1000 lines; a line whose ledger reference is already recorded is skipped.
    pub costs: Vec<NewCost>,
}

/// What an import wrote and what it left, by line.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CostsImported {
    /// The costs written, in the order of their lines.
    pub created: Vec<Cost>,
    /// Ledger references already recorded: their lines were not written again.
    pub skipped: Vec<String>,
}

/// The most lines one import may carry.
pub const IMPORT_MAX: usize = 1_000;

impl Cost {
    /// A cost as given: recorded by hand (`source` recorded) or read from the ledger (imported).
    pub fn create(input: NewCost, source: CostSource, at: DateTime<Utc>) -> Result<Cost> {
        let c = Cost {
            id: CostId(0),
            service: input.service,
            incurred_on: input.incurred_on,
            amount: input.amount,
            category: input.category,
            description: input.description.trim().to_string(),
            source,
            incident: input.incident,
            request: input.request,
            contract: input.contract,
            asset: input.asset,
            minutes: input.minutes,
            ledger_ref: clean_ref(input.ledger_ref),
            created_at: at,
            updated_at: at,
        };
        let mut k = Checker::new();
        c.check(&mut k);
        k.finish()?;
        Ok(c)
    }

    /// Time worked on a ticket of `service`, priced at the staff hour rate.
    pub fn for_time(
        ticket: Ticket,
        service: Option<ServiceId>,
        entry: TimeEntry,
        rates: &CostRates,
        at: DateTime<Utc>,
    ) -> Result<Cost> {
        let mut k = Checker::new();
        if !(1..=TIME_ENTRY_MAX_MINUTES).contains(&entry.minutes) {
            k.fail("minutes", format!("must be between 1 and {TIME_ENTRY_MAX_MINUTES}"));
        }
        let today = at.date_naive();
        let worked_on = entry.worked_on.unwrap_or(today);
        if worked_on > today {
            k.fail("worked_on", "time is logged once it has been worked");
        }
        let (incident, request, reference) = match ticket {
            Ticket::Incident(i) => (Some(i), None, i.to_string()),
            Ticket::Request(r) => (None, Some(r), r.to_string()),
        };
        let Some(service) = service else {
            k.fail(
                "service",
                format!("{reference} names no service: give it one so its time can be costed"),
            );
            k.finish()?;
            return Err(Error::unexpected("a failed check passed"));
        };
        k.finish()?;
        let description = entry
            .description
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| format!("Time on {reference}"));
        let c = Cost {
            id: CostId(0),
            service,
            incurred_on: worked_on,
            amount: rates.price(entry.minutes),
            category: CostCategory::Staff,
            description,
            source: CostSource::Time,
            incident,
            request,
            contract: None,
            asset: None,
            minutes: Some(entry.minutes),
            ledger_ref: None,
            created_at: at,
            updated_at: at,
        };
        let mut k = Checker::new();
        c.check(&mut k);
        k.finish()?;
        Ok(c)
    }

    fn check(&self, c: &mut Checker) {
        c.line("description", &self.description, TITLE_MAX);
        // Time priced at a zero rate costs nothing but still counts its minutes.
        let zero_allowed = self.source == CostSource::Time;
        if self.amount == 0 && !zero_allowed {
            c.fail("amount", "a cost is never zero (a credit is negative)");
        } else if self.amount.unsigned_abs() > AMOUNT_MAX.unsigned_abs() {
            c.fail(
                "amount",
                format!("must be between -{AMOUNT_MAX} and {AMOUNT_MAX} (minor units)"),
            );
        }
        if self.incident.is_some() && self.request.is_some() {
            c.fail("request", "a cost is spent on one ticket: an incident or a request");
        }
        if let Some(m) = self.minutes {
            if self.category != CostCategory::Staff {
                c.fail("minutes", "only a staff cost is time");
            } else if !(1..=MINUTES_MAX).contains(&m) {
                c.fail("minutes", format!("must be between 1 and {MINUTES_MAX}"));
            }
        }
        if let Some(r) = &self.ledger_ref {
            c.line("ledger_ref", r, NAME_MAX);
        }
    }

    pub fn apply_patch(&mut self, p: CostPatch) -> Result<()> {
        let mut next = self.clone();
        set(&mut next.incurred_on, p.incurred_on);
        set(&mut next.amount, p.amount);
        set(&mut next.category, p.category);
        set(&mut next.description, p.description.map(|d| d.trim().to_string()));
        set(&mut next.contract, p.contract);
        set(&mut next.asset, p.asset);
        set(&mut next.ledger_ref, p.ledger_ref.map(clean_ref));
        let mut c = Checker::new();
        next.check(&mut c);
        c.finish()?;
        *self = next;
        Ok(())
    }
}

fn clean_ref(r: Option<String>) -> Option<String> {
    r.map(|r| r.trim().to_string()).filter(|r| !r.is_empty())
}

/// What a service cost over a period, by category, and what its incidents cost.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ServiceCost {
    pub service: ServiceId,
    pub service_name: String,
    /// Every cost of the service dated in the period (minor units).
    pub total: i64,
    pub staff: i64,
    pub supplier: i64,
    pub asset: i64,
    pub licence: i64,
    pub facilities: i64,
    pub other: i64,
    /// Staff time logged in the period, in minutes.
    pub minutes: i64,
    /// How many incidents had costs in the period.
    pub incidents: i64,
    /// What was spent on those incidents.
    pub incident_cost: i64,
    /// `incident_cost / incidents`, rounded (none without incidents).
    pub cost_per_incident: Option<i64>,
}

impl ServiceCost {
    pub fn new(service: ServiceId, service_name: String) -> ServiceCost {
        ServiceCost {
            service,
            service_name,
            total: 0,
            staff: 0,
            supplier: 0,
            asset: 0,
            licence: 0,
            facilities: 0,
            other: 0,
            minutes: 0,
            incidents: 0,
            incident_cost: 0,
            cost_per_incident: None,
        }
    }

    /// Adds `amount` to its category and the total.
    pub fn add(&mut self, category: CostCategory, amount: i64) {
        self.total += amount;
        *match category {
            CostCategory::Staff => &mut self.staff,
            CostCategory::Supplier => &mut self.supplier,
            CostCategory::Asset => &mut self.asset,
            CostCategory::Licence => &mut self.licence,
            CostCategory::Facilities => &mut self.facilities,
            CostCategory::Other => &mut self.other,
        } += amount;
    }

    pub fn settle(&mut self) {
        self.cost_per_incident =
            (self.incidents > 0).then(|| (self.incident_cost as f64 / self.incidents as f64).round() as i64);
    }
}

/// An amount in minor units as people read it: `1,234.50`, `-12.00`.
pub fn format_amount(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// An amount as people write it (`1234`, `1,234.5`, `-12.00`) in minor units; `field` names it
/// in the error.
pub fn parse_amount(field: &str, s: &str) -> Result<i64> {
    let bad = || Error::invalid(field, "must be an amount such as 1234.50");
    let t: String = s.trim().chars().filter(|c| *c != ',' && *c != ' ').collect();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, t),
    };
    let (whole, fraction) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || whole.len() > 12
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    let v = whole * 100 + cents;
    Ok(if negative { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn new_cost(amount: i64, category: CostCategory) -> NewCost {
        NewCost {
            service: ServiceId(1),
            incurred_on: now().date_naive(),
            amount,
            category,
            description: "Mail relay licence".into(),
            incident: None,
            request: None,
            contract: None,
            asset: None,
            minutes: None,
            ledger_ref: Some("  INV-2027-001 ".into()),
        }
    }

    fn entry(minutes: i64) -> TimeEntry {
        TimeEntry {
            minutes,
            worked_on: None,
            description: None,
        }
    }

    #[test]
    fn a_cost_is_never_zero_and_one_ticket_at_most() {
        let c = Cost::create(new_cost(-1_500, CostCategory::Licence), CostSource::Recorded, now()).unwrap();
        assert_eq!(c.ledger_ref.as_deref(), Some("INV-2027-001"));
        let e = Cost::create(new_cost(0, CostCategory::Other), CostSource::Recorded, now()).unwrap_err();
        assert!(e.to_string().contains("amount"), "{e}");
        let e = Cost::create(
            new_cost(AMOUNT_MAX + 1, CostCategory::Other),
            CostSource::Imported,
            now(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("amount"), "{e}");
        // The most negative amount has no positive twin: it is refused, not overflowed.
        let e = Cost::create(new_cost(i64::MIN, CostCategory::Asset), CostSource::Imported, now()).unwrap_err();
        assert!(e.to_string().contains("amount"), "{e}");
        let mut both = new_cost(100, CostCategory::Staff);
        both.incident = Some(IncidentId(1));
        both.request = Some(RequestId(1));
        assert!(Cost::create(both, CostSource::Recorded, now()).is_err());
        let mut minutes = new_cost(100, CostCategory::Supplier);
        minutes.minutes = Some(30);
        let e = Cost::create(minutes, CostSource::Imported, now()).unwrap_err();
        assert!(e.to_string().contains("minutes"), "{e}");
    }

    #[test]
    fn time_is_priced_at_the_staff_hour_rate_and_needs_the_tickets_service() {
        let rates = CostRates {
            currency: "EUR".into(),
            staff_hour_rate: 7_000,
        };
        let c = Cost::for_time(
            Ticket::Incident(IncidentId(7)),
            Some(ServiceId(2)),
            entry(45),
            &rates,
            now(),
        )
        .unwrap();
        assert_eq!(
            (c.amount, c.minutes, c.category),
            (5_250, Some(45), CostCategory::Staff)
        );
        assert_eq!(
            (c.incident, c.service, c.source),
            (Some(IncidentId(7)), ServiceId(2), CostSource::Time)
        );
        assert_eq!(c.description, "Time on INC-7");
        // 1 minute at 70.00 an hour is 1.1666..., rounded to 1.17.
        assert_eq!(rates.price(1), 117);
        let e = Cost::for_time(Ticket::Request(RequestId(3)), None, entry(30), &rates, now()).unwrap_err();
        assert!(e.to_string().contains("REQ-3 names no service"), "{e}");
        for minutes in [0, TIME_ENTRY_MAX_MINUTES + 1] {
            let e = Cost::for_time(
                Ticket::Request(RequestId(3)),
                Some(ServiceId(1)),
                entry(minutes),
                &rates,
                now(),
            )
            .unwrap_err();
            assert!(e.to_string().contains("minutes"), "{e}");
        }
        let mut future = entry(10);
        future.worked_on = now().date_naive().succ_opt();
        assert!(
            Cost::for_time(
                Ticket::Incident(IncidentId(1)),
                Some(ServiceId(1)),
                future,
                &rates,
                now()
            )
            .is_err()
        );
        // A zero rate still counts the minutes.
        let free = CostRates {
            staff_hour_rate: 0,
            ..rates
        };
        let c = Cost::for_time(
            Ticket::Incident(IncidentId(1)),
            Some(ServiceId(1)),
            entry(10),
            &free,
            now(),
        )
        .unwrap();
        assert_eq!((c.amount, c.minutes), (0, Some(10)));
    }

    #[test]
    fn rates_name_a_currency_and_a_bounded_rate() {
        assert!(CostRates::default().validate().is_ok());
        let e = CostRates {
            currency: "eur".into(),
            staff_hour_rate: 1,
        }
        .validate()
        .unwrap_err();
        assert!(e.to_string().contains("currency"), "{e}");
        assert!(
            CostRates {
                currency: "EUR".into(),
                staff_hour_rate: -1
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn amounts_read_and_print_as_people_write_them() {
        assert_eq!(format_amount(123_450), "1,234.50");
        assert_eq!(format_amount(-1_200), "-12.00");
        assert_eq!(format_amount(5), "0.05");
        assert_eq!(format_amount(100_000_000), "1,000,000.00");
        assert_eq!(parse_amount("amount", "1,234.5").unwrap(), 123_450);
        assert_eq!(parse_amount("amount", " -12 ").unwrap(), -1_200);
        assert_eq!(parse_amount("amount", ".5").unwrap(), 50);
        for bad in ["", "-", "1.234", "12a", "1e5", "--1", "9999999999999"] {
            let e = parse_amount("amount", bad).unwrap_err();
            assert!(e.to_string().contains("amount"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_service_cost_adds_by_category() {
        let mut s = ServiceCost::new(ServiceId(1), "Email".into());
        s.add(CostCategory::Staff, 500);
        s.add(CostCategory::Supplier, 1_000);
        s.add(CostCategory::Supplier, -200);
        s.incidents = 3;
        s.incident_cost = 500;
        s.settle();
        assert_eq!((s.total, s.staff, s.supplier), (1_300, 500, 800));
        assert_eq!(s.cost_per_incident, Some(167));
    }
}
