//! The demo's information security (8.7.3): the first manager, the auditor and one agent of the
//! first team (its security analyst) are cleared for security incidents; the agent who signs in
//! is not. Four security risks, six controls — five implemented, one of them found only partly
//! effective and one past its review, and one still planned, so one risk has no control in
//! operation — and a dozen security incidents over the last five months, most resolved.

use chrono::{DateTime, Duration, Utc};
use steward_core::history::HistoryAction;
use steward_core::id::{ServiceId, UserId};
use steward_core::incident::{Incident, IncidentTransition, NewIncident, ResolutionCode};
use steward_core::link::Endpoint;
use steward_core::priority::{Impact, Urgency};
use steward_core::record::RecordKind;
use steward_core::risk::{NewRisk, Risk, Treatment};
use steward_core::security_control::{
    ControlKind, ControlReview, Effectiveness, NewSecurityControl, SecurityControl, SecurityControlTransition,
};
use steward_core::service::StatusTransition;
use steward_core::user::{Role, User, UserPatch};
use steward_store::{ListQuery, Store};

/// The people the demo's security work involves.
pub struct People<'a> {
    pub managers: &'a [UserId],
    /// The first team's agents; the last of them is the security analyst.
    pub first_team: &'a [User],
    /// Customers who report the incidents.
    pub customers: &'a [User],
}

const RISKS: &[(&str, u8, u8)] = &[
    ("Phishing mail leads to a stolen staff account", 4, 4),
    ("Ransomware encrypts file shares and their backups", 2, 5),
    ("A lost laptop exposes customer data", 3, 3),
    ("A supplier's remote access is misused", 2, 4),
];

/// Title, catalogue entry, kind, the risks (by index) it treats, and how it stands: reviewed
/// with this verdict, days ago, or `None` while planned.
type ControlSpec = (
    &'static str,
    &'static str,
    ControlKind,
    &'static [usize],
    Option<(Effectiveness, i64)>,
);

const CONTROLS: &[ControlSpec] = &[
    (
        "Multi-factor sign-in for every staff account",
        "A.8.5",
        ControlKind::Preventive,
        &[0],
        Some((Effectiveness::Effective, 40)),
    ),
    (
        "Phishing awareness training and reporting button",
        "A.6.3",
        ControlKind::Preventive,
        &[0],
        Some((Effectiveness::PartlyEffective, 25)),
    ),
    (
        "Immutable nightly backups kept off site",
        "A.8.13",
        ControlKind::Corrective,
        &[1],
        Some((Effectiveness::Effective, 70)),
    ),
    (
        "Endpoint detection on servers and laptops",
        "A.8.7",
        ControlKind::Detective,
        &[1, 2],
        Some((Effectiveness::Effective, 140)),
    ),
    (
        "Full-disk encryption on every laptop",
        "A.8.1",
        ControlKind::Preventive,
        &[2],
        Some((Effectiveness::Effective, 55)),
    ),
    (
        "Supplier access through a recorded jump host",
        "A.5.20",
        ControlKind::Preventive,
        &[3],
        None,
    ),
];

const INCIDENTS: &[&str] = &[
    "Mail asking staff to confirm their password",
    "Laptop left on a train",
    "Unusual sign-ins to a mailbox from abroad",
    "USB stick with a customer list found in the car park",
    "Malware blocked on a finance workstation",
    "Invoice mail from a look-alike supplier domain",
    "Shared folder open to everyone in the company",
    "Former contractor's account still active",
    "Mail asking staff to confirm their password",
    "Phone stolen with the mail app signed in",
    "Scan of the web portal from an unknown address",
    "Customer reports a fake Steward sign-in page",
];

