//! The OpenAPI document, the API page, health probes and request ids.

use reqwest::StatusCode;
use serde_json::Value;

use crate::on_each_backend;

#[tokio::test]
async fn openapi_lists_every_route_and_pages_are_served_offline() {
    on_each_backend!(|s| {
        let r = s
            .client
            .get(format!("{}/api/v1/openapi.json", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        for (p, method) in [
            ("/api/v1/incidents", "post"),
            ("/api/v1/incidents/{reference}/transition", "post"),
            ("/api/v1/incidents/{reference}/history", "get"),
            ("/api/v1/requests/{reference}", "patch"),
            ("/api/v1/problems", "get"),
            ("/api/v1/changes", "get"),
            ("/api/v1/configuration-items", "get"),
            ("/api/v1/services", "get"),
            ("/api/v1/users", "post"),
            ("/api/v1/teams/{reference}/members/{user}", "put"),
            ("/api/v1/links", "post"),
            ("/api/v1/tokens", "post"),
        ] {
            assert!(
                paths.get(p).and_then(|m| m.get(method)).is_some(),
                "{method} {p} missing"
            );
        }
        assert!(doc["components"]["schemas"]["Incident"].is_object());
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

        let page = s.client.get(format!("{}/api/v1/docs", s.base)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("/api/v1/openapi.json"));
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "the API page must load nothing from the network"
        );

        for probe in ["/healthz", "/readyz"] {
            let r = s.client.get(format!("{}{probe}", s.base)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{probe}");
            assert!(r.headers().contains_key("x-request-id"));
        }
        let r = s
            .client
            .get(format!("{}/healthz", s.base))
            .header("x-request-id", "trace-me-42")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-request-id"], "trace-me-42");
        let r = s
            .client
            .get(format!("{}/api/v1/incidents", s.base))
            .header("x-request-id", "trace-me-43")
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["request_id"], "trace-me-43");
    });
}

#[tokio::test]
async fn the_requirement_catalogue_is_served_and_filtered_by_clause() {
    on_each_backend!(|s| {
        let (st, v) = s.get("/api/v1/compliance/requirements", &s.auditor).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(v["edition"], "ISO/IEC 20000-1:2018");
        assert!(v["items"].as_array().unwrap().len() >= 77);
        let (_, v) = s.get("/api/v1/compliance/requirements?clause=8.5.1", &s.agent).await;
        let clauses: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["clause"].as_str().unwrap())
            .collect();
        assert_eq!(clauses, ["8.5.1", "8.5.1.1", "8.5.1.2", "8.5.1.3"]);
        let (st, _) = s.get("/api/v1/compliance/requirements?section=8", &s.agent).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (_, v) = s
            .get(
                "/api/v1/compliance/requirements?clause=4.1&amendment=amd1-2024",
                &s.agent,
            )
            .await;
        assert!(
            v["items"][0]["summary"].as_str().unwrap().contains("climate change"),
            "{v}"
        );
        let (st, _) = s.get("/api/v1/compliance/requirements?amendment=2030", &s.agent).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, v) = s.get("/api/v1/compliance/requirements/mapping-2011", &s.auditor).await;
        assert_eq!(st, StatusCode::OK);
        let change = v["mappings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["from"] == "9.2")
            .unwrap();
        assert_eq!(change["to"], serde_json::json!(["8.5.1.1", "8.5.1.2", "8.5.1.3"]));
    });
}
