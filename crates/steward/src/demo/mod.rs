//! Demo data: a believable organisation — services with their configuration items and catalogue
//! items, teams of agents, customer organisations and their people — and 90 days of incidents,
//! requests, problems and changes with realistic timing, all written through the store so every
//! record has its real history.

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use steward_core::agreement::{Agreement, AgreementKind, NewAgreement, Target};
use steward_core::approval::ChangePolicy;
use steward_core::calendar::{BusinessDuration, Calendar, Holiday, NewCalendar, Segment, WeeklyHours};
use steward_core::change::{
    Change, ChangeOutcome, ChangeTransition, ChangeType, Likelihood, NewChange, TransitionPlan,
};
use steward_core::change_template::{ChangeTemplate, NewChangeTemplate};
use steward_core::configuration_item::{ConfigurationItem, ConfigurationItemStatus, NewConfigurationItem};
use steward_core::history::HistoryAction;
use steward_core::id::*;
use steward_core::incident::{Incident, IncidentTransition, NewIncident, PendingReason, ResolutionCode};
use steward_core::link::{Endpoint, canonical};
use steward_core::organisation::{NewOrganisation, Organisation};
use steward_core::priority::{Impact, Priority, PriorityMatrix, PriorityRules, Urgency};
use steward_core::problem::{NewProblem, Problem, ProblemTransition};
use steward_core::record::RecordKind;
use steward_core::relationship::{Relationship, RelationshipKind};
use steward_core::request::{NewRequest, Request, RequestTransition};
use steward_core::service::{CatalogueItem, Criticality, NewCatalogueItem, NewService, Service, ServiceStatus};
use steward_core::team::{NewTeam, Team};
use steward_core::user::{NewUser, Role, User};
use steward_store::{Store, Story, Table, Ticket};

mod business_relationship;
mod capacity;
mod compliance;
mod continuity;
mod finance;
mod knowledge;
mod security;
mod supplier;

/// A small deterministic generator (SplitMix64): the same seed gives the same organisation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct ServiceSpec {
    code: &'static str,
    name: &'static str,
    criticality: Criticality,
    team: usize,
    cis: &'static [(&'static str, &'static str)],
    items: &'static [&'static str],
    faults: &'static [&'static str],
}

const TEAMS: &[&str] = &[
    "Service Desk",
    "Network Operations",
    "Platform Engineering",
    "Business Applications",
    "Security Operations",
];

const SERVICES: &[ServiceSpec] = &[
    ServiceSpec {
        code: "MAIL",
        name: "Email and Calendaring",
        criticality: Criticality::High,
        team: 2,
        cis: &[
            ("mx-01", "server"),
            ("mx-02", "server"),
            ("Exchange Online tenant", "application"),
        ],
        items: &["New shared mailbox", "Distribution list change"],
        faults: &[
            "Outlook cannot connect",
            "Emails stuck in outbox",
            "Calendar invites not arriving",
            "Mailbox full warning",
        ],
    },
    ServiceSpec {
        code: "VPN",
        name: "Remote Access VPN",
        criticality: Criticality::High,
        team: 1,
        cis: &[
            ("vpn-gw-01", "network_device"),
            ("vpn-gw-02", "network_device"),
            ("RADIUS", "application"),
        ],
        items: &["VPN access for contractor"],
        faults: &[
            "VPN disconnects every few minutes",
            "Cannot authenticate to VPN",
            "VPN very slow from home",
        ],
    },
    ServiceSpec {
        code: "ERP",
        name: "Finance ERP",
        criticality: Criticality::Critical,
        team: 3,
        cis: &[
            ("erp-app-01", "server"),
            ("erp-db-01", "database"),
            ("ERP licence pool", "licence"),
        ],
        items: &["ERP role change", "New cost centre"],
        faults: &[
            "Month-end report times out",
            "Invoice posting fails",
            "ERP login error 500",
        ],
    },
    ServiceSpec {
        code: "CRM",
        name: "Customer Relationship Management",
        criticality: Criticality::High,
        team: 3,
        cis: &[("crm-app", "application"), ("crm-db", "database")],
        items: &["CRM licence request"],
        faults: &["Leads not syncing", "CRM page loads slowly", "Cannot export contacts"],
    },
    ServiceSpec {
        code: "HR",
        name: "HR Self-Service Portal",
        criticality: Criticality::Medium,
        team: 3,
        cis: &[("hr-portal", "application"), ("hr-db", "database")],
        items: &["Access to payslips", "Onboarding account pack"],
        faults: &["Payslip PDF blank", "Holiday request not saved"],
    },
    ServiceSpec {
        code: "WIFI",
        name: "Office Wi-Fi",
        criticality: Criticality::Medium,
        team: 1,
        cis: &[
            ("wlc-01", "network_device"),
            ("ap-floor-2", "network_device"),
            ("ap-floor-3", "network_device"),
        ],
        items: &["Guest Wi-Fi voucher"],
        faults: &[
            "No Wi-Fi on floor 2",
            "Wi-Fi drops in meeting rooms",
            "Cannot join corporate SSID",
        ],
    },
    ServiceSpec {
        code: "PRINT",
        name: "Printing",
        criticality: Criticality::Low,
        team: 0,
        cis: &[("print-srv-01", "server"), ("MFP-3F-East", "network_device")],
        items: &["New printer queue", "Toner replacement"],
        faults: &["Printer offline", "Scan to email fails", "Print jobs stuck"],
    },
    ServiceSpec {
        code: "IAM",
        name: "Identity and Access",
        criticality: Criticality::Critical,
        team: 4,
        cis: &[("dc-01", "server"), ("dc-02", "server"), ("SSO gateway", "application")],
        items: &["Password reset", "New user account", "Group membership change"],
        faults: &["Account locked out", "SSO login loop", "MFA prompt not received"],
    },
    ServiceSpec {
        code: "BACKUP",
        name: "Backup and Restore",
        criticality: Criticality::High,
        team: 2,
        cis: &[("backup-srv", "server"), ("tape-library", "service_component")],
        items: &["File restore"],
        faults: &["Nightly backup failed", "Restore job hangs"],
    },
    ServiceSpec {
        code: "WEB",
        name: "Public Website",
        criticality: Criticality::High,
        team: 2,
        cis: &[
            ("web-lb", "network_device"),
            ("web-01", "server"),
            ("web-02", "server"),
            ("cms-db", "database"),
        ],
        items: &["Publish news article"],
        faults: &[
            "Website returns 503",
            "Contact form not sending",
            "Certificate warning on site",
        ],
    },
];

