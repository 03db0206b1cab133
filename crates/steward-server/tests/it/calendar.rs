//! Calendars over HTTP: definitions checked field by field, and previews of both operations.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::error_code;
use crate::on_each_backend;

#[tokio::test]
async fn calendars_are_defined_and_previewed() {
    on_each_backend!(|s| {
        let office = json!({
            "name": "Paris office",
            "time_zone": "Europe/Paris",
            "hours": {
                "monday": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}],
                "tuesday": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}],
                "wednesday": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}],
                "thursday": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}],
                "friday": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}]
            },
            "holidays": [{"name": "Christmas", "from": "2026-12-25", "to": "2026-12-25"}]
        });
        let (st, v) = s.post("/api/v1/calendars", &s.agent, office.clone()).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
        let cal = s.create("/api/v1/calendars", &s.manager, office.clone()).await;
        assert!(cal.starts_with("CAL-"));
        let (st, _) = s.post("/api/v1/calendars", &s.manager, office).await;
        assert_eq!(st, StatusCode::CONFLICT);

        // Friday 16:00 Paris (15:00Z) plus 4 business hours is Monday 10:30 Paris (09:30Z).
        let (st, v) = s
            .post(
                &format!("/api/v1/calendars/{cal}/add"),
                &s.agent,
                json!({"start": "2026-11-27T15:00:00Z", "duration": "PT4H"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["due"], "2026-11-30T09:30:00Z");
        let (_, v) = s
            .post(
                &format!("/api/v1/calendars/{cal}/add"),
                &s.agent,
                json!({"start": "2026-11-23T07:00:00Z", "duration": 14400}),
            )
            .await;
        assert_eq!(
            v["due"], "2026-11-23T11:00:00Z",
            "ends at closing, not at the next opening"
        );
        let (st, v) = s
            .post(
                &format!("/api/v1/calendars/{cal}/add"),
                &s.agent,
                json!({"start": "2026-11-27T15:00:00Z", "duration": "4 hours"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["fields"][0]["field"], "duration");

        let (st, v) = s
            .get(
                &format!("/api/v1/calendars/{cal}/business-time?from=2026-12-24T16:00:00Z&to=2026-12-28T07:30:00Z"),
                &s.auditor,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["business_time"], "PT1H");
        assert_eq!(v["business_seconds"], 3600.0);
        let (st, v) = s
            .get(
                &format!("/api/v1/calendars/{cal}/business-time?from=yesterday&to=2026-12-28T07:30:00Z"),
                &s.agent,
            )
            .await;
        assert_eq!((st, error_code(&v)), (StatusCode::BAD_REQUEST, "bad_query"));
        let (st, _) = s
            .get(
                &format!("/api/v1/calendars/{cal}/business-time?from=2026-12-28T07:30:00Z&to=2026-12-24T16:00:00Z"),
                &s.agent,
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = s.get(&format!("/api/v1/calendars/{cal}"), &s.requester_a).await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // A bad definition names each field at fault.
        let (st, v) = s
            .post(
                "/api/v1/calendars",
                &s.manager,
                json!({"name": "Broken", "time_zone": "Mars/Olympus", "hours": {"monday": [{"start": "17:00", "end": "09:00"}]}}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = v["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["time_zone", "hours.monday[0]"]);
        let (st, v) = s
            .post("/api/v1/calendars", &s.manager, json!({"name": "Bad time", "time_zone": "UTC", "hours": {"monday": [{"start": "8am", "end": "17:00"}]}}))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

        // 24x7, and an edit recorded in history.
        let always = s
            .create(
                "/api/v1/calendars",
                &s.admin,
                json!({"name": "24x7", "time_zone": "UTC", "always_open": true}),
            )
            .await;
        let (_, v) = s
            .get(
                &format!("/api/v1/calendars/{always}/business-time?from=2026-11-28T00:00:00Z&to=2026-11-29T12:00:00Z"),
                &s.agent,
            )
            .await;
        assert_eq!(v["business_time"], "PT36H");
        let (st, _) = s
            .call(
                Method::PATCH,
                &format!("/api/v1/calendars/{cal}"),
                Some(&s.manager),
                Some(json!({"time_zone": "Europe/Berlin"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, h) = s.get(&format!("/api/v1/calendars/{cal}/history"), &s.auditor).await;
        assert!(h["items"].as_array().unwrap().iter().any(|e| e["field"] == "time_zone"));
    });
}

#[tokio::test]
async fn agreements_hold_targets_per_service_and_priority() {
    on_each_backend!(|s| {
        let cal = s
            .create(
                "/api/v1/calendars",
                &s.manager,
                json!({"name": "24x7", "time_zone": "UTC", "always_open": true}),
            )
            .await;
        let (svc, _) = s.service_with_item("MAIL").await;
        let team = s
            .create("/api/v1/teams", &s.manager, json!({"name": "Mail team"}))
            .await;
        let sla = json!({
            "name": "Acme gold",
            "kind": "sla",
            "organisation": s.org_a,
            "calendar": cal,
            "valid_from": "2026-01-01",
            "review_date": "2026-12-01",
            "targets": [
                {"priority": "P1", "response": "PT15M", "resolution": "PT4H"},
                {"service": svc, "priority": "P1", "response": 600, "resolution": "PT2H"}
            ]
        });
        let (st, v) = s.post("/api/v1/agreements", &s.agent, sla.clone()).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
        let (st, v) = s.post("/api/v1/agreements", &s.manager, sla).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let agr = v["id"].as_str().unwrap().to_string();
        assert!(agr.starts_with("AGR-"));
        assert_eq!(v["warning_percent"], json!([75]));
        assert_eq!(v["pause_on"], json!(["waiting_for_customer", "waiting_for_supplier"]));
        assert_eq!(v["targets"][1]["response"], "PT10M");

        let bad = json!({
            "name": "Broken", "kind": "ola", "calendar": "CAL-999", "valid_from": "2026-01-01", "valid_to": "2025-01-01",
            "targets": [{"priority": "P1", "response": "PT4H", "resolution": "PT1H"}], "warning_percent": [0]
        });
        let (st, v) = s.post("/api/v1/agreements", &s.manager, bad).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let mut fields: Vec<&str> = v["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        fields.sort();
        assert_eq!(fields, ["targets[0].resolution", "team", "valid_to", "warning_percent"]);
        let (st, v) = s
            .post("/api/v1/agreements", &s.manager, json!({"name": "No calendar", "kind": "ola", "team": team, "calendar": "CAL-999", "valid_from": "2026-01-01", "targets": [{"priority": "P2", "response": "PT1H", "resolution": "PT8H"}]}))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "calendar");
        let (st, v) = s
            .post("/api/v1/agreements", &s.manager, json!({"name": "Bad duration", "kind": "sla", "calendar": cal, "valid_from": "2026-01-01", "targets": [{"priority": "P2", "response": "soon", "resolution": "PT8H"}]}))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

        let (_, v) = s
            .get(
                &format!("/api/v1/agreements?kind=sla&organisation={}", s.org_a),
                &s.auditor,
            )
            .await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        let (st, v) = s
            .patch(
                &format!("/api/v1/agreements/{agr}"),
                &s.manager,
                json!({"active": false}),
            )
            .await;
        assert_eq!((st, v["active"].as_bool()), (StatusCode::OK, Some(false)));
        let (_, v) = s.get("/api/v1/agreements?active=true", &s.agent).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 0);
        let (st, _) = s.get(&format!("/api/v1/agreements/{agr}"), &s.requester_a).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn tickets_carry_exact_service_level_clocks() {
    on_each_backend!(|s| {
        let cal = s
            .create(
                "/api/v1/calendars",
                &s.manager,
                json!({"name": "Always", "time_zone": "UTC", "always_open": true}),
            )
            .await;
        let (svc, item) = s.service_with_item("VPN").await;
        let sla = json!({
            "name": "Standard", "kind": "sla", "calendar": cal, "valid_from": "2020-01-01",
            "targets": [
                {"priority": "P1", "response": "PT15M", "resolution": "PT4H"},
                {"priority": "P4", "response": "PT4H", "resolution": "PT40H"},
                {"service": svc, "priority": "P4", "response": "PT2H", "resolution": "PT24H"}
            ]
        });
        let agr = s.create("/api/v1/agreements", &s.manager, sla).await;

        let (st, inc) = s
            .post(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "VPN down", "impact": "high", "urgency": "high"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{inc}");
        let r = inc["id"].as_str().unwrap().to_string();
        let sla: Vec<(String, String, String)> = inc["sla"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["metric"].as_str().unwrap().into(),
                    c["state"].as_str().unwrap().into(),
                    c["target"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            sla,
            [
                ("response".into(), "running".into(), "PT15M".into()),
                ("resolution".into(), "running".into(), "PT4H".into())
            ]
        );
        assert_eq!(inc["sla"][0]["agreement"], agr);
        let created = chrono::DateTime::parse_from_rfc3339(inc["created_at"].as_str().unwrap()).unwrap();
        let due = chrono::DateTime::parse_from_rfc3339(inc["sla"][1]["due_at"].as_str().unwrap()).unwrap();
        assert_eq!(due - created, chrono::Duration::hours(4));

        let t = format!("/api/v1/incidents/{r}/transition");
        let (_, v) = s.post(&t, &s.agent, json!({"to": "in_progress"})).await;
        assert_eq!(v["sla"][0]["state"], "met", "{v}");
        assert_eq!(v["sla"][1]["state"], "running");
        let (_, v) = s
            .post(
                &t,
                &s.agent,
                json!({"to": "pending", "pending_reason": "waiting_for_customer"}),
            )
            .await;
        assert_eq!(v["sla"][1]["state"], "paused", "{v}");
        assert!(v["sla"][1]["due_at"].is_null());
        let (_, v) = s.post(&t, &s.agent, json!({"to": "in_progress"})).await;
        assert_eq!(v["sla"][1]["state"], "running");
        let resumed_due = chrono::DateTime::parse_from_rfc3339(v["sla"][1]["due_at"].as_str().unwrap()).unwrap();
        assert!(resumed_due > due, "the pause pushed the due time out");

        // Lowering the priority re-targets from the original start; a service's own target wins.
        let (_, v) = s
            .patch(
                &format!("/api/v1/incidents/{r}"),
                &s.agent,
                json!({"impact": "low", "urgency": "medium", "service": svc}),
            )
            .await;
        assert_eq!(v["priority"], "P4");
        assert_eq!(v["sla"][1]["target"], "PT24H", "{v}");
        assert_eq!(v["sla"][0]["state"], "met", "a met response stays met");
        // A priority without a target withdraws the clocks.
        let (_, v) = s
            .patch(&format!("/api/v1/incidents/{r}"), &s.agent, json!({"impact": "medium"}))
            .await;
        assert_eq!(v["priority"], "P3");
        assert_eq!(v["sla"][1]["state"], "withdrawn", "{v}");

        // A request and its clocks; then deactivating the agreement withdraws open clocks at once.
        let (_, req) = s
            .post(
                "/api/v1/requests",
                &s.requester_a,
                json!({"title": "VPN for Bo", "catalogue_item": item, "urgency": "medium"}),
            )
            .await;
        assert_eq!(req["priority"], "P4", "{req}");
        assert_eq!(req["sla"][1]["target"], "PT24H");
        let (_, got) = s
            .get(
                &format!("/api/v1/requests/{}", req["id"].as_str().unwrap()),
                &s.requester_a,
            )
            .await;
        assert_eq!(got["sla"][1]["state"], "running");
        s.patch(
            &format!("/api/v1/agreements/{agr}"),
            &s.manager,
            json!({"active": false}),
        )
        .await;
        let (_, list) = s.get("/api/v1/requests", &s.agent).await;
        assert_eq!(list["items"][0]["sla"][1]["state"], "withdrawn", "{list}");
        let (_, list) = s.get("/api/v1/incidents", &s.agent).await;
        assert!(list["items"][0]["sla"].is_array());
    });
}

#[tokio::test]
async fn escalations_reach_the_assignee_as_notifications() {
    on_each_backend!(|s| {
        let cal = s
            .create(
                "/api/v1/calendars",
                &s.manager,
                json!({"name": "Always", "time_zone": "UTC", "always_open": true}),
            )
            .await;
        s.create(
            "/api/v1/agreements",
            &s.manager,
            json!({"name": "Std", "kind": "sla", "calendar": cal, "valid_from": "2020-01-01",
                   "targets": [{"priority": "P3", "response": "PT1H", "resolution": "PT8H"}]}),
        )
        .await;
        let (_, me) = s.get("/api/v1/me", &s.agent).await;
        let inc = s
            .create(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "Slow", "assignee": me["user"]["id"]}),
            )
            .await;
        let far = (chrono::Utc::now() + chrono::Duration::days(2)).timestamp_micros();
        assert_eq!(s.db.store.run_due_escalations(far, 100).await.unwrap(), 4);
        let mail = steward_core::mail::MailSettings::in_app_only("http://steward.test");
        s.db.store.run_notifier_to_end(&mail, chrono::Utc::now()).await.unwrap();
        let (st, v) = s.get("/api/v1/notifications?unread=true", &s.agent).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 4);
        assert!(items.iter().all(|n| n["record"] == inc));
        let id = items[0]["id"].as_i64().unwrap();
        let (st, _) = s
            .call(
                Method::POST,
                &format!("/api/v1/notifications/{id}/read"),
                Some(&s.agent),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (_, v) = s.get("/api/v1/notifications?unread=true", &s.agent).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 3);
        let (st, _) = s
            .call(
                Method::POST,
                &format!("/api/v1/notifications/{id}/read"),
                Some(&s.manager),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "someone else's notification");
        let (st, _) = s
            .call(Method::POST, "/api/v1/notifications/abc/read", Some(&s.agent), None)
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, v) = s.get(&format!("/api/v1/incidents/{inc}"), &s.agent).await;
        assert_eq!(v["sla"][1]["state"], "running", "the breach is ahead in real time: {v}");

        // Resolve it: the report counts it as met, by priority.
        let t = format!("/api/v1/incidents/{inc}/transition");
        s.post(
            &t,
            &s.agent,
            json!({"to": "resolved", "resolution_code": "fixed", "resolution_notes": "done"}),
        )
        .await;
        let (st, v) = s
            .get(
                "/api/v1/reports/sla?from=2020-01-01&to=2100-01-01&group_by=priority",
                &s.manager,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let rows = v["rows"].as_array().unwrap();
        let p3 = rows
            .iter()
            .find(|r| r["group"] == "P3" && r["metric"] == "resolution")
            .unwrap();
        assert_eq!(
            (
                p3["total"].as_i64(),
                p3["met"].as_i64(),
                p3["attainment_percent"].as_f64()
            ),
            (Some(1), Some(1), Some(100.0))
        );
        for bad in [
            "from=yesterday&to=2100-01-01",
            "from=2026-01-01&to=2025-01-01",
            "from=2026-01-01&to=2027-01-01&group_by=team",
        ] {
            let (st, _) = s.get(&format!("/api/v1/reports/sla?{bad}"), &s.manager).await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{bad}");
        }
        let (st, _) = s
            .get("/api/v1/reports/sla?from=2020-01-01&to=2100-01-01", &s.requester_a)
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}
