//! How capacity requirements, their utilisation readings and demand forecasts are stored, and
//! the two reports read from them: each requirement's utilisation over a period against its
//! thresholds, and each forecast against the demand its service met. Figures are kept in
//! thousandths as whole numbers (`capacity`, `value`, `forecast`, `actual`, the thresholds).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use steward_core::capacity::{
    CapacityKind, CapacityRequirement, CapacityUse, Reading, ReadingImport, ReadingSource, ReadingsImported,
};
use steward_core::demand::{DemandForecast, DemandLine, DemandMeasure};
use steward_core::id::*;
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::Arg;
use crate::record::{Table, select_sql};
use crate::{args, from_micros, micros, midnight_micros, parse_stored, placeholders, refer, stored_date};

/// A figure as stored: thousandths, as a whole number.
fn milli(v: f64) -> i64 {
    (v * 1000.0).round() as i64
}

fn from_milli(v: i64) -> f64 {
    v as f64 / 1000.0
}

#[derive(sqlx::FromRow)]
pub struct CapacityRequirementRow {
    id: i64,
    service_id: i64,
    kind: String,
    title: String,
    unit: String,
    capacity: i64,
    warning_percent: i64,
    critical_percent: i64,
    configuration_item_id: Option<i64>,
    owner_id: Option<i64>,
    notes: String,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl Table for CapacityRequirement {
    type Row = CapacityRequirementRow;
    const TABLE: &'static str = "capacity_requirements";
    const COLUMNS: &'static [&'static str] = &[
        "service_id",
        "kind",
        "title",
        "unit",
        "capacity",
        "warning_percent",
        "critical_percent",
        "configuration_item_id",
        "owner_id",
        "notes",
        "active",
        "created_at",
        "updated_at",
    ];