const CUSTOMERS: &[&str] = &[
    "Northwind Traders",
    "Contoso Pharma",
    "Fabrikam Logistics",
    "Tailspin Travel",
];
const FIRST: &[&str] = &[
    "Ana", "Bo", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kemal", "Lena", "Mo", "Nia", "Omar",
    "Pia", "Quinn", "Rosa", "Sam", "Tariq",
];
const LAST: &[&str] = &[
    "Silva", "Novak", "Okafor", "Larsen", "Ito", "Haddad", "Meyer", "Costa", "Kowalski", "Nguyen",
];

fn person(rng: &mut Rng, domain: &str, used: &mut std::collections::HashSet<String>) -> (String, String) {
    loop {
        let first = rng.pick(FIRST);
        let last = rng.pick(LAST);
        let email = format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase());
        if used.insert(email.clone()) {
            return (format!("{first} {last}"), email);
        }
    }
}

/// A moment in the last 90 days, mostly on weekdays in office hours.
fn opened_at(rng: &mut Rng, now: DateTime<Utc>) -> DateTime<Utc> {
    loop {
        let t = now - Duration::seconds(rng.below(90 * 86_400) as i64);
        let weekday = t.weekday().number_from_monday() <= 5;
        let office = (7..19).contains(&t.hour());
        if (weekday && office) || rng.chance(8) {
            return t;
        }
    }
}

fn later(rng: &mut Rng, t: DateTime<Utc>, max_minutes: u64) -> DateTime<Utc> {
    t + Duration::minutes(1 + rng.below(max_minutes) as i64)
}

async fn step<T: Table>(
    store: &Store,
    rec: &T,
    at: DateTime<Utc>,
    actor: Option<UserId>,
    change: impl FnOnce(&mut T) -> steward_core::Result<()>,
) -> anyhow::Result<T> {
    Ok(store
        .update::<T>(rec.id(), actor, at, HistoryAction::Transition, |_| true, change)
        .await?)
}

/// Adds a change to a ticket's story, as its actor would have made it at `at`.
fn happen<T: Ticket>(
    story: &mut Story<T>,
    at: DateTime<Utc>,
    actor: Option<UserId>,
    change: impl FnOnce(&mut T) -> steward_core::Result<()>,
) -> anyhow::Result<()> {
    story.step(actor, at, HistoryAction::Transition, change)?;
    Ok(())
}

struct World {
    managers: Vec<UserId>,
    /// The template of standard changes.
    patching: ChangeTemplate,
    teams: Vec<Team>,
    agents: Vec<Vec<User>>,
    customers: Vec<Vec<User>>,
    services: Vec<Service>,
    cis: Vec<Vec<ConfigurationItem>>,
    items: Vec<Vec<CatalogueItem>>,
    /// The supplier a ticket on each service may be handed to.
    suppliers: Vec<Option<SupplierId>>,
}

/// A new person with a made-up name, as a user of `role`.
#[allow(clippy::too_many_arguments)] // each is a distinct fact about the person
async fn staff_or_customer(
    store: &Store,
    rng: &mut Rng,
    used: &mut std::collections::HashSet<String>,
    domain: &str,
    role: Role,
    organisation: Option<OrganisationId>,
    at: DateTime<Utc>,
) -> anyhow::Result<User> {
    let (name, email) = person(rng, domain, used);
    let input = NewUser {
        email,
        name: Some(name),
        role,
        organisation,
        password: None,
        security_cleared: None,
    };
    Ok(store.create_user(User::create(&input, at)?, None, None).await?)
}

async fn build_world(store: &Store, rng: &mut Rng, now: DateTime<Utc>) -> anyhow::Result<World> {
    let start = now - Duration::days(120);
    let mut used = std::collections::HashSet::new();
    let mut teams = Vec::new();
    let mut agents = Vec::new();
    for name in TEAMS {
        let team = store
            .insert(
                Team::create(
                    NewTeam {
                        name: (*name).into(),
                        description: None,
                    },
                    start,
                )?,
                None,
            )
            .await?;
        let mut members = Vec::new();
        for _ in 0..3 {
            let u = staff_or_customer(store, rng, &mut used, "it.example.com", Role::Agent, None, start).await?;
            store.set_team_member(team.id, u.id, true, None, start).await?;
            members.push(u);
        }
        teams.push(team);
        agents.push(members);
    }
    let mut managers = Vec::new();
    for (role, count) in [(Role::Manager, 2), (Role::Auditor, 1)] {
        for _ in 0..count {
            let u = staff_or_customer(store, rng, &mut used, "it.example.com", role, None, start).await?;
            if role == Role::Manager {
                managers.push(u.id);
            }
        }
    }
    // One approval carries a change; the managers approve emergencies.
    let policy = ChangePolicy {
        advisory_board: None,
        quorum: 1,
        emergency_approvers: managers.clone(),
    };
    store.set_change_policy(&policy, start).await?;
    let mut customers = Vec::new();
    for name in CUSTOMERS {
        let org = store
            .insert(
                Organisation::create(
                    NewOrganisation {
                        name: (*name).into(),
                        kind: None,
                        relationship_owner: None,
                        description: None,
                    },
                    start,
                )?,
                None,
            )
            .await?;
        let domain = format!(
            "{}.example",
            name.split(' ').next().unwrap_or("customer").to_lowercase()
        );
        let mut people = Vec::new();
        for _ in 0..6 {
            people.push(staff_or_customer(store, rng, &mut used, &domain, Role::Requester, Some(org.id), start).await?);
        }
        customers.push(people);
    }
    let mut services = Vec::new();
    let mut cis = Vec::new();
    let mut items = Vec::new();
    for spec in SERVICES {
        let owner = agents[spec.team][0].id;
        let svc = Service::create(
            NewService {
                code: spec.code.into(),
                name: spec.name.into(),
                description: Some(format!("The {} service.", spec.name)),
                status: Some(ServiceStatus::Live),
                criticality: Some(spec.criticality),
                owner: Some(owner),
                team: Some(teams[spec.team].id),
                // Agreed availability by how much the business leans on the service.
                availability_target: Some(match spec.criticality {
                    Criticality::Critical => 99.95,
                    Criticality::High => 99.9,
                    Criticality::Medium => 99.5,
                    Criticality::Low => 99.0,
                }),
            },
            start,
        )?;
        let svc = store.insert(svc, None).await?;
        let mut svc_cis = Vec::new();
        for (name, ci_type) in spec.cis {
            let ci = ConfigurationItem::create(
                NewConfigurationItem {
                    name: (*name).into(),
                    ci_type: (*ci_type).into(),
                    description: None,
                    status: Some(ConfigurationItemStatus::Active),
                    owner: Some(owner),
                    team: Some(teams[spec.team].id),
                    attributes: if *ci_type == "server" {
                        serde_json::json!({"hostname": format!("{name}.it.example.com"), "cpu_cores": 8})
                            .as_object()
                            .cloned()
                            .unwrap_or_default()
                    } else {
                        Default::default()
                    },
                },
                start,
            )?;
            let ci = store.insert(ci, None).await?;
            let (a, b) = canonical(
                Endpoint {
                    kind: RecordKind::ConfigurationItem,
                    id: ci.id.0,
                },
                Endpoint {
                    kind: RecordKind::Service,
                    id: svc.id.0,
                },
            )?;
            store.link(a, b, None, start).await?;
            svc_cis.push(ci);
        }
        let mut svc_items = Vec::new();
        for name in spec.items {
            let item = CatalogueItem::create(
                NewCatalogueItem {
                    service: svc.id,
                    name: (*name).into(),
                    description: None,
                },
                start,
            )?;
            svc_items.push(store.insert(item, None).await?);
        }
        services.push(svc);
        cis.push(svc_cis);
        items.push(svc_items);
    }
    relationships(store, start, &cis).await?;
    assets(store, start, &agents).await?;
    let always = agreements(store, start, &services, &customers).await?;
    let organisations: Vec<OrganisationId> = customers
        .iter()
        .filter_map(|people| people.first().and_then(|p| p.organisation))
        .collect();
    let suppliers = supplier::seed(store, start, &services, &teams, &organisations, &managers, always).await?;
    let patching = ChangeTemplate::create(
        NewChangeTemplate {
            name: "Monthly security patching".into(),
            description: Some("Apply the vendor's monthly security updates to one item.".into()),
            service: None,
            risk: None,
            implementation_plan: "Drain, patch, reboot, verify, restore traffic.".into(),
            backout_plan: "Restore the pre-change snapshot.".into(),
            category: Some("maintenance".into()),
        },
        start,
    )?;
    let patching = store.insert(patching, None).await?;
    Ok(World {
        managers,
        patching,
        teams,
        agents,
        customers,
        services,
        cis,
        items,
        suppliers: suppliers.by_service,
    })
}

