//! The storage conformance suite: every storage behaviour, run on SQLite and (with TEST_PG_URL)
//! PostgreSQL, each test on its own fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use steward_core::Error;
use steward_core::access::NeedToKnow;
use steward_core::history::{ChainFault, HistoryAction};
use steward_core::id::*;
use steward_core::incident::{Incident, IncidentPatch, IncidentTransition, NewIncident, ResolutionCode};
use steward_core::link::{Endpoint, canonical};
use steward_core::organisation::{NewOrganisation, Organisation};
use steward_core::priority::{Impact, Priority, PriorityMatrix, PriorityRules, Urgency};
use steward_core::record::RecordKind;
use steward_core::service::{NewService, Service, StatusTransition};
use steward_core::team::{NewTeam, Team};
use steward_core::user::{NewUser, Role, User};
use steward_store::exec::Arg;
use steward_store::testing::{Location, TestDb};
use steward_store::{ListQuery, Located, Sort, Store, TokenInfo};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap()
}

fn new_incident(title: &str) -> NewIncident {
    NewIncident {
        title: title.into(),
        description: Some("details".into()),
        service: None,
        configuration_item: None,
        caller: None,
        impact: Some(Impact::Medium),
        urgency: Some(Urgency::Medium),
        major: None,
        security: None,
        category: None,
        subcategory: None,
        assignee: None,
        team: None,
        supplier: None,
    }
}

async fn incident(store: &Store, title: &str, at: DateTime<Utc>) -> Incident {
    let i = Incident::create(new_incident(title), None, &PriorityRules::default(), at).unwrap();
    store.insert(i, None).await.unwrap()
}

/// A live service with a code and a name, written at `t0`.
async fn live_service(store: &Store, code: &str, name: &str) -> Service {
    let s = Service::create(
        NewService {
            code: code.into(),
            name: name.into(),
            description: None,
            status: Some(steward_core::service::ServiceStatus::Live),
            criticality: None,
            owner: None,
            team: None,
            availability_target: None,
        },
        t0(),
    )
    .unwrap();
    store.insert(s, None).await.unwrap()
}

async fn user(store: &Store, email: &str, role: Role, org: Option<OrganisationId>) -> User {
    let u = User::create(
        &NewUser {
            email: email.into(),
            name: None,
            role,
            organisation: org,
            password: None,
            security_cleared: None,
        },
        t0(),
    )
    .unwrap();
    store.create_user(u, Some("hash".into()), None).await.unwrap()
}

/// An organisation with a name and nothing else.
async fn organisation(store: &Store, name: &str) -> Organisation {
    let input = NewOrganisation {
        name: name.into(),
        kind: None,
        relationship_owner: None,
        description: None,
    };
    store
        .insert(Organisation::create(input, t0()).unwrap(), None)
        .await
        .unwrap()
}

/// A team with a name and nothing else.
async fn team(store: &Store, name: &str) -> Team {
    let input = NewTeam {
        name: name.into(),
        description: None,
    };
    store.insert(Team::create(input, t0()).unwrap(), None).await.unwrap()
}

/// A 24x7 calendar.
async fn always_open(store: &Store) -> steward_core::calendar::Calendar {
    use steward_core::calendar::{Calendar, NewCalendar, WeeklyHours};
    let input = NewCalendar {
        name: "24x7".into(),
        description: None,
        time_zone: "UTC".into(),
        always_open: true,
        hours: WeeklyHours::default(),
        holidays: vec![],
    };
    store
        .insert(Calendar::create(input, t0()).unwrap(), None)
        .await
        .unwrap()
}

/// An agreement of the given kind with defaults for everything else.
fn agreement_input(
    name: &str,
    kind: steward_core::agreement::AgreementKind,
    calendar: CalendarId,
    targets: Vec<steward_core::agreement::Target>,
) -> steward_core::agreement::NewAgreement {
    steward_core::agreement::NewAgreement {
        name: name.into(),
        kind,
        description: None,
        organisation: None,
        team: None,
        supplier: None,
        calendar,
        targets,
        pause_on: None,
        warning_percent: None,
        actions: vec![],
        resume_on_reopen: None,
        owner: None,
        valid_from: t0().date_naive(),
        valid_to: None,
        review_date: None,
    }
}

/// A 24x7 customer agreement and, for each of `teams`, an operational level agreement, all with
/// `targets` as (priority, response minutes, resolution minutes).
async fn agreements_24x7(store: &Store, targets: &[(Priority, i64, i64)], teams: &[TeamId]) {
    use steward_core::agreement::{Agreement, AgreementKind, Target};
    use steward_core::calendar::BusinessDuration;
    const MIN: i64 = 60_000_000;
    let cal = always_open(store).await;
    let targets: Vec<Target> = targets
        .iter()
        .map(|(priority, response, resolution)| Target {
            service: None,
            priority: *priority,
            response: BusinessDuration(response * MIN),
            resolution: BusinessDuration(resolution * MIN),
        })
        .collect();
    let sla = agreement_input("SLA", AgreementKind::ServiceLevel, cal.id, targets.clone());
    store.insert(Agreement::create(sla, t0()).unwrap(), None).await.unwrap();
    for team in teams {
        let name = format!("OLA {}", team.0);
        let mut ola = agreement_input(&name, AgreementKind::OperationalLevel, cal.id, targets.clone());
        ola.team = Some(*team);
        store.insert(Agreement::create(ola, t0()).unwrap(), None).await.unwrap();
    }
}

/// Runs `body` once per backend, naming the backend on failure.
macro_rules! on_each_backend {
    (|$store:ident, $db:ident| $body:block) => {
        for $db in TestDb::each().await {
            eprintln!("--- backend: {}", $db.label);
            {
                let $store = &$db.store;
                $body
            }
            $db.finish().await;
        }
    };
}

#[tokio::test]
async fn incident_round_trip_with_history() {
    on_each_backend!(|store, db| {
        let i = incident(store, "Mail is down", t0()).await;
        assert_eq!(i.id, IncidentId(1));
        let got: Incident = store.get(1).await.unwrap().unwrap();
        assert_eq!(got, i);
        assert!(store.get::<Incident>(99).await.unwrap().is_none());

        let t1 = t0() + Duration::minutes(5);
        let matrix = PriorityRules::default();
        let patched = store
            .update::<Incident>(
                1,
                Some(UserId(1)).filter(|_| false),
                t1,
                HistoryAction::Update,
                |_| true,
                |r| {
                    r.apply_patch(
                        IncidentPatch {
                            urgency: Some(Urgency::High),
                            ..Default::default()
                        },
                        &matrix,
                    )
                },
            )
            .await
            .unwrap();
        assert_eq!(patched.priority, Priority::P2);
        assert_eq!(patched.updated_at, t1);

        let t2 = t1 + Duration::minutes(5);
        store
            .update::<Incident>(
                1,
                None,
                t2,
                HistoryAction::Transition,
                |_| true,
                |r| {
                    r.transition(
                        IncidentTransition {
                            to: "resolved".into(),
                            pending_reason: None,
                            resolution_code: Some(ResolutionCode::Fixed),
                            resolution_notes: Some("restarted".into()),
                        },
                        t2,
                    )
                },
            )
            .await
            .unwrap();

        let h = store.history(RecordKind::Incident, 1, None, 100).await.unwrap();
        let fields: Vec<(HistoryAction, Option<&str>)> =
            h.items.iter().map(|e| (e.action, e.field.as_deref())).collect();
        assert_eq!(fields[0], (HistoryAction::Create, None));
        assert!(fields.contains(&(HistoryAction::Update, Some("urgency"))));
        assert!(fields.contains(&(HistoryAction::Update, Some("priority"))));
        assert!(fields.contains(&(HistoryAction::Transition, Some("status"))));
        let status = h.items.iter().find(|e| e.field.as_deref() == Some("status")).unwrap();
        assert_eq!(status.old_value, Some(serde_json::json!("new")));
        assert_eq!(status.new_value, Some(serde_json::json!("resolved")));

        // An update that changes nothing writes nothing.
        let before = store
            .history(RecordKind::Incident, 1, None, 100)
            .await
            .unwrap()
            .items
            .len();
        store
            .update::<Incident>(1, None, t2, HistoryAction::Update, |_| true, |_| Ok(()))
            .await
            .unwrap();
        assert_eq!(
            store
                .history(RecordKind::Incident, 1, None, 100)
                .await
                .unwrap()
                .items
                .len(),
            before
        );

        // Invisible records are not found, and a failed rule writes nothing.
        let hidden = store
            .update::<Incident>(1, None, t2, HistoryAction::Update, |_| false, |_| Ok(()))
            .await;
        assert!(matches!(hidden, Err(Error::NotFound { .. })));
        let illegal = store
            .update::<Incident>(
                1,
                None,
                t2,
                HistoryAction::Transition,
                |_| true,
                |r| {
                    r.transition(
                        IncidentTransition {
                            to: "new".into(),
                            pending_reason: None,
                            resolution_code: None,
                            resolution_notes: None,
                        },
                        t2,
                    )
                },
            )
            .await;
        assert!(matches!(illegal, Err(Error::InvalidTransition { .. })));

        let report = store.verify_history().await.unwrap();
        assert!(report.faults.is_empty(), "{:?}", report.faults);
        assert_eq!(report.checked as usize, before);
    });
}

#[tokio::test]
async fn lists_filter_sort_and_page_by_cursor() {
    on_each_backend!(|store, db| {
        for n in 0..25 {
            let mut new = new_incident(&format!("incident {n}"));
            new.impact = Some(if n % 5 == 0 { Impact::High } else { Impact::Low });
            new.urgency = Some(Urgency::High);
            let i = Incident::create(new, None, &PriorityRules::default(), t0() + Duration::seconds(n)).unwrap();
            store.insert(i, None).await.unwrap();
        }
        // Newest first, 10 a page, no row twice, none missed.
        let mut seen = Vec::new();
        let mut q = ListQuery {
            limit: 10,
            ..Default::default()
        };
        loop {
            let page = store.list::<Incident>(&q).await.unwrap();
            seen.extend(page.items.iter().map(|i| i.id.0));
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, (1..=25).rev().collect::<Vec<i64>>());

        let p1 = ListQuery {
            filters: vec![("priority", Arg::from(1i64))],
            sort: Sort {
                column: "created_at",
                descending: false,
            },
            limit: 3,
            ..Default::default()
        };
        let page = store.list::<Incident>(&p1).await.unwrap();
        let ids: Vec<i64> = page.items.iter().map(|i| i.id.0).collect();
        assert_eq!(ids, [1, 6, 11]);
        let next = store
            .list::<Incident>(&ListQuery {
                cursor: page.next_cursor,
                ..p1.clone()
            })
            .await
            .unwrap();
        assert_eq!(next.items.iter().map(|i| i.id.0).collect::<Vec<_>>(), [16, 21]);
        assert!(next.next_cursor.is_none());

        let since = ListQuery {
            updated_since: Some((t0() + Duration::seconds(20)).timestamp_micros()),
            limit: 100,
            ..Default::default()
        };
        assert_eq!(store.list::<Incident>(&since).await.unwrap().items.len(), 5);

        let bad = ListQuery {
            cursor: Some("garbage!".into()),
            limit: 10,
            ..Default::default()
        };
        assert!(matches!(store.list::<Incident>(&bad).await, Err(Error::Invalid(_))));
    });
}

/// A list of several states in a sort order is read range by range and merged; paged through,
/// it gives exactly the rows, in exactly the order, that filtering and sorting all of them would.
/// The other conditions (absent, below, organisation) apply within each range.
#[tokio::test]
async fn lists_of_several_states_merge_in_order_across_pages() {
    on_each_backend!(|store, db| {
        let org = organisation(store, "Acme").await;
        let mut all = Vec::new();
        for n in 0..40i64 {
            let mut new = new_incident(&format!("incident {n}"));
            new.impact = Some([Impact::High, Impact::Medium, Impact::Low][(n % 3) as usize]);
            let at = t0() + Duration::seconds((n * 7919) % 97);
            let i = Incident::create(new, Some(org.id), &PriorityRules::default(), at).unwrap();
            let mut i = store.insert(i, None).await.unwrap();
            let to = ["in_progress", "pending", "resolved", "new"][(n % 4) as usize];
            if to != "new" {
                let t = steward_core::incident::IncidentTransition {
                    to: to.into(),
                    pending_reason: (to == "pending").then_some(steward_core::incident::PendingReason::Other),
                    resolution_code: (to == "resolved").then_some(steward_core::incident::ResolutionCode::Fixed),
                    resolution_notes: (to == "resolved").then(|| "done".to_string()),
                };
                i = store
                    .update::<Incident>(
                        i.id.0,
                        None,
                        at,
                        HistoryAction::Transition,
                        |_| true,
                        |r| r.transition(t, at),
                    )
                    .await
                    .unwrap();
            }
            all.push(i);
        }
        let open = ["new", "in_progress", "pending"];
        for descending in [false, true] {
            let mut want: Vec<&Incident> = all
                .iter()
                .filter(|i| open.contains(&i.status.to_string().as_str()))
                .collect();
            want.sort_by_key(|i| (i.priority as i64, i.id.0));
            if descending {
                want.reverse();
            }
            let want: Vec<i64> = want.iter().map(|i| i.id.0).collect();
            let mut q = ListQuery {
                any_of: vec![("status", open.iter().map(|s| Arg::from(*s)).collect())],
                sort: Sort {
                    column: "priority",
                    descending,
                },
                organisation: Some(org.id.0),
                limit: 4,
                ..Default::default()
            };
            let mut seen = Vec::new();
            loop {
                let page = store.list::<Incident>(&q).await.unwrap();
                assert!(page.items.len() <= 4);
                seen.extend(page.items.iter().map(|i| i.id.0));
                match page.next_cursor {
                    Some(c) => q.cursor = Some(c),
                    None => break,
                }
            }
            assert_eq!(seen, want, "descending {descending}");
        }
        // Unassigned among them, and nothing at all for an empty choice.
        let q = ListQuery {
            any_of: vec![("status", open.iter().map(|s| Arg::from(*s)).collect())],
            absent: vec!["assignee_id"],
            limit: 100,
            ..Default::default()
        };
        assert_eq!(store.list::<Incident>(&q).await.unwrap().items.len(), 30);
        let none = ListQuery {
            any_of: vec![("status", vec![])],
            limit: 100,
            ..Default::default()
        };
        assert!(store.list::<Incident>(&none).await.unwrap().items.is_empty());
    });
}

#[tokio::test]
async fn requesters_see_only_their_organisation() {
    on_each_backend!(|store, db| {
        let a = organisation(store, "Acme").await;
        let b = organisation(store, "Globex").await;
        for (org, n) in [(a.id, 3), (b.id, 2)] {
            for k in 0..n {
                let i = Incident::create(
                    new_incident(&format!("{org} {k}")),
                    Some(org),
                    &PriorityRules::default(),
                    t0(),
                )
                .unwrap();
                store.insert(i, None).await.unwrap();
            }
        }
        let q = ListQuery {
            organisation: Some(b.id.0),
            limit: 50,
            ..Default::default()
        };
        let page = store.list::<Incident>(&q).await.unwrap();
        assert_eq!(page.items.len(), 2);
        assert!(page.items.iter().all(|i| i.organisation == Some(b.id)));
    });
}

#[tokio::test]
async fn unique_values_and_missing_references_are_named() {
    on_each_backend!(|store, db| {
        let svc = |code: &str| {
            Service::create(
                NewService {
                    code: code.into(),
                    name: "Mail".into(),
                    description: None,
                    status: None,
                    criticality: None,
                    owner: None,
                    team: None,
                    availability_target: None,
                },
                t0(),
            )
            .unwrap()
        };
        store.insert(svc("MAIL"), None).await.unwrap();
        match store.insert(svc("MAIL"), None).await {
            Err(Error::Conflict(m)) => assert!(m.contains("code"), "{m}"),
            other => panic!("{other:?}"),
        }
        let mut new = new_incident("orphan");
        new.service = Some(ServiceId(42));
        new.team = Some(TeamId(7));
        let i = Incident::create(new, None, &PriorityRules::default(), t0()).unwrap();
        match store.insert(i, None).await {
            Err(Error::Invalid(f)) => {
                let mut names: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
                names.sort();
                assert_eq!(names, ["service", "team"]);
                assert!(f.iter().any(|e| e.message.contains("SVC-42")));
            }
            other => panic!("{other:?}"),
        }
        // Nothing of the failed insert remains.
        assert!(store.get::<Incident>(1).await.unwrap().is_none());
        assert!(store.verify_history().await.unwrap().faults.is_empty());
    });
}

/// Tampering with history by hand is found and named.
#[tokio::test]
async fn audit_verify_names_edited_deleted_and_truncated_entries() {
    on_each_backend!(|store, db| {
        for n in 0..4 {
            incident(store, &format!("i{n}"), t0()).await;
        }
        assert!(store.verify_history().await.unwrap().faults.is_empty());

        store
            .execute_raw("UPDATE history SET new_value = '{\"title\":\"forged\"}' WHERE seq = 2")
            .await
            .unwrap();
        let f = store.verify_history().await.unwrap().faults;
        assert_eq!(
            f,
            [ChainFault::Edited {
                seq: 2,
                record: "INC-2".into()
            }]
        );

        store.execute_raw("DELETE FROM history WHERE seq = 3").await.unwrap();
        let f = store.verify_history().await.unwrap().faults;
        assert!(f.contains(&ChainFault::Missing { after: 2, next: 4 }), "{f:?}");

        store.execute_raw("DELETE FROM history WHERE seq = 4").await.unwrap();
        let f = store.verify_history().await.unwrap().faults;
        assert!(
            f.contains(&ChainFault::Truncated {
                head_seq: 4,
                last_seq: 2
            }),
            "{f:?}"
        );
    });
}

/// Concurrent writers extend one unbroken chain.
#[tokio::test]
async fn concurrent_writes_keep_the_chain_whole() {
    on_each_backend!(|store, db| {
        let mut tasks = Vec::new();
        for n in 0..40 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                let i =
                    Incident::create(new_incident(&format!("c{n}")), None, &PriorityRules::default(), t0()).unwrap();
                let i = s.insert(i, None).await.unwrap();
                s.update::<Incident>(
                    i.id.0,
                    None,
                    t0() + Duration::seconds(1),
                    HistoryAction::Update,
                    |_| true,
                    |r| {
                        r.title = format!("c{n} edited");
                        Ok(())
                    },
                )
                .await
                .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let r = store.verify_history().await.unwrap();
        assert!(r.faults.is_empty(), "{:?}", r.faults);
        assert_eq!(r.checked, 80);
    });
}

#[tokio::test]
async fn links_are_written_to_both_histories() {
    on_each_backend!(|store, db| {
        incident(store, "slow", t0()).await;
        let p = steward_core::problem::Problem::create(
            steward_core::problem::NewProblem {
                title: "Disk".into(),
                description: None,
                service: None,
                configuration_item: None,
                impact: None,
                urgency: None,
                root_cause: None,
                known_error: None,
                workaround: None,
                category: None,
                subcategory: None,
                assignee: None,
                team: None,
            },
            &PriorityMatrix::default(),
            t0(),
        )
        .unwrap();
        store.insert(p, None).await.unwrap();
        let inc = Endpoint {
            kind: RecordKind::Incident,
            id: 1,
        };
        let prb = Endpoint {
            kind: RecordKind::Problem,
            id: 1,
        };
        let (from, to) = canonical(prb, inc).unwrap();
        let l = store.link(from, to, None, t0()).await.unwrap();
        assert_eq!((l.from.as_str(), l.to.as_str()), ("INC-1", "PRB-1"));
        assert!(matches!(
            store.link(from, to, None, t0()).await,
            Err(Error::Conflict(_))
        ));
        assert_eq!(store.links_of(prb).await.unwrap().len(), 1);
        let h = store.history(RecordKind::Problem, 1, None, 10).await.unwrap();
        assert_eq!(h.items.last().unwrap().new_value, Some(serde_json::json!("INC-1")));
        let missing = Endpoint {
            kind: RecordKind::Problem,
            id: 9,
        };
        assert!(matches!(
            store.link(inc, missing, None, t0()).await,
            Err(Error::Invalid(_))
        ));
        store.unlink(from, to, None, t0()).await.unwrap();
        assert!(store.links_of(inc).await.unwrap().is_empty());
        assert!(matches!(
            store.unlink(from, to, None, t0()).await,
            Err(Error::NotFound { .. })
        ));
        assert!(store.verify_history().await.unwrap().faults.is_empty());
    });
}

