//! Information security (8.7.3) over HTTP: security incidents with their own priority table,
//! kept to those cleared for them, their caller and their assignee, on each backend.

use reqwest::StatusCode;
use serde_json::json;
use steward_core::user::Role;

use crate::helpers::error_code;
use crate::on_each_backend;
use crate::ui::Web;

#[tokio::test]
async fn a_security_incident_is_kept_to_the_cleared_its_caller_and_its_assignee() {
    on_each_backend!(|s| {
        let (_, cleared) = s.person("sec@example.com", Role::Agent, None, true).await;
        let agent_ref = s.agent_user.clone();
        let (_, colleague) = s
            .person("colleague@acme.example", Role::Requester, Some(&s.org_a), false)
            .await;

        // A customer reports a phishing mail; medium x medium is P2 on the security table.
        let (st, v) = s
            .post(
                "/api/v1/incidents",
                &s.requester_a,
                json!({"title": "Mail asking for my password", "security": true}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(v["security"], true);
        assert_eq!(v["priority"], "P2");
        let secret = v["id"].as_str().unwrap().to_string();
        let open = s
            .create("/api/v1/incidents", &s.requester_a, json!({"title": "Mail is slow"}))
            .await;
        let (_, v) = s.get(&format!("/api/v1/incidents/{open}"), &s.agent).await;
        assert_eq!(v["priority"], "P3", "the usual table for the rest");

        let listed = |token: String| {
            let s = &s;
            async move {
                let (_, v) = s.get("/api/v1/incidents", &token).await;
                v["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_str().unwrap().to_string())
                    .collect::<Vec<_>>()
            }
        };
        // Not cleared, not its caller, not its assignee: as if it did not exist.
        for token in [&s.agent, &s.manager, &s.auditor, &colleague] {
            assert!(!listed(token.clone()).await.contains(&secret));
            for path in [
                format!("/api/v1/incidents/{secret}"),
                format!("/api/v1/incidents/{secret}/history"),
                format!("/api/v1/incidents/{secret}/comments"),
                format!("/api/v1/links?record={secret}"),
            ] {
                let (st, v) = s.get(&path, token).await;
                assert_eq!(st, StatusCode::NOT_FOUND, "{path}: {v}");
            }
            for q in [secret.clone(), "password".to_string()] {
                let (_, v) = s.get(&format!("/api/v1/search?q={q}"), token).await;
                assert!(!v.to_string().contains(&secret), "search {q}: {v}");
            }
        }
        let (st, _) = s
            .patch(
                &format!("/api/v1/incidents/{secret}"),
                &s.agent,
                json!({"impact": "high"}),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/watchers/{secret}/me"),
                Some(&s.agent),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // The cleared, the administrator and the caller see it.
        for token in [&cleared, &s.admin, &s.requester_a] {
            assert!(listed(token.clone()).await.contains(&secret));
            let (st, _) = s.get(&format!("/api/v1/incidents/{secret}"), token).await;
            assert_eq!(st, StatusCode::OK);
        }
        let (_, v) = s.get("/api/v1/incidents?security=true", &cleared).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
        let (_, v) = s.get("/api/v1/search?q=password", &cleared).await;
        assert!(v.to_string().contains(&secret), "{v}");

        // Someone who could not see it cannot be made to watch it.
        let (st, v) = s
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/watchers/{secret}/{agent_ref}"),
                Some(&s.admin),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

        // Assigned to the uncleared agent, it is theirs to see and work, but not to open up.
        let (st, v) = s
            .patch(
                &format!("/api/v1/incidents/{secret}"),
                &s.admin,
                json!({"assignee": agent_ref}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert!(listed(s.agent.clone()).await.contains(&secret));
        let (st, _) = s
            .post(
                &format!("/api/v1/incidents/{secret}/comments"),
                &s.agent,
                json!({"body": "Blocked the sender", "visibility": "internal"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let (st, v) = s
            .patch(
                &format!("/api/v1/incidents/{secret}"),
                &s.agent,
                json!({"security": false}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(error_code(&v), "forbidden");
        let (st, v) = s
            .patch(
                &format!("/api/v1/incidents/{secret}"),
                &cleared,
                json!({"security": false}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["priority"], "P3", "back on the usual table");
        assert!(listed(s.manager.clone()).await.contains(&secret));
    });
}

#[tokio::test]
async fn the_security_priority_table_is_an_administrators_setting() {
    on_each_backend!(|s| {
        let path = "/api/v1/settings/security-priority-matrix";
        let (st, v) = s.get(path, &s.agent).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(v["rows"][1], json!(["P1", "P2", "P3"]));
        let all_p1 = json!({"rows": [["P1", "P1", "P1"], ["P1", "P1", "P1"], ["P1", "P1", "P1"]]});
        let (st, _) = s
            .call(reqwest::Method::PUT, path, Some(&s.manager), Some(all_p1.clone()))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let inverted = json!({"rows": [["P5", "P4", "P3"], ["P4", "P3", "P2"], ["P3", "P2", "P1"]]});
        let (st, v) = s.call(reqwest::Method::PUT, path, Some(&s.admin), Some(inverted)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "rows");
        let (st, _) = s.call(reqwest::Method::PUT, path, Some(&s.admin), Some(all_p1)).await;
        assert_eq!(st, StatusCode::OK);
        let (_, v) = s
            .post(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "Unknown device on the network", "security": true, "impact": "low", "urgency": "low"}),
            )
            .await;
        assert_eq!(v["priority"], "P1");
        let (_, v) = s.get("/api/v1/settings/priority-matrix", &s.agent).await;
        assert_eq!(v["rows"][2][2], "P5", "the usual table is untouched");
    });
}

#[tokio::test]
async fn the_web_pages_raise_show_and_hide_security_incidents() {
    on_each_backend!(|s| {
        s.person("sec@example.com", Role::Agent, None, true).await;
        let requester = Web::sign_in(s, "ra@acme.example").await;
        // A catalogue request cannot be a security incident: the form says so and keeps the text.
        let (st, _, body) = requester
            .post(
                "/portal/raise",
                &[("kind", "request"), ("title", "Lost my badge"), ("security", "on")],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("not a catalogue request") && body.contains("Lost my badge"),
            "{body}"
        );
        let (st, location, _) = requester
            .post(
                "/portal/raise",
                &[
                    ("kind", "incident"),
                    ("title", "Lost my laptop on the train"),
                    ("impact", "medium"),
                    ("urgency", "medium"),
                    ("security", "on"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let inc = location.rsplit('/').next().unwrap().to_string();
        let (_, page) = requester.get(&format!("/incidents/{inc}")).await;
        assert!(page.contains(r#"id="security-notice""#), "{page}");

        let agent = Web::sign_in(s, "agent@example.com").await;
        let (_, queue) = agent.get("/queue?view=all&status=any").await;
        assert!(!queue.contains(&inc) && !queue.contains("Lost my laptop"), "{queue}");
        let (st, _) = agent.get(&format!("/incidents/{inc}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, found) = agent.get("/search?q=laptop").await;
        assert!(!found.contains(&inc), "{found}");

        let cleared = Web::sign_in(s, "sec@example.com").await;
        let (_, queue) = cleared.get("/queue?view=all&status=any").await;
        assert!(queue.contains(&inc), "{queue}");
        let (_, found) = cleared.get("/search?q=laptop").await;
        assert!(found.contains(&inc), "{found}");
        let (st, page) = cleared.get(&format!("/incidents/{inc}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains(r#"id="edit-security" type="checkbox" name="security" value="on" checked"#),
            "{page}"
        );
        assert!(page.contains("P2"), "medium x medium on the security table: {page}");
    });
}

#[tokio::test]
async fn controls_are_put_in_operation_reviewed_and_reported_with_the_risks_they_treat() {
    on_each_backend!(|s| {
        let (st, v) = s
            .post(
                "/api/v1/security-controls",
                &s.manager,
                json!({"title": "Multi-factor sign-in", "kind": "preventive", "catalogue_reference": "A.8.5"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(v["status"], "planned");
        let ctl = v["id"].as_str().unwrap().to_string();
        let (st, _) = s
            .post(
                "/api/v1/security-controls",
                &s.agent,
                json!({"title": "x", "kind": "preventive"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "agents read controls; managers write them");
        let (st, v) = s
            .post(
                "/api/v1/security-controls",
                &s.manager,
                json!({"title": "x", "kind": "magic"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

        let transition = format!("/api/v1/security-controls/{ctl}/transition");
        let (st, v) = s.post(&transition, &s.manager, json!({"to": "implemented"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "next_review");
        let (st, _) = s
            .patch(
                &format!("/api/v1/security-controls/{ctl}"),
                &s.manager,
                json!({"next_review": "2099-01-01"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = s.post(&transition, &s.manager, json!({"to": "implemented"})).await;
        assert_eq!(st, StatusCode::OK);

        let risk = s
            .create(
                "/api/v1/compliance/risks",
                &s.manager,
                json!({"title": "Stolen staff account", "security": true, "likelihood": 4, "impact": 4, "treatment": "mitigate"}),
            )
            .await;
        let (st, v) = s
            .post("/api/v1/links", &s.manager, json!({"from": ctl, "to": risk}))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");

        let review = format!("/api/v1/security-controls/{ctl}/review");
        let (st, v) = s
            .post(
                &review,
                &s.manager,
                json!({"effectiveness": "partly_effective", "findings": " ", "next_review": "2099-06-01"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "findings");
        let (st, v) = s
            .post(
                &review,
                &s.manager,
                json!({"effectiveness": "partly_effective", "findings": "Two accounts without a second factor", "next_review": "2099-06-01"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["effectiveness"], "partly_effective");
        let (_, h) = s
            .get(&format!("/api/v1/security-controls/{ctl}/history"), &s.auditor)
            .await;
        assert!(
            h.to_string().contains("partly_effective"),
            "the review is in the history: {h}"
        );

        s.create(
            "/api/v1/incidents",
            &s.requester_a,
            json!({"title": "Suspicious mail", "security": true}),
        )
        .await;
        let today = chrono::Utc::now().date_naive();
        let from = today - chrono::Duration::days(40);
        let to = today + chrono::Duration::days(1);
        let (st, v) = s
            .get(&format!("/api/v1/reports/security?from={from}&to={to}"), &s.agent)
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let raised: u64 = v["months"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["raised"].as_u64().unwrap())
            .sum();
        assert_eq!(raised, 1, "counted for an uncleared reader too, never named: {v}");
        assert!(!v.to_string().contains("Suspicious mail"));
        assert_eq!(v["open_incidents"], 1);
        assert_eq!(v["risks"][0]["risk"], risk.as_str());
        assert_eq!(v["risks"][0]["controls_in_operation"], 1);
        assert_eq!(v["controls"][0]["risks"][0], risk.as_str());
        assert_eq!(v["controls"][0]["review_due"], false);
        let (st, _) = s
            .get(&format!("/api/v1/reports/security?from={to}&to={from}"), &s.agent)
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = s
            .get(&format!("/api/v1/reports/security?from={from}&to={to}"), &s.requester_a)
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn the_security_page_adds_puts_in_operation_links_and_reviews_a_control() {
    on_each_backend!(|s| {
        let risk = s
            .create(
                "/api/v1/compliance/risks",
                &s.manager,
                json!({"title": "Laptop lost with data", "security": true, "likelihood": 3, "impact": 3}),
            )
            .await;
        let manager = Web::sign_in(s, "manager@example.com").await;
        let (st, page) = manager.get("/security").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("Laptop lost with data") && page.contains("none approved"),
            "{page}"
        );
        let (st, _, body) = manager
            .post("/security/controls", &[("title", "Disk encryption"), ("kind", "")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("choose what the control does") && body.contains("Disk encryption"),
            "{body}"
        );
        let (st, location, _) = manager
            .post(
                "/security/controls",
                &[
                    ("title", "Disk encryption"),
                    ("kind", "preventive"),
                    ("next_review", "2099-01-01"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let ctl = location.rsplit('/').next().unwrap().to_string();
        let (st, _, _) = manager.post("/security/implementations", &[("control", &ctl)]).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (st, _, _) = manager
            .post("/security/treatments", &[("control", &ctl), ("risk", &risk)])
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (st, _, body) = manager
            .post("/security/treatments", &[("control", &ctl), ("risk", &risk)])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("already treats"), "{body}");
        let (st, _, body) = manager
            .post(
                "/security/reviews",
                &[
                    ("control", &ctl),
                    ("effectiveness", "effective"),
                    ("findings", "Sampled ten laptops"),
                    ("next_review", "2000-01-01"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("must be after the review"), "{body}");
        let (st, _, _) = manager
            .post(
                "/security/reviews",
                &[
                    ("control", &ctl),
                    ("effectiveness", "effective"),
                    ("findings", "Sampled ten laptops"),
                    ("next_review", "2099-06-01"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, page) = manager.get("/security").await;
        assert!(
            page.contains(&format!("{ctl} Disk encryption")) && page.contains("2099-06-01"),
            "{page}"
        );

        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, page) = agent.get("/security").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            !page.contains(r#"action="/security/controls""#),
            "no forms for whoever may not write"
        );
        let (st, _, _) = agent
            .post("/security/controls", &[("title", "x"), ("kind", "preventive")])
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn a_security_report_over_more_than_ten_years_is_refused_by_name() {
    on_each_backend!(|s| {
        let (st, v) = s
            .get("/api/v1/reports/security?from=2000-01-01&to=9999-01-01", &s.manager)
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "to");
    });
}
