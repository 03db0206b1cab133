//! The demo's demand and capacity (8.4.2, 8.4.3). Every live service has a forecast of its
//! tickets for each of the last three quarters, this one and the next: the past ones close to
//! what came, except one service's, which demand outran. The mail service also forecasts its
//! mailboxes, with the count recorded. Each live service has a technical capacity requirement
//! and the service desk a human one, read every morning for the last 90 days as monitoring
//! would send them: mailbox storage climbs past its warning threshold, VPN sessions past their
//! critical one (with the incidents that came of it flagged as capacity-related), and the print
//! service's requirement has no monitoring connected yet, so the evidence shows the gap. The
//! capacity plan itself is a document of the register (`CAP-PLN-001`, in the compliance seed).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use steward_core::capacity::{CapacityKind, CapacityRequirement, NewCapacityRequirement, NewReading, ReadingImport};
use steward_core::configuration_item::ConfigurationItem;
use steward_core::demand::{DemandForecast, DemandMeasure, NewDemandForecast};
use steward_core::id::UserId;
use steward_core::incident::Incident;
use steward_core::link::Endpoint;
use steward_core::record::RecordKind;
use steward_core::service::{Service, ServiceStatus};
use steward_store::{ListQuery, Store};

/// A service's requirement: code, kind, title, unit, capacity, the first and the last reading
/// of the 90 days (the readings between climb from one to the other, with a daily wobble).
type Spec = (&'static str, CapacityKind, &'static str, &'static str, f64, f64, f64);

const REQUIREMENTS: &[Spec] = &[
    (
        "MAIL",
        CapacityKind::Technical,
        "Mailbox storage",
        "GB",
        4_000.0,
        2_650.0,
        3_420.0,
    ),
    (
        "VPN",
        CapacityKind::Technical,
        "Concurrent VPN sessions",
        "sessions",
        1_500.0,
        1_020.0,
        1_460.0,
    ),
    (
        "ERP",
        CapacityKind::Technical,
        "ERP database cores in use",
        "vCPU",
        64.0,
        22.0,
        31.0,
    ),
    (
        "CRM",
        CapacityKind::Technical,
        "CRM licences assigned",
        "licences",
        400.0,
        300.0,
        318.0,
    ),
    (
        "HR",
        CapacityKind::Information,
        "Personnel file archive",
        "GB",
        500.0,
        120.0,
        134.0,
    ),
    (
        "WIFI",
        CapacityKind::Technical,
        "Wireless clients at peak",
        "clients",
        2_500.0,
        1_100.0,
        1_250.0,
    ),
    (
        "PRINT",
        CapacityKind::Technical,
        "Print queue throughput",
        "pages an hour",
        6_000.0,
        0.0,
        0.0,
    ),
    (
        "IAM",
        CapacityKind::Technical,
        "Directory objects",
        "objects",
        200_000.0,
        61_000.0,
        64_500.0,
    ),
    (
        "BACKUP",
        CapacityKind::Technical,
        "Backup vault",
        "TB",
        120.0,
        70.0,
        88.0,
    ),
];

/// The first day of the quarter `n` quarters after the one holding `day` (negative: before).
fn quarter_start(day: NaiveDate, n: i32) -> NaiveDate {
    let index = day.year() * 4 + (day.month0() / 3) as i32 + n;
    NaiveDate::from_ymd_opt(index.div_euclid(4), (index.rem_euclid(4) * 3 + 1) as u32, 1).unwrap_or(day)
}

pub async fn seed(
    store: &Store,
    now: DateTime<Utc>,
    managers: &[UserId],
    services: &[Service],
    cis: &[Vec<ConfigurationItem>],
) -> anyhow::Result<()> {
    let planner = managers.first().copied();
    let today = now.date_naive();
    let live: Vec<(usize, &Service)> = services
        .iter()
        .enumerate()
        .filter(|(_, s)| s.status == ServiceStatus::Live)
        .collect();

    // Demand: forecasts written at the start of each quarter, from the quarter before.
    for q in -3..=1 {
        let starts_on = quarter_start(today, q);
        let ends_on = quarter_start(today, q + 1).pred_opt().unwrap_or(starts_on);
        let (from, to) = (
            starts_on.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
            (ends_on + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc(),
        );
        let raised = store.tickets_raised(from, to.min(now)).await?;
        let written = (from - Duration::days(10)).min(now - Duration::days(1));
        let share = |d: NaiveDate| ((d - starts_on).num_days() + 1).clamp(1, 92) as f64;
        for (n, (_, s)) in live.iter().enumerate() {
            let (incidents, requests) = raised.get(&s.id).copied().unwrap_or_default();
            let so_far = (incidents + requests) as f64;
            // The whole quarter's demand, from what has come of it so far.
            let expected = if today > ends_on {
                so_far
            } else if today >= starts_on {
                so_far * share(ends_on) / share(today)
            } else {
                0.0
            };
            // The planners were close, except on the second service, which demand outran.
            let forecast = match (n, expected > 0.0) {
                (_, false) => 40.0 + 10.0 * n as f64,
                (1, true) => (expected * 0.6).round(),
                (_, true) => (expected * (0.92 + 0.04 * (n % 4) as f64)).round(),
            };
            let f = DemandForecast::create(
                NewDemandForecast {
                    service: s.id,
                    title: Some(format!(
                        "{} tickets, Q{} {}",
                        s.name,
                        starts_on.month0() / 3 + 1,
                        starts_on.year()
                    )),
                    measure: DemandMeasure::Tickets,
                    unit: None,
                    starts_on,
                    ends_on,
                    forecast,
                    actual: None,
                    owner: planner,
                    notes: Some("From the quarter before, adjusted for the changes planned.".into()),
                },
                written,
            )?;
            store.insert(f, planner).await?;
        }
    }
    if let Some((_, mail)) = live.iter().find(|(_, s)| s.code == "MAIL") {
        let starts_on = quarter_start(today, -1);
        let f = DemandForecast::create(
            NewDemandForecast {
                service: mail.id,
                title: Some(format!(
                    "Mailboxes in use, Q{} {}",
                    starts_on.month0() / 3 + 1,
                    starts_on.year()
                )),
                measure: DemandMeasure::Other,
                unit: Some("mailboxes".into()),
                starts_on,
                ends_on: quarter_start(today, 0).pred_opt().unwrap_or(starts_on),
                forecast: 1_150.0,
                actual: Some(1_208.0),
                owner: planner,
                notes: Some("The count at the end of the quarter, from the directory.".into()),
            },
            now - Duration::days(120).min(Duration::days(i64::from(today.ordinal()))),
        )?;
        store.insert(f, planner).await?;
    }

    // Capacity: the requirements, then 90 mornings of readings from monitoring.
    let mut readings = Vec::new();
    let mut vpn = None;
    for (index, s) in &live {
        let Some(&(code, kind, title, unit, capacity, first, last)) = REQUIREMENTS.iter().find(|r| r.0 == s.code)
        else {
            continue;
        };
        let r = CapacityRequirement::create(
            NewCapacityRequirement {
                service: s.id,
                kind,
                title: title.into(),
                unit: unit.into(),
                capacity,
                warning_percent: None,
                critical_percent: None,
                configuration_item: cis.get(*index).and_then(|c| c.first()).map(|c| c.id),
                owner: planner,
                notes: Some(format!(
                    "Read each morning from monitoring; the plan's figures for {code}."
                )),
            },
            now - Duration::days(100),
        )?;
        let r = store.insert(r, planner).await?;
        if code == "VPN" {
            vpn = Some(r.id);
        }
        if last <= 0.0 {
            continue;
        }
        for d in 0..90 {
            let wobble = 1.0 + 0.015 * (((d * 7) % 5) as f64 - 2.0);
            let value = (first + (last - first) * f64::from(d) / 89.0) * if d == 89 { 1.0 } else { wobble };
            readings.push(NewReading {
                requirement: Some(r.id),
                measured_at: Some(
                    (today - Duration::days(i64::from(89 - d)))
                        .and_hms_opt(6, 0, 0)
                        .unwrap_or_default()
                        .and_utc()
                        .min(now),
                ),
                value: (value * 10.0).round() / 10.0,
            });
        }
    }
    if let Some(desk) = live.first() {
        let agents = CapacityRequirement::create(
            NewCapacityRequirement {
                service: desk.1.id,
                kind: CapacityKind::Human,
                title: "Service desk agents on shift".into(),
                unit: "agents".into(),
                capacity: 12.0,
                warning_percent: Some(85.0),
                critical_percent: Some(100.0),
                configuration_item: None,
                owner: planner,
                notes: Some("Agents on shift at the morning peak, against the rota's twelve.".into()),
            },
            now - Duration::days(100),
        )?;
        let agents = store.insert(agents, planner).await?;
        for d in 0..90 {
            readings.push(NewReading {
                requirement: Some(agents.id),
                measured_at: Some(
                    (today - Duration::days(i64::from(89 - d)))
                        .and_hms_opt(9, 30, 0)
                        .unwrap_or_default()
                        .and_utc()
                        .min(now - Duration::seconds(1)),
                ),
                value: f64::from(7 + (d * 3) % 4),
            });
        }
    }
    for chunk in readings.chunks(steward_core::capacity::READINGS_IMPORT_MAX) {
        store
            .import_readings(
                ReadingImport {
                    readings: chunk.to_vec(),
                },
                planner,
                now,
            )
            .await?;
    }
    // The VPN incidents of the last weeks came of the sessions running out.
    if let Some(vpn) = vpn
        && let Some((_, service)) = live.iter().find(|(_, s)| s.code == "VPN")
    {
        let incidents = store
            .list::<Incident>(&ListQuery {
                filters: vec![("service_id", service.id.0.into())],
                sort: steward_store::Sort {
                    column: "created_at",
                    descending: true,
                },
                limit: 3,
                ..Default::default()
            })
            .await?
            .items;
        for i in incidents {
            store
                .link(
                    Endpoint {
                        kind: RecordKind::Incident,
                        id: i.id.0,
                    },
                    Endpoint {
                        kind: RecordKind::CapacityRequirement,
                        id: vpn.0,
                    },
                    planner,
                    now,
                )
                .await?;
        }
    }
    Ok(())
}