#[tokio::test]
async fn tokens_resolve_until_revoked_or_expired() {
    on_each_backend!(|store, db| {
        let u = user(store, "ana@example.com", Role::Agent, None).await;
        let info = TokenInfo {
            name: "cli".into(),
            created_at: t0(),
            expires_at: None,
        };
        store.insert_token(u.id, "h1", &info).await.unwrap();
        let expiring = TokenInfo {
            expires_at: Some(t0() + Duration::hours(1)),
            ..info.clone()
        };
        store.insert_token(u.id, "h2", &expiring).await.unwrap();
        assert_eq!(store.user_by_token("h1", t0()).await.unwrap().unwrap().id, u.id);
        assert!(
            store
                .user_by_token("h2", t0() + Duration::hours(2))
                .await
                .unwrap()
                .is_none()
        );
        assert!(store.user_by_token("nope", t0()).await.unwrap().is_none());
        // Listed newest first with their state at the instant asked; one revoked alone.
        let h3 = store.insert_token(u.id, "h3", &info).await.unwrap();
        let later = t0() + Duration::hours(2);
        let listed = store.list_tokens(u.id, later).await.unwrap();
        let states: Vec<(String, &str)> = listed.iter().map(|t| (t.id.to_string(), t.state.as_str())).collect();
        assert_eq!(states.len(), 3);
        assert_eq!(states[0], (h3.to_string(), "active"));
        assert_eq!(states[1].1, "expired");
        let revoked = store.revoke_token(h3, Some(u.id), t0()).await.unwrap().unwrap();
        assert_eq!((revoked.state.as_str(), revoked.revoked_at), ("revoked", Some(t0())));
        assert!(store.user_by_token("h3", t0()).await.unwrap().is_none());
        assert!(
            store.user_by_token("h1", t0()).await.unwrap().is_some(),
            "only that one"
        );
        let again = store.revoke_token(h3, None, later).await.unwrap().unwrap();
        assert_eq!(again.revoked_at, Some(t0()), "the first revocation stands");
        assert_eq!(
            store.get_token(h3, later).await.unwrap().unwrap().state.as_str(),
            "revoked"
        );
        assert!(
            store
                .revoke_token(steward_core::id::TokenId(9999), None, t0())
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(store.revoke_tokens(u.id, t0()).await.unwrap(), 2);
        assert!(store.user_by_token("h1", t0()).await.unwrap().is_none());
        let creds = store.credentials_by_email("ANA@example.com").await.unwrap().unwrap();
        assert_eq!(creds.password_hash.as_deref(), Some("hash"));
        assert!(matches!(
            store
                .create_user(
                    User::create(
                        &NewUser {
                            email: "ana@example.com".into(),
                            name: None,
                            role: Role::Agent,
                            organisation: None,
                            password: None,
                            security_cleared: None,
                        },
                        t0()
                    )
                    .unwrap(),
                    None,
                    None
                )
                .await,
            Err(Error::Conflict(_))
        ));
        assert_eq!(store.count_users().await.unwrap(), 1);
    });
}

#[tokio::test]
async fn team_members_and_priority_matrix() {
    on_each_backend!(|store, db| {
        let u = user(store, "bo@example.com", Role::Agent, None).await;
        let t = team(store, "Service desk").await;
        store.set_team_member(t.id, u.id, true, None, t0()).await.unwrap();
        assert!(matches!(
            store.set_team_member(t.id, u.id, true, None, t0()).await,
            Err(Error::Conflict(_))
        ));
        assert_eq!(store.team_members(t.id).await.unwrap(), [u.id]);
        assert_eq!(store.teams_of(u.id).await.unwrap(), [t.id]);
        store.set_team_member(t.id, u.id, false, None, t0()).await.unwrap();
        assert!(store.team_members(t.id).await.unwrap().is_empty());

        assert_eq!(store.priority_matrix().await.unwrap(), PriorityMatrix::default());
        use Priority::*;
        let m = PriorityMatrix {
            rows: [[P1, P1, P2], [P2, P3, P4], [P3, P4, P5]],
        };
        store.set_priority_matrix(&m, t0()).await.unwrap();
        assert_eq!(store.priority_matrix().await.unwrap(), m);
    });
}

/// Both schemas expose the same tables and columns.
#[tokio::test]
async fn schemas_match_across_backends() {
    let Some(url) = steward_store::testing::pg_url() else {
        return;
    };
    let lite = TestDb::sqlite().await;
    let pg = TestDb::postgres(&url).await;
    let Location::Sqlite { dir } = &lite.location else {
        unreachable!()
    };
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("steward.db").display()))
        .await
        .unwrap();
    // The search index is each engine's own (FTS5 and its shadow tables; a tsvector table), so it
    // is left out here and checked by behaviour in `search_finds_words_stems_and_prefixes`.
    let lite_cols: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' \
         AND m.name NOT LIKE 'search_documents%' ORDER BY 1, 2",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let Location::Postgres { url: pg_url, .. } = &pg.location else {
        unreachable!()
    };
    let pgpool = sqlx::PgPool::connect(pg_url).await.unwrap();
    let pg_cols: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' \
         AND table_name NOT LIKE 'search_documents%' ORDER BY 1, 2",
    )
    .fetch_all(&pgpool)
    .await
    .unwrap();
    assert!(lite_cols.len() > 100);
    assert_eq!(lite_cols, pg_cols);
    pool.close().await;
    pgpool.close().await;
    lite.finish().await;
    pg.finish().await;
}

#[tokio::test]
async fn calendars_round_trip_and_records_are_located() {
    on_each_backend!(|store, db| {
        use steward_core::calendar::{Calendar, Holiday, NewCalendar, Segment, WeeklyHours};
        let hours = WeeklyHours {
            monday: vec![Segment { start: 480, end: 1050 }],
            ..Default::default()
        };
        let input = NewCalendar {
            name: "Office".into(),
            description: None,
            time_zone: "Europe/Paris".into(),
            always_open: false,
            hours,
            holidays: vec![Holiday {
                name: "Xmas".into(),
                from: "2026-12-25".parse().unwrap(),
                to: "2026-12-26".parse().unwrap(),
            }],
        };
        let cal = store
            .insert(Calendar::create(input, t0()).unwrap(), None)
            .await
            .unwrap();
        let got: Calendar = store.get(cal.id.0).await.unwrap().unwrap();
        assert_eq!(got, cal);

        let org = organisation(store, "Acme").await;
        let i = Incident::create(new_incident("x"), Some(org.id), &PriorityRules::default(), t0()).unwrap();
        let i = store.insert(i, None).await.unwrap();
        let at = |o: Option<OrganisationId>| {
            Some(Located {
                organisation: o,
                need_to_know: None,
            })
        };
        assert_eq!(
            store.locate(RecordKind::Incident, i.id.0).await.unwrap(),
            at(Some(org.id))
        );
        assert_eq!(store.locate(RecordKind::Calendar, cal.id.0).await.unwrap(), at(None));
        assert_eq!(
            store.locate(RecordKind::Organisation, org.id.0).await.unwrap(),
            at(Some(org.id))
        );
        let reporter = user(store, "rep@example.com", Role::Agent, None).await;
        let mut secret = new_incident("Phishing mail");
        secret.security = Some(true);
        secret.caller = Some(reporter.id);
        let secret = Incident::create(secret, None, &PriorityRules::default(), t0()).unwrap();
        let secret = store.insert(secret, None).await.unwrap();
        assert_eq!(
            store.locate(RecordKind::Incident, secret.id.0).await.unwrap(),
            Some(Located {
                organisation: None,
                need_to_know: Some(NeedToKnow(vec![reporter.id])),
            })
        );
        assert_eq!(store.locate(RecordKind::Problem, 1).await.unwrap(), None);
    });
}

/// Warnings and breaches fire at their instants, exactly once, follow pauses, catch up after
/// downtime, and never fire twice with several runners at once.
#[tokio::test]
async fn escalations_fire_exactly_once_at_their_instants() {
    on_each_backend!(|store, db| {
        use steward_core::agreement::{Agreement, AgreementKind, Target};
        use steward_core::calendar::BusinessDuration;
        use steward_core::incident::PendingReason;
        const MIN: i64 = 60_000_000;
        let t0 = self::t0();
        let at = |minutes: i64| t0 + Duration::minutes(minutes);
        let us = |minutes: i64| at(minutes).timestamp_micros();
        let cal = always_open(store).await;
        let mut sla = agreement_input(
            "Gold",
            AgreementKind::ServiceLevel,
            cal.id,
            vec![Target {
                service: None,
                priority: Priority::P1,
                response: BusinessDuration(60 * MIN),
                resolution: BusinessDuration(240 * MIN),
            }],
        );
        sla.warning_percent = Some(vec![50, 75]);
        store.insert(Agreement::create(sla, t0).unwrap(), None).await.unwrap();
        let ana = user(store, "ana@example.com", Role::Agent, None).await;
        let bo = user(store, "bo@example.com", Role::Agent, None).await;
        let team = team(store, "Desk").await;
        store.set_team_member(team.id, ana.id, true, None, t0).await.unwrap();
        store.set_team_member(team.id, bo.id, true, None, t0).await.unwrap();

        let mut new = new_incident("Mail down");
        new.impact = Some(Impact::High);
        new.urgency = Some(Urgency::High);
        new.team = Some(team.id);
        new.assignee = Some(ana.id);
        let inc = store
            .insert(
                Incident::create(new, None, &PriorityRules::default(), t0).unwrap(),
                None,
            )
            .await
            .unwrap();
        let runs = |subject: &str| {
            let subject = subject.to_string();
            async move {
                store
                    .jobs_of(&subject)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|j| (j.state, (j.run_at - us(0)) / MIN))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            runs("incident:1:sla:resolution").await,
            [
                ("pending".to_string(), 240),
                ("pending".to_string(), 120),
                ("pending".to_string(), 180)
            ],
            "keys sort 100, 50, 75"
        );

        assert_eq!(store.run_due_escalations(us(35), 100).await.unwrap(), 1);
        assert_eq!(store.run_due_escalations(us(35), 100).await.unwrap(), 0, "never twice");

        let mv = |to: &str, reason: Option<PendingReason>| IncidentTransition {
            to: to.into(),
            pending_reason: reason,
            resolution_code: None,
            resolution_notes: None,
        };
        let step = |minutes: i64, t: IncidentTransition| async move {
            store
                .update::<Incident>(
                    inc.id.0,
                    None,
                    at(minutes),
                    HistoryAction::Transition,
                    |_| true,
                    |r| r.transition(t, at(minutes)),
                )
                .await
                .unwrap();
        };
        step(40, mv("in_progress", None)).await;
        assert_eq!(
            runs("incident:1:sla:response")
                .await
                .iter()
                .map(|r| r.0.as_str())
                .collect::<Vec<_>>(),
            ["cancelled", "done", "cancelled"],
            "responding withdraws the rest"
        );
        step(60, mv("pending", Some(PendingReason::WaitingForCustomer))).await;
        assert!(
            runs("incident:1:sla:resolution")
                .await
                .iter()
                .all(|r| r.0 == "cancelled"),
            "a paused clock cannot escalate"
        );
        step(180, mv("in_progress", None)).await;
        assert_eq!(
            runs("incident:1:sla:resolution").await,
            [
                ("pending".to_string(), 360),
                ("pending".to_string(), 240),
                ("pending".to_string(), 300)
            ],
            "re-armed, moved out by the two hours paused"
        );

        // Down for hours: on return every due escalation fires once, at its own instant.
        assert_eq!(store.run_due_escalations(us(600), 100).await.unwrap(), 3);
        assert_eq!(store.run_due_escalations(us(600), 100).await.unwrap(), 0);
        let h = store
            .history(RecordKind::Incident, inc.id.0, None, 200)
            .await
            .unwrap()
            .items;
        let fired: Vec<(HistoryAction, i64)> = h
            .iter()
            .filter(|e| matches!(e.action, HistoryAction::SlaWarning | HistoryAction::SlaBreach))
            .map(|e| (e.action, (e.at - t0).num_minutes()))
            .collect();
        assert_eq!(
            fired,
            [
                (HistoryAction::SlaWarning, 30),
                (HistoryAction::SlaWarning, 240),
                (HistoryAction::SlaWarning, 300),
                (HistoryAction::SlaBreach, 360)
            ]
        );
        let told = store
            .run_notifier_to_end(
                &steward_core::mail::MailSettings::in_app_only("http://steward.test"),
                at(600),
            )
            .await
            .unwrap();
        assert_eq!(told.emails, 0, "no email without a mail server");
        let ana_notes: Vec<_> = store
            .notifications(ana.id, false, None, 50)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|n| n.kind.starts_with("sla_"))
            .collect();
        assert_eq!(ana_notes.len(), 4, "assignee and team member, once each");
        assert!(ana_notes[0].message.contains("breached"), "{}", ana_notes[0].message);
        let bo_notes = store.notifications(bo.id, true, None, 50).await.unwrap().items;
        assert_eq!(bo_notes.len(), 4, "{bo_notes:?}");
        let bo_first = store.notifications(bo.id, true, None, 1).await.unwrap().items[0].id;
        store.mark_notification_read(bo.id, bo_first, at(700)).await.unwrap();
        assert_eq!(store.notifications(bo.id, true, None, 50).await.unwrap().items.len(), 3);
        assert!(matches!(
            store.mark_notification_read(bo.id, ana_notes[0].id, at(700)).await,
            Err(Error::NotFound { .. })
        ));
        assert!(store.verify_history().await.unwrap().faults.is_empty());

        // Several runners at once: each escalation still fires exactly once.
        for n in 0..5 {
            let mut new = new_incident(&format!("burst {n}"));
            new.impact = Some(Impact::High);
            new.urgency = Some(Urgency::High);
            store
                .insert(
                    Incident::create(new, None, &PriorityRules::default(), at(1000)).unwrap(),
                    None,
                )
                .await
                .unwrap();
        }
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let s = store.clone();
            let now = us(5000);
            tasks.push(tokio::spawn(
                async move { s.run_due_escalations(now, 1000).await.unwrap() },
            ));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        assert_eq!(total, 5 * 6, "three thresholds on each of two clocks of five incidents");
        assert!(store.verify_history().await.unwrap().faults.is_empty());
    });
}

/// Escalation actions: raise the priority at a warning, hand the ticket to another team at the
/// breach; each written to history as the system's change.
#[tokio::test]
async fn escalation_actions_raise_priority_and_reassign() {
    on_each_backend!(|store, db| {
        use steward_core::agreement::{Agreement, AgreementKind, EscalationAction, Target};
        use steward_core::calendar::BusinessDuration;
        const MIN: i64 = 60_000_000;
        let t0 = self::t0();
        let cal = always_open(store).await;
        let desk = team(store, "Desk").await;
        let experts = team(store, "Experts").await;
        let target = |p: Priority, res: i64| Target {
            service: None,
            priority: p,
            response: BusinessDuration(10 * MIN),
            resolution: BusinessDuration(res * MIN),
        };
        let mut sla = agreement_input(
            "Escalating",
            AgreementKind::ServiceLevel,
            cal.id,
            vec![target(Priority::P1, 60), target(Priority::P2, 120)],
        );
        sla.warning_percent = Some(vec![50]);
        sla.actions = vec![
            EscalationAction {
                at_percent: 50,
                reassign_team: None,
                raise_priority: true,
            },
            EscalationAction {
                at_percent: 100,
                reassign_team: Some(experts.id),
                raise_priority: false,
            },
        ];
        store.insert(Agreement::create(sla, t0).unwrap(), None).await.unwrap();
        let mut new = new_incident("Printer fire");
        new.impact = Some(Impact::High);
        new.urgency = Some(Urgency::Medium);
        new.team = Some(desk.id);
        let inc = store
            .insert(
                Incident::create(new, None, &PriorityRules::default(), t0).unwrap(),
                None,
            )
            .await
            .unwrap();
        assert_eq!(inc.priority, Priority::P2);
        let us = |m: i64| (t0 + Duration::minutes(m)).timestamp_micros();
        // At 60 minutes, half the P2 resolution target: the priority rises to P1, whose 60-minute
        // target is then used up at once, so the breach fires too and hands it to the experts.
        store.run_due_escalations(us(61), 100).await.unwrap();
        let now: Incident = store.get(inc.id.0).await.unwrap().unwrap();
        assert_eq!(now.priority, Priority::P1);
        assert_eq!(now.team, Some(experts.id));
        let h = store
            .history(RecordKind::Incident, inc.id.0, None, 100)
            .await
            .unwrap()
            .items;
        assert!(
            h.iter()
                .any(|e| e.field.as_deref() == Some("priority") && e.actor.is_none())
        );
        assert!(
            h.iter().any(|e| e.field.as_deref() == Some("team")
                && e.new_value == Some(serde_json::json!(experts.id.to_string())))
        );
        assert!(h.iter().any(|e| e.action == HistoryAction::SlaBreach));
        assert!(store.verify_history().await.unwrap().faults.is_empty());
    });
}

/// A job that fails is set aside with its error, not retried in a loop at the head of the queue.
#[tokio::test]
async fn a_failing_job_is_set_aside() {
    on_each_backend!(|store, db| {
        store
            .execute_raw(
                "INSERT INTO jobs (queue, subject, job_key, payload, run_at, state, attempts, created_at, updated_at) \
                 VALUES ('sla_escalation', 'incident:1:sla:response', 'broken', 'not json', 1, 'pending', 0, 1, 1)",
            )
            .await
            .unwrap();
        incident(store, "behind it", t0()).await;
        assert_eq!(store.run_due_escalations(i64::MAX / 2, 10).await.unwrap(), 0);
        let jobs = store.jobs_of("incident:1:sla:response").await.unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!((jobs[0].state.as_str(), jobs[0].attempts), ("failed", 1));
        assert_eq!(
            store.run_due_escalations(i64::MAX / 2, 10).await.unwrap(),
            0,
            "not retried in a loop"
        );
    });
}

/// An import is replayed a few hundred tickets at a time; a round whose tickets no agreement
/// governs does not end the replay of the rounds after it.
#[tokio::test]
async fn an_import_gives_clocks_to_tickets_after_a_round_without_any() {
    on_each_backend!(|store, db| {
        use steward_store::Story;
        let desk = team(store, "Desk").await;
        // Only the desk's operational level agreement: a ticket of no team has no clock.
        let cal = always_open(store).await;
        let mut ola = agreement_input(
            "OLA",
            steward_core::agreement::AgreementKind::OperationalLevel,
            cal.id,
            vec![steward_core::agreement::Target {
                service: None,
                priority: Priority::P3,
                response: steward_core::calendar::BusinessDuration(15 * 60_000_000),
                resolution: steward_core::calendar::BusinessDuration(120 * 60_000_000),
            }],
        );
        ola.team = Some(desk.id);
        store
            .insert(steward_core::agreement::Agreement::create(ola, t0()).unwrap(), None)
            .await
            .unwrap();
        let stories: Vec<Story<Incident>> = (0..501)
            .map(|n| {
                let mut new = new_incident(&format!("imported {n}"));
                new.team = (n == 500).then_some(desk.id);
                Story::new(
                    Incident::create(new, None, &PriorityRules::default(), t0()).unwrap(),
                    None,
                )
            })
            .collect();
        let written: Vec<Incident> = store
            .import(stories)
            .await
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let ids: Vec<i64> = written.iter().map(|i| i.id.0).collect();
        let views = store
            .clock_views(RecordKind::Incident, &ids, t0().timestamp_micros())
            .await
            .unwrap();
        assert_eq!(views.len(), 1, "only the desk's ticket has clocks");
        assert_eq!(views[&ids[500]].len(), 2, "its response and resolution");
    });
}

