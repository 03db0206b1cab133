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

#[tokio::test]
async fn the_document_names_values_as_they_are_sent_and_every_answer_a_route_can_give() {
    let s = crate::helpers::Server::start(steward_store::testing::TestDb::sqlite().await).await;
    let doc: serde_json::Value = s
        .client
        .get(format!("{}/api/v1/openapi.json", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    // Enums are documented by the names on the wire, not the Rust variants.
    assert_eq!(
        schemas["AgreementKind"]["enum"],
        serde_json::json!(["sla", "ola", "uc"])
    );
    assert_eq!(schemas["IncidentStatus"]["enum"][0], "new");
    assert_eq!(schemas["Role"]["enum"][0], "admin");
    // Two nouns, two schemas: a change's risk level and the risk register's record.
    assert_eq!(
        schemas["ChangeRisk"]["enum"],
        serde_json::json!(["low", "medium", "high"])
    );
    assert!(
        schemas["Risk"]["properties"]["likelihood"].is_object(),
        "{}",
        schemas["Risk"]
    );
    // A figure's rule and its count are two fields, not one key twice.
    let def = &schemas["IndicatorDef"]["properties"];
    assert!(
        def["population_rule"].is_object() && def["population"].is_null(),
        "{def}"
    );
    let r = s
        .client
        .get(format!("{}/api/v1/compliance/indicators", s.base))
        .bearer_auth(&s.admin)
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    let figures = serde_json::from_str::<Value>(&text).unwrap()["items"]
        .as_array()
        .unwrap()
        .len();
    assert!(figures > 10);
    assert_eq!(
        text.matches("\"population\":").count(),
        figures,
        "one population key per figure"
    );
    assert_eq!(text.matches("\"population_rule\":").count(), figures);
    // Every operation documents the errors any route can give.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for code in ["400", "403", "404", "422", "500"] {
                assert!(
                    op["responses"][code].is_object(),
                    "{method} {path} does not document {code}"
                );
            }
            if op["security"].is_array() {
                assert!(
                    op["responses"]["401"].is_object(),
                    "{method} {path} does not document 401"
                );
            }
        }
    }
    s.stop().await;
}
