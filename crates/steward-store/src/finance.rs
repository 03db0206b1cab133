//! How budgets and costs are stored; time logged on tickets and ledger imports written as
//! costs; and the two finance reports: each budget against what its service spent, and what
//! each service (and its incidents) cost over a period.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use steward_core::budget::{Budget, BudgetLine, BudgetStatus};
use steward_core::cost::{
    Cost, CostCategory, CostSource, CostsImported, IMPORT_MAX, NewCost, ServiceCost, Ticket, TimeEntry,
};
use steward_core::error::FieldError;
use steward_core::id::*;
use steward_core::lifecycle::Lifecycle;
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::{Table, insert, insert_many};
use crate::{args, from_micros, micros, parse_stored, placeholders, refer, stored_date};

#[derive(sqlx::FromRow)]
pub struct BudgetRow {
    id: i64,
    service_id: i64,
    title: String,
    starts_on: String,
    ends_on: String,
    amount: i64,
    owner_id: Option<i64>,
    notes: String,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for Budget {
    type Row = BudgetRow;
    const TABLE: &'static str = "budgets";
    const COLUMNS: &'static [&'static str] = &[
        "service_id",
        "title",
        "starts_on",
        "ends_on",
        "amount",
        "owner_id",
        "notes",
        "status",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: BudgetRow) -> Result<Self> {
        Ok(Budget {
            id: BudgetId(r.id),
            service: ServiceId(r.service_id),
            title: r.title,
            starts_on: stored_date("starts_on", &r.starts_on)?,
            ends_on: stored_date("ends_on", &r.ends_on)?,
            amount: r.amount,
            owner: r.owner_id.map(UserId),
            notes: r.notes,
            status: parse_stored("status", &r.status, BudgetStatus::parse)?,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.service.0,
            &self.title,
            self.starts_on.to_string(),
            self.ends_on.to_string(),
            self.amount,
            self.owner.map(|v| v.0),
            &self.notes,
            self.status.as_str(),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("service", RecordKind::Service, self.service.0)];
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        r
    }
}

#[derive(sqlx::FromRow)]
pub struct CostRow {
    id: i64,
    service_id: i64,
    incurred_on: String,
    amount: i64,
    category: String,
    description: String,
    source: String,
    incident_id: Option<i64>,
    request_id: Option<i64>,
    contract_id: Option<i64>,
    asset_id: Option<i64>,
    minutes: Option<i64>,
    ledger_ref: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl Table for Cost {
    type Row = CostRow;
    const TABLE: &'static str = "costs";
    const COLUMNS: &'static [&'static str] = &[
        "service_id",
        "incurred_on",
        "amount",
        "category",
        "description",
        "source",
        "incident_id",
        "request_id",
        "contract_id",
        "asset_id",
        "minutes",
        "ledger_ref",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: CostRow) -> Result<Self> {
        Ok(Cost {
            id: CostId(r.id),
            service: ServiceId(r.service_id),
            incurred_on: stored_date("incurred_on", &r.incurred_on)?,
            amount: r.amount,
            category: parse_stored("category", &r.category, CostCategory::parse)?,
            description: r.description,
            source: parse_stored("source", &r.source, CostSource::parse)?,
            incident: r.incident_id.map(IncidentId),
            request: r.request_id.map(RequestId),
            contract: r.contract_id.map(ContractId),
            asset: r.asset_id.map(AssetId),
            minutes: r.minutes,
            ledger_ref: r.ledger_ref,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.service.0,
            self.incurred_on.to_string(),
            self.amount,
            self.category.as_str(),
            &self.description,
            self.source.as_str(),
            self.incident.map(|v| v.0),
            self.request.map(|v| v.0),
            self.contract.map(|v| v.0),
            self.asset.map(|v| v.0),
            self.minutes,
            self.ledger_ref.clone(),
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("service", RecordKind::Service, self.service.0)];
        refer(&mut r, "incident", RecordKind::Incident, self.incident.map(|v| v.0));
        refer(&mut r, "request", RecordKind::Request, self.request.map(|v| v.0));
        refer(&mut r, "contract", RecordKind::Contract, self.contract.map(|v| v.0));
        refer(&mut r, "asset", RecordKind::Asset, self.asset.map(|v| v.0));
        r
    }
}

/// Budgets read at most by one budget report; more is refused rather than cut.
const BUDGETS_MAX: i64 = 5_000;

/// `[from, to)` as the days it touches: costs and budgets are dated by day, so a period ending
/// after midnight takes in the whole of its last day.
fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(NaiveDate, NaiveDate)> {
    if to <= from {
        return Err(Error::invalid("to", "must be after from"));
    }
    let f = from.date_naive();
    let t = if to.time() == chrono::NaiveTime::MIN {
        to.date_naive()
    } else {
        to.date_naive().succ_opt().unwrap_or(NaiveDate::MAX)
    };
    Ok((f, t))
}

/// The error of line `i` of an import, its fields named as `costs[i].field`.
fn on_line(i: usize, e: Error) -> Error {
    match e {
        Error::Invalid(fields) => Error::Invalid(
            fields
                .into_iter()
                .map(|f| FieldError::new(format!("costs[{i}].{}", f.field), f.message))
                .collect(),
        ),
        Error::NotFound { kind, id } => Error::invalid(format!("costs[{i}]"), format!("{kind} {id} was not found")),
        other => other,
    }
}

impl crate::Store {
    /// Logs time worked on a ticket as a staff cost of the ticket's service, priced at the cost
    /// rates in force.
    pub async fn log_time(
        &self,
        ticket: Ticket,
        entry: TimeEntry,
        actor: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<Cost> {
        let rates = self.cost_rates().await?;
        let (sql, kind, id) = match ticket {
            Ticket::Incident(i) => (
                "SELECT service_id FROM incidents WHERE id = $1",
                "incident",
                i.to_string(),
            ),
            Ticket::Request(r) => (
                "SELECT service_id FROM requests WHERE id = $1",
                "request",
                r.to_string(),
            ),
        };
        let key = match ticket {
            Ticket::Incident(i) => i.0,
            Ticket::Request(r) => r.0,
        };
        let mut tx = self.begin().await?;
        let row: Option<(Option<i64>,)> = tx.fetch_optional(sql, args![key]).await?;
        let (service,) = row.ok_or_else(|| Error::not_found(kind, id))?;
        let cost = Cost::for_time(ticket, service.map(ServiceId), entry, &rates, at)?;
        let saved = insert(&mut tx, cost, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Writes ledger lines as costs, all or none: a line that is not valid, or names what does
    /// not exist, refuses the import and names the line. A line whose ledger reference is
    /// already recorded is skipped, so importing the same file twice counts it once.
    pub async fn import_costs(
        &self,
        lines: Vec<NewCost>,
        actor: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<CostsImported> {
        if lines.is_empty() || lines.len() > IMPORT_MAX {
            return Err(Error::invalid("costs", format!("must hold 1 to {IMPORT_MAX} lines")));
        }
        let mut costs = Vec::with_capacity(lines.len());
        let mut seen = HashSet::new();
        for (i, line) in lines.into_iter().enumerate() {
            let c = Cost::create(line, CostSource::Imported, at).map_err(|e| on_line(i, e))?;
            if let Some(r) = &c.ledger_ref
                && !seen.insert(r.clone())
            {
                return Err(Error::invalid(
                    format!("costs[{i}].ledger_ref"),
                    format!("{r} appears twice in the import"),
                ));
            }
            costs.push((i, c));
        }
        let mut tx = self.begin().await?;
        let refs: Vec<String> = costs.iter().filter_map(|(_, c)| c.ledger_ref.clone()).collect();
        let mut recorded = HashSet::new();
        if !refs.is_empty() {
            let sql = format!(
                "SELECT ledger_ref FROM costs WHERE ledger_ref IN ({})",
                placeholders(1, refs.len())
            );
            let rows: Vec<(String,)> = tx
                .fetch_all(&sql, refs.iter().map(|r| Arg::from(r.as_str())).collect())
                .await?;
            recorded.extend(rows.into_iter().map(|(r,)| r));
        }
        let (mut lines, mut skipped) = (Vec::new(), Vec::new());
        let mut items = Vec::new();
        for (i, c) in costs {
            match &c.ledger_ref {
                Some(r) if recorded.contains(r) => skipped.push(r.clone()),
                _ => {
                    lines.push(i);
                    items.push((c, actor));
                }
            }
        }
        let mut created = Vec::with_capacity(items.len());
        for (i, outcome) in lines.into_iter().zip(insert_many(&mut tx, items).await?) {
            created.push(outcome.map_err(|e| on_line(i, e))?);
        }
        tx.commit().await?;
        Ok(CostsImported { created, skipped })
    }

    /// Every budget whose period meets `[from, to)`, beside what its service spent over the
    /// whole of the budget's period, by category, as of `today` — two reads however many
    /// costs (the sums come from an index alone).
    pub async fn budget_report(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Vec<BudgetLine>> {
        let (f, t) = days(from, to)?;
        let mut c = self.read().await?;
        // id, title, service, service name, starts, ends, amount, status
        type Planned = (i64, String, i64, String, String, String, i64, String);
        let budgets: Vec<Planned> = c
            .fetch_all(
                "SELECT b.id, b.title, b.service_id, s.name, b.starts_on, b.ends_on, b.amount, b.status \
                 FROM budgets b JOIN services s ON s.id = b.service_id \
                 WHERE b.ends_on >= $1 AND b.starts_on < $2 ORDER BY s.name, b.starts_on, b.id LIMIT $3",
                args![f.to_string(), t.to_string(), BUDGETS_MAX + 1],
            )
            .await?;
        if budgets.len() as i64 > BUDGETS_MAX {
            return Err(Error::invalid(
                "from",
                format!("more than {BUDGETS_MAX} budgets in the period; ask for a shorter one"),
            ));
        }
        let spent: Vec<(i64, String, i64)> = c
            .fetch_all(
                "SELECT b.id, k.category, CAST(SUM(k.amount) AS BIGINT) FROM budgets b \
                 JOIN costs k ON k.service_id = b.service_id AND k.incurred_on >= b.starts_on AND k.incurred_on <= b.ends_on \
                 WHERE b.ends_on >= $1 AND b.starts_on < $2 GROUP BY b.id, k.category",
                args![f.to_string(), t.to_string()],
            )
            .await?;
        let mut by_budget: HashMap<i64, Vec<(CostCategory, i64)>> = HashMap::new();
        for (b, category, sum) in spent {
            by_budget
                .entry(b)
                .or_default()
                .push((parse_stored("category", &category, CostCategory::parse)?, sum));
        }
        budgets
            .into_iter()
            .map(
                |(id, title, service, service_name, starts_on, ends_on, amount, status)| {
                    let mut tally = ServiceCost::new(ServiceId(service), service_name);
                    for (category, sum) in by_budget.remove(&id).unwrap_or_default() {
                        tally.add(category, sum);
                    }
                    let mut line = BudgetLine {
                        budget: BudgetId(id),
                        title,
                        service: tally.service,
                        service_name: tally.service_name,
                        status: parse_stored("status", &status, BudgetStatus::parse)?,
                        starts_on: stored_date("starts_on", &starts_on)?,
                        ends_on: stored_date("ends_on", &ends_on)?,
                        amount,
                        actual: tally.total,
                        remaining: 0,
                        used_percent: None,
                        elapsed_percent: 0.0,
                        staff: tally.staff,
                        supplier: tally.supplier,
                        asset: tally.asset,
                        licence: tally.licence,
                        facilities: tally.facilities,
                        other: tally.other,
                    };
                    line.settle(today);
                    Ok(line)
                },
            )
            .collect()
    }

    /// What each service cost over `[from, to)` by category, the staff time logged, and what
    /// its incidents cost — two grouped reads over the cost index, however many costs.
    pub async fn service_costs(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<ServiceCost>> {
        let (f, t) = days(from, to)?;
        let mut c = self.read().await?;
        let sums: Vec<(i64, String, i64, i64, i64)> = c
            .fetch_all(
                "SELECT service_id, category, CAST(SUM(amount) AS BIGINT), CAST(COALESCE(SUM(minutes), 0) AS BIGINT), \
                 CAST(SUM(CASE WHEN incident_id IS NOT NULL THEN amount ELSE 0 END) AS BIGINT) \
                 FROM costs WHERE incurred_on >= $1 AND incurred_on < $2 GROUP BY service_id, category",
                args![f.to_string(), t.to_string()],
            )
            .await?;
        let incidents: Vec<(i64, i64)> = c
            .fetch_all(
                "SELECT service_id, COUNT(DISTINCT incident_id) FROM costs \
                 WHERE incurred_on >= $1 AND incurred_on < $2 AND incident_id IS NOT NULL GROUP BY service_id",
                args![f.to_string(), t.to_string()],
            )
            .await?;
        let names: Vec<(i64, String)> = c.fetch_all("SELECT id, name FROM services", args![]).await?;
        let names: HashMap<i64, String> = names.into_iter().collect();
        let mut out: HashMap<i64, ServiceCost> = HashMap::new();
        for (service, category, sum, minutes, on_incidents) in sums {
            let s = out.entry(service).or_insert_with(|| {
                ServiceCost::new(ServiceId(service), names.get(&service).cloned().unwrap_or_default())
            });
            s.add(parse_stored("category", &category, CostCategory::parse)?, sum);
            s.minutes += minutes;
            s.incident_cost += on_incidents;
        }
        for (service, n) in incidents {
            if let Some(s) = out.get_mut(&service) {
                s.incidents = n;
            }
        }
        let mut out: Vec<ServiceCost> = out.into_values().collect();
        for s in &mut out {
            s.settle();
        }
        out.sort_by(|a, b| (&a.service_name, a.service).cmp(&(&b.service_name, b.service)));
        Ok(out)
    }
}