/// Running every due escalation goes on past a round in which none fired: jobs found no longer
/// warranted are cancelled, and the ones behind them still run.
#[tokio::test]
async fn all_due_escalations_run_even_when_a_round_fires_none() {
    on_each_backend!(|store, db| {
        // 1,200 due jobs about tickets that do not exist (more than one round of 1,000).
        store
            .execute_raw(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200) \
                 INSERT INTO jobs (queue, subject, job_key, payload, run_at, state, attempts, created_at, updated_at) \
                 SELECT 'sla_escalation', 'incident:' || (100000 + i) || ':sla:response', 'gone-' || i, \
                 '{\"percent\": 100, \"agreement\": 1}', 1, 'pending', 0, 1, 1 FROM n",
            )
            .await
            .unwrap();
        assert_eq!(
            store.run_all_due_escalations(i64::MAX / 2).await.unwrap(),
            0,
            "none fired"
        );
        for i in [1, 1000, 1001, 1200] {
            let jobs = store
                .jobs_of(&format!("incident:{}:sla:response", 100_000 + i))
                .await
                .unwrap();
            assert_eq!(jobs[0].state, "cancelled", "job {i}");
        }
    });
}

/// A team's operational level clock counts only while the ticket is with that team.
#[tokio::test]
async fn operational_clocks_count_while_the_team_holds_the_ticket() {
    on_each_backend!(|store, db| {
        use steward_core::agreement::{Agreement, AgreementKind, Target};
        use steward_core::calendar::BusinessDuration;
        use steward_core::clock::ClockState;
        const MIN: i64 = 60_000_000;
        let t0 = self::t0();
        let at = |m: i64| t0 + Duration::minutes(m);
        let cal = always_open(store).await;
        let desk = team(store, "Desk").await;
        let experts = team(store, "Experts").await;
        let mut ola = agreement_input(
            "Desk OLA",
            AgreementKind::OperationalLevel,
            cal.id,
            vec![Target {
                service: None,
                priority: Priority::P3,
                response: BusinessDuration(15 * MIN),
                resolution: BusinessDuration(120 * MIN),
            }],
        );
        ola.team = Some(desk.id);
        store.insert(Agreement::create(ola, t0).unwrap(), None).await.unwrap();
        let mut new = new_incident("Handed around");
        new.team = Some(desk.id);
        let inc = store
            .insert(
                Incident::create(new, None, &PriorityRules::default(), t0).unwrap(),
                None,
            )
            .await
            .unwrap();
        let set_team = |m: i64, team| async move {
            store
                .update::<Incident>(
                    inc.id.0,
                    None,
                    at(m),
                    HistoryAction::Update,
                    |_| true,
                    |r| {
                        r.team = Some(team);
                        Ok(())
                    },
                )
                .await
                .unwrap();
        };
        set_team(30, experts.id).await;
        set_team(90, desk.id).await;
        let views = store
            .clock_views(RecordKind::Incident, &[inc.id.0], at(100).timestamp_micros())
            .await
            .unwrap();
        let resolution = views[&inc.id.0]
            .iter()
            .find(|v| v.metric == steward_core::clock::Metric::Resolution)
            .unwrap();
        assert_eq!((resolution.scope.as_str(), resolution.team), ("ola", Some(desk.id)));
        assert_eq!(resolution.state, ClockState::Running);
        assert_eq!(
            resolution.elapsed, "PT40M",
            "30 minutes, then 10 more after it came back"
        );
        let response = views[&inc.id.0]
            .iter()
            .find(|v| v.metric == steward_core::clock::Metric::Response)
            .unwrap();
        assert_eq!(
            response.state,
            ClockState::Breached,
            "nobody responded within 15 minutes of the desk's time"
        );
    });
}

#[tokio::test]
async fn indicators_count_the_records_behind_them() {
    use steward_core::change::{Change, ChangeOutcome, ChangeStatus, ChangeType};
    use steward_core::indicator::Period;
    on_each_backend!(|store, db| {
        let boss = user(store, "cab@example.com", Role::Manager, None).await;
        let period = Period {
            from: Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).single().unwrap(),
            to: Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).single().unwrap(),
        };
        let in_period = |d: i64| t0() + Duration::days(d);
        // (type, closed at, outcome, back-out plan, review, approved)
        let cases = [
            (
                ChangeType::Standard,
                Some(in_period(1)),
                ChangeOutcome::Successful,
                true,
                true,
                false,
            ),
            (
                ChangeType::Normal,
                Some(in_period(2)),
                ChangeOutcome::Failed,
                false,
                true,
                true,
            ),
            (
                ChangeType::Normal,
                Some(in_period(3)),
                ChangeOutcome::SuccessfulWithIssues,
                true,
                false,
                false,
            ),
            (
                ChangeType::Normal,
                Some(t0() - Duration::days(60)),
                ChangeOutcome::Successful,
                true,
                true,
                true,
            ),
            (ChangeType::Normal, None, ChangeOutcome::Successful, true, true, true),
        ];
        let mut ids = Vec::new();
        for (i, (kind, closed, outcome, backout, review, approved)) in cases.into_iter().enumerate() {
            let input = serde_json::from_value(serde_json::json!({"title": format!("change {i}")})).unwrap();
            let c = store.insert(Change::create(input, t0()).unwrap(), None).await.unwrap();
            store
                .update::<Change>(
                    c.id.0,
                    None,
                    t0(),
                    HistoryAction::Update,
                    |_| true,
                    |r| {
                        r.change_type = kind;
                        r.backout_plan = backout.then(|| "restore the snapshot".to_string());
                        r.review_notes = review.then(|| "went as planned".to_string());
                        if let Some(at) = closed {
                            r.status = ChangeStatus::Closed;
                            r.outcome = Some(outcome);
                            r.closed_at = Some(at);
                        }
                        Ok(())
                    },
                )
                .await
                .unwrap();
            if approved {
                store
                    .execute_raw(&format!(
                        "INSERT INTO change_approvals (change_id, approver_id, role, decision, comment, decided_at) VALUES ({}, {}, 'advisory_board', 'approved', NULL, 0)",
                        c.id.0, boss.id.0
                    ))
                    .await
                    .unwrap();
            }
            ids.push(c.id);
        }
        // Service level clocks: INC-a met its response and resolution in the period, INC-b
        // breached resolution in it, INC-c met before it.
        let cal = always_open(store).await;
        let sla = store
            .insert(
                steward_core::agreement::Agreement::create(
                    agreement_input(
                        "SLA",
                        steward_core::agreement::AgreementKind::ServiceLevel,
                        cal.id,
                        vec![steward_core::agreement::Target {
                            service: None,
                            priority: Priority::P3,
                            response: steward_core::calendar::BusinessDuration(60_000_000),
                            resolution: steward_core::calendar::BusinessDuration(600_000_000),
                        }],
                    ),
                    t0(),
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let a = incident(store, "a", t0()).await;
        let b = incident(store, "b", t0()).await;
        let c = incident(store, "c", t0()).await;
        store.execute_raw("DELETE FROM sla_clocks").await.unwrap();
        for (inc, metric, stopped, outcome) in [
            (a.id, "response", in_period(4), "met"),
            (a.id, "resolution", in_period(5), "met"),
            (b.id, "resolution", in_period(6), "breached"),
            (c.id, "resolution", t0() - Duration::days(40), "met"),
        ] {
            store
                .execute_raw(&format!(
                    "INSERT INTO sla_clocks (record_kind, record_id, scope, metric, agreement_id, target, started_at, elapsed, running_since, due_at, breached_at, stopped_at, outcome, updated_at) \
                     VALUES ('incident', {}, 'sla', '{metric}', {}, 1, 0, 0, NULL, NULL, NULL, {}, '{outcome}', 0)",
                    inc.0,
                    sla.id.0,
                    stopped.timestamp_micros()
                ))
                .await
                .unwrap();
        }

        let values = store.indicators(period, in_period(30)).await.unwrap();
        let get = |id: &str| values.iter().find(|v| v.def.id == id).unwrap();
        let counts = |id: &str| (get(id).population, get(id).passing);
        assert_eq!(counts("changes_approved"), (3, 2));
        assert_eq!(counts("changes_with_backout_plan"), (3, 2));
        assert_eq!(counts("changes_reviewed"), (3, 2));
        assert_eq!(counts("change_success_rate"), (3, 2));
        assert_eq!(counts("incidents_resolved_within_target"), (2, 1));
        assert_eq!(counts("sla_attainment"), (3, 2));
        assert_eq!(counts("requests_fulfilled_within_target"), (0, 0));
        assert_eq!(get("change_success_rate").value_percent, Some(66.67));
        assert_eq!(get("change_success_rate").met, Some(false));
        assert_eq!(get("changes_approved").latest_record_at, Some(in_period(3)));
        assert!(get("changes_approved").fresh);
        assert!(!get("requests_fulfilled_within_target").fresh);

        // The records behind a figure: the failing ones, and every clock page by page.
        let failing = store
            .indicator_records("changes_approved", period, Some(false), None, 50)
            .await
            .unwrap();
        assert_eq!(failing.items.len(), 1);
        assert_eq!(failing.items[0].reference, ids[2].to_string());
        assert!(!failing.items[0].passes);
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = store
                .indicator_records("sla_attainment", period, None, cursor.as_deref(), 1)
                .await
                .unwrap();
            seen.extend(page.items.iter().map(|r| (r.reference.clone(), r.passes)));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(
            seen,
            vec![
                (b.id.to_string(), false),
                (a.id.to_string(), true),
                (a.id.to_string(), true)
            ]
        );
        assert!(matches!(
            store.indicator_records("nonsense", period, None, None, 5).await,
            Err(Error::NotFound { .. })
        ));
    });
}

