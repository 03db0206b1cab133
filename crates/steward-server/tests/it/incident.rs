//! The incident lifecycle over HTTP.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::error_code;
use crate::on_each_backend;

#[tokio::test]
async fn incident_created_listed_moved_and_its_history_read() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("MAIL").await;
        let team = s
            .create("/api/v1/teams", &s.admin, json!({"name": "Service desk"}))
            .await;
        let inc = s
            .create(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "Mail down", "service": svc, "impact": "high", "urgency": "high", "team": team}),
            )
            .await;
        s.create(
            "/api/v1/incidents",
            &s.agent,
            json!({"title": "Slow laptop", "impact": "low", "urgency": "low"}),
        )
        .await;

        let (st, v) = s.get("/api/v1/incidents?priority=P1&status=new", &s.agent).await;
        assert_eq!(st, StatusCode::OK);
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["id"], inc);
        assert_eq!(items[0]["priority"], "P1");
        let (_, v) = s.get(&format!("/api/v1/incidents?team={team}"), &s.agent).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1);

        let path = format!("/api/v1/incidents/{inc}/transition");
        let (st, v) = s.post(&path, &s.agent, json!({"to": "in_progress"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "in_progress");

        // Closing straight from in_progress is refused, naming the allowed next states.
        let (st, v) = s.post(&path, &s.agent, json!({"to": "closed"})).await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert_eq!(error_code(&v), "invalid_transition");
        assert_eq!(v["error"]["allowed"], json!(["pending", "resolved", "cancelled"]));
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("pending, resolved, cancelled")
        );

        let (st, v) = s.post(&path, &s.agent, json!({"to": "resolved"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = v["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["resolution_code", "resolution_notes"]);

        let (st, v) = s
            .post(
                &path,
                &s.agent,
                json!({"to": "resolved", "resolution_code": "fixed", "resolution_notes": "Restarted the relay"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "resolved");
        assert!(v["resolved_at"].is_string());

        let (st, v) = s.get(&format!("/api/v1/incidents/{inc}/history"), &s.auditor).await;
        assert_eq!(st, StatusCode::OK);
        let entries = v["items"].as_array().unwrap();
        assert_eq!(entries[0]["action"], "create");
        let moves: Vec<(&str, &str)> = entries
            .iter()
            .filter(|e| e["field"] == "status")
            .map(|e| (e["old_value"].as_str().unwrap(), e["new_value"].as_str().unwrap()))
            .collect();
        assert_eq!(moves, [("new", "in_progress"), ("in_progress", "resolved")]);
        assert!(entries.iter().all(|e| e["actor"].is_string()));

        // Patch: priority follows impact and urgency; a closed incident is frozen.
        let (st, v) = s
            .patch(
                &format!("/api/v1/incidents/{inc}"),
                &s.agent,
                json!({"urgency": "low", "team": null}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["priority"], "P3");
        assert_eq!(v["team"], json!(null));
        let (st, _) = s.post(&path, &s.agent, json!({"to": "closed"})).await;
        assert_eq!(st, StatusCode::OK);
        let (st, v) = s
            .patch(&format!("/api/v1/incidents/{inc}"), &s.agent, json!({"title": "again"}))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
    });
}

#[tokio::test]
async fn lists_page_by_cursor_without_repeats() {
    on_each_backend!(|s| {
        for n in 0..7 {
            s.create("/api/v1/incidents", &s.agent, json!({"title": format!("i{n}")}))
                .await;
        }
        let mut seen = Vec::new();
        let mut url = "/api/v1/incidents?limit=3&sort=created_at".to_string();
        loop {
            let (st, v) = s.get(&url, &s.agent).await;
            assert_eq!(st, StatusCode::OK, "{v}");
            seen.extend(
                v["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["title"].as_str().unwrap().to_string()),
            );
            match v["next_cursor"].as_str() {
                Some(c) => url = format!("/api/v1/incidents?limit=3&sort=created_at&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, (0..7).map(|n| format!("i{n}")).collect::<Vec<_>>());
    });
}
