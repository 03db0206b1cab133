//! What requesters, auditors and deactivated users can and cannot do.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::error_code;
use crate::on_each_backend;

#[tokio::test]
async fn requesters_see_and_raise_only_their_organisations_tickets() {
    on_each_backend!(|s| {
        let (_, item) = s.service_with_item("VPN").await;
        let mine = s
            .create("/api/v1/incidents", &s.requester_a, json!({"title": "VPN down for me"}))
            .await;
        let theirs = s
            .create("/api/v1/incidents", &s.requester_b, json!({"title": "Globex secret"}))
            .await;
        let staff = s
            .create("/api/v1/incidents", &s.agent, json!({"title": "Internal outage"}))
            .await;

        let (_, v) = s.get(&format!("/api/v1/incidents/{mine}"), &s.requester_a).await;
        assert_eq!(v["caller"], s.requester_a_user);
        assert_eq!(v["organisation"], s.org_a);

        let (_, v) = s.get("/api/v1/incidents", &s.requester_a).await;
        let ids: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [mine.as_str()]);
        // Filtering by another organisation finds nothing rather than widening the reach.
        let (_, v) = s
            .get(&format!("/api/v1/incidents?organisation={}", s.org_b), &s.requester_a)
            .await;
        assert_eq!(v["items"].as_array().unwrap().len(), 0);

        for other in [&theirs, &staff] {
            for path in [
                format!("/api/v1/incidents/{other}"),
                format!("/api/v1/incidents/{other}/history"),
            ] {
                let (st, v) = s.get(&path, &s.requester_a).await;
                assert_eq!(st, StatusCode::NOT_FOUND, "{path}: {v}");
            }
        }
        let (st, _) = s.get(&format!("/api/v1/links?record={theirs}"), &s.requester_a).await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // Raising for someone else, or triaging, is refused; so is changing anything.
        let (st, v) = s
            .post(
                "/api/v1/incidents",
                &s.requester_a,
                json!({"title": "x", "caller": "USR-1"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, _) = s
            .post(
                "/api/v1/incidents",
                &s.requester_a,
                json!({"title": "x", "major": true}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, v) = s
            .post(
                &format!("/api/v1/incidents/{mine}/transition"),
                &s.requester_a,
                json!({"to": "cancelled", "resolution_notes": "no"}),
            )
            .await;
        assert_eq!((st, error_code(&v)), (StatusCode::FORBIDDEN, "forbidden"));

        // Requests too; and kinds beyond their reach are forbidden outright.
        let req = s
            .create(
                "/api/v1/requests",
                &s.requester_a,
                json!({"title": "Need VPN", "catalogue_item": item}),
            )
            .await;
        let (st, _) = s.get(&format!("/api/v1/requests/{req}"), &s.requester_b).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        for path in [
            "/api/v1/problems",
            "/api/v1/changes",
            "/api/v1/configuration-items",
            "/api/v1/users",
            "/api/v1/teams",
        ] {
            let (st, v) = s.get(path, &s.requester_a).await;
            assert_eq!((st, error_code(&v)), (StatusCode::FORBIDDEN, "forbidden"), "{path}");
        }
        let (st, _) = s.get("/api/v1/services", &s.requester_a).await;
        assert_eq!(st, StatusCode::OK);
        let (_, v) = s.get("/api/v1/organisations", &s.requester_a).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1);
    });
}

#[tokio::test]
async fn auditors_read_everything_and_write_nothing() {
    on_each_backend!(|s| {
        let inc = s
            .create("/api/v1/incidents", &s.agent, json!({"title": "Disk full"}))
            .await;
        for path in [
            "/api/v1/incidents",
            "/api/v1/users",
            "/api/v1/problems",
            "/api/v1/teams",
            "/api/v1/organisations",
        ] {
            let (st, _) = s.get(path, &s.auditor).await;
            assert_eq!(st, StatusCode::OK, "{path}");
        }
        let (st, _) = s.get(&format!("/api/v1/incidents/{inc}/history"), &s.auditor).await;
        assert_eq!(st, StatusCode::OK);
        let writes = [
            ("/api/v1/incidents".to_string(), json!({"title": "x"})),
            (
                format!("/api/v1/incidents/{inc}/transition"),
                json!({"to": "in_progress"}),
            ),
            ("/api/v1/services".to_string(), json!({"code": "X", "name": "x"})),
            ("/api/v1/links".to_string(), json!({"from": inc, "to": "PRB-1"})),
        ];
        for (path, body) in writes {
            let (st, v) = s.post(&path, &s.auditor, body).await;
            assert_eq!((st, error_code(&v)), (StatusCode::FORBIDDEN, "forbidden"), "{path}");
        }
        let (st, _) = s
            .patch(&format!("/api/v1/incidents/{inc}"), &s.auditor, json!({"title": "y"}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .call(
                reqwest::Method::PUT,
                "/api/v1/settings/priority-matrix",
                Some(&s.auditor),
                Some(json!({"rows": [["P1","P1","P1"],["P1","P1","P1"],["P1","P1","P1"]]})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn deactivated_users_lose_their_tokens_and_passwords_issue_tokens() {
    on_each_backend!(|s| {
        let (st, v) = s
            .call(
                reqwest::Method::POST,
                "/api/v1/tokens",
                None,
                Some(json!({"email": "agent@example.com", "password": crate::helpers::PASSWORD, "expires_in_days": 7})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let fresh = v["token"].as_str().unwrap().to_string();
        let (st, v) = s.get("/api/v1/me", &fresh).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(v["user"]["email"], "agent@example.com");

        let (st, v) = s
            .call(
                reqwest::Method::POST,
                "/api/v1/tokens",
                None,
                Some(json!({"email": "agent@example.com", "password": "wrong password!"})),
            )
            .await;
        assert_eq!((st, error_code(&v)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
        assert_eq!(v["error"]["message"], "wrong email or password");
        let (st, v) = s
            .call(
                reqwest::Method::POST,
                "/api/v1/tokens",
                None,
                Some(json!({"email": "nobody@example.com", "password": "wrong password!"})),
            )
            .await;
        assert_eq!(v["error"]["message"], "wrong email or password");
        assert_eq!(st, StatusCode::UNAUTHORIZED);

        let (_, me) = s.get("/api/v1/me", &s.agent).await;
        let agent_ref = me["user"]["id"].as_str().unwrap().to_string();
        let (st, v) = s
            .patch(
                &format!("/api/v1/users/{agent_ref}"),
                &s.admin,
                json!({"active": false}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        for t in [&s.agent, &fresh] {
            let (st, _) = s.get("/api/v1/me", t).await;
            assert_eq!(st, StatusCode::UNAUTHORIZED);
        }
        // Only admins manage users.
        let (st, _) = s
            .patch(
                &format!("/api/v1/users/{agent_ref}"),
                &s.manager,
                json!({"active": true}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn tokens_are_listed_by_their_owner_and_revoked_by_their_owner_or_an_administrator() {
    on_each_backend!(|s| {
        let issue = |name: &'static str| async move {
            let body = json!({"email": "agent@example.com", "password": crate::helpers::PASSWORD, "name": name});
            let (st, v) = s.call(reqwest::Method::POST, "/api/v1/tokens", None, Some(body)).await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
            (
                v["token"].as_str().unwrap().to_string(),
                v["id"].as_str().unwrap().to_string(),
            )
        };
        let (laptop, laptop_id) = issue("laptop").await;
        let (script, script_id) = issue("nightly script").await;
        let (st, v) = s.get("/api/v1/tokens", &laptop).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let names: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names[..2], ["nightly script", "laptop"], "newest first: {v}");
        assert!(
            v.to_string().find(&laptop).is_none(),
            "a listing never shows a token itself"
        );

        // Someone else's tokens: another agent may neither list nor revoke them (not found).
        let (_, me) = s.get("/api/v1/me", &s.agent).await;
        let agent_ref = me["user"]["id"].as_str().unwrap().to_string();
        let (st, _) = s.get(&format!("/api/v1/tokens?user={agent_ref}"), &s.manager).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, v) = s
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/tokens/{laptop_id}"),
                Some(&s.manager),
                None,
            )
            .await;
        assert_eq!((st, error_code(&v)), (StatusCode::NOT_FOUND, "not_found"));
        let (st, _) = s.get("/api/v1/me", &laptop).await;
        assert_eq!(st, StatusCode::OK, "still works");

        // The owner revokes one; it stops at once, the other goes on; revoking again changes nothing.
        let (st, v) = s
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/tokens/{laptop_id}"),
                Some(&script),
                None,
            )
            .await;
        assert_eq!((st, v["state"].as_str()), (StatusCode::OK, Some("revoked")), "{v}");
        let (st, _) = s.get("/api/v1/me", &laptop).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let (st, again) = s
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/tokens/{laptop_id}"),
                Some(&script),
                None,
            )
            .await;
        assert_eq!((st, &again["revoked_at"]), (StatusCode::OK, &v["revoked_at"]));

        // An administrator lists and revokes anyone's.
        let (st, v) = s.get(&format!("/api/v1/tokens?user={agent_ref}"), &s.admin).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["id"] == json!(laptop_id) && t["state"] == "revoked")
        );
        let (st, _) = s
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/tokens/{script_id}"),
                Some(&s.admin),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(s.get("/api/v1/me", &script).await.0, StatusCode::UNAUTHORIZED);
        for bad in ["TOK-0", "TOK-99999", "INC-1", "x"] {
            let (st, _) = s
                .call(
                    reqwest::Method::DELETE,
                    &format!("/api/v1/tokens/{bad}"),
                    Some(&s.admin),
                    None,
                )
                .await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{bad}");
        }
        let (st, v) = s
            .call(
                reqwest::Method::POST,
                "/api/v1/tokens",
                None,
                Some(json!({"email": "agent@example.com", "password": crate::helpers::PASSWORD, "name": "", "expires_in_days": 400})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = v["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["name", "expires_in_days"]);
        // Both revocations are in the agent's hash-chained history.
        let (_, h) = s.get(&format!("/api/v1/users/{agent_ref}/history"), &s.admin).await;
        let revoked = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["new_value"].as_str().is_some_and(|v| v.ends_with("revoked")))
            .count();
        assert_eq!(revoked, 2, "{h}");
    });
}