/// Laptops for every agent, and an office suite licence installed on one laptop more than it
/// allows, so the over-use list has something to show.
async fn assets(store: &Store, at: DateTime<Utc>, agents: &[Vec<User>]) -> anyhow::Result<()> {
    use steward_core::asset::{Asset, AssetStatus, AssetType, Licence, NewAsset, NewLicence};
    let people: Vec<&User> = agents.iter().flatten().collect();
    let entitlements = people.len() as i64 - 1;
    let input = NewLicence {
        name: "Office suite".into(),
        vendor: Some("Contoso Software".into()),
        entitlements,
        expires: Some(ymd(2027, 6, 30)),
        owner: people.first().map(|u| u.id),
        description: None,
    };
    let licence = store.insert(Licence::create(input, at)?, None).await?;
    for (n, person) in people.iter().enumerate() {
        for (name, asset_type, licence) in [
            (format!("Laptop {:03}", n + 1), AssetType::Hardware, None),
            (
                format!("Office suite on laptop {:03}", n + 1),
                AssetType::Software,
                Some(licence.id),
            ),
        ] {
            let input = NewAsset {
                name,
                asset_type,
                tag: (asset_type == AssetType::Hardware).then(|| format!("LT-{:04}", n + 1)),
                status: Some(AssetStatus::InUse),
                owner: Some(person.id),
                location: Some(if n % 2 == 0 { "London 2F" } else { "Leeds" }.into()),
                configuration_item: None,
                licence,
            };
            store.insert(Asset::create(input, at)?, None).await?;
        }
    }
    Ok(())
}

/// Within each service, applications and databases run on its first server, applications depend
/// on its databases, and network devices connect to its servers; every application depends on
/// the single sign-on gateway, so its impact reaches across services.
async fn relationships(store: &Store, at: DateTime<Utc>, cis: &[Vec<ConfigurationItem>]) -> anyhow::Result<()> {
    let sso = cis.iter().flatten().find(|c| c.name == "SSO gateway").map(|c| c.id);
    for items in cis {
        let of = |t: &'static str| items.iter().filter(move |c| c.ci_type == t);
        let server = of("server").next().map(|c| c.id);
        let add =
            async |from: ConfigurationItemId, kind: RelationshipKind, to: ConfigurationItemId| -> anyhow::Result<()> {
                if from != to {
                    store
                        .relate(&Relationship {
                            from,
                            kind,
                            to,
                            created_by: None,
                            created_at: at,
                        })
                        .await?;
                }
                Ok(())
            };
        for c in of("application").chain(of("database")) {
            if let Some(s) = server {
                add(c.id, RelationshipKind::RunsOn, s).await?;
            }
        }
        for app in of("application") {
            for db in of("database") {
                add(app.id, RelationshipKind::DependsOn, db.id).await?;
            }
            if let Some(sso) = sso {
                add(app.id, RelationshipKind::DependsOn, sso).await?;
            }
        }
        for net in of("network_device") {
            for s in of("server") {
                add(net.id, RelationshipKind::ConnectedTo, s.id).await?;
            }
        }
    }
    Ok(())
}

fn hours(h: i64) -> BusinessDuration {
    BusinessDuration(h * 3_600_000_000)
}