#[tokio::test]
async fn scope_assessments_documents_and_evidence_are_kept_with_history() {
    use steward_core::assessment::{Assessment, NewAssessment, ScoreInput};
    use steward_core::compliance::catalogue;
    use steward_core::document::{Document, NewDocument};
    use steward_core::evidence::{Evidence, NewEvidence};
    use steward_core::sms_scope::{NewSmsScope, SmsScope};
    on_each_backend!(|store, db| {
        let cat = catalogue().unwrap();
        let manager = user(store, "sms@example.com", Role::Manager, None).await;
        let scope_input = |services: Vec<ServiceId>| -> NewSmsScope {
            serde_json::from_value(serde_json::json!({
                "title": "SMS scope",
                "statement": "All services delivered to customers from the Leeds office.",
                "services": services,
            }))
            .unwrap()
        };
        let missing = store
            .insert(SmsScope::create(scope_input(vec![ServiceId(41)]), t0()).unwrap(), None)
            .await
            .unwrap_err();
        match missing {
            Error::Invalid(f) => assert_eq!(
                (f[0].field.as_str(), f[0].message.as_str()),
                ("services", "SVC-41 does not exist")
            ),
            e => panic!("{e}"),
        }
        let scope = store
            .insert(SmsScope::create(scope_input(vec![]), t0()).unwrap(), Some(manager.id))
            .await
            .unwrap();
        assert_eq!(store.current_scope().await.unwrap().unwrap().id, scope.id);

        let first = store
            .insert_assessment(
                Assessment::create(
                    serde_json::from_value::<NewAssessment>(
                        serde_json::json!({"title": "Baseline", "assessed_on": "2026-01-10"}),
                    )
                    .unwrap(),
                    manager.id,
                    t0(),
                )
                .unwrap(),
                manager.id,
            )
            .await
            .unwrap();
        let score = |s: i64| ScoreInput {
            score: s,
            owner: Some(manager.id),
            notes: None,
            target_date: None,
            applicable: None,
        };
        store
            .set_score(
                first.id,
                score(1).into_score(cat, "8.6.1", manager.id, t0()).unwrap(),
                manager.id,
                t0(),
            )
            .await
            .unwrap();
        store
            .set_score(
                first.id,
                score(2).into_score(cat, "8.6.1", manager.id, t0()).unwrap(),
                manager.id,
                t0(),
            )
            .await
            .unwrap();
        store
            .set_score(
                first.id,
                score(4).into_score(cat, "4.1", manager.id, t0()).unwrap(),
                manager.id,
                t0(),
            )
            .await
            .unwrap();
        let scores = store.scores(first.id).await.unwrap();
        assert_eq!(
            scores
                .iter()
                .map(|s| (s.requirement.as_str(), s.score))
                .collect::<Vec<_>>(),
            vec![("4.1", 4), ("8.6.1", 2)]
        );
        let h = store
            .history(RecordKind::Assessment, first.id.0, None, 50)
            .await
            .unwrap();
        let changes: Vec<_> = h
            .items
            .iter()
            .filter(|e| e.field.as_deref() == Some("score 8.6.1"))
            .collect();
        assert_eq!(changes.len(), 2);
        assert!(
            changes
                .iter()
                .any(|e| e.old_value.as_ref().is_some_and(|v| v["score"] == 1)
                    && e.new_value.as_ref().is_some_and(|v| v["score"] == 2))
        );

        store
            .update::<Assessment>(
                first.id.0,
                Some(manager.id),
                t0(),
                HistoryAction::Transition,
                |_| true,
                |a| a.transition(StatusTransition { to: "completed".into() }),
            )
            .await
            .unwrap();
        let refused = store
            .set_score(
                first.id,
                score(5).into_score(cat, "8.6.1", manager.id, t0()).unwrap(),
                manager.id,
                t0(),
            )
            .await
            .unwrap_err();
        assert!(matches!(refused, Error::Conflict(_)), "{refused}");

        let second = store
            .insert_assessment(
                Assessment::create(
                    serde_json::from_value::<NewAssessment>(serde_json::json!({"title": "Six months on", "assessed_on": "2026-07-10", "baseline": first.id})).unwrap(),
                    manager.id,
                    t0(),
                )
                .unwrap(),
                manager.id,
            )
            .await
            .unwrap();
        assert_eq!(
            store.scores(second.id).await.unwrap().len(),
            2,
            "the baseline's scores are the starting point"
        );
        assert_eq!(
            store.latest_assessment().await.unwrap().unwrap().id,
            first.id,
            "completed ones count first"
        );

        let doc = |identifier: &str| -> NewDocument {
            serde_json::from_value(serde_json::json!({
                "identifier": identifier, "title": "Change management policy", "document_type": "policy",
                "mandatory": "change_management_policy", "requirements": ["8.5.1.1"], "next_review": "2027-01-01"
            }))
            .unwrap()
        };
        let d = store
            .insert(
                Document::create(doc("SMS-POL-004"), manager.id, t0()).unwrap(),
                Some(manager.id),
            )
            .await
            .unwrap();
        let dup = store
            .insert(
                Document::create(doc("SMS-POL-004"), manager.id, t0()).unwrap(),
                Some(manager.id),
            )
            .await
            .unwrap_err();
        assert!(dup.to_string().contains("already in the register"), "{dup}");
        assert_eq!(
            store.register().await.unwrap().iter().map(|x| x.id).collect::<Vec<_>>(),
            vec![d.id]
        );

        let missing = store
            .insert(
                Evidence::create(
                    serde_json::from_value::<NewEvidence>(serde_json::json!({
                        "title": "CAB minutes", "requirement": "8.5.1.3", "effective_date": "2026-02-01", "records": ["CHG-999"]
                    }))
                    .unwrap(),
                    t0(),
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap_err();
        assert!(missing.to_string().contains("CHG-999 does not exist"), "{missing}");

        let held = store.held_counts().await.unwrap();
        assert!(
            held.contains(&(steward_core::document::HeldAs::ApprovedScope, 0)),
            "the scope is not approved yet"
        );
        let report = store
            .readiness(
                steward_core::indicator::Period {
                    from: t0() - Duration::days(90),
                    to: t0(),
                },
                t0(),
            )
            .await
            .unwrap();
        assert_eq!(report.assessment, Some(first.id));
        let r = report.requirements.iter().find(|r| r.clause == "8.5.1.1").unwrap();
        assert_eq!(r.documents.len(), 1);
        assert!(
            report
                .scope_warnings
                .iter()
                .any(|w| w.message.contains("no service is in scope"))
        );
        assert_eq!(
            report.requirements.iter().find(|r| r.clause == "8.6.1").unwrap().score,
            Some(2)
        );
    });
}

#[tokio::test]
async fn the_audit_cycle_keeps_its_rules_in_the_database() {
    use steward_core::action::{Action, NewAction};
    use steward_core::audit::{Audit, Finding, FindingGrade, NewAudit, NewFinding};
    use steward_core::certification::{Certificate, NewCertificate, NewProgramme, Programme};
    use steward_core::management_review::{ManagementReview, NewManagementReview};
    use steward_core::nonconformity::{Nonconformity, NonconformityPatch, NonconformityStatus, Severity};
    on_each_backend!(|store, db| {
        let lead = user(store, "lead@example.com", Role::Manager, None).await;
        let owner = user(store, "owner@example.com", Role::Manager, None).await;
        let desk = team(store, "Desk").await;
        let day = |d: i64| (t0() + Duration::days(d)).date_naive();
        let to = |s: &str| StatusTransition { to: s.into() };
        let new_audit = |teams: Vec<TeamId>| NewAudit {
            title: "Internal audit of the desk".into(),
            audit_type: steward_core::audit::AuditType::Internal,
            scope: None,
            requirements: vec!["8.6.1".into()],
            audited_teams: teams,
            lead_auditor: Some(lead.id),
            auditors: vec![],
            external_auditor: None,
            certificate: None,
            planned_start: day(0),
            planned_end: day(1),
        };

        // Nobody audits their own team.
        store.set_team_member(desk.id, lead.id, true, None, t0()).await.unwrap();
        let e = store
            .insert(Audit::create(new_audit(vec![desk.id]), t0()).unwrap(), None)
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .contains(&format!("{} is a member of {}", lead.id, desk.id)),
            "{e}"
        );
        store
            .set_team_member(desk.id, lead.id, false, None, t0())
            .await
            .unwrap();
        let audit = store
            .insert(Audit::create(new_audit(vec![desk.id]), t0()).unwrap(), None)
            .await
            .unwrap();

        // Findings only while the audit is in progress; a nonconformity grade raises one.
        let finding = |grade| {
            Finding::create(
                NewFinding {
                    audit: audit.id,
                    grade,
                    requirement: "8.6.1".into(),
                    title: "Incidents closed without the caller's agreement".into(),
                    description: None,
                    records: vec![],
                    raised_on: None,
                },
                t0(),
            )
            .unwrap()
        };
        let early = store
            .record_finding(finding(FindingGrade::Observation), None, lead.id)
            .await;
        assert!(matches!(early, Err(Error::Conflict(_))), "{early:?}");
        store
            .update::<Audit>(
                audit.id.0,
                None,
                t0(),
                HistoryAction::Transition,
                |_| true,
                |a| a.transition(to("in_progress"), day(0)),
            )
            .await
            .unwrap();
        let minor = store
            .record_finding(finding(FindingGrade::MinorNonconformity), Some(owner.id), lead.id)
            .await
            .unwrap();
        let ofi = store
            .record_finding(finding(FindingGrade::OpportunityForImprovement), None, lead.id)
            .await
            .unwrap();
        assert!(ofi.improvement.is_some() && ofi.nonconformity.is_none());
        let nc_id = minor.nonconformity.expect("a nonconformity was raised");
        let nc: Nonconformity = store.get(nc_id.0).await.unwrap().unwrap();
        assert_eq!(
            (nc.severity, nc.owner, nc.finding),
            (Severity::Minor, Some(owner.id), Some(minor.id))
        );
        assert_eq!(store.open_nonconformities().await.unwrap().len(), 1);

        // Verification waits for the corrective actions.
        let set = |patch: NonconformityPatch| async move {
            store
                .update::<Nonconformity>(
                    nc_id.0,
                    None,
                    t0(),
                    HistoryAction::Update,
                    |_| true,
                    |n| n.apply_patch(patch),
                )
                .await
        };
        let go = |s: &'static str| async move {
            store
                .update::<Nonconformity>(
                    nc_id.0,
                    None,
                    t0(),
                    HistoryAction::Transition,
                    |_| true,
                    |n| n.transition(StatusTransition { to: s.into() }, owner.id, day(3)),
                )
                .await
        };
        set(NonconformityPatch {
            correction: Some(Some("Reopened the two incidents".into())),
            root_cause: Some(Some("The close button skipped confirmation".into())),
            ..Default::default()
        })
        .await
        .unwrap();
        go("action_planned").await.unwrap();
        assert!(
            matches!(go("verification").await, Err(Error::Conflict(_))),
            "no action yet"
        );
        let action = store
            .insert(
                Action::create(
                    NewAction {
                        title: "Ask for confirmation before closing".into(),
                        description: None,
                        owner: None,
                        due_date: day(10),
                        source: Some(nc_id.to_string()),
                        step: None,
                    },
                    owner.id,
                    t0(),
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let e = go("verification").await.unwrap_err();
        assert!(e.to_string().contains("1 corrective actions"), "{e}");
        store
            .update::<Action>(
                action.id.0,
                None,
                t0(),
                HistoryAction::Transition,
                |_| true,
                |a| a.transition(to("done"), day(4)),
            )
            .await
            .unwrap();
        assert_eq!(
            go("verification").await.unwrap().status,
            NonconformityStatus::Verification
        );
        let missing = store
            .insert(
                Action::create(
                    NewAction {
                        title: "x".into(),
                        description: None,
                        owner: None,
                        due_date: day(10),
                        source: Some("NC-999".into()),
                        step: None,
                    },
                    owner.id,
                    t0(),
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap_err();
        assert!(missing.to_string().contains("NC-999 does not exist"), "{missing}");

        // A programme comes with its plan.
        let (programme, plan) = store
            .insert_programme(
                Programme::create(
                    NewProgramme {
                        name: "Certification".into(),
                        goals: None,
                        sponsor: lead.id,
                        manager: Some(owner.id),
                        board: vec![],
                        certification_body: None,
                        external_adviser: None,
                        start_date: day(0),
                        target_date: day(300),
                    },
                    owner.id,
                    t0(),
                )
                .unwrap(),
                owner.id,
            )
            .await
            .unwrap();
        assert_eq!(plan.len(), 11);
        assert_eq!(
            store
                .actions_of(RecordKind::Programme, programme.id.0)
                .await
                .unwrap()
                .len(),
            11
        );

        // Reminders: only those still ahead are armed, each sent once, none once suspended.
        let cert = store
            .insert(
                Certificate::create(
                    NewCertificate {
                        number: "ITSM 1".into(),
                        certification_body: "Example Certification Ltd".into(),
                        scope: "All services".into(),
                        issued_on: day(-340),
                        expires_on: None,
                        owner: Some(owner.id),
                    },
                    owner.id,
                    t0(),
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        // Year-one surveillance is 25 days ahead: its 90-day reminder has passed, 30 too; the 7-day
        // one and the later audits' six are armed.
        let pending = |jobs: Vec<steward_store::JobState>| jobs.into_iter().filter(|j| j.state == "pending").count();
        let subject = format!("certificate:{}", cert.id.0);
        assert_eq!(pending(store.jobs_of(&subject).await.unwrap()), 7);
        let in_20_days = (t0() + Duration::days(20)).timestamp_micros();
        assert_eq!(store.run_due_reminders(in_20_days, 50).await.unwrap(), 1);
        assert_eq!(store.run_due_reminders(in_20_days, 50).await.unwrap(), 0, "sent once");
        let mail = steward_core::mail::MailSettings::in_app_only("http://steward.test");
        store
            .run_notifier_to_end(&mail, t0() + Duration::days(20))
            .await
            .unwrap();
        let notes = store.notifications(owner.id, true, None, 10).await.unwrap();
        assert!(
            notes
                .items
                .iter()
                .any(|n| n.kind == "certification_reminder" && n.message.contains("in 7 days"))
        );
        store
            .update::<Certificate>(
                cert.id.0,
                None,
                t0(),
                HistoryAction::Transition,
                |_| true,
                |c| c.transition(to("suspended")),
            )
            .await
            .unwrap();
        assert_eq!(pending(store.jobs_of(&subject).await.unwrap()), 0);

        // A management review's input pack counts what happened in its period.
        let review = store
            .insert(
                ManagementReview::create(
                    NewManagementReview {
                        title: "Review".into(),
                        held_on: day(20),
                        period_from: day(-1),
                        period_to: day(19),
                        chair: None,
                        attendees: vec![],
                    },
                    lead.id,
                    t0(),
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let inputs = store.review_inputs(&review, t0() + Duration::days(5)).await.unwrap();
        assert_eq!(inputs.nonconformities_raised, 1);
        assert_eq!(
            (inputs.nonconformities_open_major, inputs.nonconformities_open_minor),
            (0, 1)
        );
        assert_eq!(inputs.actions_open, 11, "the programme's tasks");
        assert!(inputs.previous_review.is_none());
    });
}

#[tokio::test]
async fn search_finds_words_stems_and_prefixes() {
    use steward_core::search::{SEARCHABLE, terms};
    use steward_store::SearchQuery;
    on_each_backend!(|store, db| {
        let acme = organisation(store, "Acme").await;
        let mut printer = new_incident("Printers on the third floor are offline");
        printer.description = Some("Nobody can print since the network switch was replaced".into());
        let mut i = Incident::create(printer, None, &PriorityRules::default(), t0()).unwrap();
        i.organisation = Some(acme.id);
        let printer = store.insert(i, None).await.unwrap();
        let vpn = incident(store, "VPN drops every hour", t0()).await;
        let find = |q: &'static str, org: Option<OrganisationId>| async move {
            let t = terms(q).unwrap();
            store
                .search(&SearchQuery {
                    terms: &t,
                    kinds: SEARCHABLE,
                    organisation: org,
                    published_only: false,
                    uncleared_viewer: None,
                    match_any: false,
                    limit: 20,
                })
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.reference)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            find("printer offline", None).await,
            [printer.id.to_string()],
            "stemmed: printers"
        );
        assert_eq!(
            find("netw", None).await,
            [printer.id.to_string()],
            "the last word is a prefix"
        );
        assert_eq!(find("vpn", None).await, [vpn.id.to_string()]);
        assert!(find("printer vpn", None).await.is_empty(), "every word must match");
        assert_eq!(find("printer", Some(acme.id)).await, [printer.id.to_string()]);
        assert!(
            find("vpn", Some(acme.id)).await.is_empty(),
            "another organisation's incident"
        );
        let hits = store
            .search(&SearchQuery {
                terms: &terms("switch").unwrap(),
                kinds: SEARCHABLE,
                organisation: None,
                published_only: false,
                uncleared_viewer: None,
                match_any: false,
                limit: 5,
            })
            .await
            .unwrap();
        assert!(hits[0].snippet.contains("[switch]"), "{}", hits[0].snippet);
        // An edit re-indexes.
        store
            .update::<Incident>(
                vpn.id.0,
                None,
                t0(),
                HistoryAction::Update,
                |_| true,
                |r| {
                    r.title = "VPN fails after the printer driver update".into();
                    Ok(())
                },
            )
            .await
            .unwrap();
        assert!(find("hour", None).await.is_empty());
        let mut both = find("printer", None).await;
        both.sort();
        let mut want = vec![vpn.id.to_string(), printer.id.to_string()];
        want.sort();
        assert_eq!(both, want);
        let kinds = [RecordKind::Change];
        let t = terms("printer").unwrap();
        let none = store
            .search(&SearchQuery {
                terms: &t,
                kinds: &kinds,
                organisation: None,
                published_only: false,
                uncleared_viewer: None,
                match_any: false,
                limit: 5,
            })
            .await
            .unwrap();
        assert!(none.is_empty());
    });
}

#[tokio::test]
async fn security_incidents_are_kept_from_uncleared_viewers_in_lists_and_search() {
    use steward_core::search::{SEARCHABLE, terms};
    use steward_store::SearchQuery;
    on_each_backend!(|store, _db| {
        let caller = user(store, "cal@example.com", Role::Agent, None).await;
        let other = user(store, "oth@example.com", Role::Agent, None).await;
        let open = incident(store, "Laptop stolen from a car", t0()).await;
        let mut input = new_incident("Laptop stolen with customer data");
        input.security = Some(true);
        input.caller = Some(caller.id);
        let secret = Incident::create(input, None, &PriorityRules::default(), t0()).unwrap();
        assert_eq!(secret.priority, Priority::P2, "medium x medium on the security table");
        let secret = store.insert(secret, None).await.unwrap();
        let listed = |viewer: Option<i64>| async move {
            let q = ListQuery {
                uncleared_viewer: viewer,
                limit: 50,
                ..ListQuery::default()
            };
            let mut ids: Vec<i64> = store
                .list::<Incident>(&q)
                .await
                .unwrap()
                .items
                .iter()
                .map(|i| i.id.0)
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(
            listed(None).await,
            [open.id.0, secret.id.0],
            "a cleared viewer sees both"
        );
        assert_eq!(listed(Some(other.id.0)).await, [open.id.0]);
        assert_eq!(
            listed(Some(caller.id.0)).await,
            [open.id.0, secret.id.0],
            "the caller sees theirs"
        );
        let filtered = ListQuery {
            filters: vec![("security", true.into())],
            limit: 50,
            ..ListQuery::default()
        };
        assert_eq!(store.list::<Incident>(&filtered).await.unwrap().items.len(), 1);

        let t = terms("laptop").unwrap();
        let found = |viewer: Option<UserId>| {
            let t = &t;
            async move {
                let mut refs: Vec<String> = store
                    .search(&SearchQuery {
                        terms: t,
                        kinds: SEARCHABLE,
                        organisation: None,
                        published_only: false,
                        uncleared_viewer: viewer,
                        match_any: false,
                        limit: 20,
                    })
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|h| h.reference)
                    .collect();
                refs.sort();
                refs
            }
        };
        let mut both = vec![open.id.to_string(), secret.id.to_string()];
        both.sort();
        assert_eq!(found(None).await, both);
        assert_eq!(found(Some(other.id)).await, [open.id.to_string()]);
        assert_eq!(found(Some(caller.id)).await, both);
    });
}

#[tokio::test]
async fn concurrent_and_bulk_inserts_share_transactions_yet_keep_their_own_outcomes() {
    on_each_backend!(|store, db| {
        let desk = team(store, "Desk").await;
        agreements_24x7(store, &[(Priority::P3, 15, 120)], &[desk.id]).await;
        let make = |title: String, service: Option<ServiceId>| {
            let mut new = new_incident(&title);
            new.team = Some(desk.id);
            new.service = service;
            Incident::create(new, None, &PriorityRules::default(), t0() + Duration::seconds(1)).unwrap()
        };
        // Concurrent callers: their inserts queue behind each other's and are written together.
        let mut tasks = Vec::new();
        for n in 0..60 {
            let s = store.clone();
            let bad = (n == 17).then_some(ServiceId(999_999));
            let i = make(format!("concurrent {n}"), bad);
            tasks.push(tokio::spawn(async move { (n, s.insert(i, None).await) }));
        }
        let mut written = Vec::new();
        for t in tasks {
            let (n, result) = t.await.unwrap();
            match result {
                Ok(i) => {
                    assert_eq!(i.title, format!("concurrent {n}"));
                    written.push((i.id.0, i.title));
                }
                Err(Error::Invalid(fields)) => {
                    assert_eq!(n, 17, "only the one with a missing service fails");
                    assert_eq!(fields[0].field, "service");
                    assert!(fields[0].message.contains("SVC-999999"), "{}", fields[0].message);
                }
                Err(e) => panic!("{n}: {e}"),
            }
        }
        assert_eq!(written.len(), 59);
        // The bulk path: more than one transaction's worth, one bad record in the middle.
        let items: Vec<(Incident, Option<UserId>)> = (0..1500)
            .map(|n| {
                (
                    make(format!("bulk {n}"), (n == 700).then_some(ServiceId(999_999))),
                    None,
                )
            })
            .collect();
        let results = store.insert_many(items).await.unwrap();
        assert_eq!(results.len(), 1500);
        for (n, r) in results.into_iter().enumerate() {
            match r {
                Ok(i) => written.push((i.id.0, i.title)),
                Err(e) => assert_eq!((n, e.to_string().contains("SVC-999999")), (700, true), "{e}"),
            }
        }
        assert_eq!(written.len(), 59 + 1499);
        let mut ids: Vec<i64> = written.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), written.len(), "every record has its own id");
        // Each id is the row its caller was told about, and each ticket has its four clocks.
        for (id, title) in written.iter().step_by(37) {
            assert_eq!(&store.get::<Incident>(*id).await.unwrap().unwrap().title, title);
        }
        let views = store
            .clock_views(
                RecordKind::Incident,
                &ids,
                (t0() + Duration::minutes(5)).timestamp_micros(),
            )
            .await
            .unwrap();
        assert_eq!(views.len(), ids.len());
        assert!(
            views.values().all(|v| v.len() == 4),
            "SLA and OLA response and resolution"
        );
        for id in ids.iter().step_by(97) {
            let ola = format!("ola-{}", desk.id.0);
            for (scope, metric) in [("sla", "response"), ("sla", "resolution"), (ola.as_str(), "response")] {
                let jobs = store.jobs_of(&format!("incident:{id}:{scope}:{metric}")).await.unwrap();
                assert!(
                    jobs.iter().any(|j| j.state == "pending"),
                    "INC-{id} {scope} {metric}: its escalations are armed"
                );
            }
        }
        let r = store.verify_history().await.unwrap();
        assert!(r.faults.is_empty(), "{:?}", r.faults);
    });
}

#[tokio::test]
async fn an_imported_story_ends_as_the_same_writes_made_one_by_one() {
    on_each_backend!(|store, db| {
        use steward_core::incident::PendingReason;
        use steward_store::Story;
        let at = |m: i64| t0() + Duration::minutes(m);
        let desk = team(store, "Desk").await;
        let experts = team(store, "Experts").await;
        let agent = user(store, "agent@example.com", Role::Agent, None).await;
        agreements_24x7(store, &[(Priority::P3, 15, 120)], &[desk.id, experts.id]).await;
        let transition = |to: &str, pending: Option<PendingReason>, code: Option<ResolutionCode>| IncidentTransition {
            to: to.into(),
            pending_reason: pending,
            resolution_code: code,
            resolution_notes: code.map(|_| "fixed".into()),
        };
        // Every change: (minute, what it does).
        type Change = Box<dyn Fn(&mut Incident, DateTime<Utc>) -> steward_core::Result<()>>;
        let changes: Vec<(i64, Change)> = vec![
            (
                10,
                Box::new(move |i, t| {
                    i.assignee = Some(agent.id);
                    i.transition(transition("in_progress", None, None), t)
                }),
            ),
            (
                30,
                Box::new(move |i, t| {
                    i.transition(transition("pending", Some(PendingReason::WaitingForCustomer), None), t)
                }),
            ),
            (
                90,
                Box::new(move |i, t| i.transition(transition("in_progress", None, None), t)),
            ),
            (
                100,
                Box::new(move |i, _| {
                    i.team = Some(experts.id);
                    Ok(())
                }),
            ),
            (
                170,
                Box::new(move |i, t| i.transition(transition("resolved", None, Some(ResolutionCode::Fixed)), t)),
            ),
        ];
        let fresh = || {
            let mut new = new_incident("The printer is on fire");
            new.team = Some(desk.id);
            Incident::create(new, None, &PriorityRules::default(), t0()).unwrap()
        };
        // One by one, as the API would write them.
        let one = store.insert(fresh(), Some(agent.id)).await.unwrap();
        for (m, change) in &changes {
            store
                .update::<Incident>(
                    one.id.0,
                    Some(agent.id),
                    at(*m),
                    HistoryAction::Transition,
                    |_| true,
                    |i| change(i, at(*m)),
                )
                .await
                .unwrap();
        }
        // The same as a story, imported with another that refers to a missing service.
        let mut story = Story::new(fresh(), Some(agent.id));
        for (m, change) in &changes {
            story
                .step(Some(agent.id), at(*m), HistoryAction::Transition, |i| change(i, at(*m)))
                .unwrap();
        }
        let mut broken = fresh();
        broken.service = Some(ServiceId(999_999));
        let results = store.import(vec![story, Story::new(broken, None)]).await.unwrap();
        assert!(matches!(&results[1], Err(Error::Invalid(f)) if f[0].field == "service"));
        let two = results.into_iter().next().unwrap().unwrap();
        let one: Incident = store.get(one.id.0).await.unwrap().unwrap();
        assert_ne!(one.id, two.id);
        let mut same = two.clone();
        same.id = one.id;
        assert_eq!(same, one, "the same ticket in the end");
        assert_eq!(store.get::<Incident>(two.id.0).await.unwrap().unwrap(), two);
        let entries = |id: i64| async move {
            store
                .history(RecordKind::Incident, id, None, 500)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|e| (e.actor, e.at, e.action, e.field, e.old_value, e.new_value))
                .collect::<Vec<_>>()
        };
        let (h1, mut h2) = (entries(one.id.0).await, entries(two.id.0).await);
        // The creation snapshot names the record's own id.
        h2[0].5 = h1[0].5.clone();
        assert_eq!(
            h1.iter().filter(|e| e.2 == HistoryAction::Transition).count(),
            11,
            "{h1:#?}"
        );
        assert_eq!(h1, h2, "the same history");
        let views = store
            .clock_views(RecordKind::Incident, &[one.id.0, two.id.0], at(240).timestamp_micros())
            .await
            .unwrap();
        assert_eq!(views[&one.id.0].len(), 6, "SLA, the desk's OLA and the experts' OLA");
        assert_eq!(views[&one.id.0], views[&two.id.0], "the same clocks");
        for scope in [
            "sla".to_string(),
            format!("ola-{}", desk.id.0),
            format!("ola-{}", experts.id.0),
        ] {
            for metric in ["response", "resolution"] {
                let jobs = |id: i64| {
                    let subject = format!("incident:{id}:{scope}:{metric}");
                    async move {
                        store
                            .jobs_of(&subject)
                            .await
                            .unwrap()
                            .into_iter()
                            .filter(|j| j.state != "cancelled")
                            .map(|j| (j.state, j.run_at))
                            .collect::<Vec<_>>()
                    }
                };
                assert_eq!(
                    jobs(one.id.0).await,
                    jobs(two.id.0).await,
                    "{scope} {metric}: the same escalations to fire (an import leaves no cancelled ones behind)"
                );
            }
        }
        let r = store.verify_history().await.unwrap();
        assert!(r.faults.is_empty(), "{:?}", r.faults);
    });
}

#[tokio::test]
async fn queues_sort_by_the_first_running_clock_due() {
    on_each_backend!(|store, db| {
        use steward_core::incident::PendingReason;
        let at = |m: i64| t0() + Duration::minutes(m);
        let desk = team(store, "Desk").await;
        agreements_24x7(
            store,
            &[(Priority::P2, 10, 60), (Priority::P3, 30, 240), (Priority::P4, 60, 480)],
            &[],
        )
        .await;
        let mut ids = Vec::new();
        for (n, (impact, urgency)) in [
            (Impact::Low, Urgency::Low),
            (Impact::High, Urgency::Medium),
            (Impact::Medium, Urgency::Medium),
            (Impact::Low, Urgency::Medium),
            (Impact::High, Urgency::High),
            (Impact::Medium, Urgency::Low),
        ]
        .into_iter()
        .enumerate()
        {
            let mut new = new_incident(&format!("ticket {n}"));
            (new.impact, new.urgency, new.team) = (Some(impact), Some(urgency), Some(desk.id));
            let opened = at(n as i64 * 7);
            let i = Incident::create(new, None, &PriorityRules::default(), opened).unwrap();
            ids.push(store.insert(i, None).await.unwrap().id.0);
        }
        let transition = |id: i64, m: i64, to: &'static str, pending: Option<PendingReason>| async move {
            store
                .update::<Incident>(
                    id,
                    None,
                    at(m),
                    HistoryAction::Transition,
                    |_| true,
                    |i| {
                        i.transition(
                            IncidentTransition {
                                to: to.into(),
                                pending_reason: pending,
                                resolution_code: (to == "resolved").then_some(ResolutionCode::Fixed),
                                resolution_notes: (to == "resolved").then(|| "done".into()),
                            },
                            at(m),
                        )
                    },
                )
                .await
                .unwrap();
        };
        transition(ids[1], 50, "in_progress", None).await;
        transition(ids[2], 51, "in_progress", None).await;
        transition(ids[2], 52, "pending", Some(PendingReason::WaitingForCustomer)).await;
        transition(ids[4], 53, "in_progress", None).await;
        transition(ids[4], 54, "resolved", None).await;
        // What the clocks say: the earliest due instant of a running clock, none last.
        let views = store
            .clock_views(RecordKind::Incident, &ids, at(60).timestamp_micros())
            .await
            .unwrap();
        let due = |id: &i64| {
            views
                .get(id)
                .into_iter()
                .flatten()
                .filter_map(|v| v.due_at)
                .min()
                .map_or(i64::MAX, |d| d.timestamp_micros())
        };
        let mut expected = ids.clone();
        expected.sort_by_key(|id| (due(id), *id));
        assert_ne!(expected, ids, "the order is not simply the order of creation");
        assert_eq!(due(&ids[4]), i64::MAX, "a resolved ticket has no running clock");
        // The queue, two at a time through the cursor, ascending and descending.
        for descending in [false, true] {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = store
                    .list::<Incident>(&ListQuery {
                        filters: vec![("team_id", Arg::from(desk.id.0))],
                        sort: Sort {
                            column: "sla_due_at",
                            descending,
                        },
                        cursor: cursor.take(),
                        limit: 2,
                        ..Default::default()
                    })
                    .await
                    .unwrap();
                seen.extend(page.items.iter().map(|i| i.id.0));
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            let mut want = expected.clone();
            if descending {
                want.reverse();
            }
            assert_eq!(seen, want, "descending: {descending}");
        }
        let in_progress = store
            .list::<Incident>(&ListQuery {
                filters: vec![("team_id", Arg::from(desk.id.0)), ("status", Arg::from("in_progress"))],
                sort: Sort {
                    column: "sla_due_at",
                    descending: false,
                },
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            in_progress.items.iter().map(|i| i.id.0).collect::<Vec<_>>(),
            vec![ids[1]]
        );
    });
}

/// The notifier tells each entry of the history once, to the people around the record, as their
/// preferences say: in the app, by email at once (with the thread's headers and the template's
/// words) or in the daily digest; a customer never hears of a work note. The outbox then sends,
/// retries with back-off, and sets aside a refused message as a dead letter.
#[tokio::test]
async fn notifications_follow_the_history_and_mail_goes_through_the_outbox() {
    on_each_backend!(|store, db| {
        use steward_core::comment::Visibility;
        use steward_core::mail::{MailSettings, MailState};
        use steward_core::notification::{EmailDelivery, Event, Preference, TemplateName};
        use steward_store::SendOutcome;
        let at = |minutes: i64| t0() + Duration::minutes(minutes);
        let mail = MailSettings {
            enabled: true,
            domain: "steward.test".into(),
            public_url: "https://steward.test".into(),
            digest_hour: 7,
        };
        // What happened before is not told.
        incident(store, "before", t0()).await;
        store.skip_notifications_to_now().await.unwrap();

        let org = organisation(store, "Northwind").await;
        let sam = user(store, "sam@northwind.example", Role::Requester, Some(org.id)).await;
        let ana = user(store, "ana@it.example", Role::Agent, None).await;
        let bo = user(store, "bo@it.example", Role::Agent, None).await;
        let max = user(store, "max@it.example", Role::Manager, None).await;
        let desk = team(store, "Desk").await;
        store.set_team_member(desk.id, ana.id, true, None, t0()).await.unwrap();
        store.set_team_member(desk.id, bo.id, true, None, t0()).await.unwrap();
        let digest = Preference {
            event: Event::Assignment,
            in_app: true,
            email: EmailDelivery::Digest,
            chosen: true,
        };
        store
            .set_notification_preferences(bo.id, &[digest], t0())
            .await
            .unwrap();
        let quiet = Preference {
            event: Event::CustomerReply,
            in_app: false,
            email: EmailDelivery::Off,
            chosen: true,
        };
        store
            .set_notification_preferences(max.id, &[quiet], t0())
            .await
            .unwrap();
        store
            .set_notification_template(
                TemplateName::Reply,
                "Re: [{reference}] {title}",
                "{text}\n-- {actor}",
                max.id,
                t0(),
            )
            .await
            .unwrap();

        let mut new = new_incident("Printer jams");
        new.caller = Some(sam.id);
        new.team = Some(desk.id);
        let inc = Incident::create(new, Some(org.id), &PriorityRules::default(), at(1)).unwrap();
        let inc = store.insert(inc, Some(sam.id)).await.unwrap();
        let reference = inc.id.to_string();
        let k = RecordKind::Incident;
        let told = store.run_notifier_to_end(&mail, at(1)).await.unwrap();
        assert_eq!(
            (told.notifications, told.emails),
            (3, 2),
            "{told:?}: sam opened, ana and bo by team"
        );
        assert_eq!(
            store.run_notifier_to_end(&mail, at(1)).await.unwrap().entries,
            0,
            "told once"
        );

        assert!(store.add_watcher(k, inc.id.0, max.id, max.id, at(2)).await.unwrap());
        assert!(
            !store.add_watcher(k, inc.id.0, max.id, max.id, at(2)).await.unwrap(),
            "watching twice is watching"
        );
        assert_eq!(store.watchers(k, inc.id.0).await.unwrap()[0].user, max.id);
        store
            .update::<Incident>(
                inc.id.0,
                Some(bo.id),
                at(3),
                HistoryAction::Update,
                |_| true,
                |r| {
                    r.assignee = Some(ana.id);
                    Ok(())
                },
            )
            .await
            .unwrap();
        store
            .add_comment(k, inc.id.0, sam.id, at(4), Visibility::Public, "Still jams")
            .await
            .unwrap();
        store
            .add_comment(k, inc.id.0, ana.id, at(5), Visibility::Internal, "Roller worn")
            .await
            .unwrap();
        store
            .add_comment(
                k,
                inc.id.0,
                ana.id,
                at(6),
                Visibility::Public,
                "A new roller is on its way",
            )
            .await
            .unwrap();
        store.run_notifier_to_end(&mail, at(6)).await.unwrap();

        let kinds = |u: UserId| async move {
            let mut v: Vec<String> = store
                .notifications(u, false, None, 50)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|n| n.kind)
                .collect();
            v.reverse();
            v
        };
        assert_eq!(kinds(sam.id).await, ["opened", "reply"], "never the work note");
        assert_eq!(kinds(ana.id).await, ["assignment", "assignment", "customer_reply"]);
        assert_eq!(
            kinds(bo.id).await,
            ["assignment"],
            "the team hears while nobody is named"
        );
        assert_eq!(
            kinds(max.id).await,
            ["comment", "comment"],
            "a watcher; customer replies turned off"
        );

        let pending = store.outbox(MailState::Pending, None, 50).await.unwrap().items;
        let to: Vec<(String, String)> = pending
            .iter()
            .rev()
            .map(|m| (m.recipient.clone(), m.event.clone()))
            .collect();
        assert_eq!(
            to,
            [
                ("sam@northwind.example".to_string(), "opened".to_string()),
                ("ana@it.example".into(), "assignment".into()),
                ("ana@it.example".into(), "assignment".into()),
                ("ana@it.example".into(), "customer_reply".into()),
                ("sam@northwind.example".into(), "reply".into()),
            ],
            "bo's assignment waits for the digest; comments go to max's digest"
        );
        let reply = &pending[0];
        assert_eq!(reply.subject, format!("Re: [{reference}] Printer jams"));
        assert_eq!(reply.body, "A new roller is on its way\n-- ana");
        assert_eq!(reply.record.as_deref(), Some(reference.as_str()));
        let opened = pending.last().unwrap();
        assert!(
            opened
                .body
                .contains(&format!("https://steward.test/incidents/{reference}")),
            "{}",
            opened.body
        );
        let ids: std::collections::BTreeSet<&str> = pending.iter().map(|m| m.message_id.as_str()).collect();
        assert_eq!(ids.len(), pending.len(), "every message its own Message-ID");

        // The digest: bo's assignment and max's comments, once, after the digest hour.
        assert_eq!(
            store.run_digests(&mail, at(60)).await.unwrap(),
            0,
            "not before 07:00 the next day"
        );
        let next_morning = Utc.with_ymd_and_hms(2026, 3, 3, 7, 30, 0).single().unwrap();
        assert_eq!(store.run_digests(&mail, next_morning).await.unwrap(), 2);
        assert_eq!(store.run_digests(&mail, next_morning).await.unwrap(), 0, "once");
        let digests: Vec<_> = store
            .outbox(MailState::Pending, None, 50)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|m| m.event == "digest")
            .collect();
        let max_digest = digests.iter().find(|m| m.recipient == "max@it.example").unwrap();
        assert_eq!(max_digest.subject, "Steward: 2 notices");
        assert!(max_digest.body.contains("added a work note"), "{}", max_digest.body);

        // Sending: claimed with a lease, then sent, retried later, or set aside.
        let claimed = store.claim_mail(next_morning, Duration::minutes(5), 100).await.unwrap();
        assert_eq!(claimed.len(), 7);
        let thread = format!("<steward.{reference}@steward.test>");
        assert!(
            claimed
                .iter()
                .filter(|c| c.message.record.is_some())
                .all(|c| c.in_reply_to.as_deref() == Some(thread.as_str()))
        );
        assert!(
            store
                .claim_mail(next_morning, Duration::minutes(5), 100)
                .await
                .unwrap()
                .is_empty(),
            "leased"
        );
        let (a, b, c) = (&claimed[0].message, &claimed[1].message, &claimed[2].message);
        store
            .finish_mail(a.id, a.attempts, &SendOutcome::Sent, next_morning)
            .await
            .unwrap();
        store
            .finish_mail(
                b.id,
                b.attempts,
                &SendOutcome::Failed("connection refused".into()),
                next_morning,
            )
            .await
            .unwrap();
        store
            .finish_mail(
                c.id,
                c.attempts,
                &SendOutcome::Refused("550 no such user".into()),
                next_morning,
            )
            .await
            .unwrap();
        let later = next_morning + Duration::seconds(61);
        let again = store.claim_mail(later, Duration::minutes(5), 100).await.unwrap();
        assert_eq!(
            again.iter().map(|m| m.message.id).collect::<Vec<_>>(),
            [b.id],
            "back off a minute"
        );
        assert_eq!(again[0].message.attempts, 2);
        let dead = store.outbox(MailState::Dead, None, 50).await.unwrap().items;
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].last_error.as_deref(), Some("550 no such user"));
        assert!(
            matches!(store.retry_mail(a.id, later).await, Err(Error::Conflict(_))),
            "only a dead letter"
        );
        assert_eq!(store.retry_mail(c.id, later).await.unwrap().state, MailState::Pending);
        // After its lease, a message whose sender died is due again.
        let after_lease = next_morning + Duration::minutes(6);
        let due: Vec<i64> = store
            .claim_mail(after_lease, Duration::minutes(5), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.message.id)
            .collect();
        assert!(
            due.contains(&c.id) && due.contains(&claimed[3].message.id) && !due.contains(&a.id),
            "{due:?}"
        );

        assert!(store.remove_watcher(k, inc.id.0, max.id).await.unwrap());
        assert!(store.watchers(k, inc.id.0).await.unwrap().is_empty());
        assert!(store.verify_history().await.unwrap().faults.is_empty());
    });
}

