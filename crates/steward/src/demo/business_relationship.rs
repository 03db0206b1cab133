//! The demo's business relationships (8.3.2): each customer gets a relationship owner and a
//! quarterly service review — held with minutes and an action last quarter, the next planned —
//! except one, whose review was due weeks ago and is still only planned; two interested parties
//! (a regulator and the group's internal audit); and complaints in every state, one past its
//! target, so the relationship page and the readiness report have something true to show,
//! including gaps.

use chrono::{DateTime, Duration, Utc};
use steward_core::action::{Action, NewAction};
use steward_core::complaint::{Complaint, ComplaintPolicy, ComplaintTransition, NewComplaint};
use steward_core::history::HistoryAction;
use steward_core::id::*;
use steward_core::incident::Incident;
use steward_core::organisation::{NewOrganisation, Organisation, OrganisationKind, OrganisationPatch};
use steward_core::service::Service;
use steward_core::service_review::{NewServiceReview, ServiceReview, ServiceReviewTransition};
use steward_core::survey::{Subject, Survey, SurveyAnswer, SurveyRound};
use steward_core::user::User;
use steward_store::{ListQuery, Store};

pub async fn seed(
    store: &Store,
    now: DateTime<Utc>,
    managers: &[UserId],
    services: &[Service],
    customers: &[Vec<User>],
) -> anyhow::Result<()> {
    let owner = |n: usize| managers[n % managers.len().max(1)];
    let service = |code: &str| services.iter().find(|s| s.code == code).map(|s| s.id);
    let ago = |days: i64| now - Duration::days(days);
    let policy = ComplaintPolicy::default();
    store.set_complaint_policy(&policy, ago(120)).await?;

    for (n, people) in customers.iter().enumerate() {
        let Some(org) = people.first().and_then(|p| p.organisation) else {
            continue;
        };
        store
            .update::<Organisation>(
                org.0,
                None,
                ago(119),
                HistoryAction::Update,
                |_| true,
                |o| {
                    o.apply_patch(OrganisationPatch {
                        relationship_owner: Some(Some(owner(n))),
                        ..Default::default()
                    })
                },
            )
            .await?;
        let reviewed: Vec<ServiceId> = ["MAIL", "ERP", "CRM", "WEB"]
            .iter()
            .skip(n % 2)
            .step_by(2)
            .filter_map(|c| service(c))
            .collect();
        let name = store
            .get::<Organisation>(org.0)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let contact = people.first().map(|p| p.name.clone()).unwrap_or_default();
        if n + 1 == customers.len() {
            // The gap: last quarter's review was due three weeks ago and has not been held.
            review(store, org, &reviewed, &name, ago(21), owner(n)).await?;
            continue;
        }
        let held = review(store, org, &reviewed, &name, ago(45 + 7 * n as i64), owner(n)).await?;
        store
            .update::<ServiceReview>(
                held.id.0,
                Some(owner(n)),
                ago(44),
                HistoryAction::Transition,
                |_| true,
                |r| {
                    r.transition(
                        ServiceReviewTransition {
                            to: "held".into(),
                            held_on: Some(ago(45 + 7 * n as i64).date_naive()),
                            minutes: Some(format!(
                                "Looked at the quarter's service level report and open problems with {contact}. \
                             Targets met except response times in the first week of the quarter; the customer \
                             asked for earlier notice of maintenance windows."
                            )),
                            attendees: Some(format!(
                                "{contact} ({name}); the relationship owner; the service owners"
                            )),
                        },
                        ago(44).date_naive(),
                    )
                },
            )
            .await?;
        store
            .insert(
                Action::create(
                    NewAction {
                        title: format!("Send {name} the maintenance calendar a month ahead"),
                        description: Some("Agreed at the quarterly service review.".into()),
                        source: Some(held.id.to_string()),
                        owner: Some(owner(n)),
                        due_date: ago(14).date_naive(),
                        step: None,
                    },
                    owner(n),
                    ago(44),
                )?,
                Some(owner(n)),
            )
            .await?;
        review(
            store,
            org,
            &reviewed,
            &name,
            now + Duration::days(45 - 7 * n as i64),
            owner(n),
        )
        .await?;
    }

    for (name, description) in [
        (
            "Data Protection Regulator",
            "Expects personal data in the services to be handled as the law requires, and breaches reported within 72 hours.",
        ),
        (
            "Group Internal Audit",
            "Audits the IT services for the group board once a year and follows up its findings.",
        ),
    ] {
        let party = Organisation::create(
            NewOrganisation {
                name: name.into(),
                kind: Some(OrganisationKind::InterestedParty),
                relationship_owner: Some(owner(0)),
                description: Some(description.into()),
            },
            ago(119),
        )?;
        store.insert(party, None).await?;
    }

    // Complaints: (customer, service, days ago received, title, moves with days after receipt).
    type Moves = &'static [(&'static str, i64, Option<&'static str>)];
    let complaints: [(usize, &str, i64, &str, Moves); 5] = [
        (
            0,
            "MAIL",
            70,
            "Mail outage during our board meeting was not announced",
            &[
                ("investigating", 1, None),
                (
                    "resolved",
                    6,
                    Some("Outage notices now go to each customer's contacts as well as the status page."),
                ),
                ("closed", 9, None),
            ],
        ),
        (
            1,
            "ERP",
            50,
            "Invoices stuck for three days after the ERP upgrade",
            &[
                ("investigating", 3, None),
                ("escalated", 10, None),
                (
                    "resolved",
                    26,
                    Some("The upgrade's interface fix was released; a credit was agreed for the delay."),
                ),
            ],
        ),
        (
            2,
            "CRM",
            30,
            "Repeated password resets needed for the CRM",
            &[("investigating", 1, None)],
        ),
        (
            0,
            "WEB",
            26,
            "Public website slow every morning",
            &[("investigating", 2, None), ("escalated", 9, None)],
        ),
        (3, "WIFI", 4, "Visitors cannot join the guest Wi-Fi", &[]),
    ];
    for (n, code, days, title, moves) in complaints {
        let Some(people) = customers.get(n % customers.len().max(1)) else {
            continue;
        };
        let received = ago(days);
        let k = Complaint::create(
            NewComplaint {
                organisation: people.first().and_then(|p| p.organisation),
                service: service(code),
                complainant: people.get(1).or(people.first()).map(|p| p.name.clone()),
                title: title.into(),
                description: Some(format!(
                    "{title}. Raised with the service desk and asked to be treated as a complaint."
                )),
                owner: Some(owner(n)),
                received_at: Some(received),
            },
            &policy,
            received,
        )?;
        let k = store.insert(k, people.first().map(|p| p.id)).await?;
        for (to, after, resolution) in moves {
            let at = received + Duration::days(*after);
            store
                .update::<Complaint>(
                    k.id.0,
                    Some(owner(n)),
                    at,
                    HistoryAction::Transition,
                    |_| true,
                    |c| {
                        c.transition(
                            ComplaintTransition {
                                to: (*to).into(),
                                resolution: resolution.map(String::from),
                            },
                            at,
                        )
                    },
                )
                .await?;
        }
    }
    surveys(store, now, services, customers).await
}