pub async fn seed(
    store: &Store,
    now: DateTime<Utc>,
    people: &People<'_>,
    services: &[ServiceId],
) -> anyhow::Result<()> {
    let owner = people.managers.first().copied();
    let Some(owner) = owner else {
        return Ok(());
    };
    let analyst = people.first_team.last().map(|u| u.id);
    let auditor = store
        .list::<User>(&ListQuery {
            filters: vec![("role", Role::Auditor.as_str().into())],
            limit: 1,
            ..ListQuery::default()
        })
        .await?
        .items
        .into_iter()
        .next()
        .map(|u| u.id);
    let start = now - Duration::days(160);
    for u in [Some(owner), auditor, analyst].into_iter().flatten() {
        store
            .update::<User>(
                u.0,
                None,
                start,
                HistoryAction::Update,
                |_| true,
                |u| {
                    u.apply_patch(UserPatch {
                        security_cleared: Some(true),
                        ..UserPatch::default()
                    })
                },
            )
            .await?;
    }

    let today = now.date_naive();
    let mut risks = Vec::new();
    for (n, (title, likelihood, impact)) in RISKS.iter().enumerate() {
        let r = Risk::create(
            NewRisk {
                title: (*title).into(),
                description: None,
                category: None,
                security: Some(true),
                service: services.get(n % services.len().max(1)).copied(),
                owner: Some(owner),
                likelihood: *likelihood,
                impact: *impact,
                treatment: Some(Treatment::Mitigate),
                treatment_plan: Some(
                    "Put the controls linked to this risk in place and review them twice a year.".into(),
                ),
                review_date: Some(today + Duration::days(60)),
            },
            owner,
            start,
        )?;
        let r = store.insert(r, Some(owner)).await?;
        let r = store
            .update::<Risk>(
                r.id.0,
                Some(owner),
                start + Duration::days(2),
                HistoryAction::Transition,
                |_| true,
                |r| r.transition(StatusTransition { to: "treating".into() }),
            )
            .await?;
        risks.push(r);
    }

    for (title, catalogue, kind, treats, review) in CONTROLS {
        let written = start + Duration::days(3);
        let c = SecurityControl::create(
            NewSecurityControl {
                title: (*title).into(),
                description: None,
                catalogue_reference: Some((*catalogue).into()),
                kind: *kind,
                service: None,
                owner: Some(owner),
                next_review: Some(today + Duration::days(30)),
            },
            owner,
            written,
        )?;
        let c = store.insert(c, Some(owner)).await?;
        for r in treats.iter().filter_map(|i| risks.get(*i)) {
            store
                .link(
                    Endpoint {
                        kind: RecordKind::SecurityControl,
                        id: c.id.0,
                    },
                    Endpoint {
                        kind: RecordKind::Risk,
                        id: r.id.0,
                    },
                    Some(owner),
                    written,
                )
                .await?;
        }
        let Some((verdict, days_ago)) = review else {
            continue;
        };
        store
            .update::<SecurityControl>(
                c.id.0,
                Some(owner),
                written + Duration::days(5),
                HistoryAction::Transition,
                |_| true,
                |c| {
                    c.transition(SecurityControlTransition {
                        to: "implemented".into(),
                    })
                },
            )
            .await?;
        let held = now - Duration::days(*days_ago);
        store
            .update::<SecurityControl>(
                c.id.0,
                Some(owner),
                held,
                HistoryAction::Update,
                |_| true,
                |c| {
                    c.review(
                        ControlReview {
                            held_on: Some(held.date_naive()),
                            effectiveness: *verdict,
                            findings: match verdict {
                                Effectiveness::Effective => "Sampled ten cases; the control worked in each.".into(),
                                _ => "One in five staff still clicked the test link; training is repeated for them."
                                    .into(),
                            },
                            // Half a year on, but four months for the control reviewed longest
                            // ago, whose review is now overdue.
                            next_review: held.date_naive() + Duration::days(if *days_ago > 120 { 120 } else { 182 }),
                        },
                        held.date_naive(),
                    )
                },
            )
            .await?;
    }

    let rules = store.priority_rules().await?;
    for (n, title) in INCIDENTS.iter().enumerate() {
        let opened = start + Duration::days(12 * n as i64 + 5) + Duration::hours(9 + (n as i64 % 6));
        let caller = people.customers.get(n % people.customers.len().max(1)).cloned();
        let input = NewIncident {
            title: (*title).into(),
            description: Some("Reported to the service desk; kept to the security team.".into()),
            service: services.get(n % services.len().max(1)).copied(),
            configuration_item: None,
            caller: caller.as_ref().map(|c| c.id),
            impact: Some(if n % 4 == 1 { Impact::High } else { Impact::Medium }),
            urgency: Some(if n % 3 == 0 { Urgency::High } else { Urgency::Medium }),
            major: None,
            security: Some(true),
            category: Some(if title.contains("Mail") || title.contains("mail") {
                "phishing".into()
            } else if title.contains("Laptop") || title.contains("Phone") || title.contains("USB") {
                "lost or stolen device".into()
            } else {
                "access".into()
            }),
            subcategory: None,
            assignee: analyst,
            team: None,
            supplier: None,
        };
        let i = Incident::create(input, caller.and_then(|c| c.organisation), &rules, opened)?;
        let i = store.insert(i, analyst).await?;
        let worked = opened + Duration::hours(1);
        if worked >= now {
            continue;
        }
        store
            .update::<Incident>(
                i.id.0,
                analyst,
                worked,
                HistoryAction::Transition,
                |_| true,
                |i| i.transition(move_to("in_progress", None), worked),
            )
            .await?;
        // The two newest are still being worked.
        if n + 2 >= INCIDENTS.len() {
            continue;
        }
        let resolved = worked + Duration::hours(3 + 5 * (n as i64 % 4));
        store
            .update::<Incident>(
                i.id.0,
                analyst,
                resolved,
                HistoryAction::Transition,
                |_| true,
                |i| {
                    i.transition(
                        move_to(
                            "resolved",
                            Some("Contained: account locked or device wiped, sender blocked."),
                        ),
                        resolved,
                    )
                },
            )
            .await?;
    }
    Ok(())
}

fn move_to(to: &str, notes: Option<&str>) -> IncidentTransition {
    IncidentTransition {
        to: to.into(),
        pending_reason: None,
        resolution_code: notes.map(|_| ResolutionCode::Fixed),
        resolution_notes: notes.map(String::from),
    }
}
