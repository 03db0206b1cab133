//! Change scheduling: conflicts with other changes and blackouts, and the forward schedule of
//! change as an iCalendar feed read by an independent parser.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::error_code;
use crate::on_each_backend;

#[tokio::test]
async fn scheduling_reports_conflicts_and_the_feed_lists_the_schedule() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("MAIL").await;
        let (other_svc, _) = s.service_with_item("WEB").await;
        let db = s
            .create(
                "/api/v1/configuration-items",
                &s.agent,
                json!({"name": "mail-db", "ci_type": "database"}),
            )
            .await;
        let change = |title: &str, service: &str| {
            let body = json!({"title": title, "service": service, "backout_plan": "Restore the snapshot"});
            async move {
                let r = s.create("/api/v1/changes", &s.agent, body).await;
                for to in ["assessment", "approved"] {
                    let (st, v) = s
                        .post(&format!("/api/v1/changes/{r}/transition"), &s.agent, json!({"to": to}))
                        .await;
                    assert_eq!(st, StatusCode::OK, "{v}");
                }
                r
            }
        };
        let schedule = |r: String, start: &str, end: &str, accept: bool| {
            let body =
                json!({"to": "scheduled", "planned_start": start, "planned_end": end, "accept_conflicts": accept});
            async move { s.post(&format!("/api/v1/changes/{r}/transition"), &s.agent, body).await }
        };
        let first = change("Patch, mail; servers", &svc).await;
        s.post("/api/v1/links", &s.agent, json!({"from": first, "to": db}))
            .await;
        let (st, v) = schedule(first.clone(), "2026-12-05T20:00:00Z", "2026-12-05T22:00:00Z", false).await;
        assert_eq!(st, StatusCode::OK, "{v}");

        // Same item, overlapping window, another service: refused, naming the change.
        let second = change("Resize mail-db", &other_svc).await;
        s.post("/api/v1/links", &s.agent, json!({"from": second, "to": db}))
            .await;
        let (st, v) = schedule(second.clone(), "2026-12-05T21:00:00Z", "2026-12-05T23:00:00Z", false).await;
        assert_eq!((st, error_code(&v)), (StatusCode::CONFLICT, "conflict"), "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(&first), "{v}");
        // Back to back is no overlap.
        let (st, v) = schedule(second.clone(), "2026-12-05T22:00:00Z", "2026-12-05T23:00:00Z", false).await;
        assert_eq!(st, StatusCode::OK, "{v}");

        // A blackout over the year end, for every service.
        let (st, _) = s
            .post(
                "/api/v1/change-blackouts",
                &s.agent,
                json!({"name": "Freeze", "starts_at": "2026-12-20T00:00:00Z", "ends_at": "2027-01-03T00:00:00Z"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let blk = s.create("/api/v1/change-blackouts", &s.manager, json!({"name": "Year-end freeze", "starts_at": "2026-12-20T00:00:00Z", "ends_at": "2027-01-03T00:00:00Z"})).await;
        let (st, _) = s
            .post(
                "/api/v1/change-blackouts",
                &s.manager,
                json!({"name": "Backwards", "starts_at": "2027-01-03T00:00:00Z", "ends_at": "2026-12-20T00:00:00Z"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let third = change("Renew certificates", &other_svc).await;
        let (st, v) = schedule(third.clone(), "2026-12-24T10:00:00Z", "2026-12-24T11:00:00Z", false).await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert!(v["error"]["message"].as_str().unwrap().contains(&blk), "{v}");
        let (st, _) = schedule(third.clone(), "2026-12-24T10:00:00Z", "2026-12-24T11:00:00Z", true).await;
        assert_eq!(st, StatusCode::OK, "accepted knowingly");

        // The feed, read by an independent parser, with the token in the URL as calendar clients do.
        let r = s
            .client
            .get(format!("{}/api/v1/changes/schedule.ics?token={}", s.base, s.auditor))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let body = r.text().await.unwrap();
        assert!(body.lines().all(|l| l.len() <= 76), "lines are folded");
        let mut parser = ical::IcalParser::new(std::io::BufReader::new(body.as_bytes()));
        let cal = parser.next().expect("one calendar").expect("parses");
        let events: Vec<(String, String, String)> = cal
            .events
            .iter()
            .map(|e| {
                let prop = |name: &str| {
                    e.properties
                        .iter()
                        .find(|p| p.name == name)
                        .and_then(|p| p.value.clone())
                        .unwrap_or_default()
                };
                (prop("UID"), prop("DTSTART"), prop("SUMMARY"))
            })
            .collect();
        assert_eq!(events.len(), 3, "{body}");
        assert_eq!(
            events[0],
            (
                format!("{first}@steward"),
                "20261205T200000Z".to_string(),
                format!("{first} Patch\\, mail\\; servers")
            )
        );
        let (st, _) = s
            .call(
                reqwest::Method::GET,
                "/api/v1/changes/schedule.ics?token=wrong",
                None,
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let (st, _) = s
            .call(
                reqwest::Method::GET,
                &format!("/api/v1/changes/schedule.ics?token={}", s.requester_a),
                None,
                None,
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}
