//! Configuration management over HTTP: types and attributes, relationships, impact through
//! cycles, verification and the overdue list.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::error_code;
use crate::on_each_backend;

#[tokio::test]
async fn items_relate_and_impact_travels_through_cycles() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("ERP").await;
        let ci = |name: &str, ci_type: &str| {
            let body = json!({"name": name, "ci_type": ci_type, "status": "active"});
            async move { s.create("/api/v1/configuration-items", &s.agent, body).await }
        };
        let app = ci("erp-app", "application").await;
        let vm = ci("vm-1", "server").await;
        let db = ci("erp-db", "database").await;
        let switch = ci("sw-1", "network_device").await;
        s.post("/api/v1/links", &s.agent, json!({"from": app, "to": svc})).await;
        let rel = |from: &str, kind: &str, to: &str| {
            let (path, body) = (
                format!("/api/v1/configuration-items/{from}/relationships"),
                json!({"kind": kind, "to": to}),
            );
            async move { s.post(&path, &s.agent, body).await }
        };
        assert_eq!(rel(&app, "runs_on", &vm).await.0, StatusCode::CREATED);
        assert_eq!(rel(&app, "depends_on", &db).await.0, StatusCode::CREATED);
        assert_eq!(
            rel(&db, "depends_on", &app).await.0,
            StatusCode::CREATED,
            "a cycle is allowed"
        );
        assert_eq!(rel(&switch, "connected_to", &vm).await.0, StatusCode::CREATED);
        let (st, v) = rel(&app, "runs_on", &vm).await;
        assert_eq!((st, error_code(&v)), (StatusCode::CONFLICT, "conflict"));
        let (st, _) = rel(&app, "runs_on", &app).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _) = rel(&app, "orbits", &vm).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _) = rel(&app, "runs_on", "CI-999").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

        // The switch fails: the vm, the application on it, the database it needs, and the service.
        let (st, v) = s
            .get(&format!("/api/v1/configuration-items/{switch}/impact"), &s.auditor)
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let affected: Vec<(String, i64)> = v["affected_items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["item"].as_str().unwrap().to_string(), r["depth"].as_i64().unwrap()))
            .collect();
        assert_eq!(affected, [(vm.clone(), 1), (app.clone(), 2), (db.clone(), 3)]);
        assert_eq!(v["affected_services"][0]["service"], svc);
        assert_eq!(v["affected_services"][0]["through"], app);
        let (_, v) = s
            .get(&format!("/api/v1/configuration-items/{app}/impact"), &s.agent)
            .await;
        let depends: Vec<&str> = v["depends_on"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["item"].as_str().unwrap())
            .collect();
        assert_eq!(depends, [vm.as_str(), db.as_str(), switch.as_str()]);

        let (_, v) = s
            .get(&format!("/api/v1/configuration-items/{vm}/relationships"), &s.agent)
            .await;
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        let (st, _) = s
            .call(
                Method::DELETE,
                &format!("/api/v1/configuration-items/{app}/relationships/runs_on/{vm}"),
                Some(&s.agent),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (st, _) = s
            .call(
                Method::DELETE,
                &format!("/api/v1/configuration-items/{app}/relationships/runs_on/{vm}"),
                Some(&s.agent),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, h) = s
            .get(&format!("/api/v1/configuration-items/{vm}/history"), &s.auditor)
            .await;
        assert!(h["items"].as_array().unwrap().iter().any(|e| e["action"] == "unlink"));
        let (st, _) = s
            .post(
                &format!("/api/v1/configuration-items/{app}/relationships"),
                &s.auditor,
                json!({"kind": "runs_on", "to": vm}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn types_attributes_and_verification() {
    on_each_backend!(|s| {
        let (_, types) = s.get("/api/v1/configuration-item-types", &s.agent).await;
        let names: Vec<&str> = types["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"server") && names.contains(&"licence"), "{names:?}");
        let firewall = json!({"name": "firewall", "verification_interval_days": 30, "under_change_control": true,
            "attributes": [{"name": "rules", "kind": "number", "required": true}, {"name": "vendor", "kind": "text"}]});
        let (st, _) = s
            .post("/api/v1/configuration-item-types", &s.agent, firewall.clone())
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, v) = s
            .post("/api/v1/configuration-item-types", &s.manager, firewall.clone())
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(
            s.post("/api/v1/configuration-item-types", &s.manager, firewall).await.0,
            StatusCode::CONFLICT
        );

        let (st, v) = s
            .post(
                "/api/v1/configuration-items",
                &s.agent,
                json!({"name": "fw-1", "ci_type": "firewall"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["fields"][0]["field"], "attributes.rules");
        let (st, v) = s
            .post(
                "/api/v1/configuration-items",
                &s.agent,
                json!({"name": "fw-1", "ci_type": "firewall", "attributes": {"rules": "many"}}),
            )
            .await;
        assert_eq!(
            (st, v["error"]["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("attributes.rules"))
        );
        let (st, v) = s
            .post(
                "/api/v1/configuration-items",
                &s.agent,
                json!({"name": "x", "ci_type": "spaceship"}),
            )
            .await;
        assert_eq!(
            (st, v["error"]["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("ci_type"))
        );
        let fw = s.create("/api/v1/configuration-items", &s.agent, json!({"name": "fw-1", "ci_type": "firewall", "status": "active", "attributes": {"rules": 120, "vendor": "Acme"}})).await;
        let (_, v) = s.get(&format!("/api/v1/configuration-items/{fw}"), &s.agent).await;
        assert_eq!(v["attributes"]["rules"], 120);
        let (st, _) = s
            .patch(
                &format!("/api/v1/configuration-items/{fw}"),
                &s.agent,
                json!({"attributes": {"vendor": "Acme"}}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "rules is required");

        let doc = s
            .create(
                "/api/v1/configuration-items",
                &s.agent,
                json!({"name": "runbook", "ci_type": "document"}),
            )
            .await;
        let (_, v) = s
            .get("/api/v1/configuration-items/overdue-verification", &s.auditor)
            .await;
        let overdue: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert!(
            overdue.contains(&fw.as_str()) && overdue.contains(&doc.as_str()),
            "never verified: {overdue:?}"
        );
        let (st, v) = s
            .post(&format!("/api/v1/configuration-items/{fw}/verify"), &s.agent, json!({}))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert!(v["last_verified_at"].is_string() && v["last_verified_by"].is_string());
        let (_, v) = s
            .get("/api/v1/configuration-items/overdue-verification", &s.auditor)
            .await;
        assert!(
            !v["items"].as_array().unwrap().iter().any(|c| c["id"] == fw),
            "verified today"
        );
    });
}

#[tokio::test]
async fn assets_have_a_lifecycle_and_licences_an_over_use_list() {
    on_each_backend!(|s| {
        let lic = s
            .create(
                "/api/v1/licences",
                &s.manager,
                json!({"name": "Office suite", "vendor": "Acme", "entitlements": 2, "expires": "2027-06-30"}),
            )
            .await;
        let (st, _) = s
            .post("/api/v1/licences", &s.agent, json!({"name": "x", "entitlements": 1}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "licences are managed by managers");
        let (st, v) = s
            .post(
                "/api/v1/licences",
                &s.manager,
                json!({"name": "Bad", "entitlements": -1}),
            )
            .await;
        assert_eq!(
            (st, v["error"]["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("entitlements"))
        );
        let laptop = s
            .create(
                "/api/v1/assets",
                &s.agent,
                json!({"name": "Laptop 17", "asset_type": "hardware", "tag": "LT-0017", "location": "Paris 3F"}),
            )
            .await;
        let (st, v) = s
            .post(
                "/api/v1/assets",
                &s.agent,
                json!({"name": "x", "asset_type": "hardware", "licence": lic}),
            )
            .await;
        assert_eq!(
            (st, v["error"]["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("licence"))
        );
        let mut installs = Vec::new();
        for n in 0..3 {
            let a = s
                .create(
                    "/api/v1/assets",
                    &s.agent,
                    json!({"name": format!("Office on PC {n}"), "asset_type": "software", "licence": lic}),
                )
                .await;
            installs.push(a);
        }
        // In stock, nothing is over-used; three in use against two entitlements is.
        let (_, v) = s.get("/api/v1/licences/over-use", &s.auditor).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 0);
        for a in &installs {
            let (st, _) = s
                .post(
                    &format!("/api/v1/assets/{a}/transition"),
                    &s.agent,
                    json!({"to": "in_use"}),
                )
                .await;
            assert_eq!(st, StatusCode::OK);
        }
        let (_, v) = s.get("/api/v1/licences/over-use", &s.auditor).await;
        assert_eq!(
            v["items"],
            json!([{"licence": lic, "name": "Office suite", "entitlements": 2, "installations": 3}])
        );
        s.post(
            &format!("/api/v1/assets/{}/transition", installs[0]),
            &s.agent,
            json!({"to": "retired"}),
        )
        .await;
        let (_, v) = s.get("/api/v1/licences/over-use", &s.auditor).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 0, "retiring one brings it within");

        let (st, v) = s
            .post(
                &format!("/api/v1/assets/{laptop}/transition"),
                &s.agent,
                json!({"to": "disposed"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert_eq!(v["error"]["allowed"], json!(["in_use", "retired"]));
        let (_, v) = s
            .get(&format!("/api/v1/assets?licence={lic}&status=in_use"), &s.agent)
            .await;
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        let (_, h) = s.get(&format!("/api/v1/assets/{laptop}/history"), &s.auditor).await;
        assert_eq!(h["items"][0]["action"], "create");
    });
}
