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