    fn from_row(r: CapacityRequirementRow) -> Result<Self> {
        Ok(CapacityRequirement {
            id: CapacityRequirementId(r.id),
            service: ServiceId(r.service_id),
            kind: parse_stored("kind", &r.kind, CapacityKind::parse)?,
            title: r.title,
            unit: r.unit,
            capacity: from_milli(r.capacity),
            warning_percent: from_milli(r.warning_percent),
            critical_percent: from_milli(r.critical_percent),
            configuration_item: r.configuration_item_id.map(ConfigurationItemId),
            owner: r.owner_id.map(UserId),
            notes: r.notes,
            active: r.active,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        args![
            self.service.0,
            self.kind.as_str(),
            &self.title,
            &self.unit,
            milli(self.capacity),
            milli(self.warning_percent),
            milli(self.critical_percent),
            self.configuration_item.map(|v| v.0),
            self.owner.map(|v| v.0),
            &self.notes,
            self.active,
            micros(self.created_at),
            micros(self.updated_at),
        ]
    }

    fn references(&self) -> Vec<(&'static str, RecordKind, i64)> {
        let mut r = vec![("service", RecordKind::Service, self.service.0)];
        refer(
            &mut r,
            "configuration_item",
            RecordKind::ConfigurationItem,
            self.configuration_item.map(|v| v.0),
        );
        refer(&mut r, "owner", RecordKind::User, self.owner.map(|v| v.0));
        r
    }
}

#[derive(sqlx::FromRow)]
pub struct DemandForecastRow {
    id: i64,
    service_id: i64,
    title: String,
    measure: String,
    unit: String,
    starts_on: String,
    ends_on: String,
    forecast: i64,
    actual: Option<i64>,
    owner_id: Option<i64>,
    notes: String,
    created_at: i64,
    updated_at: i64,
}

impl Table for DemandForecast {
    type Row = DemandForecastRow;
    const TABLE: &'static str = "demand_forecasts";
    const COLUMNS: &'static [&'static str] = &[
        "service_id",
        "title",
        "measure",
        "unit",
        "starts_on",
        "ends_on",
        "starts_at",
        "ends_at",
        "forecast",
        "actual",
        "owner_id",
        "notes",
        "created_at",
        "updated_at",
    ];
    fn from_row(r: DemandForecastRow) -> Result<Self> {
        Ok(DemandForecast {
            id: DemandForecastId(r.id),
            service: ServiceId(r.service_id),
            title: r.title,
            measure: parse_stored("measure", &r.measure, DemandMeasure::parse)?,
            unit: r.unit,
            starts_on: stored_date("starts_on", &r.starts_on)?,
            ends_on: stored_date("ends_on", &r.ends_on)?,
            forecast: from_milli(r.forecast),
            actual: r.actual.map(from_milli),
            owner: r.owner_id.map(UserId),
            notes: r.notes,
            created_at: from_micros(r.created_at)?,
            updated_at: from_micros(r.updated_at)?,
        })
    }

    fn to_args(&self) -> Vec<Arg> {
        let after_last = self.ends_on.succ_opt().unwrap_or(self.ends_on);
        args![
            self.service.0,
            &self.title,
            self.measure.as_str(),
            &self.unit,
            self.starts_on.to_string(),
            self.ends_on.to_string(),
            midnight_micros(self.starts_on),
            midnight_micros(after_last),
            milli(self.forecast),
            self.actual.map(milli),
            self.owner.map(|v| v.0),
            &self.notes,
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

/// Requirements and forecasts read at most by one report; more is refused rather than cut.
const REPORT_MAX: i64 = 5_000;

/// Readings written by one statement of an import (six parameters each).
const READINGS_PER_STATEMENT: usize = 500;

/// The most readings one page of a requirement's readings holds.
pub const READINGS_PAGE_MAX: i64 = 1_000;

type ReadingRow = (i64, i64, i64, String, Option<i64>, i64);

fn reading_of(r: ReadingRow) -> Result<Reading> {
    let (requirement, measured_at, value, source, recorded_by, created_at) = r;
    Ok(Reading {
        requirement: CapacityRequirementId(requirement),
        measured_at: from_micros(measured_at)?,
        value: from_milli(value),
        source: parse_stored("source", &source, ReadingSource::parse)?,
        recorded_by: recorded_by.map(UserId),
        created_at: from_micros(created_at)?,
    })
}

fn reading_args(r: &Reading) -> Vec<Arg> {
    args![
        r.requirement.0,
        micros(r.measured_at),
        milli(r.value),
        r.source.as_str(),
        r.recorded_by.map(|u| u.0),
        micros(r.created_at),
    ]
}

const READING_COLUMNS: &str = "requirement_id, measured_at, value, source, recorded_by, created_at";

impl crate::Store {
    /// Records one reading of a requirement; a retired requirement takes none, and a second
    /// reading at the same instant is refused.
    pub async fn record_reading(&self, reading: Reading) -> Result<Reading> {
        let mut tx = self.begin().await?;
        let row: Option<(bool,)> = tx
            .fetch_optional(
                "SELECT active FROM capacity_requirements WHERE id = $1",
                args![reading.requirement.0],
            )
            .await?;
        match row {
            None => {
                return Err(Error::not_found(
                    "capacity requirement",
                    reading.requirement.to_string(),
                ));
            }
            Some((false,)) => {
                return Err(Error::Conflict(format!(
                    "{} is retired and takes no readings",
                    reading.requirement
                )));
            }
            Some((true,)) => {}
        }
        tx.execute(
            &format!("INSERT INTO capacity_readings ({READING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"),
            reading_args(&reading),
        )
        .await?;
        tx.commit().await?;
        Ok(reading)
    }

    /// Writes readings from monitoring, all or none: a line that is not valid or names a
    /// requirement that does not exist (or is retired) refuses the import and is named
    /// (`readings[3].value`). A reading already held for the same requirement and instant is
    /// skipped, so a file sent twice counts once.
    pub async fn import_readings(
        &self,
        import: ReadingImport,
        recorded_by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<ReadingsImported> {
        let readings = import.readings(recorded_by, at)?;
        let mut ids: Vec<i64> = readings.iter().map(|r| r.requirement.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT id FROM capacity_requirements WHERE active AND id IN ({})",
            placeholders(1, ids.len())
        );
        let found: Vec<(i64,)> = tx.fetch_all(&sql, ids.iter().map(|i| Arg::from(*i)).collect()).await?;
        let found: std::collections::HashSet<i64> = found.into_iter().map(|(i,)| i).collect();
        if let Some((i, r)) = readings
            .iter()
            .enumerate()
            .find(|(_, r)| !found.contains(&r.requirement.0))
        {
            return Err(Error::invalid(
                format!("readings[{i}].requirement"),
                format!("{} is not an active capacity requirement", r.requirement),
            ));
        }
        let mut created = 0;
        for chunk in readings.chunks(READINGS_PER_STATEMENT) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("({})", placeholders(i * 6 + 1, 6)))
                .collect();
            let sql = format!(
                "INSERT INTO capacity_readings ({READING_COLUMNS}) VALUES {} \
                 ON CONFLICT (requirement_id, measured_at) DO NOTHING",
                rows.join(", ")
            );
            created += tx.execute(&sql, chunk.iter().flat_map(reading_args).collect()).await? as i64;
        }
        tx.commit().await?;
        Ok(ReadingsImported {
            created,
            skipped: readings.len() as i64 - created,
        })
    }

    /// A requirement's readings in `[from, to)`, newest first, at most `limit`; `before` pages on
    /// from the last reading of the page before.
    pub async fn readings(
        &self,
        requirement: CapacityRequirementId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        before: Option<DateTime<Utc>>,
        limit: i64,
    ) -> Result<Vec<Reading>> {
        if to <= from {
            return Err(Error::invalid("to", "must be after from"));
        }
        let upper = before.map(micros).unwrap_or(i64::MAX).min(micros(to));
        let mut c = self.read().await?;
        let rows: Vec<ReadingRow> = c
            .fetch_all(
                &format!(
                    "SELECT {READING_COLUMNS} FROM capacity_readings \
                     WHERE requirement_id = $1 AND measured_at >= $2 AND measured_at < $3 \
                     ORDER BY measured_at DESC LIMIT $4"
                ),
                args![requirement.0, micros(from), upper, limit.clamp(1, READINGS_PAGE_MAX)],
            )
            .await?;
        rows.into_iter().map(reading_of).collect()
    }

    /// Every active requirement's utilisation over `[from, to)`: how many readings, the latest,
    /// the peak and the mean, against its thresholds, and the capacity-related incidents raised
    /// in the period — four reads however many readings.
    pub async fn capacity_report(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<CapacityUse>> {
        if to <= from {
            return Err(Error::invalid("to", "must be after from"));
        }
        let (f, t) = (micros(from), micros(to));
        let mut c = self.read().await?;
        let rows: Vec<CapacityRequirementRow> = c
            .fetch_all(
                &format!(
                    "{} WHERE active ORDER BY id LIMIT $1",
                    select_sql::<CapacityRequirement>()
                ),
                args![REPORT_MAX + 1],
            )
            .await?;
        let requirements: Vec<CapacityRequirement> = rows
            .into_iter()
            .map(CapacityRequirement::from_row)
            .collect::<Result<_>>()?;
        if requirements.len() as i64 > REPORT_MAX {
            return Err(Error::invalid(
                "from",
                format!("more than {REPORT_MAX} active capacity requirements; the report reads at most that many"),
            ));
        }
        let names: Vec<(i64, String)> = c.fetch_all("SELECT id, name FROM services", args![]).await?;
        let names: HashMap<i64, String> = names.into_iter().collect();
        // requirement, readings, peak, mean, last instant
        type Tally = (i64, i64, i64, i64, i64);
        let tallies: Vec<Tally> = c
            .fetch_all(
                "SELECT requirement_id, COUNT(*), MAX(value), CAST(AVG(value) AS BIGINT), MAX(measured_at) \
                 FROM capacity_readings WHERE measured_at >= $1 AND measured_at < $2 GROUP BY requirement_id",
                args![f, t],
            )
            .await?;
        let latest: Vec<(i64, i64)> = c
            .fetch_all(
                "SELECT r.requirement_id, r.value FROM capacity_readings r \
                 JOIN (SELECT requirement_id, MAX(measured_at) AS last FROM capacity_readings \
                       WHERE measured_at >= $1 AND measured_at < $2 GROUP BY requirement_id) l \
                 ON l.requirement_id = r.requirement_id AND l.last = r.measured_at",
                args![f, t],
            )
            .await?;
        let incidents: Vec<(i64, i64)> = c
            .fetch_all(
                "SELECT l.to_id, COUNT(*) FROM links l JOIN incidents i ON i.id = l.from_id \
                 WHERE l.from_kind = 'incident' AND l.to_kind = 'capacity_requirement' \
                 AND i.created_at >= $1 AND i.created_at < $2 GROUP BY l.to_id",
                args![f, t],
            )
            .await?;
        let tallies: HashMap<i64, Tally> = tallies.into_iter().map(|t| (t.0, t)).collect();
        let latest: HashMap<i64, i64> = latest.into_iter().collect();
        let incidents: HashMap<i64, i64> = incidents.into_iter().collect();
        let mut out: Vec<CapacityUse> = requirements
            .iter()
            .map(|r| {
                let mut row = CapacityUse::new(r, names.get(&r.service.0).cloned().unwrap_or_default());
                if let Some(&(_, n, peak, mean, last)) = tallies.get(&r.id.0) {
                    row.readings = n;
                    row.peak_value = Some(from_milli(peak));
                    row.mean_value = Some(from_milli(mean));
                    row.latest_at = Some(from_micros(last)?);
                    row.latest_value = latest.get(&r.id.0).map(|v| from_milli(*v));
                }
                row.incidents = incidents.get(&r.id.0).copied().unwrap_or(0);
                row.settle(r);
                Ok(row)
            })
            .collect::<Result<_>>()?;
        out.sort_by(|a, b| (&a.service_name, &a.title, a.requirement).cmp(&(&b.service_name, &b.title, b.requirement)));
        Ok(out)
    }

    /// The incidents and the requests raised on each service in `[from, to)`, by service: the
    /// demand it met, counted from the records (one grouped read of each table).
    pub async fn tickets_raised(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<HashMap<ServiceId, (i64, i64)>> {
        let mut c = self.read().await?;
        let mut out: HashMap<ServiceId, (i64, i64)> = HashMap::new();
        for table in ["incidents", "requests"] {
            let rows: Vec<(i64, i64)> = c
                .fetch_all(
                    &format!(
                        "SELECT service_id, COUNT(*) FROM {table} WHERE created_at >= $1 AND created_at < $2 \
                         AND service_id IS NOT NULL GROUP BY service_id"
                    ),
                    args![micros(from), micros(to)],
                )
                .await?;
            for (service, n) in rows {
                let e = out.entry(ServiceId(service)).or_default();
                if table == "incidents" {
                    e.0 = n;
                } else {
                    e.1 = n;
                }
            }
        }
        Ok(out)
    }

    /// Every forecast whose period meets `[from, to)`, beside the demand its service met: the
    /// tickets raised on it in the forecast's period (two grouped reads over the services'
    /// creation indexes), or the actual recorded for any other measure.
    pub async fn demand_report(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Vec<DemandLine>> {
        if to <= from {
            return Err(Error::invalid("to", "must be after from"));
        }
        let (f, t) = (micros(from), micros(to));
        let mut c = self.read().await?;
        // A forecast's `starts_at` and `ends_at` are selected too, and left unread.
        let select = select_sql::<DemandForecast>();
        let rows: Vec<DemandForecastRow> = c
            .fetch_all(
                &format!(
                    "{select} WHERE ends_at > $1 AND starts_at < $2 \
                     ORDER BY starts_on, id LIMIT $3"
                ),
                args![f, t, REPORT_MAX + 1],
            )
            .await?;
        if rows.len() as i64 > REPORT_MAX {
            return Err(Error::invalid(
                "from",
                format!("more than {REPORT_MAX} forecasts in the period; ask for a shorter one"),
            ));
        }
        let forecasts: Vec<DemandForecast> = rows.into_iter().map(DemandForecast::from_row).collect::<Result<_>>()?;
        let mut counted: HashMap<i64, i64> = HashMap::new();
        for (table, measures) in [
            ("incidents", "'tickets', 'incidents'"),
            ("requests", "'tickets', 'requests'"),
        ] {
            let sums: Vec<(i64, i64)> = c
                .fetch_all(
                    &format!(
                        "SELECT f.id, COUNT(*) FROM demand_forecasts f JOIN {table} k \
                         ON k.service_id = f.service_id AND k.created_at >= f.starts_at AND k.created_at < f.ends_at \
                         WHERE f.ends_at > $1 AND f.starts_at < $2 AND f.measure IN ({measures}) GROUP BY f.id"
                    ),
                    args![f, t],
                )
                .await?;
            for (id, n) in sums {
                *counted.entry(id).or_default() += n;
            }
        }
        let names: Vec<(i64, String)> = c.fetch_all("SELECT id, name FROM services", args![]).await?;
        let names: HashMap<i64, String> = names.into_iter().collect();
        let mut out: Vec<DemandLine> = forecasts
            .iter()
            .map(|fc| {
                let actual = if fc.measure.counted() {
                    Some(counted.get(&fc.id.0).copied().unwrap_or(0) as f64)
                } else {
                    fc.actual
                };
                DemandLine::new(fc, names.get(&fc.service.0).cloned().unwrap_or_default(), actual, today)
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.service_name, a.starts_on, a.forecast_id).cmp(&(&b.service_name, b.starts_on, b.forecast_id))
        });
        Ok(out)
    }
}
