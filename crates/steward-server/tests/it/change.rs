//! Change scheduling: conflicts with other changes and blackouts, and the forward schedule of
//! change as an iCalendar feed read by an independent parser.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::error_code;
use crate::on_each_backend;

#[tokio::test]
async fn scheduling_reports_conflicts_and_the_feed_lists_the_schedule() {
    on_each_backend!(|s| {
        s.advisory_board().await;
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
                let (st, v) = s
                    .post(
                        &format!("/api/v1/changes/{r}/transition"),
                        &s.agent,
                        json!({"to": "assessment"}),
                    )
                    .await;
                assert_eq!(st, StatusCode::OK, "{v}");
                s.approve(&r).await;
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

#[tokio::test]
async fn approvals_follow_the_policy_quorum_rejection_and_emergencies() {
    on_each_backend!(|s| {
        let (_, me) = s.get("/api/v1/me", &s.manager).await;
        let manager = me["user"]["id"].as_str().unwrap().to_string();
        let (_, me) = s.get("/api/v1/me", &s.admin).await;
        let admin = me["user"]["id"].as_str().unwrap().to_string();
        let (_, me) = s.get("/api/v1/me", &s.agent).await;
        let agent = me["user"]["id"].as_str().unwrap().to_string();
        // The board: manager and admin; two approvals needed; the admin approves emergencies.
        let board = s.create("/api/v1/teams", &s.admin, json!({"name": "CAB"})).await;
        for u in [&manager, &admin] {
            s.call(
                reqwest::Method::PUT,
                &format!("/api/v1/teams/{board}/members/{u}"),
                Some(&s.admin),
                None,
            )
            .await;
        }
        let policy = json!({"advisory_board": board, "quorum": 2, "emergency_approvers": [admin]});
        let (st, _) = s
            .call(
                reqwest::Method::PUT,
                "/api/v1/settings/change-policy",
                Some(&s.manager),
                Some(policy.clone()),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        s.call(
            reqwest::Method::PUT,
            "/api/v1/settings/change-policy",
            Some(&s.admin),
            Some(policy),
        )
        .await;
        let (st, _) = s
            .call(
                reqwest::Method::PUT,
                "/api/v1/settings/change-policy",
                Some(&s.admin),
                Some(json!({"quorum": 0})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

        // The service is the agent's: the agent is asked as its owner.
        let svc = s
            .create(
                "/api/v1/services",
                &s.admin,
                json!({"code": "HR", "name": "HR", "owner": agent}),
            )
            .await;
        let new = |kind: &str| json!({"title": format!("{kind} change"), "change_type": kind, "service": svc, "backout_plan": "Undo"});
        let chg = s.create("/api/v1/changes", &s.agent, new("normal")).await;
        s.post(
            &format!("/api/v1/changes/{chg}/transition"),
            &s.agent,
            json!({"to": "assessment"}),
        )
        .await;
        let (_, v) = s.get(&format!("/api/v1/changes/{chg}/approvals"), &s.auditor).await;
        let asked: Vec<(&str, &str)> = v["approvals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["approver"].as_str().unwrap(), a["role"].as_str().unwrap()))
            .collect();
        assert_eq!(asked.len(), 3, "{v}");
        assert!(asked.contains(&(agent.as_str(), "service_owner")));
        let decide = |token: &str, decision: &str, comment: Option<&str>| {
            let (path, body, token) = (
                format!("/api/v1/changes/{chg}/approvals"),
                json!({"decision": decision, "comment": comment}),
                token.to_string(),
            );
            async move { s.post(&path, &token, body).await }
        };
        let (st, v) = decide(&s.manager, "approved", None).await;
        assert_eq!(
            (st, v["status"].as_str()),
            (StatusCode::OK, Some("assessment")),
            "one of two: not yet"
        );
        let (st, _) = decide(&s.manager, "approved", None).await;
        assert_eq!(st, StatusCode::CONFLICT, "already decided");
        let (st, _) = decide(&s.auditor, "approved", None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "not an approver");
        let (st, v) = decide(&s.agent, "approved", None).await;
        assert_eq!(
            (st, v["status"].as_str()),
            (StatusCode::OK, Some("approved")),
            "quorum of two reached: {v}"
        );

        // Any rejection rejects, and needs a reason.
        let chg2 = s.create("/api/v1/changes", &s.agent, new("normal")).await;
        s.post(
            &format!("/api/v1/changes/{chg2}/transition"),
            &s.agent,
            json!({"to": "assessment"}),
        )
        .await;
        let path2 = format!("/api/v1/changes/{chg2}/approvals");
        s.post(&path2, &s.manager, json!({"decision": "approved"})).await;
        let (st, _) = s.post(&path2, &s.admin, json!({"decision": "rejected"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "a rejection says why");
        let (st, v) = s
            .post(
                &path2,
                &s.admin,
                json!({"decision": "rejected", "comment": "Clashes with payroll"}),
            )
            .await;
        assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("rejected")));
        let (_, h) = s.get(&format!("/api/v1/changes/{chg2}/history"), &s.auditor).await;
        assert!(
            h["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == "approvals" && e["new_value"]["comment"] == "Clashes with payroll")
        );

        // An emergency needs one emergency approver; a standard change is pre-approved.
        let em = s.create("/api/v1/changes", &s.agent, new("emergency")).await;
        s.post(
            &format!("/api/v1/changes/{em}/transition"),
            &s.agent,
            json!({"to": "assessment"}),
        )
        .await;
        let (st, _) = s
            .post(
                &format!("/api/v1/changes/{em}/approvals"),
                &s.manager,
                json!({"decision": "approved"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "not an emergency approver");
        let (st, v) = s
            .post(
                &format!("/api/v1/changes/{em}/approvals"),
                &s.admin,
                json!({"decision": "approved"}),
            )
            .await;
        assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("approved")));
        let (st, v) = s.post("/api/v1/changes", &s.agent, new("standard")).await;
        assert_eq!(
            (st, v["error"]["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("change_type")),
            "standard changes come from templates"
        );
        let tpl_body = json!({"name": "Rotate certificate", "implementation_plan": "Issue and install", "backout_plan": "Reinstall the old one"});
        let (st, _) = s.post("/api/v1/change-templates", &s.agent, tpl_body.clone()).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let tpl = s.create("/api/v1/change-templates", &s.manager, tpl_body).await;
        let (st, v) = s
            .post(
                "/api/v1/changes",
                &s.agent,
                json!({"title": "Rotate the HR certificate", "template": tpl, "service": svc}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(
            (
                v["change_type"].as_str(),
                v["template"].as_str(),
                v["backout_plan"].as_str()
            ),
            (Some("standard"), Some(tpl.as_str()), Some("Reinstall the old one"))
        );
        let std = v["id"].as_str().unwrap().to_string();
        let (st, _) = s
            .post(
                "/api/v1/changes",
                &s.agent,
                json!({"title": "x", "template": tpl, "change_type": "normal"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        s.patch(
            &format!("/api/v1/change-templates/{tpl}"),
            &s.manager,
            json!({"active": false}),
        )
        .await;
        let (st, _) = s
            .post("/api/v1/changes", &s.agent, json!({"title": "x", "template": tpl}))
            .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "an inactive template raises nothing"
        );
        s.post(
            &format!("/api/v1/changes/{std}/transition"),
            &s.agent,
            json!({"to": "assessment"}),
        )
        .await;
        let (st, v) = s
            .post(
                &format!("/api/v1/changes/{std}/transition"),
                &s.agent,
                json!({"to": "approved"}),
            )
            .await;
        assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("approved")));
    });
}

#[tokio::test]
async fn change_figures_count_success_emergencies_caused_incidents_and_unauthorised_changes() {
    on_each_backend!(|s| {
        let (_, me) = s.get("/api/v1/me", &s.admin).await;
        let policy = json!({"quorum": 1, "emergency_approvers": [me["user"]["id"]]});
        let (st, v) = s
            .call(
                reqwest::Method::PUT,
                "/api/v1/settings/change-policy",
                Some(&s.admin),
                Some(policy),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let svc = s
            .create("/api/v1/services", &s.admin, json!({"code": "ERP", "name": "ERP"}))
            .await;
        let tpl = s
            .create(
                "/api/v1/change-templates",
                &s.manager,
                json!({"name": "Patch", "implementation_plan": "Patch", "backout_plan": "Unpatch"}),
            )
            .await;
        let server = s
            .create(
                "/api/v1/configuration-items",
                &s.agent,
                json!({"name": "erp-1", "ci_type": "server"}),
            )
            .await;
        let run = |kind: &'static str, outcome: &'static str| {
            let body = if kind == "standard" {
                json!({"title": format!("{kind} {outcome}"), "template": tpl, "service": svc})
            } else {
                json!({"title": format!("{kind} {outcome}"), "change_type": kind, "service": svc, "backout_plan": "Undo"})
            };
            async move {
                let r = s.create("/api/v1/changes", &s.agent, body).await;
                let t = format!("/api/v1/changes/{r}/transition");
                s.post(&t, &s.agent, json!({"to": "assessment"})).await;
                let (st, v) = if kind == "standard" {
                    s.post(&t, &s.agent, json!({"to": "approved"})).await
                } else {
                    s.post(
                        &format!("/api/v1/changes/{r}/approvals"),
                        &s.admin,
                        json!({"decision": "approved"}),
                    )
                    .await
                };
                assert_eq!(
                    (st, v["status"].as_str()),
                    (StatusCode::OK, Some("approved")),
                    "{kind}: {v}"
                );
                let window = json!({"to": "scheduled", "planned_start": "2026-01-05T10:00:00Z",
                                    "planned_end": "2026-01-05T11:00:00Z", "accept_conflicts": true});
                let steps = [
                    window,
                    json!({"to": "implementing"}),
                    json!({"to": "review"}),
                    json!({"to": "closed", "outcome": outcome, "review_notes": "done"}),
                ];
                for body in steps {
                    let (st, v) = s.post(&t, &s.agent, body).await;
                    assert_eq!(st, StatusCode::OK, "{kind}: {v}");
                }
                r
            }
        };
        run("standard", "successful").await;
        let failed = run("emergency", "failed").await;
        run("standard", "successful_with_issues").await;
        let inc = s
            .create(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "ERP broke after the change"}),
            )
            .await;
        let (st, v) = s
            .post("/api/v1/links", &s.agent, json!({"from": failed, "to": inc}))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        // A server (under change control) edited with no change covering the moment.
        s.patch(
            &format!("/api/v1/configuration-items/{server}"),
            &s.agent,
            json!({"description": "hand-tuned"}),
        )
        .await;

        let (st, v) = s
            .get("/api/v1/reports/changes?from=2020-01-01&to=2100-01-01", &s.auditor)
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(
            (v["implemented"].as_i64(), v["successful"].as_i64()),
            (Some(3), Some(2))
        );
        assert_eq!(v["success_rate_percent"], 66.67);
        assert_eq!((v["raised"].as_i64(), v["emergency"].as_i64()), (Some(3), Some(1)));
        assert_eq!(v["caused_incidents"], json!([failed]));
        let unauthorised: Vec<&str> = v["unauthorised"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["item"].as_str().unwrap())
            .collect();
        assert_eq!(unauthorised, [server.as_str()]);
        let (st, _) = s
            .get("/api/v1/reports/changes?from=2026-01-01&to=2025-01-01", &s.auditor)
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
    });
}

#[tokio::test]
async fn risk_is_assessed_and_major_changes_need_a_transition_plan() {
    on_each_backend!(|s| {
        s.advisory_board().await;
        let erp = s
            .create(
                "/api/v1/services",
                &s.admin,
                json!({"code": "ERP", "name": "ERP", "criticality": "critical"}),
            )
            .await;
        let wiki = s
            .create(
                "/api/v1/services",
                &s.admin,
                json!({"code": "WIKI", "name": "Wiki", "criticality": "low"}),
            )
            .await;
        let (_, v) = s
            .post("/api/v1/changes", &s.agent, json!({"title": "Wiki theme", "service": wiki, "impact": "low", "likelihood": "medium", "backout_plan": "Revert"}))
            .await;
        assert_eq!(
            (v["risk"].as_str(), v["major"].as_bool()),
            (Some("low"), Some(false)),
            "{v}"
        );
        let (_, v) = s
            .post("/api/v1/changes", &s.agent, json!({"title": "ERP upgrade", "service": erp, "impact": "medium", "likelihood": "medium", "backout_plan": "Restore"}))
            .await;
        assert_eq!(
            (v["risk"].as_str(), v["major"].as_bool()),
            (Some("high"), Some(true)),
            "a critical service raises the risk: {v}"
        );
        let chg = v["id"].as_str().unwrap().to_string();
        s.post(
            &format!("/api/v1/changes/{chg}/transition"),
            &s.agent,
            json!({"to": "assessment"}),
        )
        .await;
        let (st, v) = s
            .post(
                &format!("/api/v1/changes/{chg}/approvals"),
                &s.manager,
                json!({"decision": "approved"}),
            )
            .await;
        assert_eq!(
            (st, v["error"]["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("transition_plan")),
            "{v}"
        );
        let plan = json!({"transition_plan": {"activities": "Blue-green switch", "acceptance_criteria": "Month-end report runs", "expected_outcomes": "v12 live"}});
        let (st, v) = s.patch(&format!("/api/v1/changes/{chg}"), &s.agent, plan).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, _) = s
            .patch(
                &format!("/api/v1/changes/{chg}"),
                &s.agent,
                json!({"transition_plan": {"activities": " ", "acceptance_criteria": "x", "expected_outcomes": "y"}}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        s.approve(&chg).await;
    });
}

#[tokio::test]
async fn releases_group_changes_verify_acceptance_and_record_rollbacks() {
    on_each_backend!(|s| {
        let rel = s
            .create(
                "/api/v1/releases",
                &s.agent,
                json!({"name": "ERP 12.1", "release_type": "minor", "acceptance_criteria": ["Regression suite green", "Rollback rehearsed"]}),
            )
            .await;
        let tpl = s
            .create(
                "/api/v1/change-templates",
                &s.manager,
                json!({"name": "Deploy", "implementation_plan": "Deploy", "backout_plan": "Roll back"}),
            )
            .await;
        let chg = s
            .create(
                "/api/v1/changes",
                &s.agent,
                json!({"title": "Deploy ERP 12.1", "template": tpl}),
            )
            .await;
        let (st, v) = s.post("/api/v1/links", &s.agent, json!({"from": rel, "to": chg})).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(
            (v["from"].as_str(), v["to"].as_str()),
            (Some(chg.as_str()), Some(rel.as_str()))
        );
        let t = format!("/api/v1/releases/{rel}/transition");
        let verify = |i: &str| format!("/api/v1/releases/{rel}/acceptance-criteria/{i}/verify");
        let (st, _) = s.post(&verify("0"), &s.agent, json!({})).await;
        assert_eq!(st, StatusCode::CONFLICT, "nothing is verified before building");
        s.post(&t, &s.agent, json!({"to": "building"})).await;
        s.post(&t, &s.agent, json!({"to": "testing"})).await;
        let (st, v) = s.post(&verify("0"), &s.agent, json!({})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert!(v["acceptance_criteria"][0]["verified_by"].is_string());
        let (st, v) = s.post(&t, &s.agent, json!({"to": "deploying"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            v["error"]["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("Rollback rehearsed"),
            "{v}"
        );
        for bad in ["7", "x"] {
            let (st, _) = s.post(&verify(bad), &s.agent, json!({})).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{bad}");
        }
        s.post(&verify("1"), &s.agent, json!({})).await;
        assert_eq!(s.post(&t, &s.agent, json!({"to": "deploying"})).await.0, StatusCode::OK);
        let (st, _) = s.post(&t, &s.agent, json!({"to": "rolled_back"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "notes required");
        let (st, v) = s
            .post(
                &t,
                &s.agent,
                json!({"to": "rolled_back", "deployment_notes": "Posting failed; rolled back in 10 minutes"}),
            )
            .await;
        assert_eq!((st, v["rolled_back"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
        s.post(&t, &s.agent, json!({"to": "closed"})).await;

        let (_, v) = s
            .get("/api/v1/reports/changes?from=2020-01-01&to=2100-01-01", &s.auditor)
            .await;
        assert_eq!(
            (v["releases_deployed"].as_i64(), v["releases_rolled_back"].as_i64()),
            (Some(1), Some(1)),
            "{v}"
        );
        assert_eq!(v["release_success_rate_percent"], 0.0);
        let (st, _) = s.post("/api/v1/releases", &s.auditor, json!({"name": "x"})).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}