fn ymd(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn weekdays(day: Vec<Segment>) -> WeeklyHours {
    WeeklyHours {
        monday: day.clone(),
        tuesday: day.clone(),
        wednesday: day.clone(),
        thursday: day.clone(),
        friday: day,
        ..Default::default()
    }
}

/// Office hours and 24x7 calendars, a standard agreement for everyone, round-the-clock targets
/// for the critical services, and a gold agreement for the first customer.
async fn agreements(
    store: &Store,
    start: DateTime<Utc>,
    services: &[Service],
    customers: &[Vec<User>],
) -> anyhow::Result<CalendarId> {
    let office = NewCalendar {
        name: "Office hours".into(),
        description: Some("Weekdays 08:00-12:30 and 13:30-18:00, London time.".into()),
        time_zone: "Europe/London".into(),
        always_open: false,
        hours: weekdays(vec![
            Segment {
                start: 8 * 60,
                end: 12 * 60 + 30,
            },
            Segment {
                start: 13 * 60 + 30,
                end: 18 * 60,
            },
        ]),
        holidays: vec![
            Holiday {
                name: "Christmas".into(),
                from: ymd(2026, 12, 25),
                to: ymd(2026, 12, 26),
            },
            Holiday {
                name: "New Year".into(),
                from: ymd(2027, 1, 1),
                to: ymd(2027, 1, 1),
            },
        ],
    };
    let office = store.insert(Calendar::create(office, start)?, None).await?;
    let always = NewCalendar {
        name: "24x7".into(),
        description: Some("Every hour of every day.".into()),
        time_zone: "UTC".into(),
        always_open: true,
        hours: WeeklyHours::default(),
        holidays: vec![],
    };
    let always = store.insert(Calendar::create(always, start)?, None).await?;
    let table = |rows: &[(Priority, i64, i64)], service: Option<ServiceId>| -> Vec<Target> {
        rows.iter()
            .map(|(p, r, f)| Target {
                service,
                priority: *p,
                response: hours(*r),
                resolution: hours(*f),
            })
            .collect()
    };
    use Priority::*;
    let mut critical = Vec::new();
    for s in services.iter().filter(|s| s.criticality == Criticality::Critical) {
        critical.extend(table(&[(P1, 1, 4), (P2, 1, 8)], Some(s.id)));
    }
    let gold_customer = customers.first().and_then(|c| c.first()).and_then(|u| u.organisation);
    let plans = [
        (
            "Standard service levels",
            None,
            office.id,
            table(&[(P1, 1, 4), (P2, 2, 8), (P3, 4, 24), (P4, 8, 40), (P5, 16, 80)], None),
        ),
        ("Critical services, round the clock", None, always.id, critical),
        (
            "Northwind gold",
            gold_customer,
            office.id,
            table(&[(P1, 1, 2), (P2, 1, 4), (P3, 2, 16)], None),
        ),
    ];
    for (name, organisation, calendar, targets) in plans {
        let input = NewAgreement {
            name: name.into(),
            kind: AgreementKind::ServiceLevel,
            description: None,
            organisation,
            team: None,
            supplier: None,
            calendar,
            targets,
            pause_on: None,
            warning_percent: None,
            actions: vec![],
            resume_on_reopen: None,
            owner: None,
            valid_from: start.date_naive(),
            valid_to: None,
            review_date: Some(start.date_naive() + chrono::Days::new(365)),
        };
        store.insert(Agreement::create(input, start)?, None).await?;
    }
    Ok(always.id)
}

/// An incident and what happened to it, to be imported with others.
fn one_incident(
    w: &World,
    rng: &mut Rng,
    now: DateTime<Utc>,
    rules: &PriorityRules,
) -> anyhow::Result<Story<Incident>> {
    let s = rng.below(w.services.len() as u64) as usize;
    let spec = &SERVICES[s];
    let org = rng.below(w.customers.len() as u64) as usize;
    let caller = rng.pick(&w.customers[org]);
    let team = spec.team;
    let agent = rng.pick(&w.agents[team]).id;
    let impact = *rng.pick(&[
        Impact::High,
        Impact::Medium,
        Impact::Medium,
        Impact::Low,
        Impact::Low,
        Impact::Low,
    ]);
    let urgency = *rng.pick(&[Urgency::High, Urgency::Medium, Urgency::Medium, Urgency::Low]);
    let opened = opened_at(rng, now);
    let input = NewIncident {
        title: rng.pick(spec.faults).to_string(),
        description: Some(format!("Reported by {} of {}.", caller.name, CUSTOMERS[org])),
        service: Some(w.services[s].id),
        configuration_item: Some(rng.pick(&w.cis[s]).id),
        caller: Some(caller.id),
        impact: Some(impact),
        urgency: Some(urgency),
        major: Some(impact == Impact::High && urgency == Urgency::High && rng.chance(20)),
        security: None,
        category: Some("software".into())
            .filter(|_| spec.cis.iter().any(|c| c.1 == "application"))
            .or(Some("hardware".into())),
        subcategory: None,
        assignee: None,
        team: Some(w.teams[if rng.chance(60) { 0 } else { team }].id),
        supplier: None,
    };
    let mut inc = Story::new(
        Incident::create(input, caller.organisation, rules, opened)?,
        Some(caller.id),
    );
    let age = now - opened;
    let t1 = later(rng, opened, 45);
    if t1 >= now {
        return Ok(inc);
    }
    // Some of the faults on a service a supplier operates are handed to the supplier.
    let handed = w.suppliers[s].filter(|_| rng.chance(40));
    happen(&mut inc, t1, Some(agent), |i: &mut Incident| {
        i.assignee = Some(agent);
        i.supplier = handed;
        i.transition(
            IncidentTransition {
                to: "in_progress".into(),
                pending_reason: None,
                resolution_code: None,
                resolution_notes: None,
            },
            t1,
        )
    })?;
    let mut t = t1;
    if rng.chance(25) {
        let tp = later(rng, t, 240);
        if tp >= now {
            return Ok(inc);
        }
        let reason = *rng.pick(&[PendingReason::WaitingForCustomer, PendingReason::WaitingForSupplier]);
        happen(&mut inc, tp, Some(agent), |i: &mut Incident| {
            i.transition(
                IncidentTransition {
                    to: "pending".into(),
                    pending_reason: Some(reason),
                    resolution_code: None,
                    resolution_notes: None,
                },
                tp,
            )
        })?;
        t = later(rng, tp, 1440);
        if t >= now {
            return Ok(inc);
        }
        happen(&mut inc, t, Some(agent), |i: &mut Incident| {
            i.transition(
                IncidentTransition {
                    to: "in_progress".into(),
                    pending_reason: None,
                    resolution_code: None,
                    resolution_notes: None,
                },
                t,
            )
        })?;
    }
    let work = match inc.current().priority as u8 {
        0 => 240,
        1 => 600,
        2 => 1800,
        _ => 4000,
    };
    let tr = later(rng, t, work);
    if tr >= now || (age < Duration::days(2) && rng.chance(50)) {
        return Ok(inc);
    }
    let code = *rng.pick(&[
        ResolutionCode::Fixed,
        ResolutionCode::Fixed,
        ResolutionCode::Workaround,
        ResolutionCode::UserError,
        ResolutionCode::NotReproducible,
    ]);
    happen(&mut inc, tr, Some(agent), |i: &mut Incident| {
        i.transition(
            IncidentTransition {
                to: "resolved".into(),
                pending_reason: None,
                resolution_code: Some(code),
                resolution_notes: Some("Resolved and confirmed with the caller.".into()),
            },
            tr,
        )
    })?;
    let tc = tr + Duration::days(3);
    if tc < now {
        happen(&mut inc, tc, None, |i: &mut Incident| {
            i.transition(
                IncidentTransition {
                    to: "closed".into(),
                    pending_reason: None,
                    resolution_code: None,
                    resolution_notes: None,
                },
                tc,
            )
        })?;
    }
    Ok(inc)
}

/// A request and what happened to it, to be imported with others.
fn one_request(
    w: &World,
    rng: &mut Rng,
    now: DateTime<Utc>,
    matrix: &PriorityMatrix,
) -> anyhow::Result<Story<Request>> {
    let s = rng.below(w.services.len() as u64) as usize;
    let item = rng.pick(&w.items[s]);
    let org = rng.below(w.customers.len() as u64) as usize;
    let who = rng.pick(&w.customers[org]);
    let opened = opened_at(rng, now);
    let input = NewRequest {
        title: item.name.clone(),
        description: Some(format!("Requested by {}.", who.name)),
        catalogue_item: item.id,
        requested_for: Some(who.id),
        impact: None,
        urgency: None,
        category: None,
        subcategory: None,
        assignee: None,
        team: Some(w.teams[0].id),
        supplier: None,
    };
    let mut req = Story::new(
        Request::create(input, item.service, who.organisation, matrix, opened)?,
        Some(who.id),
    );
    let agent = rng.pick(&w.agents[0]).id;
    let t1 = later(rng, opened, 120);
    if t1 >= now {
        return Ok(req);
    }
    happen(&mut req, t1, Some(agent), |r: &mut Request| {
        r.assignee = Some(agent);
        r.transition(
            RequestTransition {
                to: "in_progress".into(),
                pending_reason: None,
                fulfilment_notes: None,
            },
            t1,
        )
    })?;
    let t2 = later(rng, t1, 2880);
    if t2 >= now {
        return Ok(req);
    }
    happen(&mut req, t2, Some(agent), |r: &mut Request| {
        r.transition(
            RequestTransition {
                to: "fulfilled".into(),
                pending_reason: None,
                fulfilment_notes: Some("Done as requested.".into()),
            },
            t2,
        )
    })?;
    let t3 = t2 + Duration::days(2);
    if t3 < now {
        happen(&mut req, t3, None, |r: &mut Request| {
            r.transition(
                RequestTransition {
                    to: "closed".into(),
                    pending_reason: None,
                    fulfilment_notes: None,
                },
                t3,
            )
        })?;
    }
    Ok(req)
}

async fn one_problem(
    store: &Store,
    w: &World,
    rng: &mut Rng,
    now: DateTime<Utc>,
    matrix: &PriorityMatrix,
    recent: &[Incident],
) -> anyhow::Result<()> {
    let Some(first) = recent.last() else {
        return Ok(());
    };
    let opened = first.created_at + Duration::hours(4);
    if opened >= now {
        return Ok(());
    }
    let s = first
        .service
        .map(|id| w.services.iter().position(|x| x.id == id).unwrap_or(0))
        .unwrap_or(0);
    let team = SERVICES[s].team;
    let agent = rng.pick(&w.agents[team]).id;
    let input = NewProblem {
        title: format!("Recurring: {}", first.title),
        description: Some("Several incidents share this symptom.".into()),
        service: first.service,
        configuration_item: first.configuration_item,
        impact: Some(first.impact),
        urgency: Some(Urgency::Medium),
        root_cause: None,
        known_error: None,
        workaround: None,
        category: first.category.clone(),
        subcategory: None,
        assignee: Some(agent),
        team: Some(w.teams[team].id),
    };
    let prb = store
        .insert(Problem::create(input, matrix, opened)?, Some(agent))
        .await?;
    for inc in recent.iter().filter(|i| i.service == first.service).take(4) {
        let (a, b) = canonical(
            Endpoint {
                kind: RecordKind::Incident,
                id: inc.id.0,
            },
            Endpoint {
                kind: RecordKind::Problem,
                id: prb.id.0,
            },
        )?;
        store.link(a, b, Some(agent), opened).await?;
    }
    let t1 = later(rng, opened, 600);
    if t1 >= now {
        return Ok(());
    }
    let mut prb = step(store, &prb, t1, Some(agent), |p: &mut Problem| {
        p.transition(
            ProblemTransition {
                to: "investigating".into(),
                root_cause: None,
            },
            t1,
        )
    })
    .await?;
    if rng.chance(50) {
        let t2 = later(rng, t1, 2880);
        if t2 >= now {
            return Ok(());
        }
        prb = step(store, &prb, t2, Some(agent), |p: &mut Problem| {
            p.workaround = Some("Restart the affected component and clear its cache.".into());
            p.known_error = true;
            Ok(())
        })
        .await?;
    }
    let t3 = later(rng, t1, 10_000);
    if t3 < now && rng.chance(60) {
        step(store, &prb, t3, Some(agent), |p: &mut Problem| {
            p.transition(
                ProblemTransition {
                    to: "resolved".into(),
                    root_cause: Some("A configuration drift after the last patch cycle.".into()),
                },
                t3,
            )
        })
        .await?;
    }
    Ok(())
}

async fn one_change(store: &Store, w: &World, rng: &mut Rng, now: DateTime<Utc>) -> anyhow::Result<()> {
    let s = rng.below(w.services.len() as u64) as usize;
    let team = SERVICES[s].team;
    let agent = rng.pick(&w.agents[team]).id;
    let opened = opened_at(rng, now);
    let ci = rng.pick(&w.cis[s]);
    let input = NewChange {
        title: format!("Patch {} ({})", ci.name, SERVICES[s].name),
        description: Some("Apply the monthly security updates.".into()),
        change_type: Some(*rng.pick(&[
            ChangeType::Standard,
            ChangeType::Normal,
            ChangeType::Normal,
            ChangeType::Emergency,
        ])),
        risk: None,
        impact: Some(*rng.pick(&[Impact::Low, Impact::Medium, Impact::High])),
        likelihood: Some(*rng.pick(&[Likelihood::Low, Likelihood::Low, Likelihood::Medium, Likelihood::High])),
        transition_plan: Some(TransitionPlan {
            activities: "Patch one node at a time behind the load balancer.".into(),
            acceptance_criteria: "Health checks green and error rate unchanged for 30 minutes.".into(),
            expected_outcomes: "All nodes on the new patch level with no user-visible outage.".into(),
        }),
        template: None,
        service: Some(w.services[s].id),
        planned_start: None,
        planned_end: None,
        implementation_plan: Some("Drain, patch, reboot, verify, restore traffic.".into()),
        backout_plan: Some("Restore the pre-change snapshot.".into()),
        category: None,
        subcategory: None,
        assignee: Some(agent),
        team: Some(w.teams[team].id),
    };
    let mut change = if input.change_type == Some(ChangeType::Standard) {
        Change::from_template(
            NewChange {
                change_type: None,
                implementation_plan: None,
                backout_plan: None,
                ..input
            },
            &w.patching,
            opened,
        )?
    } else {
        Change::create(input, opened)?
    };
    change.assess(w.services[s].criticality == Criticality::Critical);
    let mut chg = store.insert(change, Some(agent)).await?;
    let (a, b) = canonical(
        Endpoint {
            kind: RecordKind::Change,
            id: chg.id.0,
        },
        Endpoint {
            kind: RecordKind::ConfigurationItem,
            id: ci.id.0,
        },
    )?;
    store.link(a, b, Some(agent), opened).await?;
    let mv = |to: &str| ChangeTransition {
        to: to.into(),
        planned_start: None,
        planned_end: None,
        outcome: None,
        review_notes: None,
        accept_conflicts: true,
    };
    let mut t = opened;
    t = later(rng, t, 1440);
    if t >= now {
        return Ok(());
    }
    let tt = t;
    chg = step(store, &chg, tt, Some(agent), |c: &mut Change| {
        c.transition(mv("assessment"), tt)
    })
    .await?;
    t = later(rng, t, 1440);
    if t >= now {
        return Ok(());
    }
    let tt = t;
    chg = match chg.change_type {
        ChangeType::Standard => {
            step(store, &chg, tt, Some(agent), |c: &mut Change| {
                c.transition(mv("approved"), tt)
            })
            .await?
        }
        ChangeType::Emergency => store.decide(chg.id, w.managers[0], true, None, tt).await?.0,
        ChangeType::Normal => store.decide(chg.id, w.agents[team][0].id, true, None, tt).await?.0,
    };
    let start = t + Duration::days(1 + rng.below(6) as i64);
    let end = start + Duration::hours(2);
    let ts = later(rng, t, 120);
    if ts >= now {
        return Ok(());
    }
    chg = step(store, &chg, ts, Some(agent), |c: &mut Change| {
        c.transition(
            ChangeTransition {
                planned_start: Some(start),
                planned_end: Some(end),
                ..mv("scheduled")
            },
            ts,
        )
    })
    .await?;
    if start >= now {
        return Ok(());
    }
    chg = step(store, &chg, start, Some(agent), |c: &mut Change| {
        c.transition(mv("implementing"), start)
    })
    .await?;
    if end >= now {
        return Ok(());
    }
    chg = step(store, &chg, end, Some(agent), |c: &mut Change| {
        c.transition(mv("review"), end)
    })
    .await?;
    let tc = end + Duration::days(1);
    if tc < now {
        let outcome = *rng.pick(&[
            ChangeOutcome::Successful,
            ChangeOutcome::Successful,
            ChangeOutcome::Successful,
            ChangeOutcome::SuccessfulWithIssues,
            ChangeOutcome::BackedOut,
        ]);
        step(store, &chg, tc, Some(agent), |c: &mut Change| {
            c.transition(
                ChangeTransition {
                    outcome: Some(outcome),
                    review_notes: Some(match outcome {
                        ChangeOutcome::Successful => "Completed as planned; no incidents followed.".into(),
                        ChangeOutcome::BackedOut => "Backed out after failed checks; to be replanned.".into(),
                        _ => "Completed with minor issues, recorded for the next run.".into(),
                    }),
                    ..mv("closed")
                },
                tc,
            )
        })
        .await?;
    }
    Ok(())
}

/// Releases that group recent changes, most deployed, some rolled back, one still being tested.
/// Each service's last 90 days of availability: a monthly maintenance window, and for some an
/// unplanned outage reported by one of its incidents, investigated (its cause recorded) except
/// the latest, which still waits for review.
async fn outages(store: &Store, w: &World, rng: &mut Rng, now: DateTime<Utc>) -> anyhow::Result<()> {
    use steward_core::outage::{NewOutage, Outage, OutageTransition};
    let mut written = 0;
    for (n, svc) in w.services.iter().enumerate() {
        for month in 0..3_i64 {
            let start = (now - Duration::days(80 - month * 30))
                .date_naive()
                .and_hms_opt(22, 0, 0)
                .unwrap_or_default()
                .and_utc();
            let planned = Outage::create(
                NewOutage {
                    service: svc.id,
                    title: format!("{} monthly maintenance", svc.name),
                    planned: Some(true),
                    started_at: start,
                    ended_at: Some(start + Duration::minutes(30 + rng.below(60) as i64)),
                    incident: None,
                    configuration_items: None,
                    cause: None,
                    problem: None,
                },
                now,
            )?;
            store.insert(planned, None).await?;
            written += 1;
        }
        if !rng.chance(60) {
            continue;
        }
        let q = steward_store::ListQuery {
            filters: vec![("service_id", svc.id.0.into())],
            limit: 1,
            ..Default::default()
        };
        let incident = store.list::<Incident>(&q).await?.items.into_iter().next();
        // The outage lasts a while and was over an hour ago, whenever its incident was raised
        // (a small demo's incidents are all recent).
        let lasted = Duration::minutes(15 + rng.below(150) as i64);
        let latest_start = now - lasted - Duration::hours(1);
        let started = incident
            .as_ref()
            .map(|i| i.created_at)
            .unwrap_or_else(|| now - Duration::days(10 + rng.below(60) as i64))
            .min(latest_start);
        let affected: Vec<String> = w
            .cis
            .get(n)
            .and_then(|c| c.first())
            .map(|c| vec![c.id.to_string()])
            .unwrap_or_default();
        let outage = Outage::create(
            NewOutage {
                service: svc.id,
                title: format!("{} unavailable", svc.name),
                planned: Some(false),
                started_at: started,
                ended_at: Some(started + lasted),
                incident: incident.map(|i| i.id),
                configuration_items: Some(affected),
                cause: None,
                problem: None,
            },
            now,
        )?;
        let outage = store.insert(outage, None).await?;
        // All but the last service's outage have been investigated.
        if n + 1 < w.services.len() {
            let reviewed = |o: &mut Outage| {
                o.cause =
                    "A certificate expired on the load balancer in front of the service; renewal is now monitored."
                        .into();
                o.transition(
                    OutageTransition {
                        to: "reviewed".into(),
                        at: None,
                    },
                    now,
                )
            };
            let action = steward_core::history::HistoryAction::Transition;
            store
                .update::<Outage>(outage.id.0, None, now, action, |_| true, reviewed)
                .await?;
        }
        written += 1;
    }
    eprintln!("{written} outages recorded");
    Ok(())
}

async fn releases(store: &Store, w: &World, rng: &mut Rng, now: DateTime<Utc>, count: u32) -> anyhow::Result<()> {
    use steward_core::release::{NewRelease, Release, ReleaseTransition, ReleaseType};
    let q = steward_store::ListQuery {
        limit: 200,
        ..Default::default()
    };
    let changes = store.list::<Change>(&q).await?.items;
    for n in 0..count {
        let opened = now - Duration::days(i64::from(count - n) * 7 + 3);
        let team = rng.below(w.teams.len() as u64) as usize;
        let agent = rng.pick(&w.agents[team]).id;
        let input = NewRelease {
            name: format!("Release 2026.{}", n + 1),
            description: Some("The month's fixes and small improvements.".into()),
            release_type: Some(if n % 5 == 4 {
                ReleaseType::Major
            } else {
                ReleaseType::Minor
            }),
            planned_deployment: Some(opened + Duration::days(5)),
            acceptance_criteria: vec![
                "Regression suite green".into(),
                "Back-out rehearsed".into(),
                "Service owner sign-off".into(),
            ],
            assignee: Some(agent),
            team: Some(w.teams[team].id),
        };
        let rel = store.insert(Release::create(input, opened)?, Some(agent)).await?;
        for c in changes
            .iter()
            .skip((n as usize * 3) % changes.len().max(1))
            .take(1 + rng.below(3) as usize)
        {
            let (a, b) = canonical(
                Endpoint {
                    kind: RecordKind::Change,
                    id: c.id.0,
                },
                Endpoint {
                    kind: RecordKind::Release,
                    id: rel.id.0,
                },
            )?;
            store.link(a, b, Some(agent), opened).await?;
        }
        let mv = |to: &str, notes: Option<&str>| ReleaseTransition {
            to: to.into(),
            deployment_notes: notes.map(str::to_string),
        };
        let mut t = opened + Duration::hours(2);
        let mut rel = step(store, &rel, t, Some(agent), |r: &mut Release| {
            r.transition(mv("building", None), t)
        })
        .await?;
        t += Duration::days(1);
        rel = step(store, &rel, t, Some(agent), |r: &mut Release| {
            r.transition(mv("testing", None), t)
        })
        .await?;
        let last = n + 1 == count;
        for i in 0..3 {
            if last && i == 2 {
                break;
            }
            t += Duration::hours(3);
            rel = step(store, &rel, t, Some(agent), |r: &mut Release| {
                r.verify_criterion(i, agent, t)
            })
            .await?;
        }
        if last {
            continue;
        }
        t += Duration::days(2);
        rel = step(store, &rel, t, Some(agent), |r: &mut Release| {
            r.transition(mv("deploying", None), t)
        })
        .await?;
        t += Duration::hours(2);
        let (to, notes) = if rng.chance(15) {
            ("rolled_back", "Smoke tests failed after the switch; rolled back.")
        } else {
            ("deployed", "Deployed in the window; checks green.")
        };
        rel = step(store, &rel, t, Some(agent), |r: &mut Release| {
            r.transition(mv(to, Some(notes)), t)
        })
        .await?;
        t += Duration::days(1);
        step(store, &rel, t, Some(agent), |r: &mut Release| {
            r.transition(mv("closed", None), t)
        })
        .await?;
    }
    Ok(())
}

/// Where seeding spends its time, reported at the end.
#[derive(Default)]
struct Timing {
    built: std::time::Duration,
    imported: std::time::Duration,
    written: std::time::Duration,
}

impl Timing {
    /// Adds the time since `t` to the tickets built in memory or written one change at a time.
    fn add(&mut self, kind: RecordKind, t: std::time::Instant) -> std::time::Instant {
        match kind {
            RecordKind::Incident | RecordKind::Request => self.built += t.elapsed(),
            _ => self.written += t.elapsed(),
        }
        std::time::Instant::now()
    }
}

/// Writes tickets with their past through the store's bulk path.
async fn import<T: Ticket>(store: &Store, stories: Vec<Story<T>>) -> anyhow::Result<Vec<T>> {
    store
        .import(stories)
        .await?
        .into_iter()
        .collect::<steward_core::Result<Vec<T>>>()
        .context("a demo ticket was refused")
}

/// Seeds the demo organisation and `records` tickets ending at `now`.
pub async fn seed(store: &Store, records: u32, now: DateTime<Utc>) -> anyhow::Result<()> {
    let mut rng = Rng(2026);
    let started = std::time::Instant::now();
    let w = build_world(store, &mut rng, now)
        .await
        .context("seeding the demo organisation failed")?;
    let rules = store.priority_rules().await?;
    let matrix = &rules.standard;
    let bar = ProgressBar::new(u64::from(records));
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("demo tickets");
    // Incidents and requests are built with their past in memory and imported in batches (the
    // store's bulk path); problems and changes, fewer and with more rules, are written one change
    // at a time. A problem links to incidents already written.
    let batch = (records / 20).clamp(20, 1000) as usize;
    let mut incidents: Vec<Story<Incident>> = Vec::with_capacity(batch);
    let mut requests: Vec<Story<Request>> = Vec::with_capacity(batch);
    let mut recent: Vec<Incident> = Vec::new();
    let mut timing = Timing::default();
    for n in 0..records {
        // Past the first 20,000 tickets the organisation raises proportionally fewer problems and
        // changes: one in two hundred each rather than one in twenty.
        let kind = if n < 20_000 {
            match rng.below(100) {
                0..=59 => RecordKind::Incident,
                60..=89 => RecordKind::Request,
                90..=94 => RecordKind::Problem,
                _ => RecordKind::Change,
            }
        } else {
            match rng.below(1000) {
                0..=659 => RecordKind::Incident,
                660..=989 => RecordKind::Request,
                990..=994 => RecordKind::Problem,
                _ => RecordKind::Change,
            }
        };
        let t = std::time::Instant::now();
        match kind {
            RecordKind::Incident => incidents.push(one_incident(&w, &mut rng, now, &rules)?),
            RecordKind::Request => requests.push(one_request(&w, &mut rng, now, matrix)?),
            RecordKind::Problem => one_problem(store, &w, &mut rng, now, matrix, &recent).await?,
            _ => one_change(store, &w, &mut rng, now).await?,
        }
        let t = timing.add(kind, t);
        if incidents.len() >= batch {
            recent = import(store, std::mem::take(&mut incidents)).await?;
            recent.drain(..recent.len().saturating_sub(12));
        }
        if requests.len() >= batch {
            import(store, std::mem::take(&mut requests)).await?;
        }
        timing.imported += t.elapsed();
        if n % 50 == 0 {
            bar.set_position(u64::from(n));
        }
    }
    let t = std::time::Instant::now();
    import(store, incidents).await?;
    import(store, requests).await?;
    timing.imported += t.elapsed();
    bar.finish_with_message("demo tickets");
    eprintln!(
        "incidents and requests: {:.1}s building their past, {:.1}s importing; problems and changes: {:.1}s",
        timing.built.as_secs_f64(),
        timing.imported.as_secs_f64(),
        timing.written.as_secs_f64()
    );
    // The warnings and breaches that fell due over those months fire now, each recorded at the
    // instant it fell due, as a running server would have recorded them.
    let t = std::time::Instant::now();
    let fired = store.run_all_due_escalations(now.timestamp_micros()).await?;
    eprintln!(
        "{fired} service level escalations fired in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    releases(store, &w, &mut rng, now, (records / 250).min(200) + 2).await?;
    outages(store, &w, &mut rng, now).await?;
    business_relationship::seed(store, now, &w.managers, &w.services, &w.customers)
        .await
        .context("seeding the demo's business relationships failed")?;
    finance::seed(store, now, &w.managers, &w.services)
        .await
        .context("seeding the demo's budgets and costs failed")?;
    capacity::seed(store, now, &w.managers, &w.services, &w.cis)
        .await
        .context("seeding the demo's demand and capacity failed")?;
    let customers: Vec<OrganisationId> = w
        .customers
        .iter()
        .filter_map(|people| people.first().and_then(|p| p.organisation))
        .collect();
    let services: Vec<ServiceId> = w.services.iter().map(|s| s.id).collect();
    compliance::seed(store, &mut rng, now, &w.managers, &services, &customers)
        .await
        .context("seeding the demo's conformity records failed")?;
    let changes: Vec<String> = store
        .list::<Change>(&steward_store::ListQuery {
            filters: vec![("status", "closed".into())],
            limit: 2,
            ..Default::default()
        })
        .await?
        .items
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    let audited = w.teams.first().map(|t| t.id).context("the demo has no team")?;
    compliance::seed_cycle(store, now, &w.managers, audited, &changes)
        .await
        .context("seeding the demo's audit cycle failed")?;
    // After the audit cycle: the plans name the register's continuity risks.
    continuity::seed(store, now, &w.managers, &w.services)
        .await
        .context("seeding the demo's continuity plans failed")?;
    let reporters: Vec<User> = w.customers.iter().filter_map(|c| c.first().cloned()).collect();
    let live: Vec<ServiceId> = w
        .services
        .iter()
        .filter(|s| s.status == ServiceStatus::Live)
        .map(|s| s.id)
        .collect();
    let people = security::People {
        managers: &w.managers,
        first_team: w.agents.first().map(Vec::as_slice).unwrap_or(&[]),
        customers: &reporters,
    };
    security::seed(store, now, &people, &live)
        .await
        .context("seeding the demo's information security failed")?;
    let desk: Vec<User> = w.agents.iter().flatten().take(6).cloned().collect();
    let live_services: Vec<Service> = w
        .services
        .iter()
        .filter(|s| s.status == ServiceStatus::Live)
        .cloned()
        .collect();
    knowledge::seed(store, now, &live_services, &desk, &reporters)
        .await
        .context("seeding the demo's knowledge base failed")?;
    eprintln!(
        "seeded {} services, {} teams, {} customer organisations and {records} tickets in {:.1}s",
        w.services.len(),
        w.teams.len(),
        w.customers.len(),
        started.elapsed().as_secs_f64()
    );
    sign_ins(store, &w, now)
        .await
        .context("giving the demo's people a password failed")?;
    // The demo's past happened before anyone could be told of it.
    store.skip_notifications_to_now().await?;
    Ok(())
}

/// Gives one person of each role a password, so the web interface can be tried as each of them,
/// and prints who they are with the password (random, shown once, like the administrator's).
async fn sign_ins(store: &Store, w: &World, now: DateTime<Utc>) -> anyhow::Result<()> {
    let q = steward_store::ListQuery {
        filters: vec![("role", "auditor".into())],
        limit: 1,
        ..steward_store::ListQuery::default()
    };
    let auditor = store.list::<User>(&q).await?.items.into_iter().next();
    let manager = match w.managers.first() {
        Some(id) => store.get::<User>(id.0).await?,
        None => None,
    };
    let people: Vec<(&str, User)> = [
        ("agent", w.agents.first().and_then(|a| a.first()).cloned()),
        ("manager", manager),
        ("customer", w.customers.first().and_then(|c| c.first()).cloned()),
        ("auditor", auditor),
    ]
    .into_iter()
    .filter_map(|(role, u)| u.map(|u| (role, u)))
    .collect();
    let password = steward_server::auth::random_password()?;
    let hash = steward_server::auth::hash_password(&password)?;
    for (_, u) in &people {
        store.set_password_hash(u.id, &hash, None, now).await?;
    }
    eprintln!("Demo people sign in at /sign-in with the password {password}:");
    for (role, u) in &people {
        eprintln!("  {role:<9} {} ({})", u.email, u.name);
    }
    Ok(())
}
