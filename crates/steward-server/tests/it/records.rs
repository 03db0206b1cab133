//! Every other record type through the same API shape: create, read, patch, transition,
//! history; plus links, team members and the priority matrix.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::error_code;
use crate::on_each_backend;

#[tokio::test]
async fn services_configuration_items_problems_changes_and_requests() {
    on_each_backend!(|s| {
        // Services: unique codes, pipeline -> live -> retired.
        let svc = s
            .create(
                "/api/v1/services",
                &s.manager,
                json!({"code": "ERP", "name": "Finance ERP", "criticality": "critical"}),
            )
            .await;
        let (st, v) = s
            .post("/api/v1/services", &s.manager, json!({"code": "ERP", "name": "Again"}))
            .await;
        assert_eq!((st, error_code(&v)), (StatusCode::CONFLICT, "conflict"), "{v}");
        let (st, v) = s
            .post("/api/v1/services", &s.agent, json!({"code": "HR", "name": "HR"}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
        let (st, v) = s
            .post(
                &format!("/api/v1/services/{svc}/transition"),
                &s.manager,
                json!({"to": "live"}),
            )
            .await;
        assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("live")));
        let (st, v) = s
            .post(
                &format!("/api/v1/services/{svc}/transition"),
                &s.manager,
                json!({"to": "pipeline"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert_eq!(v["error"]["allowed"], json!(["retired"]));

        // Configuration items, linked to the service.
        let ci = s
            .create(
                "/api/v1/configuration-items",
                &s.agent,
                json!({"name": "erp-db-01", "ci_type": "database"}),
            )
            .await;
        let (st, v) = s
            .post(
                "/api/v1/configuration-items",
                &s.agent,
                json!({"name": "x", "ci_type": "Database Server"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, _) = s
            .post(
                &format!("/api/v1/configuration-items/{ci}/transition"),
                &s.agent,
                json!({"to": "active"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, v) = s.post("/api/v1/links", &s.agent, json!({"from": svc, "to": ci})).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(
            (v["from"].as_str(), v["to"].as_str()),
            (Some(ci.as_str()), Some(svc.as_str()))
        );

        // Problems with a known error, linked to an incident; changes linked to the CI.
        let inc = s
            .create(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "Posting fails", "service": svc, "configuration_item": ci}),
            )
            .await;
        let prb = s
            .create(
                "/api/v1/problems",
                &s.agent,
                json!({"title": "Posting fails under load", "service": svc}),
            )
            .await;
        let (st, v) = s
            .patch(
                &format!("/api/v1/problems/{prb}"),
                &s.agent,
                json!({"known_error": true}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v) = s
            .patch(
                &format!("/api/v1/problems/{prb}"),
                &s.agent,
                json!({"known_error": true, "workaround": "Post in smaller batches"}),
            )
            .await;
        assert_eq!((st, v["known_error"].as_bool()), (StatusCode::OK, Some(true)));
        let (st, _) = s.post("/api/v1/links", &s.agent, json!({"from": prb, "to": inc})).await;
        assert_eq!(st, StatusCode::CREATED);
        let (st, v) = s.post("/api/v1/links", &s.agent, json!({"from": inc, "to": prb})).await;
        assert_eq!((st, error_code(&v)), (StatusCode::CONFLICT, "conflict"));
        let (st, v) = s.post("/api/v1/links", &s.agent, json!({"from": inc, "to": svc})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v) = s
            .post("/api/v1/links", &s.agent, json!({"from": inc, "to": "PRB-404"}))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (_, v) = s.get(&format!("/api/v1/links?record={inc}"), &s.agent).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        let (_, v) = s.get("/api/v1/problems?known_error=true", &s.agent).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1);

        s.advisory_board().await;
        let chg = s
            .create(
                "/api/v1/changes",
                &s.agent,
                json!({"title": "Add ERP index", "service": svc, "risk": "low"}),
            )
            .await;
        s.post("/api/v1/links", &s.agent, json!({"from": chg, "to": ci})).await;
        s.post("/api/v1/links", &s.agent, json!({"from": prb, "to": chg})).await;
        let transition = format!("/api/v1/changes/{chg}/transition");
        let step = |to: &'static str, extra: serde_json::Value| {
            let mut body = json!({"to": to});
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            s.post(&transition, &s.agent, body)
        };
        assert_eq!(step("assessment", json!({})).await.0, StatusCode::OK);
        let (st, v) = step("approved", json!({})).await;
        assert_eq!(
            (st, error_code(&v)),
            (StatusCode::CONFLICT, "conflict"),
            "a normal change is approved by its approvers"
        );
        let (st, v) = s
            .post(
                &format!("/api/v1/changes/{chg}/approvals"),
                &s.manager,
                json!({"decision": "approved"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "backout_plan");
        let (_, v) = s.get(&format!("/api/v1/changes/{chg}/approvals"), &s.auditor).await;
        assert_eq!(
            v["approvals"][0]["decision"], "pending",
            "the refused decision was not kept: {v}"
        );
        let (st, _) = s
            .patch(
                &format!("/api/v1/changes/{chg}"),
                &s.agent,
                json!({"backout_plan": "Drop the index", "transition_plan": {"activities": "Build the index online", "acceptance_criteria": "Posting under 1 s", "expected_outcomes": "Faster posting"}}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        s.approve(&chg).await;
        assert_eq!(step("scheduled", json!({})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, v) = step(
            "scheduled",
            json!({"planned_start": "2026-12-01T20:00:00Z", "planned_end": "2026-12-01T22:00:00Z"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["planned_start"], "2026-12-01T20:00:00Z");
        assert_eq!(step("implementing", json!({})).await.0, StatusCode::OK);
        assert_eq!(step("review", json!({})).await.0, StatusCode::OK);
        let (st, v) = step("closed", json!({"outcome": "successful"})).await;
        assert_eq!(
            (st, v["error"]["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("review_notes"))
        );
        let (st, v) = step(
            "closed",
            json!({"outcome": "successful", "review_notes": "Queries 40% faster; no incidents."}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["review_notes"], "Queries 40% faster; no incidents.");
        let (_, v) = s.get(&format!("/api/v1/links?record={chg}"), &s.agent).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        let (st, _) = s
            .call(
                Method::DELETE,
                &format!("/api/v1/links/{chg}/{ci}"),
                Some(&s.agent),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (_, h) = s
            .get(&format!("/api/v1/configuration-items/{ci}/history"), &s.auditor)
            .await;
        let actions: Vec<&str> = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(actions.contains(&"link") && actions.contains(&"unlink"), "{actions:?}");

        // Requests against a catalogue item take its service.
        let item = s
            .create(
                "/api/v1/catalogue-items",
                &s.manager,
                json!({"service": svc, "name": "ERP role change"}),
            )
            .await;
        let req = s
            .create(
                "/api/v1/requests",
                &s.agent,
                json!({"title": "Give Bo approver role", "catalogue_item": item}),
            )
            .await;
        let (_, v) = s.get(&format!("/api/v1/requests/{req}"), &s.agent).await;
        assert_eq!(v["service"], svc);
        let (st, _) = s
            .post(
                &format!("/api/v1/requests/{req}/transition"),
                &s.agent,
                json!({"to": "fulfilled"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, v) = s
            .post(
                &format!("/api/v1/requests/{req}/transition"),
                &s.agent,
                json!({"to": "fulfilled", "fulfilment_notes": "Role granted"}),
            )
            .await;
        assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("fulfilled")));
        let (st, _) = s
            .patch(
                &format!("/api/v1/catalogue-items/{item}"),
                &s.manager,
                json!({"active": false}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, v) = s
            .post(
                "/api/v1/requests",
                &s.agent,
                json!({"title": "again", "catalogue_item": item}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    });
}

#[tokio::test]
async fn teams_users_organisations_and_the_priority_matrix() {
    on_each_backend!(|s| {
        let team = s.create("/api/v1/teams", &s.manager, json!({"name": "Network"})).await;
        let (st, _) = s.post("/api/v1/teams", &s.manager, json!({"name": "Network"})).await;
        assert_eq!(st, StatusCode::CONFLICT);
        let user = s
            .create(
                "/api/v1/users",
                &s.admin,
                json!({"email": "Nia@Example.com", "role": "agent", "password": "twelve chars!"}),
            )
            .await;
        let (_, v) = s.get(&format!("/api/v1/users/{user}"), &s.agent).await;
        assert_eq!(v["email"], "nia@example.com");
        assert!(v.get("password").is_none() && v.get("password_hash").is_none());
        let (st, v) = s
            .post(
                "/api/v1/users",
                &s.admin,
                json!({"email": "x@example.com", "role": "requester"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "organisation");
        let (st, _) = s
            .post(
                "/api/v1/users",
                &s.admin,
                json!({"email": "y@example.com", "role": "agent", "password": "short"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        // Long but easy to guess: a common word or the person's own name with digits added.
        for (password, says) in [
            ("P@ssw0rd2026!", "common word"),
            ("yvonne.adams2026", "your own name"),
            ("123456789012", "run of keys"),
            ("aaaaaaaabbbbbbbb", "different characters"),
        ] {
            let (st, v) = s
                .post(
                    "/api/v1/users",
                    &s.admin,
                    json!({"email": "y@example.com", "name": "Yvonne Adams", "role": "agent", "password": password}),
                )
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{password}: {v}");
            assert_eq!(v["error"]["fields"][0]["field"], "password", "{v}");
            assert!(v.to_string().contains(says), "{password}: {v}");
        }
        let (st, _) = s
            .post(
                "/api/v1/users",
                &s.admin,
                json!({"email": "nia@example.com", "role": "agent"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);

        let members = format!("/api/v1/teams/{team}/members/{user}");
        assert_eq!(
            s.call(Method::PUT, &members, Some(&s.manager), None).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            s.call(Method::PUT, &members, Some(&s.manager), None).await.0,
            StatusCode::CONFLICT
        );
        let (_, v) = s.get(&format!("/api/v1/teams/{team}/members"), &s.agent).await;
        assert_eq!(v["members"], json!([user]));
        assert_eq!(
            s.call(Method::DELETE, &members, Some(&s.manager), None).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            s.call(Method::DELETE, &members, Some(&s.manager), None).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            s.call(Method::PUT, &members, Some(&s.agent), None).await.0,
            StatusCode::FORBIDDEN
        );

        let (st, v) = s
            .patch(
                &format!("/api/v1/organisations/{}", s.org_a),
                &s.manager,
                json!({"description": "Key account"}),
            )
            .await;
        assert_eq!((st, v["description"].as_str()), (StatusCode::OK, Some("Key account")));

        let (_, m) = s.get("/api/v1/settings/priority-matrix", &s.agent).await;
        assert_eq!(m["rows"][0], json!(["P1", "P2", "P3"]));
        let custom = json!({"rows": [["P1", "P1", "P2"], ["P2", "P3", "P4"], ["P3", "P4", "P5"]]});
        let (st, _) = s
            .call(
                Method::PUT,
                "/api/v1/settings/priority-matrix",
                Some(&s.admin),
                Some(custom),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, v) = s
            .post(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "x", "impact": "high", "urgency": "medium"}),
            )
            .await;
        assert_eq!(v["priority"], "P1");
        let inverted = json!({"rows": [["P5", "P4", "P3"], ["P4", "P3", "P2"], ["P3", "P2", "P1"]]});
        let (st, _) = s
            .call(
                Method::PUT,
                "/api/v1/settings/priority-matrix",
                Some(&s.admin),
                Some(inverted),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    });
}

#[tokio::test]
async fn search_ranks_words_and_references_within_each_callers_reach() {
    on_each_backend!(|s| {
        let mine = s
            .create(
                "/api/v1/incidents",
                &s.requester_a,
                json!({"title": "Scanner jams on every page", "description": "The office scanner in room 4"}),
            )
            .await;
        let theirs = s
            .create(
                "/api/v1/incidents",
                &s.requester_b,
                json!({"title": "Scanner driver missing"}),
            )
            .await;
        let chg = s
            .create(
                "/api/v1/changes",
                &s.agent,
                json!({"title": "Replace the scanner fleet"}),
            )
            .await;
        let refs = |v: &serde_json::Value| -> Vec<String> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["reference"].as_str().unwrap().to_string())
                .collect()
        };
        let (st, v) = s.get("/api/v1/search?q=scanner", &s.agent).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let mut all = refs(&v);
        all.sort();
        let mut want = vec![mine.clone(), theirs.clone(), chg.clone()];
        want.sort();
        assert_eq!(all, want);
        let (_, v) = s.get("/api/v1/search?q=scann", &s.requester_a).await;
        assert_eq!(
            refs(&v),
            vec![mine.clone()],
            "a requester finds only their organisation's tickets"
        );
        let (_, v) = s.get(&format!("/api/v1/search?q={theirs}"), &s.requester_a).await;
        assert!(!refs(&v).contains(&theirs), "nor another's by reference");
        let (_, v) = s.get(&format!("/api/v1/search?q={chg}"), &s.agent).await;
        assert_eq!(refs(&v)[0], chg, "a reference comes first");
        let (_, v) = s.get("/api/v1/search?q=scanner&kind=change", &s.agent).await;
        assert_eq!(refs(&v), vec![chg.clone()]);
        let (st, v) = s.get("/api/v1/search?q=scanner&kind=user", &s.agent).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, _) = s.get("/api/v1/search?q=%20-%20", &s.agent).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _) = s.get("/api/v1/search?q=scanner&limit=1000", &s.agent).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = s.get("/api/v1/search", &s.agent).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
    });
}