/// Scores the demo's customers give, in turn: mostly satisfied, some not.
const SCORES: [u8; 10] = [5, 4, 4, 5, 3, 4, 2, 5, 4, 1];

/// Satisfaction surveys: one on each of a few closed incidents per customer (the bulk-imported
/// tickets did not send their own), most answered; and a periodic round on mail a month ago,
/// half answered — the demo customer's own left open for them to answer in the portal.
async fn surveys(
    store: &Store,
    now: DateTime<Utc>,
    services: &[Service],
    customers: &[Vec<User>],
) -> anyhow::Result<()> {
    let mut turn = 0usize;
    for people in customers {
        let Some(org) = people.first().and_then(|p| p.organisation) else {
            continue;
        };
        let closed = store
            .list::<Incident>(&ListQuery {
                filters: vec![("organisation_id", org.0.into()), ("status", "closed".into())],
                limit: 6,
                ..Default::default()
            })
            .await?
            .items;
        for (n, i) in closed.iter().enumerate() {
            let (Some(caller), Some(resolved)) = (i.caller, i.resolved_at) else {
                continue;
            };
            let sent = Survey::send(caller, Some(org), i.service, Subject::Incident(i.id), resolved);
            let sent = store.insert(sent, None).await?;
            if n % 3 != 2 {
                answer(store, &sent, &mut turn, resolved + Duration::hours(5)).await?;
            }
        }
    }
    let Some(mail) = services.iter().find(|s| s.code == "MAIL") else {
        return Ok(());
    };
    let demo_customer = customers.first().and_then(|c| c.first()).map(|u| u.id);
    let round = store
        .send_round(
            &SurveyRound {
                service: mail.id,
                organisations: vec![],
            },
            None,
            now - Duration::days(30),
        )
        .await?;
    for (n, s) in round.into_iter().enumerate() {
        if n % 2 == 1 && Some(s.recipient) != demo_customer {
            answer(store, &s, &mut turn, now - Duration::days(28)).await?;
        }
    }
    Ok(())
}

/// The recipient's answer, with the next score in turn.
async fn answer(store: &Store, survey: &Survey, turn: &mut usize, at: DateTime<Utc>) -> anyhow::Result<()> {
    let score = SCORES[*turn % SCORES.len()];
    *turn += 1;
    store
        .update::<Survey>(
            survey.id.0,
            Some(survey.recipient),
            at,
            HistoryAction::Update,
            |_| true,
            |v| {
                v.answer(
                    SurveyAnswer {
                        score: Some(score),
                        comment: (score <= 2).then(|| "It took several calls before anyone picked this up.".into()),
                    },
                    at,
                )
            },
        )
        .await?;
    Ok(())
}

async fn review(
    store: &Store,
    organisation: OrganisationId,
    services: &[ServiceId],
    name: &str,
    on: DateTime<Utc>,
    owner: UserId,
) -> anyhow::Result<ServiceReview> {
    let r = ServiceReview::create(
        NewServiceReview {
            organisation,
            services: services.to_vec(),
            title: format!("Quarterly service review with {name}"),
            scheduled_on: on.date_naive(),
            owner: Some(owner),
            attendees: None,
        },
        on - Duration::days(60),
    )?;
    Ok(store.insert(r, Some(owner)).await?)
}
