//! The demo's suppliers (8.3.4, 8.2.3): an external hosting company that runs the public website
//! under an underpinning contract with round-the-clock targets (tickets handed to it run its
//! clocks), a backup company whose contract review is overdue and with whom a dispute is open, an
//! internal team that operates the network for everyone, and a customer that supplies a data
//! feed — so the supplier page, the supplier report and the readiness report have something true
//! to show, including a gap.

use chrono::{DateTime, Duration, Utc};
use steward_core::agreement::{Agreement, AgreementKind, NewAgreement, Target};
use steward_core::contract::{Contract, ContractReview, NewContract};
use steward_core::dispute::{Dispute, DisputeTransition, NewDispute};
use steward_core::history::HistoryAction;
use steward_core::id::*;
use steward_core::incident::PendingReason;
use steward_core::priority::Priority;
use steward_core::service::Service;
use steward_core::supplier::{NewSupplier, Supplier, SupplierKind};
use steward_core::team::Team;
use steward_store::Store;

use super::hours;

/// What the demo's suppliers are to its tickets: the supplier a ticket on each service (by the
/// service's place in the catalogue) may be handed to.
pub struct Suppliers {
    pub by_service: Vec<Option<SupplierId>>,
}

#[allow(clippy::too_many_arguments)] // each is a part of the demo organisation the suppliers serve
pub async fn seed(
    store: &Store,
    start: DateTime<Utc>,
    services: &[Service],
    teams: &[Team],
    customers: &[OrganisationId],
    managers: &[UserId],
    always: CalendarId,
) -> anyhow::Result<Suppliers> {
    let owner = |n: usize| managers[n % managers.len().max(1)];
    let service = |code: &str| services.iter().find(|s| s.code == code).map(|s| s.id);
    let at = |days: i64| start + Duration::days(days);
    let mut by_service = vec![None; services.len()];

    let hosting = add(
        store,
        start,
        NewSupplier {
            name: "Northwind Hosting Ltd".into(),
            kind: SupplierKind::External,
            owner: owner(0),
            team: None,
            organisation: None,
            contact: Some("Service desk +44 20 7946 0000, noc@northwind-hosting.example".into()),
            description: Some("Hosts and operates the public website's servers and load balancer.".into()),
            services: service("WEB").into_iter().collect(),
            configuration_items: vec![],
            processes: vec!["8.7.1".into()],
            review_date: Some((start + Duration::days(365)).date_naive()),
        },
    )
    .await?;
    if let Some(i) = services.iter().position(|s| s.code == "WEB") {
        by_service[i] = Some(hosting.id);
    }
    let targets = [(Priority::P1, 1, 4), (Priority::P2, 1, 8), (Priority::P3, 4, 24)]
        .into_iter()
        .map(|(priority, r, f)| Target {
            service: None,
            priority,
            response: hours(r),
            resolution: hours(f),
        })
        .chain([Priority::P4, Priority::P5].into_iter().map(|priority| Target {
            service: None,
            priority,
            response: hours(8),
            resolution: hours(48),
        }))
        .collect();
    let uc = Agreement::create(
        NewAgreement {
            name: "Northwind Hosting underpinning contract".into(),
            kind: AgreementKind::UnderpinningContract,
            description: Some("The hosting company's own response and resolution times, round the clock.".into()),
            organisation: None,
            team: None,
            supplier: Some(hosting.id),
            calendar: always,
            targets,
            // The supplier's clock waits only on our customer, never on the supplier itself.
            pause_on: Some(vec![PendingReason::WaitingForCustomer]),
            warning_percent: None,
            actions: vec![],
            resume_on_reopen: None,
            owner: Some(owner(0)),
            valid_from: start.date_naive(),
            valid_to: None,
            review_date: Some((start + Duration::days(365)).date_naive()),
        },
        start,
    )?;
    let uc = store.insert(uc, None).await?;
    let hosting_contract = store
        .insert(
            Contract::create(
                NewContract {
                    supplier: hosting.id,
                    title: "Web hosting and load balancing".into(),
                    scope: Some("Two web servers, the load balancer and the content database, with monitoring and patching.".into()),
                    services: hosting.services.clone(),
                    agreement: Some(uc.id),
                    interfaces: Some("Incidents raised in Steward and handed to the supplier; monthly service report; quarterly review.".into()),
                    obligations: Some("The supplier keeps the site up and patched; we give two weeks' notice of traffic peaks.".into()),
                    starts_on: start.date_naive(),
                    ends_on: Some((start + Duration::days(3 * 365)).date_naive()),
                    review_date: Some(at(30).date_naive()),
                    owner: Some(owner(0)),
                    status: None,
                },
                start,
            )?,
            None,
        )
        .await?;
    store
        .update::<Contract>(
            hosting_contract.id.0,
            Some(owner(0)),
            at(30),
            HistoryAction::Update,
            |_| true,
            |k| {
                k.review(
                    ContractReview {
                        held_on: Some(at(30).date_naive()),
                        notes: "Targets met for the quarter; the supplier will add a second load balancer.".into(),
                        next_review: Some(at(120).date_naive()),
                    },
                    at(30).date_naive(),
                )
            },
        )
        .await?;

    let backup = add(
        store,
        start,
        NewSupplier {
            name: "Tapevault Backup Services".into(),
            kind: SupplierKind::External,
            owner: owner(1),
            team: None,
            organisation: None,
            contact: Some("accounts@tapevault.example".into()),
            description: Some("Off-site tape storage and restore tests.".into()),
            services: service("BACKUP").into_iter().collect(),
            configuration_items: vec![],
            processes: vec![],
            review_date: Some(at(60).date_naive()),
        },
    )
    .await?;
    let backup_contract = store
        .insert(
            Contract::create(
                NewContract {
                    supplier: backup.id,
                    title: "Off-site tape storage".into(),
                    scope: Some(
                        "Weekly collection of backup tapes, storage for seven years, restores on request.".into(),
                    ),
                    services: backup.services.clone(),
                    agreement: None,
                    interfaces: Some("Collections booked by email; restore requests by telephone.".into()),
                    obligations: Some("Tapes returned within four hours of a restore request.".into()),
                    starts_on: (start - Duration::days(400)).date_naive(),
                    ends_on: None,
                    review_date: Some(at(45).date_naive()),
                    owner: Some(owner(1)),
                    status: None,
                },
                start,
            )?,
            None,
        )
        .await?;
    let dispute = store
        .insert(
            Dispute::create(
                NewDispute {
                    supplier: backup.id,
                    contract: Some(backup_contract.id),
                    title: "Restore test tapes returned late twice".into(),
                    description: Some("Two restore tests waited over a day for their tapes; we ask for the service credit the contract sets.".into()),
                    owner: Some(owner(1)),
                },
                at(70),
            )?,
            Some(owner(1)),
        )
        .await?;
    store
        .update::<Dispute>(
            dispute.id.0,
            Some(owner(1)),
            at(90),
            HistoryAction::Transition,
            |_| true,
            |d| {
                d.transition(
                    DisputeTransition {
                        to: "escalated".into(),
                        resolution: None,
                    },
                    at(90),
                )
            },
        )
        .await?;

    if let Some(network) = teams.get(1) {
        let internal = add(
            store,
            start,
            NewSupplier {
                name: format!("{} (internal)", network.name),
                kind: SupplierKind::Internal,
                owner: owner(2),
                team: Some(network.id),
                organisation: None,
                contact: Some("The team's queue in Steward.".into()),
                description: Some("Runs the network, the VPN and the wireless network for every service.".into()),
                services: ["VPN", "WIFI"].into_iter().filter_map(service).collect(),
                configuration_items: vec![],
                processes: vec!["8.6.1".into()],
                review_date: Some(at(180).date_naive()),
            },
        )
        .await?;
        store
            .insert(
                Contract::create(
                    NewContract {
                        supplier: internal.id,
                        title: "Network operations agreement".into(),
                        scope: Some("Operation of the network for every service in scope.".into()),
                        services: internal.services.clone(),
                        agreement: None,
                        interfaces: Some("Tickets assigned to the team's queue.".into()),
                        obligations: Some("Changes to the network go through change management.".into()),
                        starts_on: start.date_naive(),
                        ends_on: None,
                        review_date: Some(at(180).date_naive()),
                        owner: Some(owner(2)),
                        status: None,
                    },
                    start,
                )?,
                None,
            )
            .await?;
    }
    if let Some(customer) = customers.get(1) {
        add(
            store,
            start,
            NewSupplier {
                name: "Contoso Pharma (customer data feed)".into(),
                kind: SupplierKind::Customer,
                owner: owner(0),
                team: None,
                organisation: Some(*customer),
                contact: Some("Their integration team.".into()),
                description: Some("Supplies the nightly product data the ERP service loads.".into()),
                services: service("ERP").into_iter().collect(),
                configuration_items: vec![],
                processes: vec![],
                review_date: None,
            },
        )
        .await?;
    }
    Ok(Suppliers { by_service })
}

async fn add(store: &Store, at: DateTime<Utc>, input: NewSupplier) -> anyhow::Result<Supplier> {
    Ok(store.insert(Supplier::create(input, at)?, None).await?)
}