/// Inbound mail: a message is kept once by its Message-ID, decided on once (a second decision
/// on the same message is refused, whatever it would have been), and what a comment or a new
/// record from it writes is in one transaction with its new state. Held messages can be
/// discarded or put back, never both; rules name only what exists.
#[tokio::test]
async fn inbound_mail_is_kept_once_and_decided_once() {
    on_each_backend!(|store, db| {
        use steward_core::comment::Visibility;
        use steward_core::inbound::{InboundState, NewMailRule, UnknownSender};
        use steward_store::{MailFile, MailReply, NewInboundMail};
        let at = |minutes: i64| t0() + Duration::minutes(minutes);
        let receive = |id: &'static str, sender: &'static str, minutes: i64| async move {
            store
                .receive_mail(NewInboundMail {
                    message_id: id,
                    sender,
                    subject: "Printer\u{7} jammed",
                    raw: b"From: x\r\n\r\nbody",
                    at: at(minutes),
                })
                .await
                .unwrap()
        };
        let (first, state, new) = receive("<m1@x>", "Sam@Northwind.example", 0).await;
        assert_eq!((state, new), (InboundState::Received, true));
        let (again, state, new) = receive("<m1@x>", "sam@northwind.example", 1).await;
        assert_eq!((again, state, new), (first, InboundState::Received, false));
        let kept = store.get_inbound_mail(first).await.unwrap().unwrap();
        assert_eq!(
            (kept.sender.as_str(), kept.subject.as_str()),
            ("sam@northwind.example", "Printer jammed")
        );
        assert_eq!(store.inbound_raw(first).await.unwrap().unwrap(), b"From: x\r\n\r\nbody");

        // Left undecided: found once it is old enough to be abandoned.
        assert!(store.undecided_mail(at(0), 10).await.unwrap().is_empty());
        assert_eq!(store.undecided_mail(at(1), 10).await.unwrap(), [first]);

        // Placed as a comment with a file, in one go; a second placement is refused.
        let inc = incident(store, "printer", t0()).await;
        let org = organisation(store, "Northwind").await;
        let sam = user(store, "sam@northwind.example", Role::Requester, Some(org.id)).await;
        let files = [MailFile {
            name: "jam.txt".into(),
            content_type: "text/plain".into(),
            bytes: b"paper jam in tray 2".to_vec(),
        }];
        let placed = store
            .comment_from_mail(
                first,
                RecordKind::Incident,
                inc.id.0,
                sam.id,
                at(2),
                Visibility::Public,
                "Still jammed.",
                &files,
            )
            .await
            .unwrap();
        assert_eq!(placed.as_deref(), Some(format!("INC-{}", inc.id.0).as_str()));
        let again = store
            .comment_from_mail(
                first,
                RecordKind::Incident,
                inc.id.0,
                sam.id,
                at(3),
                Visibility::Public,
                "twice",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(again, None);
        let comments = store
            .comments_seen_by(RecordKind::Incident, inc.id.0, None, 10, false)
            .await
            .unwrap();
        assert_eq!(
            comments.items.iter().map(|c| c.body.as_str()).collect::<Vec<_>>(),
            ["Still jammed."]
        );
        assert_eq!(
            store
                .attachments_seen_by(RecordKind::Incident, inc.id.0, false)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            !store
                .keep_mail(first, InboundState::Held, "late", None, at(3))
                .await
                .unwrap()
        );
        let m = store.get_inbound_mail(first).await.unwrap().unwrap();
        assert_eq!(
            (m.state, m.record.clone()),
            (InboundState::Placed, Some(format!("INC-{}", inc.id.0)))
        );

        // Opened as a new record by a requester made for the sender, in one go.
        let (second, _, _) = receive("<m2@x>", "new@northwind.example", 4).await;
        let newcomer = User::create(
            &NewUser {
                email: "new@northwind.example".into(),
                name: None,
                role: Role::Requester,
                organisation: Some(org.id),
                password: None,
                security_cleared: None,
            },
            at(4),
        )
        .unwrap();
        let record = Incident::create(
            new_incident("from mail"),
            Some(org.id),
            &PriorityRules::default(),
            at(4),
        )
        .unwrap();
        let opened = store
            .open_from_mail(
                second,
                at(4),
                record,
                None,
                Some(newcomer),
                |i, u| i.caller = Some(u),
                &[],
            )
            .await
            .unwrap()
            .unwrap();
        let id: i64 = opened.trim_start_matches("INC-").parse().unwrap();
        let made = store.user_by_email("new@northwind.example").await.unwrap().unwrap();
        let opened_incident = store.get::<Incident>(id).await.unwrap().unwrap();
        assert_eq!(opened_incident.caller, Some(made.id));

        // Refused with a reply, which is queued once.
        let (third, _, _) = receive("<m3@x>", "joe@spam.example", 5).await;
        let reply = || MailReply {
            recipient: "joe@spam.example".into(),
            subject: "Not accepted: Printer".into(),
            body: "no".into(),
            message_id: "<steward.rejection.m3@steward.test>".into(),
            in_reply_to: "<m3@x>".into(),
        };
        assert!(
            store
                .keep_mail(third, InboundState::Rejected, "unknown", Some(reply()), at(5))
                .await
                .unwrap()
        );
        assert!(
            !store
                .keep_mail(third, InboundState::Rejected, "unknown", Some(reply()), at(5))
                .await
                .unwrap()
        );
        let queued = store
            .outbox(steward_core::mail::MailState::Pending, None, 10)
            .await
            .unwrap()
            .items;
        assert_eq!(queued.iter().filter(|m| m.recipient == "joe@spam.example").count(), 1);

        // Held: discarded or put back, and only from held.
        let (fourth, _, _) = receive("<m4@x>", "joe@spam.example", 6).await;
        assert!(
            store
                .keep_mail(fourth, InboundState::Held, "no rule", None, at(6))
                .await
                .unwrap()
        );
        let back = store.reconsider_mail(fourth).await.unwrap();
        assert_eq!(back.state, InboundState::Received);
        // Put back: due at once, however new.
        assert_eq!(store.undecided_mail(at(0), 10).await.unwrap(), [fourth]);
        assert!(matches!(
            store.discard_mail(fourth, at(7)).await,
            Err(steward_core::Error::Conflict(_))
        ));
        assert!(
            store
                .keep_mail(fourth, InboundState::Held, "still no rule", None, at(7))
                .await
                .unwrap()
        );
        assert_eq!(
            store.discard_mail(fourth, at(8)).await.unwrap().state,
            InboundState::Discarded
        );
        assert!(matches!(
            store.reconsider_mail(fourth).await,
            Err(steward_core::Error::Conflict(_))
        ));
        assert!(matches!(
            store.discard_mail(999_999, at(8)).await,
            Err(steward_core::Error::NotFound { .. })
        ));

        // Counted per sender within the hour before a message; listed newest first, by state.
        assert_eq!(
            store.mail_from_sender("JOE@spam.example", fourth, at(6)).await.unwrap(),
            1
        );
        assert_eq!(
            store
                .mail_from_sender("joe@spam.example", fourth, at(70))
                .await
                .unwrap(),
            0
        );
        let all = store.inbound_mail(None, None, 2).await.unwrap();
        assert_eq!(all.items.iter().map(|m| m.id).collect::<Vec<_>>(), [fourth, third]);
        let rest = store.inbound_mail(None, all.next_cursor.as_deref(), 10).await.unwrap();
        assert_eq!(rest.items.iter().map(|m| m.id).collect::<Vec<_>>(), [second, first]);
        let discarded = store
            .inbound_mail(Some(InboundState::Discarded), None, 10)
            .await
            .unwrap();
        assert_eq!(discarded.items.len(), 1);

        // Rules: checked references, kept in order, removed by id.
        let rule = |organisation| NewMailRule {
            recipient: None,
            sender_domain: Some("northwind.example".into()),
            opens: None,
            service: None,
            catalogue_item: None,
            team: None,
            organisation,
            unknown_sender: Some(UnknownSender::Create),
        };
        let missing = store
            .add_mail_rule(rule(Some(OrganisationId(999_999))).check(t0()).unwrap())
            .await;
        assert!(matches!(missing, Err(steward_core::Error::Invalid(f)) if f[0].field == "organisation"));
        let saved = store
            .add_mail_rule(rule(Some(org.id)).check(t0()).unwrap())
            .await
            .unwrap();
        assert_eq!(store.mail_rules().await.unwrap(), std::slice::from_ref(&saved));
        store.delete_mail_rule(saved.id).await.unwrap();
        assert!(matches!(
            store.delete_mail_rule(saved.id).await,
            Err(steward_core::Error::NotFound { .. })
        ));
    });
}

/// Outages and the availability report: an outage is written with its history and read back
/// whole; the report counts each service's unplanned unavailability once however outages
/// overlap, clips it to the period, sets planned maintenance apart, and names every service with
/// a target even without an outage.
#[tokio::test]
async fn outages_give_each_service_its_availability() {
    use steward_core::outage::{NewOutage, Outage, OutageStatus, OutageTransition};
    on_each_backend!(|store, db| {
        let at = |hours: i64| t0() + Duration::hours(hours);
        let service = |code: &str, target: Option<f64>| {
            Service::create(
                NewService {
                    code: code.into(),
                    name: format!("{code} service"),
                    description: None,
                    status: None,
                    criticality: None,
                    owner: None,
                    team: None,
                    availability_target: target,
                },
                t0(),
            )
            .unwrap()
        };
        let mail = store.insert(service("MAIL", Some(99.5)), None).await.unwrap();
        let vpn = store.insert(service("VPN", Some(99.995)), None).await.unwrap();
        let wiki = store.insert(service("WIKI", None), None).await.unwrap();
        assert_eq!(
            store
                .get::<Service>(vpn.id.0)
                .await
                .unwrap()
                .unwrap()
                .availability_target,
            Some(99.995)
        );
        let inc = incident(store, "mail down", at(10)).await;
        let outage = |svc: ServiceId, from: i64, to: Option<i64>, planned: bool| NewOutage {
            service: svc,
            title: "down".into(),
            planned: Some(planned),
            started_at: at(from),
            ended_at: to.map(at),
            incident: None,
            configuration_items: None,
            cause: None,
            problem: None,
        };
        let now = at(1000);
        let mut first = outage(mail.id, 10, Some(12), false);
        first.incident = Some(inc.id);
        let first = store.insert(Outage::create(first, now).unwrap(), None).await.unwrap();
        let read = store.get::<Outage>(first.id.0).await.unwrap().unwrap();
        assert_eq!(read, first);
        assert_eq!(read.incident, Some(inc.id));
        // Overlapping: counted once. Before the period: clipped. Planned: apart.
        store
            .insert(Outage::create(outage(mail.id, 11, Some(13), false), now).unwrap(), None)
            .await
            .unwrap();
        store
            .insert(Outage::create(outage(mail.id, -2, Some(1), false), now).unwrap(), None)
            .await
            .unwrap();
        store
            .insert(Outage::create(outage(mail.id, 50, Some(54), true), now).unwrap(), None)
            .await
            .unwrap();
        // Ongoing at the end of the period: down until the period ends.
        store
            .insert(Outage::create(outage(wiki.id, 99, None, false), now).unwrap(), None)
            .await
            .unwrap();
        // A missing service is named.
        let missing = store
            .insert(
                Outage::create(outage(ServiceId(999_999), 1, Some(2), false), now).unwrap(),
                None,
            )
            .await;
        assert!(
            matches!(&missing, Err(Error::Invalid(f)) if f[0].field == "service"),
            "{missing:?}"
        );

        let report = store.availability(at(0), at(100), now).await.unwrap();
        let names: Vec<&str> = report.iter().map(|a| a.service_name.as_str()).collect();
        assert_eq!(names, ["MAIL service", "VPN service", "WIKI service"]);
        let m = &report[0];
        assert_eq!(m.downtime_seconds, 4 * 3600, "{m:?}");
        assert_eq!(m.planned_seconds, 4 * 3600);
        assert_eq!(m.availability_percent, 96.0);
        assert_eq!((m.met, m.failures, m.unreviewed), (Some(false), 2, 2));
        assert_eq!(m.mtrs_seconds, Some(2 * 3600));
        assert_eq!(report[1].availability_percent, 100.0);
        assert_eq!(report[1].met, Some(true));
        assert_eq!((report[2].downtime_seconds, report[2].met), (3600, None));
        assert!(store.availability(at(5), at(5), now).await.is_err());

        // Reviewed once the cause is found, in the history.
        let reviewed = store
            .update::<Outage>(
                first.id.0,
                None,
                now,
                steward_core::history::HistoryAction::Transition,
                |_| true,
                |o| {
                    o.cause = "The relay's disk filled up.".into();
                    o.transition(
                        OutageTransition {
                            to: "reviewed".into(),
                            at: None,
                        },
                        now,
                    )
                },
            )
            .await
            .unwrap();
        assert_eq!(reviewed.status, OutageStatus::Reviewed);
        let report = store.availability(at(0), at(100), now).await.unwrap();
        assert_eq!(report[0].unreviewed, 1);
        let history = store.history(RecordKind::Outage, first.id.0, None, 50).await.unwrap();
        assert!(history.items.len() >= 2, "{:?}", history.items);
        let q = ListQuery {
            filters: vec![("service_id", mail.id.0.into()), ("planned", false.into())],
            limit: 10,
            ..Default::default()
        };
        assert_eq!(store.list::<Outage>(&q).await.unwrap().items.len(), 3);
    });
}

/// Suppliers, contracts and disputes are kept with their history; an underpinning contract's
/// clock counts only while a ticket is with its supplier; the supplier report reads its clocks,
/// open tickets, contracts due a review and open disputes; a second supplier of the same name is
/// a conflict.
#[tokio::test]
async fn suppliers_run_their_clocks_and_report_their_performance() {
    on_each_backend!(|store, db| {
        use steward_core::agreement::{Agreement, AgreementKind, Target};
        use steward_core::calendar::BusinessDuration;
        use steward_core::clock::ClockState;
        use steward_core::contract::{Contract, ContractReview, NewContract};
        use steward_core::dispute::{Dispute, DisputeTransition, NewDispute};
        use steward_core::supplier::{NewSupplier, Supplier, SupplierKind};
        const MIN: i64 = 60_000_000;
        let t0 = self::t0();
        let at = |m: i64| t0 + Duration::minutes(m);
        let owner = user(store, "owner@it.example", Role::Manager, None).await;
        let input = |name: &str| NewSupplier {
            name: name.into(),
            kind: SupplierKind::External,
            owner: owner.id,
            team: None,
            organisation: None,
            contact: None,
            description: None,
            services: vec![],
            configuration_items: vec![],
            processes: vec!["8.6.1".into()],
            review_date: None,
        };
        let hosting = store
            .insert(Supplier::create(input("Hosting Co"), t0).unwrap(), None)
            .await
            .unwrap();
        let again = store
            .insert(Supplier::create(input("Hosting Co"), t0).unwrap(), None)
            .await;
        assert!(
            matches!(&again, Err(Error::Conflict(m)) if m.contains("supplier with this name")),
            "{again:?}"
        );
        let cal = always_open(store).await;
        let mut uc = agreement_input(
            "Hosting UC",
            AgreementKind::UnderpinningContract,
            cal.id,
            vec![Target {
                service: None,
                priority: Priority::P3,
                response: BusinessDuration(30 * MIN),
                resolution: BusinessDuration(60 * MIN),
            }],
        );
        uc.supplier = Some(hosting.id);
        uc.pause_on = Some(vec![]);
        let uc = store.insert(Agreement::create(uc, t0).unwrap(), None).await.unwrap();
        assert_eq!(uc.supplier, Some(hosting.id));

        let inc = store
            .insert(
                Incident::create(new_incident("Site down"), None, &PriorityRules::default(), t0).unwrap(),
                None,
            )
            .await
            .unwrap();
        let hand = |m: i64, to: Option<SupplierId>| async move {
            store
                .update::<Incident>(
                    inc.id.0,
                    None,
                    at(m),
                    HistoryAction::Update,
                    |_| true,
                    |r| {
                        r.supplier = to;
                        Ok(())
                    },
                )
                .await
                .unwrap();
        };
        hand(10, Some(hosting.id)).await;
        hand(30, None).await;
        hand(50, Some(hosting.id)).await;
        let views = store
            .clock_views(RecordKind::Incident, &[inc.id.0], at(60).timestamp_micros())
            .await
            .unwrap();
        let resolution = views[&inc.id.0]
            .iter()
            .find(|v| v.scope == "uc" && v.metric == steward_core::clock::Metric::Resolution)
            .unwrap();
        assert_eq!(resolution.supplier, Some(hosting.id));
        assert_eq!(resolution.state, ClockState::Running);
        assert_eq!(resolution.elapsed, "PT30M", "20 minutes, then 10 more once handed back");
        let report = store
            .supplier_performance(t0, at(24 * 60), at(60).date_naive())
            .await
            .unwrap();
        assert_eq!(report.len(), 1);
        assert_eq!((report[0].open_tickets, report[0].met, report[0].breached), (1, 0, 0));
        assert_eq!(report[0].attainment_percent, None);
        store
            .update::<Incident>(
                inc.id.0,
                None,
                at(70),
                HistoryAction::Transition,
                |_| true,
                |r| {
                    r.transition(
                        IncidentTransition {
                            to: "resolved".into(),
                            pending_reason: None,
                            resolution_code: Some(ResolutionCode::Fixed),
                            resolution_notes: Some("Fixed by the host".into()),
                        },
                        at(70),
                    )
                },
            )
            .await
            .unwrap();

        let contract = store
            .insert(
                Contract::create(
                    NewContract {
                        supplier: hosting.id,
                        title: "Hosting".into(),
                        scope: Some("Servers".into()),
                        services: vec![],
                        agreement: Some(uc.id),
                        interfaces: None,
                        obligations: None,
                        starts_on: t0.date_naive(),
                        ends_on: None,
                        review_date: Some(t0.date_naive()),
                        owner: Some(owner.id),
                        status: None,
                    },
                    t0,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let dispute = store
            .insert(
                Dispute::create(
                    NewDispute {
                        supplier: hosting.id,
                        contract: Some(contract.id),
                        title: "Credits".into(),
                        description: None,
                        owner: None,
                    },
                    t0,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let later = t0 + Duration::days(3);
        let report = store
            .supplier_performance(t0, at(24 * 60), later.date_naive())
            .await
            .unwrap();
        let p = &report[0];
        assert_eq!((p.open_tickets, p.met + p.breached), (0, 2), "{p:?}");
        assert_eq!(p.breached, 1, "the response clock ran out while the host held it");
        assert_eq!(p.attainment_percent, Some(50.0));
        assert_eq!((p.active_contracts, p.contracts_due_review, p.open_disputes), (1, 1, 1));

        let reviewed = store
            .update::<Contract>(
                contract.id.0,
                Some(owner.id),
                later,
                HistoryAction::Update,
                |_| true,
                |k| {
                    k.review(
                        ContractReview {
                            held_on: None,
                            notes: "On target".into(),
                            next_review: Some(later.date_naive() + chrono::Days::new(90)),
                        },
                        later.date_naive(),
                    )
                },
            )
            .await
            .unwrap();
        assert_eq!(reviewed.last_reviewed_on, Some(later.date_naive()));
        let back: Contract = store.get(contract.id.0).await.unwrap().unwrap();
        assert_eq!(back, reviewed);
        store
            .update::<Dispute>(
                dispute.id.0,
                None,
                later,
                HistoryAction::Transition,
                |_| true,
                |d| {
                    d.transition(
                        DisputeTransition {
                            to: "resolved".into(),
                            resolution: Some("One month's credit".into()),
                        },
                        later,
                    )
                },
            )
            .await
            .unwrap();
        let p = &store
            .supplier_performance(t0, at(24 * 60), later.date_naive())
            .await
            .unwrap()[0];
        assert_eq!((p.contracts_due_review, p.open_disputes), (0, 0));
        let history = store
            .history(RecordKind::Dispute, dispute.id.0, None, 50)
            .await
            .unwrap();
        let fields: Vec<Option<&str>> = history.items.iter().map(|e| e.field.as_deref()).collect();
        assert_eq!(fields, [None, Some("resolution"), Some("resolved_at"), Some("status")]);
    });
}

/// Business relationship (8.3.2): an organisation keeps its kind and relationship owner; a
/// service review is held with its minutes; each complaint's targets come from the complaint
/// policy in force when it was received; the relationship report and the 8.3.2 indicators
/// count them.
#[tokio::test]
async fn relationships_are_reviewed_and_complaints_held_to_their_targets() {
    on_each_backend!(|store, db| {
        use steward_core::complaint::{Complaint, ComplaintPolicy, ComplaintTransition, NewComplaint};
        use steward_core::indicator::Period;
        use steward_core::organisation::{OrganisationKind, OrganisationPatch};
        use steward_core::service_review::{
            NewServiceReview, ServiceReview, ServiceReviewStatus, ServiceReviewTransition,
        };
        let t0 = self::t0();
        let day = |d: i64| t0 + Duration::days(d);
        let owner = user(store, "rm@it.example", Role::Manager, None).await;
        let acme = organisation(store, "Acme").await;
        assert_eq!((acme.kind, acme.relationship_owner), (OrganisationKind::Customer, None));
        let own = |who: Option<UserId>| {
            move |o: &mut Organisation| {
                o.apply_patch(OrganisationPatch {
                    relationship_owner: Some(who),
                    ..Default::default()
                })
            }
        };
        let acme = store
            .update::<Organisation>(
                acme.id.0,
                None,
                t0,
                HistoryAction::Update,
                |_| true,
                own(Some(owner.id)),
            )
            .await
            .unwrap();
        let back: Organisation = store.get(acme.id.0).await.unwrap().unwrap();
        assert_eq!(back, acme);
        let globex = organisation(store, "Globex").await;
        let stranger = store
            .update::<Organisation>(
                globex.id.0,
                None,
                t0,
                HistoryAction::Update,
                |_| true,
                own(Some(UserId(9_999))),
            )
            .await;
        assert!(
            matches!(&stranger, Err(e) if e.to_string().contains("relationship_owner")),
            "{stranger:?}"
        );
        let regulator = Organisation::create(
            NewOrganisation {
                name: "Regulator".into(),
                kind: Some(OrganisationKind::InterestedParty),
                relationship_owner: Some(owner.id),
                description: None,
            },
            t0,
        )
        .unwrap();
        store.insert(regulator, None).await.unwrap();

        let review = |org: OrganisationId, on: i64| {
            ServiceReview::create(
                NewServiceReview {
                    organisation: org,
                    services: vec![],
                    title: "Quarterly review".into(),
                    scheduled_on: day(on).date_naive(),
                    owner: Some(owner.id),
                    attendees: None,
                },
                t0,
            )
            .unwrap()
        };
        let held = store.insert(review(acme.id, 5), Some(owner.id)).await.unwrap();
        let held = store
            .update::<ServiceReview>(
                held.id.0,
                Some(owner.id),
                day(5),
                HistoryAction::Transition,
                |_| true,
                |r| {
                    r.transition(
                        ServiceReviewTransition {
                            to: "held".into(),
                            held_on: None,
                            minutes: Some("Targets met; asked for earlier notice of maintenance".into()),
                            attendees: Some("The customer's IT manager".into()),
                        },
                        day(5).date_naive(),
                    )
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (held.status, held.held_on),
            (ServiceReviewStatus::Held, Some(day(5).date_naive()))
        );
        let back: ServiceReview = store.get(held.id.0).await.unwrap().unwrap();
        assert_eq!(back, held);
        store.insert(review(acme.id, 95), None).await.unwrap();
        store.insert(review(globex.id, 10), None).await.unwrap();
        let orphan = store.insert(review(OrganisationId(9_999), 10), None).await;
        assert!(orphan.is_err(), "{orphan:?}");

        // Complaints: the targets are those of the policy when each was received.
        assert_eq!(store.complaint_policy().await.unwrap(), ComplaintPolicy::default());
        let tight = ComplaintPolicy {
            acknowledge_within_days: 1,
            resolve_within_days: 5,
        };
        store.set_complaint_policy(&tight, t0).await.unwrap();
        let bad = ComplaintPolicy {
            acknowledge_within_days: 9,
            resolve_within_days: 5,
        };
        assert!(store.set_complaint_policy(&bad, t0).await.is_err());
        assert_eq!(store.complaint_policy().await.unwrap(), tight);
        let complaint = |org: OrganisationId, received: i64, policy: &ComplaintPolicy| {
            Complaint::create(
                NewComplaint {
                    organisation: Some(org),
                    service: None,
                    complainant: Some("Head of finance".into()),
                    title: "Invoices late".into(),
                    description: None,
                    owner: Some(owner.id),
                    received_at: Some(day(received)),
                },
                policy,
                day(received),
            )
            .unwrap()
        };
        let move_to = |id: ComplaintId, to: &'static str, at: DateTime<Utc>| async move {
            store
                .update::<Complaint>(
                    id.0,
                    Some(owner.id),
                    at,
                    HistoryAction::Transition,
                    |_| true,
                    |k| {
                        k.transition(
                            ComplaintTransition {
                                to: to.into(),
                                resolution: Some("Interface fixed".into()),
                            },
                            at,
                        )
                    },
                )
                .await
                .unwrap()
        };
        let on_time = store.insert(complaint(acme.id, 2, &tight), None).await.unwrap();
        assert_eq!(on_time.resolve_by, day(7));
        move_to(on_time.id, "investigating", day(2)).await;
        let resolved = move_to(on_time.id, "resolved", day(4)).await;
        assert_eq!(resolved.acknowledged_at, Some(day(2)));
        let back: Complaint = store.get(on_time.id.0).await.unwrap().unwrap();
        assert_eq!(back, resolved);
        let late = store.insert(complaint(globex.id, 1, &tight), None).await.unwrap();
        move_to(late.id, "resolved", day(8)).await;
        let loose = ComplaintPolicy::default();
        store.set_complaint_policy(&loose, day(3)).await.unwrap();
        let open = store.insert(complaint(acme.id, 3, &loose), None).await.unwrap();
        assert_eq!(open.resolve_by, day(23));
        assert_eq!(
            store.get::<Complaint>(on_time.id.0).await.unwrap().unwrap().resolve_by,
            day(7),
            "a new policy leaves received complaints' targets alone"
        );
        let listed = store
            .list::<Complaint>(&ListQuery {
                filters: vec![("organisation_id", Arg::from(acme.id.0))],
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 2);

        let report = store.relationships(t0, day(30), day(30)).await.unwrap();
        let names: Vec<&str> = report.iter().map(|r| r.organisation_name.as_str()).collect();
        assert_eq!(names, ["Acme", "Globex", "Regulator"]);
        let (a, g, r) = (&report[0], &report[1], &report[2]);
        assert_eq!(a.relationship_owner, Some(owner.id));
        assert_eq!(
            (a.last_review_on, a.next_review_on, a.reviews_held),
            (Some(day(5).date_naive()), Some(day(95).date_naive()), 1)
        );
        assert_eq!(
            (
                a.complaints_received,
                a.complaints_open,
                a.complaints_overdue,
                a.complaints_resolved,
                a.complaints_resolved_on_time
            ),
            (2, 1, 1, 1, 1),
            "{a:?}"
        );
        assert_eq!((g.last_review_on, g.next_review_on), (None, Some(day(10).date_naive())));
        assert_eq!((g.complaints_resolved, g.complaints_resolved_on_time), (1, 0));
        assert_eq!((r.kind, r.complaints_received), (OrganisationKind::InterestedParty, 0));
        assert!(store.relationships(day(30), t0, day(30)).await.is_err());

        let period = Period { from: t0, to: day(30) };
        let values = store.indicators(period, day(30)).await.unwrap();
        let counts = |id: &str| {
            let v = values.iter().find(|v| v.def.id == id).unwrap();
            (v.population, v.passing)
        };
        assert_eq!(counts("relationships_owned"), (3, 2));
        assert_eq!(counts("customers_reviewed"), (2, 1));
        assert_eq!(counts("complaints_resolved_within_target"), (2, 1));
        let failing = store
            .indicator_records("customers_reviewed", period, Some(false), None, 10)
            .await
            .unwrap();
        assert_eq!(failing.items.len(), 1);
        assert_eq!(failing.items[0].reference, globex.id.to_string());
    });
}

/// Satisfaction surveys (8.3.2): resolving a customer's incident sends them one survey, once
/// however often it is resolved again; a staff caller is not asked; a periodic round asks every
/// active customer of the organisations named; a survey is answered once; the satisfaction
/// report and the indicator count the answers per service.
#[tokio::test]
async fn surveys_follow_resolved_tickets_and_rounds() {
    on_each_backend!(|store, db| {
        use steward_core::survey::{Survey, SurveyAnswer, SurveyKind, SurveyRound, SurveyStatus};
        let t0 = self::t0();
        let acme = organisation(store, "Acme").await;
        let globex = organisation(store, "Globex").await;
        let ann = user(store, "ann@acme.example", Role::Requester, Some(acme.id)).await;
        user(store, "bob@acme.example", Role::Requester, Some(acme.id)).await;
        user(store, "cy@globex.example", Role::Requester, Some(globex.id)).await;
        let agent = user(store, "agent@it.example", Role::Agent, None).await;
        let svc = store
            .insert(
                Service::create(
                    NewService {
                        code: "MAIL".into(),
                        name: "Mail".into(),
                        description: None,
                        status: None,
                        criticality: None,
                        owner: None,
                        team: None,
                        availability_target: None,
                    },
                    t0,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let raised = |caller: UserId| {
            let mut n = new_incident("Mail down");
            n.caller = Some(caller);
            n.service = Some(svc.id);
            Incident::create(n, None, &PriorityRules::default(), t0).unwrap()
        };
        let resolve = |id: IncidentId, m: i64| async move {
            let at = t0 + Duration::minutes(m);
            store
                .update::<Incident>(
                    id.0,
                    None,
                    at,
                    HistoryAction::Transition,
                    |_| true,
                    |r| {
                        r.transition(
                            IncidentTransition {
                                to: "resolved".into(),
                                pending_reason: None,
                                resolution_code: Some(ResolutionCode::Fixed),
                                resolution_notes: Some("Restarted".into()),
                            },
                            at,
                        )
                    },
                )
                .await
                .unwrap();
        };
        let reopen = |id: IncidentId, m: i64| async move {
            let at = t0 + Duration::minutes(m);
            store
                .update::<Incident>(
                    id.0,
                    None,
                    at,
                    HistoryAction::Transition,
                    |_| true,
                    |r| {
                        r.transition(
                            IncidentTransition {
                                to: "in_progress".into(),
                                pending_reason: None,
                                resolution_code: None,
                                resolution_notes: None,
                            },
                            at,
                        )
                    },
                )
                .await
                .unwrap();
        };
        let theirs = store.insert(raised(ann.id), None).await.unwrap();
        let staff = store.insert(raised(agent.id), None).await.unwrap();
        let surveys = |filters: Vec<(&'static str, Arg)>| async move {
            store
                .list::<Survey>(&ListQuery {
                    filters,
                    limit: 50,
                    ..Default::default()
                })
                .await
                .unwrap()
                .items
        };
        assert!(surveys(vec![]).await.is_empty(), "nothing is asked before a resolution");
        resolve(theirs.id, 10).await;
        resolve(staff.id, 10).await;
        let sent = surveys(vec![]).await;
        assert_eq!(sent.len(), 1, "only the customer is asked: {sent:?}");
        let s = &sent[0];
        assert_eq!(
            (s.kind, s.recipient, s.organisation, s.service, s.incident, s.status),
            (
                SurveyKind::Ticket,
                ann.id,
                Some(acme.id),
                Some(svc.id),
                Some(theirs.id),
                SurveyStatus::Sent
            )
        );
        assert_eq!(s.sent_at, t0 + Duration::minutes(10));
        reopen(theirs.id, 20).await;
        resolve(theirs.id, 30).await;
        assert_eq!(surveys(vec![]).await.len(), 1, "one survey per ticket");

        let answered = store
            .update::<Survey>(
                s.id.0,
                Some(ann.id),
                t0 + Duration::hours(1),
                HistoryAction::Update,
                |_| true,
                |v| {
                    v.answer(
                        SurveyAnswer {
                            score: Some(2),
                            comment: Some("Took all morning".into()),
                        },
                        t0 + Duration::hours(1),
                    )
                },
            )
            .await
            .unwrap();
        let back: Survey = store.get(s.id.0).await.unwrap().unwrap();
        assert_eq!(back, answered);
        let again = store
            .update::<Survey>(
                s.id.0,
                Some(ann.id),
                t0 + Duration::hours(2),
                HistoryAction::Update,
                |_| true,
                |v| {
                    v.answer(
                        SurveyAnswer {
                            score: Some(5),
                            comment: None,
                        },
                        t0 + Duration::hours(2),
                    )
                },
            )
            .await;
        assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");

        let round = store
            .send_round(
                &SurveyRound {
                    service: svc.id,
                    organisations: vec![acme.id],
                },
                None,
                t0 + Duration::days(1),
            )
            .await
            .unwrap();
        assert_eq!(round.len(), 2, "both Acme customers, not Globex's");
        assert!(
            round
                .iter()
                .all(|s| s.kind == SurveyKind::Periodic && s.organisation == Some(acme.id))
        );
        let everyone = store
            .send_round(
                &SurveyRound {
                    service: svc.id,
                    organisations: vec![],
                },
                None,
                t0 + Duration::days(2),
            )
            .await
            .unwrap();
        assert_eq!(everyone.len(), 3);
        let nobody = store
            .send_round(
                &SurveyRound {
                    service: ServiceId(9_999),
                    organisations: vec![],
                },
                None,
                t0,
            )
            .await;
        assert!(nobody.is_err(), "{nobody:?}");
        store
            .update::<Survey>(
                round[0].id.0,
                None,
                t0 + Duration::days(3),
                HistoryAction::Update,
                |_| true,
                |v| {
                    v.answer(
                        SurveyAnswer {
                            score: Some(5),
                            comment: None,
                        },
                        t0 + Duration::days(3),
                    )
                },
            )
            .await
            .unwrap();
        let mine = surveys(vec![("recipient_id", Arg::from(ann.id.0))]).await;
        assert!(mine.len() >= 2, "{mine:?}");

        let report = store.satisfaction(t0, t0 + Duration::days(10)).await.unwrap();
        assert_eq!(report.len(), 1, "{report:?}");
        let r = &report[0];
        assert_eq!((r.service, r.sent, r.answered), (Some(svc.id), 6, 2));
        assert_eq!((r.response_percent, r.mean_score), (Some(33.3), Some(3.5)));
        assert_eq!((r.satisfied, r.dissatisfied), (1, 1));
        let values = store
            .indicators(
                steward_core::indicator::Period {
                    from: t0,
                    to: t0 + Duration::days(10),
                },
                t0 + Duration::days(10),
            )
            .await
            .unwrap();
        let v = values.iter().find(|v| v.def.id == "customer_satisfaction").unwrap();
        assert_eq!((v.population, v.passing), (2, 1));
    });
}

/// Budgeting and accounting (8.4.1): time logged on a ticket becomes a staff cost of its
/// service at the staff hour rate; a ledger import writes all its lines or none and skips lines
/// already recorded; the budget report sets each budget beside its service's costs in its
/// period; the cost report gives each service's costs and its incidents'; the indicators count
/// budgeted services, budgets kept and major incidents costed.
#[tokio::test]
async fn budgets_and_costs_set_spend_against_plan() {
    on_each_backend!(|store, db| {
        use chrono::NaiveDate;
        use steward_core::budget::{Budget, BudgetStatus, BudgetTransition, NewBudget};
        use steward_core::cost::{Cost, CostCategory, CostRates, CostSource, NewCost, Ticket, TimeEntry};
        let t0 = self::t0();
        let mail = live_service(store, "MAIL", "Mail").await;
        let web = live_service(store, "WEB", "Web").await;
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let budget = |service: ServiceId, from: NaiveDate, to: NaiveDate, amount: i64| {
            Budget::create(
                NewBudget {
                    service,
                    title: None,
                    starts_on: from,
                    ends_on: to,
                    amount,
                    owner: None,
                    notes: None,
                },
                t0,
            )
            .unwrap()
        };
        let mail_budget = store
            .insert(budget(mail.id, day(2026, 1, 1), day(2026, 12, 31), 100_000), None)
            .await
            .unwrap();
        let approved = store
            .update::<Budget>(
                mail_budget.id.0,
                None,
                t0,
                HistoryAction::Transition,
                |_| true,
                |b| b.transition(BudgetTransition { to: "approved".into() }),
            )
            .await
            .unwrap();
        assert_eq!(approved.status, BudgetStatus::Approved);
        store
            .insert(budget(web.id, day(2026, 1, 1), day(2026, 3, 31), 20_000), None)
            .await
            .unwrap();

        store
            .set_cost_rates(
                &CostRates {
                    currency: "GBP".into(),
                    staff_hour_rate: 9_000,
                },
                t0,
            )
            .await
            .unwrap();
        let mut n = new_incident("Mail queue stuck");
        n.service = Some(mail.id);
        n.major = Some(true);
        let outage = store
            .insert(Incident::create(n, None, &PriorityRules::default(), t0).unwrap(), None)
            .await
            .unwrap();
        let orphan = incident(store, "No service named", t0).await;
        let entry = |minutes| TimeEntry {
            minutes,
            worked_on: None,
            description: None,
        };
        let logged = store
            .log_time(Ticket::Incident(outage.id), entry(30), None, t0)
            .await
            .unwrap();
        assert_eq!(
            (logged.amount, logged.minutes, logged.service, logged.source),
            (4_500, Some(30), mail.id, CostSource::Time)
        );
        let e = store
            .log_time(Ticket::Incident(orphan.id), entry(30), None, t0)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("service"), "{e}");
        let e = store
            .log_time(Ticket::Incident(IncidentId(9_999)), entry(30), None, t0)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::NotFound { .. }), "{e:?}");

        let line = |amount: i64, category: CostCategory, ledger_ref: Option<&str>| NewCost {
            service: mail.id,
            incurred_on: day(2026, 2, 1),
            amount,
            category,
            description: "Mail relay".into(),
            incident: None,
            request: None,
            contract: None,
            asset: None,
            minutes: None,
            ledger_ref: ledger_ref.map(String::from),
        };
        store
            .insert(
                Cost::create(
                    line(50_000, CostCategory::Supplier, Some("INV-1")),
                    CostSource::Recorded,
                    t0,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let count = || async {
            store
                .list::<Cost>(&ListQuery {
                    limit: 100,
                    ..Default::default()
                })
                .await
                .unwrap()
                .items
                .len()
        };
        assert_eq!(count().await, 2);
        // A bad line, a line naming a contract that does not exist, or a reference given twice
        // refuses the whole import and names the line.
        let e = store
            .import_costs(
                vec![
                    line(10, CostCategory::Other, Some("INV-9")),
                    line(0, CostCategory::Other, None),
                ],
                None,
                t0,
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("costs[1].amount"), "{e}");
        let mut missing = line(10, CostCategory::Supplier, Some("INV-8"));
        missing.contract = Some(ContractId(9_999));
        let e = store
            .import_costs(vec![line(10, CostCategory::Other, None), missing], None, t0)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("costs[1]"), "{e}");
        let e = store
            .import_costs(
                vec![
                    line(10, CostCategory::Other, Some("INV-7")),
                    line(10, CostCategory::Other, Some("INV-7")),
                ],
                None,
                t0,
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("costs[1].ledger_ref"), "{e}");
        assert_eq!(count().await, 2, "a refused import writes nothing");
        let done = store
            .import_costs(
                vec![
                    line(50_000, CostCategory::Supplier, Some("INV-1")),
                    line(60_000, CostCategory::Licence, Some("INV-2")),
                ],
                None,
                t0,
            )
            .await
            .unwrap();
        assert_eq!(done.skipped, vec!["INV-1".to_string()]);
        assert_eq!(done.created.len(), 1);
        assert_eq!(done.created[0].source, CostSource::Imported);
        let again = store
            .import_costs(vec![line(60_000, CostCategory::Licence, Some("INV-2"))], None, t0)
            .await
            .unwrap();
        assert!(again.created.is_empty(), "the same file twice counts once");
        let twice = store
            .insert(
                Cost::create(line(5, CostCategory::Other, Some("INV-2")), CostSource::Recorded, t0).unwrap(),
                None,
            )
            .await;
        assert!(
            matches!(&twice, Err(Error::Conflict(m)) if m.contains("ledger reference")),
            "{twice:?}"
        );
        // A credit outside every budget's period changes nothing below.
        store
            .insert(
                Cost::create(
                    NewCost {
                        incurred_on: day(2025, 12, 31),
                        ..line(-1_000, CostCategory::Supplier, None)
                    },
                    CostSource::Recorded,
                    t0,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();

        let year = (
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap(),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single().unwrap(),
        );
        let report = store.budget_report(year.0, year.1, day(2026, 7, 2)).await.unwrap();
        assert_eq!(report.len(), 2, "{report:?}");
        let m = &report[0];
        assert_eq!((m.service_name.as_str(), m.status), ("Mail", BudgetStatus::Approved));
        assert_eq!((m.amount, m.actual, m.remaining), (100_000, 114_500, -14_500));
        assert_eq!((m.staff, m.supplier, m.licence), (4_500, 50_000, 60_000));
        assert!(m.overspent());
        assert_eq!(m.used_percent, Some(114.5));
        let w = &report[1];
        assert_eq!(
            (w.service_name.as_str(), w.actual, w.status),
            ("Web", 0, BudgetStatus::Draft)
        );
        assert_eq!(w.elapsed_percent, 100.0);
        let later = store
            .budget_report(
                Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).single().unwrap(),
                year.1,
                day(2026, 7, 2),
            )
            .await
            .unwrap();
        assert_eq!(later.len(), 1, "the Web budget ended in March");

        let costs = store.service_costs(year.0, year.1).await.unwrap();
        assert_eq!(costs.len(), 1, "{costs:?}");
        let c = &costs[0];
        assert_eq!((c.service, c.total, c.minutes), (mail.id, 114_500, 30));
        assert_eq!(
            (c.incidents, c.incident_cost, c.cost_per_incident),
            (1, 4_500, Some(4_500))
        );
        let with_credit = store
            .service_costs(Utc.with_ymd_and_hms(2025, 12, 1, 0, 0, 0).single().unwrap(), year.1)
            .await
            .unwrap();
        assert_eq!(with_credit[0].supplier, 49_000);

        let resolved_at = t0 + Duration::hours(2);
        store
            .update::<Incident>(
                outage.id.0,
                None,
                resolved_at,
                HistoryAction::Transition,
                |_| true,
                |r| {
                    r.transition(
                        IncidentTransition {
                            to: "resolved".into(),
                            pending_reason: None,
                            resolution_code: Some(ResolutionCode::Fixed),
                            resolution_notes: Some("Flushed the queue".into()),
                        },
                        resolved_at,
                    )
                },
            )
            .await
            .unwrap();
        let values = store
            .indicators(
                steward_core::indicator::Period {
                    from: year.0,
                    to: year.1,
                },
                year.1,
            )
            .await
            .unwrap();
        let counts = |id: &str| {
            let v = values.iter().find(|v| v.def.id == id).unwrap();
            (v.population, v.passing)
        };
        assert_eq!(counts("services_budgeted"), (2, 1), "Web's budget is a draft");
        assert_eq!(counts("budgets_within_amount"), (1, 0), "Mail's is overspent");
        assert_eq!(counts("major_incidents_costed"), (1, 1));
    });
}

/// Demand and capacity: forecasts of tickets are set against the tickets raised on the service
/// in their period, any other measure against its recorded actual; readings are recorded and
/// imported (all or none, a reading at an instant already held skipped), and the capacity
/// report reads the latest, peak and mean against the thresholds with the capacity-related
/// incidents; the indicators count forecasts, accurate forecasts, measured requirements,
/// requirements below warning and current capacity plans.
#[tokio::test]
async fn demand_and_capacity_are_read_against_forecasts_and_thresholds() {
    on_each_backend!(|store, db| {
        use chrono::NaiveDate;
        use steward_core::capacity::{
            CapacityKind, CapacityRequirement, CapacityRequirementPatch, CapacityState, NewCapacityRequirement,
            NewReading, Reading, ReadingImport, ReadingSource,
        };
        use steward_core::demand::{DemandForecast, DemandMeasure, NewDemandForecast};
        use steward_core::link::Endpoint;
        let t0 = self::t0();
        let mail = live_service(store, "MAIL", "Mail").await;
        let web = live_service(store, "WEB", "Web").await;
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        // Three incidents and one request on Mail in February; one incident in March.
        let raised = |m: u32, d: u32| Utc.with_ymd_and_hms(2026, m, d, 10, 0, 0).single().unwrap();
        for d in [2, 10, 27] {
            let mut n = new_incident("Mail slow");
            n.service = Some(mail.id);
            store
                .insert(
                    Incident::create(n, None, &PriorityRules::default(), raised(2, d)).unwrap(),
                    None,
                )
                .await
                .unwrap();
        }
        let mut n = new_incident("Mail full");
        n.service = Some(mail.id);
        let full = store
            .insert(
                Incident::create(n, None, &PriorityRules::default(), raised(3, 1)).unwrap(),
                None,
            )
            .await
            .unwrap();
        let forecast = |service: ServiceId, measure, from: NaiveDate, to: NaiveDate, forecast: f64, actual| {
            DemandForecast::create(
                NewDemandForecast {
                    service,
                    title: None,
                    measure,
                    unit: (measure == DemandMeasure::Other).then(|| "mailboxes".to_string()),
                    starts_on: from,
                    ends_on: to,
                    forecast,
                    actual,
                    owner: None,
                    notes: None,
                },
                t0,
            )
            .unwrap()
        };
        let feb = store
            .insert(
                forecast(mail.id, DemandMeasure::Incidents, day(2, 1), day(2, 28), 3.3, None),
                None,
            )
            .await
            .unwrap();
        let all = store
            .insert(
                forecast(mail.id, DemandMeasure::Tickets, day(2, 1), day(3, 31), 10.0, None),
                None,
            )
            .await
            .unwrap();
        store
            .insert(
                forecast(web.id, DemandMeasure::Other, day(1, 1), day(2, 28), 100.0, Some(150.0)),
                None,
            )
            .await
            .unwrap();
        let report = store
            .demand_report(raised(2, 1) - chrono::Duration::days(40), raised(4, 1), day(3, 2))
            .await
            .unwrap();
        let line = |id| report.iter().find(|l| l.forecast_id == id).unwrap().clone();
        assert_eq!(report.len(), 3);
        assert_eq!(
            (line(feb.id).actual, line(feb.id).within_tolerance),
            (Some(3.0), Some(true))
        );
        assert_eq!(
            line(all.id).actual,
            Some(4.0),
            "incidents and requests of both months: {report:?}"
        );
        assert!(!line(all.id).ended);
        let web_line = report.iter().find(|l| l.service == web.id).unwrap();
        assert_eq!((web_line.actual, web_line.variance_percent), (Some(150.0), Some(50.0)));
        let raised_in_feb = store
            .tickets_raised(
                raised(2, 1) - chrono::Duration::days(1),
                raised(3, 1) - chrono::Duration::hours(12),
            )
            .await
            .unwrap();
        assert_eq!(raised_in_feb.get(&mail.id), Some(&(3, 0)));

        // Capacity: thresholds, readings and the report.
        let storage = store
            .insert(
                CapacityRequirement::create(
                    NewCapacityRequirement {
                        service: mail.id,
                        kind: CapacityKind::Technical,
                        title: "Mailbox storage".into(),
                        unit: "GB".into(),
                        capacity: 1_000.0,
                        warning_percent: None,
                        critical_percent: None,
                        configuration_item: None,
                        owner: None,
                        notes: None,
                    },
                    t0,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let unread = store
            .insert(
                CapacityRequirement::create(
                    NewCapacityRequirement {
                        service: web.id,
                        kind: CapacityKind::Human,
                        title: "Web editors".into(),
                        unit: "people".into(),
                        capacity: 4.0,
                        warning_percent: Some(75.0),
                        critical_percent: Some(100.0),
                        configuration_item: None,
                        owner: None,
                        notes: None,
                    },
                    t0,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let got = store.get::<CapacityRequirement>(storage.id.0).await.unwrap().unwrap();
        assert_eq!(
            (got.capacity, got.warning_percent, got.critical_percent),
            (1_000.0, 80.0, 95.0)
        );
        let at = |d: u32| Utc.with_ymd_and_hms(2026, 3, d, 6, 0, 0).single().unwrap();
        let reading = |d: u32, value: f64| NewReading {
            requirement: Some(storage.id),
            measured_at: Some(at(d)),
            value,
        };
        let one = Reading::create(
            Some(storage.id),
            reading(1, 700.25),
            ReadingSource::Recorded,
            None,
            at(10),
        )
        .unwrap();
        store.record_reading(one.clone()).await.unwrap();
        let e = store.record_reading(one).await.unwrap_err();
        assert!(matches!(e, Error::Conflict(_)), "{e:?}");
        let unnamed = |d, value| NewReading {
            requirement: None,
            ..reading(d, value)
        };
        let missing = Reading::create(
            Some(CapacityRequirementId(9_999)),
            unnamed(1, 1.0),
            ReadingSource::Recorded,
            None,
            at(10),
        )
        .unwrap();
        assert!(matches!(
            store.record_reading(missing).await.unwrap_err(),
            Error::NotFound { .. }
        ));
        // An import naming a requirement that does not exist writes nothing.
        let mut bad = reading(2, 5.0);
        bad.requirement = Some(CapacityRequirementId(9_999));
        let e = store
            .import_readings(
                ReadingImport {
                    readings: vec![reading(2, 810.0), bad],
                },
                None,
                at(10),
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("readings[1].requirement"), "{e}");
        let done = store
            .import_readings(
                ReadingImport {
                    readings: vec![reading(1, 700.25), reading(2, 990.0), reading(3, 850.5)],
                },
                None,
                at(10),
            )
            .await
            .unwrap();
        assert_eq!(
            (done.created, done.skipped),
            (2, 1),
            "the reading of the first is already held"
        );
        let page = store.readings(storage.id, at(1), at(10), None, 2).await.unwrap();
        assert_eq!(page.iter().map(|r| r.value).collect::<Vec<_>>(), vec![850.5, 990.0]);
        let next = store
            .readings(storage.id, at(1), at(10), Some(page[1].measured_at), 2)
            .await
            .unwrap();
        assert_eq!(
            (next.len(), next[0].value, next[0].source),
            (1, 700.25, ReadingSource::Recorded)
        );
        store
            .link(
                Endpoint {
                    kind: RecordKind::Incident,
                    id: full.id.0,
                },
                Endpoint {
                    kind: RecordKind::CapacityRequirement,
                    id: storage.id.0,
                },
                None,
                t0,
            )
            .await
            .unwrap();
        let report = store.capacity_report(at(1), at(10)).await.unwrap();
        assert_eq!(report.len(), 2);
        let row = report.iter().find(|r| r.requirement == storage.id).unwrap();
        assert_eq!(
            (row.readings, row.latest_value, row.peak_value, row.state, row.incidents),
            (3, Some(850.5), Some(990.0), CapacityState::Warning, 1),
            "{row:?}"
        );
        assert_eq!(row.latest_percent, Some(85.05));
        let row = report.iter().find(|r| r.requirement == unread.id).unwrap();
        assert_eq!((row.readings, row.state), (0, CapacityState::Unmeasured));
        // A retired requirement takes no readings and leaves the report.
        store
            .update::<CapacityRequirement>(
                unread.id.0,
                None,
                t0,
                HistoryAction::Update,
                |_| true,
                |r| {
                    r.apply_patch(CapacityRequirementPatch {
                        active: Some(false),
                        ..Default::default()
                    })
                },
            )
            .await
            .unwrap();
        let late = Reading::create(Some(unread.id), unnamed(4, 1.0), ReadingSource::Recorded, None, at(10)).unwrap();
        assert!(matches!(
            store.record_reading(late).await.unwrap_err(),
            Error::Conflict(_)
        ));
        assert_eq!(store.capacity_report(at(1), at(10)).await.unwrap().len(), 1);

        let values = store
            .indicators(
                steward_core::indicator::Period {
                    from: raised(2, 1) - chrono::Duration::days(31),
                    to: raised(3, 31),
                },
                raised(3, 31),
            )
            .await
            .unwrap();
        let counts = |id: &str| {
            let v = values.iter().find(|v| v.def.id == id).unwrap();
            (v.population, v.passing)
        };
        assert_eq!(counts("services_with_demand_forecast"), (2, 2));
        // February's incidents (3 against 3.3) and Web's users (150 against 100) ended in the
        // period; the two-month ticket forecast had not.
        assert_eq!(counts("forecasts_within_tolerance"), (2, 1));
        assert_eq!(
            counts("capacity_requirements_measured"),
            (1, 1),
            "the retired requirement is left out"
        );
        assert_eq!(counts("capacity_below_warning"), (1, 0), "the last reading is at 85%");
        assert_eq!(counts("capacity_plan_current"), (0, 0));
    });
}

/// Continuity: a plan is approved only when it says when it is invoked, how the service
/// recovers and returns to normal, and when it is next reviewed; a test's result is kept with
/// the objectives in force; the report shows each plan's review, tests, linked risks and the
/// high-risk changes since its review; the indicators count plans, tested plans, tests that met
/// their objectives and plans reviewed after a high-risk change.
#[tokio::test]
async fn continuity_plans_are_tested_against_their_objectives_and_reviewed_after_change() {
    on_each_backend!(|store, db| {
        use chrono::NaiveDate;
        use steward_core::change::{Change, ChangeRisk, ChangeStatus};
        use steward_core::continuity::{
            ContinuityPlan, ContinuityPlanPatch, ContinuityPlanStatus, ContinuityPlanTransition, ContinuityTest,
            ContinuityTestKind, NewContinuityPlan, NewContinuityTest, PlanReview, TestResult,
        };
        use steward_core::link::Endpoint;
        let t0 = self::t0();
        let today = t0.date_naive();
        let mail = live_service(store, "MAIL", "Mail").await;
        let web = live_service(store, "WEB", "Web").await;
        let plan = store
            .insert(
                ContinuityPlan::create(
                    NewContinuityPlan {
                        service: mail.id,
                        title: "Mail continuity".into(),
                        recovery_time_minutes: 120,
                        recovery_point_minutes: 15,
                        invocation_criteria: None,
                        recovery_steps: Some("Fail over".into()),
                        return_to_normal: Some("Fail back".into()),
                        owner: None,
                        next_review: None,
                    },
                    t0,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let approve = |id: i64| async move {
            store
                .update::<ContinuityPlan>(
                    id,
                    None,
                    t0,
                    HistoryAction::Transition,
                    |_| true,
                    |p| p.transition(ContinuityPlanTransition { to: "approved".into() }),
                )
                .await
        };
        let e = approve(plan.id.0).await.unwrap_err();
        assert!(e.to_string().contains("invocation_criteria"), "{e}");
        store
            .update::<ContinuityPlan>(
                plan.id.0,
                None,
                t0,
                HistoryAction::Update,
                |_| true,
                |p| {
                    p.apply_patch(ContinuityPlanPatch {
                        invocation_criteria: Some("Down for an hour".into()),
                        next_review: Some(Some(today + Duration::days(200))),
                        ..Default::default()
                    })
                },
            )
            .await
            .unwrap();
        let plan = approve(plan.id.0).await.unwrap();
        assert_eq!(plan.status, ContinuityPlanStatus::Approved);

        let test = |on: NaiveDate| {
            ContinuityTest::create(
                NewContinuityTest {
                    plan: plan.id,
                    kind: ContinuityTestKind::Failover,
                    title: None,
                    scheduled_on: on,
                },
                t0,
            )
            .unwrap()
        };
        let held = store.insert(test(today - Duration::days(5)), None).await.unwrap();
        let missed = store.insert(test(today - Duration::days(2)), None).await.unwrap();
        let later = store.insert(test(today + Duration::days(30)), None).await.unwrap();
        for (t, recovery, on) in [
            (&held, 90, today - Duration::days(5)),
            (&missed, 150, today - Duration::days(2)),
        ] {
            let done = store
                .update::<ContinuityTest>(
                    t.id.0,
                    None,
                    t0,
                    HistoryAction::Transition,
                    |_| true,
                    |t| {
                        t.complete(
                            TestResult {
                                held_on: Some(on),
                                recovery_minutes: recovery,
                                data_loss_minutes: 10,
                                findings: "Recovered on the second site".into(),
                            },
                            &plan,
                            today,
                        )
                    },
                )
                .await
                .unwrap();
            assert_eq!(done.recovery_time_objective, Some(120));
        }
        let e = store
            .insert(
                ContinuityTest::create(
                    NewContinuityTest {
                        plan: ContinuityPlanId(9_999),
                        kind: ContinuityTestKind::Tabletop,
                        title: None,
                        scheduled_on: today,
                    },
                    t0,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("plan"), "{e}");

        // A high-risk change to Mail closed after the plan was written, and a continuity risk.
        let input = serde_json::from_value(serde_json::json!({"title": "Move the mail store"})).unwrap();
        let change = store.insert(Change::create(input, t0).unwrap(), None).await.unwrap();
        let closed_at = t0 - Duration::days(1);
        store
            .update::<Change>(
                change.id.0,
                None,
                t0,
                HistoryAction::Update,
                |_| true,
                |c| {
                    c.service = Some(mail.id);
                    c.risk = ChangeRisk::High;
                    c.status = ChangeStatus::Closed;
                    c.closed_at = Some(closed_at);
                    Ok(())
                },
            )
            .await
            .unwrap();
        let owner = user(store, "risk@example.com", Role::Manager, None).await;
        let input: steward_core::risk::NewRisk = serde_json::from_value(serde_json::json!({
            "title": "Second site shares the first one's power feed",
            "service": mail.id,
            "likelihood": 2,
            "impact": 4
        }))
        .unwrap();
        let risk = steward_core::risk::Risk::create(input, owner.id, t0).unwrap();
        let risk = store.insert(risk, None).await.unwrap();
        store
            .link(
                Endpoint {
                    kind: RecordKind::ContinuityPlan,
                    id: plan.id.0,
                },
                Endpoint {
                    kind: RecordKind::Risk,
                    id: risk.id.0,
                },
                None,
                t0,
            )
            .await
            .unwrap();
        let report = store.continuity_report(today).await.unwrap();
        assert_eq!(report.len(), 1);
        let s = &report[0];
        assert_eq!(
            (s.last_test_on, s.last_test_met, s.next_test_on, s.risks, s.review_due),
            (
                Some(today - Duration::days(2)),
                Some(false),
                Some(later.scheduled_on),
                1,
                false
            ),
            "{s:?}"
        );
        assert_eq!(
            s.changed_since_review,
            Some(closed_at),
            "never reviewed since the change"
        );

        let period = steward_core::indicator::Period {
            from: t0 - Duration::days(30),
            to: t0 + Duration::days(1),
        };
        let counts = |values: &[steward_core::indicator::Indicator], id: &str| {
            let v = values.iter().find(|v| v.def.id == id).unwrap();
            (v.population, v.passing)
        };
        let values = store.indicators(period, t0).await.unwrap();
        assert_eq!(
            counts(&values, "services_with_continuity_plan"),
            (2, 1),
            "Web has no plan"
        );
        assert_eq!(counts(&values, "continuity_plans_tested"), (1, 1));
        assert_eq!(
            counts(&values, "continuity_tests_met_objectives"),
            (2, 1),
            "one test ran over"
        );
        assert_eq!(counts(&values, "continuity_plans_reviewed_after_change"), (1, 0));
        // Reviewed today, after the change: the evidence and the report both clear.
        store
            .update::<ContinuityPlan>(
                plan.id.0,
                None,
                t0,
                HistoryAction::Update,
                |_| true,
                |p| {
                    p.review(
                        PlanReview {
                            held_on: None,
                            next_review: today + Duration::days(365),
                        },
                        today,
                    )
                },
            )
            .await
            .unwrap();
        let values = store.indicators(period, t0).await.unwrap();
        assert_eq!(counts(&values, "continuity_plans_reviewed_after_change"), (1, 1));
        assert_eq!(
            store.continuity_report(today).await.unwrap()[0].changed_since_review,
            None
        );
        let _ = web;
    });
}

#[tokio::test]
async fn articles_are_found_by_their_audience_and_keep_one_vote_a_reader() {
    use steward_core::article::{Article, ArticleTransition, Audience, NewArticle};
    use steward_core::indicator::Period;
    use steward_core::search::{SEARCHABLE, terms};
    use steward_store::SearchQuery;
    on_each_backend!(|store, db| {
        let author = user(store, "author@example.com", Role::Agent, None).await;
        let acme = organisation(store, "Acme").await;
        let reader = user(store, "reader@example.com", Role::Requester, Some(acme.id)).await;
        let write = |title: &'static str, audience: Audience, publish: bool| {
            let author = author.id;
            async move {
                let mut a = Article::create(
                    NewArticle {
                        title: title.into(),
                        body: "Restart the VPN client, then sign in again with your token.".into(),
                        keywords: Some("remote access".into()),
                        audience: Some(audience),
                        service: None,
                        owner: None,
                        next_review: Some(t0().date_naive() + Duration::days(90)),
                    },
                    author,
                    t0(),
                )
                .unwrap();
                if publish {
                    a.transition(ArticleTransition { to: "published".into() }, t0())
                        .unwrap();
                }
                store.insert(a, Some(author)).await.unwrap()
            }
        };
        let public = write("VPN keeps disconnecting", Audience::Customers, true).await;
        let internal = write("VPN concentrator failover", Audience::Agents, true).await;
        let draft = write("VPN on a new laptop", Audience::Customers, false).await;

        let find = |q: &'static str, organisation: Option<OrganisationId>, published_only: bool| async move {
            let t = terms(q).unwrap();
            let mut refs: Vec<String> = store
                .search(&SearchQuery {
                    terms: &t,
                    kinds: SEARCHABLE,
                    organisation,
                    published_only,
                    uncleared_viewer: None,
                    match_any: false,
                    limit: 20,
                })
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.reference)
                .collect();
            refs.sort();
            refs
        };
        let mut all = vec![public.id.to_string(), internal.id.to_string(), draft.id.to_string()];
        all.sort();
        assert_eq!(find("vpn", None, false).await, all, "staff find every article");
        assert_eq!(
            find("remote acc", None, false).await.len(),
            3,
            "keywords are searched, the last word as a prefix"
        );
        assert_eq!(
            find("vpn", Some(acme.id), true).await,
            [public.id.to_string()],
            "a requester finds only what is published for customers"
        );
        assert_eq!(find("vpn", None, true).await, [public.id.to_string()]);

        // Suggestions: any one word is enough, the records matching most of them first.
        let t = terms("laptop vpn printer").unwrap();
        let suggest = |kinds: &'static [RecordKind], match_any: bool| {
            let t = &t;
            async move {
                store
                    .search(&SearchQuery {
                        terms: t,
                        kinds,
                        organisation: None,
                        published_only: false,
                        uncleared_viewer: None,
                        match_any,
                        limit: 20,
                    })
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            suggest(&[RecordKind::Article], true).await.len(),
            3,
            "one kind is read by its range of keys"
        );
        assert!(suggest(&[RecordKind::Incident], true).await.is_empty());
        let any = suggest(SEARCHABLE, true).await;
        assert_eq!(any.len(), 3, "{any:?}");
        assert_eq!(any[0].reference, draft.id.to_string(), "two words beat one: {any:?}");
        assert!(
            suggest(SEARCHABLE, false).await.is_empty(),
            "every word must match otherwise"
        );

        // A customer's list keeps to the published articles for customers, however filtered.
        let mut q = ListQuery {
            published_only: true,
            limit: 50,
            ..ListQuery::default()
        };
        let listed = store.list::<Article>(&q).await.unwrap();
        assert_eq!(listed.items.iter().map(|a| a.id).collect::<Vec<_>>(), [public.id]);
        q.filters.push(("status", Arg::from("draft")));
        assert!(store.list::<Article>(&q).await.unwrap().items.is_empty());
        assert!(matches!(
            store
                .list::<Incident>(&ListQuery {
                    published_only: true,
                    limit: 5,
                    ..ListQuery::default()
                })
                .await,
            Err(Error::Unexpected(_))
        ));

        // One vote a reader: voting again replaces it, and the counts follow.
        let day = |d: i64| t0() + Duration::days(d);
        let a = store
            .vote(public.id, reader.id, false, Some("Which client?".into()), day(1))
            .await
            .unwrap();
        assert_eq!((a.helpful_votes, a.unhelpful_votes), (0, 1));
        assert_eq!(a.updated_at, public.updated_at, "a vote is not an edit");
        store.vote(public.id, author.id, true, None, day(2)).await.unwrap();
        let a = store.vote(public.id, reader.id, true, None, day(3)).await.unwrap();
        assert_eq!((a.helpful_votes, a.unhelpful_votes), (2, 0));
        assert_eq!(store.vote_of(public.id, reader.id).await.unwrap(), Some(true));
        assert_eq!(store.vote_of(internal.id, reader.id).await.unwrap(), None);
        store.vote(internal.id, reader.id, false, None, day(3)).await.unwrap();
        let first = store.votes(public.id, None, 1).await.unwrap();
        assert_eq!(first.items[0].voter, reader.id, "newest first");
        let rest = store.votes(public.id, first.next_cursor.as_deref(), 1).await.unwrap();
        assert_eq!(rest.items[0].voter, author.id);
        assert!(rest.next_cursor.is_none());
        assert!(matches!(
            store.vote(ArticleId(999), reader.id, true, None, day(3)).await,
            Err(Error::NotFound { .. })
        ));

        // Evidence for 7.6: published articles reviewed on time, and votes that found them helpful.
        let period = Period {
            from: t0(),
            to: t0() + Duration::days(30),
        };
        let counts = store.indicator_counts(period).await.unwrap();
        let reviewed = &counts["articles_reviewed_on_time"];
        assert_eq!((reviewed.population, reviewed.passing), (2, 2));
        let helpful = &counts["articles_found_helpful"];
        assert_eq!((helpful.population, helpful.passing), (2, 1));
    });
}

#[tokio::test]
async fn a_continuity_report_past_its_ceiling_is_refused_by_name() {
    on_each_backend!(|store, db| {
        use steward_core::continuity::{ContinuityPlan, NewContinuityPlan};
        let mail = live_service(store, "MAIL", "Mail").await;
        let plans: Vec<(ContinuityPlan, Option<steward_core::id::UserId>)> = (0..5_001)
            .map(|i| {
                let plan = ContinuityPlan::create(
                    NewContinuityPlan {
                        service: mail.id,
                        title: format!("Plan {i}"),
                        recovery_time_minutes: 120,
                        recovery_point_minutes: 15,
                        invocation_criteria: None,
                        recovery_steps: None,
                        return_to_normal: None,
                        owner: None,
                        next_review: None,
                    },
                    t0(),
                )
                .unwrap();
                (plan, None)
            })
            .collect();
        for written in store.insert_many(plans).await.unwrap() {
            written.unwrap();
        }
        match store.continuity_report(t0().date_naive()).await {
            Err(steward_core::Error::Conflict(m)) => assert!(m.contains("5000 continuity plans"), "{m}"),
            other => panic!(
                "expected a conflict naming the ceiling, got {:?}",
                other.map(|r| r.len())
            ),
        }
    });
}
