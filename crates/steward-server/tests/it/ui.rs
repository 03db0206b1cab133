//! The web interface over HTTP: sign-in with its lock-out, sessions and CSRF, the console's
//! forms, the portal's reach, the auditor's read-only view and the dashboard, on each backend.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::helpers::{PASSWORD, Server};
use crate::on_each_backend;

/// A browser's worth of state: the session cookie and the page's CSRF token.
pub(crate) struct Web {
    base: String,
    client: reqwest::Client,
    cookie: String,
    csrf: String,
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn cookie_of(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

fn csrf_in(html: &str) -> Option<String> {
    let at = html.find(r#"name="csrf" value=""#)? + r#"name="csrf" value=""#.len();
    Some(html[at..].split('"').next()?.to_string())
}

/// Posts the sign-in form as a browser would; returns the response.
async fn try_sign_in(base: &str, email: &str, password: &str) -> (StatusCode, Option<String>, String) {
    let client = no_redirects();
    let page = client.get(format!("{base}/sign-in")).send().await.unwrap();
    let pre = cookie_of(&page, "steward_sign_in").unwrap();
    let csrf = csrf_in(&page.text().await.unwrap()).unwrap();
    let resp = client
        .post(format!("{base}/sign-in"))
        .header(COOKIE, &pre)
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/queue"),
        ])
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let session = cookie_of(&resp, "steward_session");
    (status, session, resp.text().await.unwrap())
}

impl Web {
    pub(crate) async fn sign_in(s: &Server, email: &str) -> Web {
        let (status, cookie, body) = try_sign_in(&s.base, email, PASSWORD).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let mut w = Web {
            base: s.base.clone(),
            client: no_redirects(),
            cookie: cookie.unwrap(),
            csrf: String::new(),
        };
        let (st, html) = w.get("/queue").await;
        assert!(st == StatusCode::OK || st == StatusCode::SEE_OTHER, "{st}");
        w.csrf = csrf_in(&html).unwrap_or_default();
        if w.csrf.is_empty() {
            let (_, html) = w.get("/portal").await;
            w.csrf = csrf_in(&html).unwrap();
        }
        w
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Posts a form with the session's CSRF token; returns status, Location and body.
    pub(crate) async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", &self.csrf));
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .form(&all)
            .send()
            .await
            .unwrap();
        answered(r).await
    }
}

/// A form's answer: status, Location and body.
async fn answered(r: reqwest::Response) -> (StatusCode, String, String) {
    let location = r
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status(), location, r.text().await.unwrap())
}

#[tokio::test]
async fn one_network_address_guessing_across_many_accounts_is_held_back() {
    on_each_backend!(|s| {
        // Each account fails once, so none is locked; the address they all came from is.
        let free = steward_core::user::ADDRESS_FREE_FAILURES;
        for i in 0..free {
            let r = s
                .client
                .post(format!("{}/api/v1/tokens", s.base))
                .json(&json!({"email": format!("guess{i}@example.com"), "password": "a guessed password"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "failure {i}");
        }
        let (st, cookie, body) = try_sign_in(&s.base, "guess-last@example.com", "a guessed password").await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
        assert!(cookie.is_none());
        assert!(body.contains("from this network address"), "{body}");
        // A right password from that address waits too, and signing in to an account of one's
        // own does not reset the address's count.
        let (st, cookie, _) = try_sign_in(&s.base, "manager@example.com", PASSWORD).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
        assert!(cookie.is_none());
        let r = s
            .client
            .post(format!("{}/api/v1/tokens", s.base))
            .json(&json!({"email": "manager@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body.to_string().contains("from this network address"), "{body}");
        // The manager's account itself was never counted against.
        let locked =
            s.db.store
                .sign_in_locked_until(
                    steward_store::SignInFrom::Account("manager@example.com"),
                    chrono::Utc::now(),
                )
                .await
                .unwrap();
        assert_eq!(locked, None);
    });
}

#[tokio::test]
async fn a_wrong_password_is_named_and_repeated_failures_lock_the_account() {
    on_each_backend!(|s| {
        for _ in 0..4 {
            let (st, cookie, body) = try_sign_in(&s.base, "agent@example.com", "wrong").await;
            assert_eq!(st, StatusCode::UNAUTHORIZED);
            assert!(cookie.is_none());
            assert!(body.contains("Wrong email or password."), "{body}");
            assert!(body.contains(r#"value="agent@example.com""#), "the address is kept");
        }
        let (st, _, body) = try_sign_in(&s.base, "agent@example.com", "wrong").await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
        assert!(body.contains("Too many failed sign-ins"), "{body}");
        // Locked: even the right password waits, and so does the token endpoint.
        let (st, cookie, _) = try_sign_in(&s.base, "agent@example.com", PASSWORD).await;
        assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
        assert!(cookie.is_none());
        let r = s
            .client
            .post(format!("{}/api/v1/tokens", s.base))
            .json(&json!({"email": "agent@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().get("retry-after").is_some());
        // Another address is not held back by it.
        let (st, cookie, _) = try_sign_in(&s.base, "manager@example.com", PASSWORD).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(cookie.is_some());
        // Unknown addresses are answered like wrong passwords.
        let (st, _, body) = try_sign_in(&s.base, "nobody@example.com", "x").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        assert!(body.contains("Wrong email or password."));
    });
}

#[tokio::test]
async fn pages_need_a_session_and_forms_need_its_token() {
    on_each_backend!(|s| {
        let anon = no_redirects();
        let r = anon.get(format!("{}/queue?view=all", s.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()[LOCATION], "/sign-in?next=%2Fqueue%3Fview%3Dall");
        // The sign-in form refuses a post without its own cookie's token.
        let r = anon
            .post(format!("{}/sign-in", s.base))
            .form(&[("email", "agent@example.com"), ("password", PASSWORD), ("csrf", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        let web = Web::sign_in(s, "agent@example.com").await;
        let (st, location, _) = web
            .post(
                "/incidents/new",
                &[("title", "Printer on fire"), ("impact", "high"), ("urgency", "high")],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(location, "/incidents/INC-1");
        // Without the token, or from another site, a form is refused and nothing is written.
        let r = web
            .client
            .post(format!("{}/incidents/INC-1/comments", s.base))
            .header(COOKIE, &web.cookie)
            .form(&[("body", "forged"), ("csrf", "0000")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = web
            .client
            .post(format!("{}/incidents/INC-1/comments", s.base))
            .header(COOKIE, &web.cookie)
            .header("Sec-Fetch-Site", "cross-site")
            .form(&[("body", "forged"), ("csrf", web.csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let (_, history) = s.get("/api/v1/incidents/INC-1/history", &s.agent).await;
        assert!(!history.to_string().contains("forged"), "{history}");

        // Signing out ends the session in the database: the cookie opens nothing afterwards.
        let (st, _, _) = web.post("/sign-out", &[]).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (st, _) = web.get("/queue").await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        // An unknown address is a page for a browser, JSON for an API client.
        let r = anon
            .get(format!("{}/no/such/page", s.base))
            .header("Accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(r.text().await.unwrap().contains("<h1>Not found</h1>"));
        let (st, v) = s.get("/api/v1/nothing-here", &s.agent).await;
        assert_eq!(
            (st, crate::helpers::error_code(&v)),
            (StatusCode::NOT_FOUND, "not_found")
        );
    });
}

#[tokio::test]
async fn the_console_works_a_ticket_the_portal_follows_it_and_internal_notes_stay_inside() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("MAIL").await;
        let requester = Web::sign_in(s, "ra@acme.example").await;
        let (st, _) = requester.get("/portal").await;
        assert_eq!(st, StatusCode::OK);
        // A blank title comes back with the message and everything else as typed.
        let (st, _, body) = requester
            .post(
                "/portal/raise",
                &[
                    ("kind", "incident"),
                    ("title", " "),
                    ("description", "It bounces"),
                    ("service", &svc),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("must not be blank") && body.contains("It bounces"),
            "{body}"
        );
        let (st, location, _) = requester
            .post(
                "/portal/raise",
                &[
                    ("kind", "incident"),
                    ("title", "Mail bounces"),
                    ("description", "Since 9am"),
                    ("service", &svc),
                    ("impact", "medium"),
                    ("urgency", "high"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let inc = location.rsplit('/').next().unwrap().to_string();

        let agent = Web::sign_in(s, "agent@example.com").await;
        let (_, queue) = agent.get("/queue?view=unassigned").await;
        assert!(queue.contains(&inc) && queue.contains("Mail bounces"), "{queue}");
        let (st, _, _) = agent.post(&format!("/incidents/{inc}/assign-to-me"), &[]).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, mine) = agent.get("/queue?view=mine").await;
        assert!(mine.contains(&inc));
        let (_, unassigned) = agent.get("/queue?view=unassigned").await;
        assert!(!unassigned.contains(&inc));

        // Only the moves the lifecycle allows are offered; a move missing what it needs is named.
        let (_, page) = agent.get(&format!("/incidents/{inc}")).await;
        assert!(
            page.contains(r#"<option value="in_progress">"#) && !page.contains(r#"<option value="closed">"#),
            "{page}"
        );
        let (st, _, body) = agent
            .post(&format!("/incidents/{inc}/transition"), &[("to", "resolved")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("resolution_code"), "{body}");
        let (st, _, body) = agent
            .post(&format!("/incidents/{inc}/transition"), &[("to", "closed")])
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert!(body.contains("It may move to"), "{body}");

        agent
            .post(
                &format!("/incidents/{inc}/comments"),
                &[("body", "Suspect the relay"), ("visibility", "internal")],
            )
            .await;
        agent
            .post(
                &format!("/incidents/{inc}/comments"),
                &[("body", "We are on it"), ("visibility", "public")],
            )
            .await;
        let (st, _, _) = agent
            .post(
                &format!("/incidents/{inc}/transition"),
                &[
                    ("to", "resolved"),
                    ("resolution_code", "fixed"),
                    ("notes", "Relay restarted"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, v) = s.get(&format!("/api/v1/incidents/{inc}"), &s.agent).await;
        assert_eq!(v["status"], "resolved");

        // The requester sees the reply and the resolution, never the work note, on the page or
        // through the API.
        let (_, page) = requester.get(&format!("/incidents/{inc}")).await;
        assert!(
            page.contains("We are on it") && page.contains("Relay restarted"),
            "{page}"
        );
        assert!(!page.contains("Suspect the relay"), "{page}");
        let (_, h) = s.get(&format!("/api/v1/incidents/{inc}/history"), &s.requester_a).await;
        assert!(
            h.to_string().contains("We are on it") && !h.to_string().contains("Suspect the relay"),
            "{h}"
        );
        let (_, h) = s.get(&format!("/api/v1/incidents/{inc}/history"), &s.agent).await;
        assert!(h.to_string().contains("Suspect the relay"));
        let (st, _, _) = requester
            .post(
                &format!("/incidents/{inc}/comments"),
                &[("body", "Thanks"), ("visibility", "internal")],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _, _) = requester
            .post(&format!("/incidents/{inc}/comments"), &[("body", "Thanks!")])
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);

        // Another organisation's requester finds nothing there.
        let other = Web::sign_in(s, "rb@globex.example").await;
        let (st, _) = other.get(&format!("/incidents/{inc}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _, _) = other
            .post(&format!("/incidents/{inc}/comments"), &[("body", "hello")])
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, portal) = other.get("/portal").await;
        assert!(!portal.contains(&inc));
    });
}

#[tokio::test]
async fn the_auditor_reads_everything_and_changes_nothing() {
    on_each_backend!(|s| {
        let agent = Web::sign_in(s, "agent@example.com").await;
        agent
            .post(
                "/incidents/new",
                &[("title", "Disk full"), ("impact", "low"), ("urgency", "low")],
            )
            .await;
        let auditor = Web::sign_in(s, "auditor@example.com").await;
        let (st, page) = auditor.get("/incidents/INC-1").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Disk full"));
        assert!(
            !page.contains("/transition\"") && !page.contains("Assign to me") && !page.contains("comment-body"),
            "{page}"
        );
        let (st, _, body) = auditor
            .post("/incidents/INC-1/comments", &[("body", "I was here")])
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        assert!(body.contains("Not allowed"), "{body}");
        let (st, _, _) = auditor
            .post("/incidents/INC-1/transition", &[("to", "cancelled"), ("notes", "x")])
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _, _) = auditor.post("/incidents/new", &[("title", "Nope")]).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (_, v) = s.get("/api/v1/incidents/INC-1", &s.agent).await;
        assert_eq!(v["status"], "new");
        let (st, dash) = auditor.get("/dashboard").await;
        assert_eq!(st, StatusCode::OK);
        assert!(dash.contains(r#"<p class="figure" id="backlog-total">1</p>"#), "{dash}");
    });
}

#[tokio::test]
async fn queues_filter_page_and_save_views() {
    on_each_backend!(|s| {
        let agent = Web::sign_in(s, "agent@example.com").await;
        for i in 0..3 {
            agent
                .post(
                    "/incidents/new",
                    &[
                        ("title", &format!("Ticket {i}")),
                        ("impact", "high"),
                        ("urgency", "high"),
                    ],
                )
                .await;
        }
        agent
            .post(
                "/incidents/INC-2/transition",
                &[("to", "cancelled"), ("notes", "duplicate")],
            )
            .await;
        let (_, open) = agent.get("/queue?view=all&status=open").await;
        assert!(
            open.contains("INC-1") && open.contains("INC-3") && !open.contains(">INC-2<"),
            "{open}"
        );
        let (_, p1) = agent.get("/queue?view=all&status=any&priority=P1").await;
        assert!(p1.contains("INC-2"));
        let (_, p4) = agent.get("/queue?view=all&status=any&priority=P4").await;
        assert!(!p4.contains("INC-1"));
        let (st, body) = agent.get("/queue?view=sideways").await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        assert!(
            body.contains("choose one of mine, team, unassigned, breaching, all"),
            "{body}"
        );
        let (st, _, _) = agent
            .post(
                "/queue/views",
                &[
                    ("name", "Open P1"),
                    ("query", "kind=incidents&view=all&status=open&priority=P1"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, page) = agent.get("/queue").await;
        assert!(
            page.contains("Open P1")
                && page.contains("/queue?kind=incidents&#38;view=all&#38;status=open&#38;priority=P1"),
            "{page}"
        );
        // Another person does not see it.
        let manager = Web::sign_in(s, "manager@example.com").await;
        let (_, page) = manager.get("/queue").await;
        assert!(!page.contains("Open P1"));
        let (st, _, _) = manager.post("/queue/views/1/delete", &[]).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    });
}

#[tokio::test]
async fn administrators_add_and_switch_off_people_and_the_workspace_is_for_staff() {
    on_each_backend!(|s| {
        let admin = Web::sign_in(s, "admin@example.com").await;
        // A refused form keeps what was typed and names the field; the password is not echoed.
        let (st, _, body) = admin
            .post(
                "/admin/users",
                &[
                    ("email", "new@example.com"),
                    ("name", "Nina New"),
                    ("role", "agent"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("password: must be at least 12 characters") && body.contains("Nina New"),
            "{body}"
        );
        assert!(!body.contains("value=\"short\""));
        let (st, location, _) = admin
            .post(
                "/admin/users",
                &[
                    ("email", "new@example.com"),
                    ("name", "Nina New"),
                    ("role", "agent"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!((st, location.as_str()), (StatusCode::SEE_OTHER, "/admin?done=user"));
        let nina = Web::sign_in(s, "new@example.com").await;
        let (st, _) = nina.get("/queue").await;
        assert_eq!(st, StatusCode::OK);
        let (_, v) = s.get("/api/v1/users?role=agent", &s.admin).await;
        let id = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "new@example.com")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        // A manager may add teams but not people.
        let manager = Web::sign_in(s, "manager@example.com").await;
        let (_, page) = manager.get("/admin").await;
        assert!(!page.contains(r#"action="/admin/users""#) && page.contains(r#"action="/admin/teams""#));
        let (st, _, _) = manager
            .post("/admin/users", &[("email", "x@example.com"), ("role", "admin")])
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _, _) = manager.post("/admin/teams", &[("name", "Night shift")]).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        // Switched off, the person's open session stops at the next page.
        let (st, _, _) = admin
            .post("/admin/users/change", &[("user", &id), ("active", "no")])
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (st, _) = nina.get("/queue").await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (st, _, body) = admin
            .post("/admin/users/change", &[("user", &id), ("role", "emperor")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("role: choose one of the listed roles"));

        let auditor = Web::sign_in(s, "auditor@example.com").await;
        let (st, page) = auditor.get("/compliance").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("8.1") && page.contains("Gap heat map"));
        assert!(!page.contains("<form method=\"post\" action=\"/compliance"));
        let requester = Web::sign_in(s, "ra@acme.example").await;
        let (st, _) = requester.get("/compliance").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = requester.get("/admin").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = requester.get("/dashboard").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn problems_and_changes_move_from_their_pages_under_the_same_rules() {
    on_each_backend!(|s| {
        let prb = s
            .create("/api/v1/problems", &s.agent, json!({"title": "Relay keeps sticking"}))
            .await;
        let chg = s
            .create("/api/v1/changes", &s.agent, json!({"title": "Replace the relay"}))
            .await;
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (_, page) = agent.get(&format!("/problems/{prb}")).await;
        assert!(
            page.contains(r#"<option value="investigating">"#) && !page.contains(r#"<option value="closed">"#),
            "{page}"
        );
        let (st, _, _) = agent.post(&format!("/problems/{prb}/assign-to-me"), &[]).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        agent
            .post(&format!("/problems/{prb}/transition"), &[("to", "investigating")])
            .await;
        let (st, _, body) = agent
            .post(&format!("/problems/{prb}/transition"), &[("to", "resolved")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (st, _, _) = agent
            .post(
                &format!("/problems/{prb}/transition"),
                &[("to", "resolved"), ("root_cause", "A worn contact")],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, v) = s.get(&format!("/api/v1/problems/{prb}"), &s.agent).await;
        assert_eq!(
            (v["status"].as_str(), v["root_cause"].as_str()),
            (Some("resolved"), Some("A worn contact"))
        );
        assert!(v["assignee"].as_str().is_some_and(|a| a.starts_with("USR-")));

        let (st, _, _) = agent
            .post(&format!("/changes/{chg}/transition"), &[("to", "assessment")])
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        // A normal change is approved by its approvers, not by a form.
        let (st, _, body) = agent
            .post(&format!("/changes/{chg}/transition"), &[("to", "approved")])
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert!(body.contains("approvers"), "{body}");
        let (st, _, body) = agent
            .post(
                &format!("/changes/{chg}/transition"),
                &[("to", "draft"), ("planned_start", "tomorrow")],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("planned_start"), "{body}");
        let auditor = Web::sign_in(s, "auditor@example.com").await;
        let (_, page) = auditor.get(&format!("/changes/{chg}")).await;
        assert!(!page.contains("/transition\""), "{page}");
    });
}

#[tokio::test]
async fn an_audit_page_lists_its_findings_and_the_workspace_its_nonconformity() {
    on_each_backend!(|s| {
        let m = &s.manager;
        let (_, me) = s.get("/api/v1/me", m).await;
        let me = me["user"]["id"].as_str().unwrap().to_string();
        let audit = s
            .create(
                "/api/v1/compliance/audits",
                m,
                json!({"title": "Internal audit", "audit_type": "internal", "lead_auditor": me,
                       "requirements": ["8.6.1"], "planned_start": "2026-04-01", "planned_end": "2026-04-02"}),
            )
            .await;
        s.post(
            &format!("/api/v1/compliance/audits/{audit}/transition"),
            m,
            json!({"to": "in_progress"}),
        )
        .await;
        let (st, f) = s
            .post(
                "/api/v1/compliance/findings",
                m,
                json!({"audit": audit, "grade": "major_nonconformity", "requirement": "8.6.1", "title": "No major incident reviews"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{f}");
        let finding = f["id"].as_str().unwrap();
        let nc = f["nonconformity"].as_str().unwrap();
        let auditor = Web::sign_in(s, "auditor@example.com").await;
        let (st, page) = auditor.get(&format!("/audits/{audit}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains(&format!(
                r#"<a href="/findings/{finding}">{finding} No major incident reviews</a>"#
            )),
            "{page}"
        );
        assert!(page.contains("major nonconformity · 8.6.1"));
        let (_, work) = auditor.get("/compliance").await;
        assert!(
            work.contains(&format!(r#"<a href="/audits/{audit}">{audit}</a>"#)),
            "{work}"
        );
        assert!(work.contains(&format!(r#"<a href="/nonconformities/{nc}">{nc}</a>"#)));
    });
}

#[tokio::test]
async fn problems_and_changes_are_raised_from_forms_that_keep_what_was_typed() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("MAIL").await;
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, page) = agent.get("/changes/new").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains(r#"<option value="medium" selected>medium</option>"#),
            "risk defaults to medium"
        );
        let (st, _, body) = agent
            .post(
                "/problems/new",
                &[
                    ("title", " "),
                    ("description", "Relays stick weekly"),
                    ("impact", "high"),
                    ("urgency", "low"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("title: must not be blank") && body.contains("Relays stick weekly"),
            "{body}"
        );
        let (st, location, _) = agent
            .post(
                "/problems/new",
                &[
                    ("title", "Relays stick"),
                    ("service", &svc),
                    ("impact", "high"),
                    ("urgency", "low"),
                ],
            )
            .await;
        assert_eq!((st, location.as_str()), (StatusCode::SEE_OTHER, "/problems/PRB-1"));
        let (st, _, body) = agent
            .post("/changes/new", &[("title", "Replace relays"), ("risk", "extreme")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("risk: choose one of the listed values") && body.contains("Replace relays"),
            "{body}"
        );
        let (st, location, _) = agent
            .post(
                "/changes/new",
                &[
                    ("title", "Replace relays"),
                    ("change_type", "normal"),
                    ("risk", "low"),
                    ("service", &svc),
                    ("backout_plan", "Refit the old ones"),
                ],
            )
            .await;
        assert_eq!((st, location.as_str()), (StatusCode::SEE_OTHER, "/changes/CHG-1"));
        let (_, v) = s.get("/api/v1/changes/CHG-1", &s.agent).await;
        assert_eq!((v["status"].as_str(), v["risk"].as_str()), (Some("draft"), Some("low")));
        assert_eq!(v["backout_plan"], "Refit the old ones");
        let auditor = Web::sign_in(s, "auditor@example.com").await;
        let (st, _) = auditor.get("/problems/new").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _, _) = auditor.post("/changes/new", &[("title", "Nope")]).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn problems_and_changes_are_edited_and_approved_from_their_pages() {
    on_each_backend!(|s| {
        s.advisory_board().await;
        let (svc, _) = s.service_with_item("PRINT").await;
        let prb = s
            .create("/api/v1/problems", &s.agent, json!({"title": "Toner smears"}))
            .await;
        let chg = s
            .create("/api/v1/changes", &s.agent, json!({"title": "New fuser units"}))
            .await;
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, _, _) = agent
            .post(
                &format!("/problems/{prb}/edit"),
                &[
                    ("title", "Toner smears on every page"),
                    ("service", &svc),
                    ("impact", "high"),
                    ("urgency", "high"),
                    ("workaround", "Print in draft mode"),
                    ("known_error", "yes"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, v) = s.get(&format!("/api/v1/problems/{prb}"), &s.agent).await;
        assert_eq!(v["title"], "Toner smears on every page");
        assert_eq!(
            (v["known_error"].as_bool(), v["workaround"].as_str()),
            (Some(true), Some("Print in draft mode"))
        );
        assert_eq!(
            (v["priority"].as_str(), v["service"].as_str()),
            (Some("P1"), Some(svc.as_str()))
        );
        let (_, page) = agent.get(&format!("/problems/{prb}")).await;
        assert!(
            page.contains(r#"name="known_error" value="yes" checked"#),
            "the form shows the record as it is"
        );
        // Unticking the box clears the known error; an unknown team is named.
        agent
            .post(
                &format!("/problems/{prb}/edit"),
                &[("title", "Toner smears"), ("impact", "low")],
            )
            .await;
        let (_, v) = s.get(&format!("/api/v1/problems/{prb}"), &s.agent).await;
        assert_eq!(v["known_error"], false);
        let (st, _, body) = agent
            .post(&format!("/problems/{prb}/edit"), &[("title", "x"), ("team", "SVC-1")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("team"), "{body}");

        // A change gets its back-out plan from the edit form, then goes to its approvers.
        let (st, _, _) = agent
            .post(
                &format!("/changes/{chg}/edit"),
                &[
                    ("title", "New fuser units"),
                    ("risk", "low"),
                    ("backout_plan", "Refit the old fusers"),
                    ("implementation_plan", "One printer at a time"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (st, _, body) = agent
            .post(
                &format!("/changes/{chg}/edit"),
                &[("title", "x"), ("activities", "Only this")],
            )
            .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a transition plan is whole or absent"
        );
        assert!(body.contains("acceptance_criteria"), "{body}");
        agent
            .post(&format!("/changes/{chg}/transition"), &[("to", "assessment")])
            .await;
        let (_, page) = agent.get(&format!("/changes/{chg}")).await;
        assert!(page.contains("Approvals") && page.contains("advisory board"), "{page}");
        assert!(!page.contains("Record decision"), "the agent is not an approver");
        let (st, _, _) = agent
            .post(&format!("/changes/{chg}/approvals"), &[("decision", "approved")])
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        let manager = Web::sign_in(s, "manager@example.com").await;
        let (_, page) = manager.get(&format!("/changes/{chg}")).await;
        assert!(page.contains("Record decision"), "{page}");
        let (st, _, body) = manager
            .post(&format!("/changes/{chg}/approvals"), &[("decision", "rejected")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("comment"), "a rejection says why: {body}");
        let (st, location, _) = manager
            .post(
                &format!("/changes/{chg}/approvals"),
                &[("decision", "approved"), ("comment", "Fine on a Friday")],
            )
            .await;
        assert_eq!(
            (st, location),
            (StatusCode::SEE_OTHER, format!("/changes/{chg}#approvals"))
        );
        let (_, v) = s.get(&format!("/api/v1/changes/{chg}"), &s.agent).await;
        assert_eq!(v["status"], "approved");
        assert_eq!(v["backout_plan"], "Refit the old fusers");
        let (_, page) = manager.get(&format!("/changes/{chg}")).await;
        assert!(
            page.contains("Fine on a Friday") && !page.contains("Record decision"),
            "{page}"
        );

        let auditor = Web::sign_in(s, "auditor@example.com").await;
        let (_, page) = auditor.get(&format!("/changes/{chg}")).await;
        assert!(page.contains("Fine on a Friday"), "the auditor reads the approvals");
        assert!(!page.contains("/edit\"") && !page.contains("Record decision"), "{page}");
        let (st, _, _) = auditor
            .post(&format!("/problems/{prb}/edit"), &[("title", "Nope")])
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn calendars_and_agreements_are_added_and_changed_from_the_administration() {
    on_each_backend!(|s| {
        let manager = Web::sign_in(s, "manager@example.com").await;
        let (st, page) = manager.get("/admin").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains(r#"href="/calendars/new""#) && page.contains(r#"href="/agreements/new""#));
        let (st, page) = manager.get("/calendars/new").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains(r#"value="09:00-17:00""#) && page.contains("Europe/Paris"),
            "weekdays and zones offered"
        );

        let mut fields = vec![
            ("name", "Paris office"),
            ("time_zone", "Europe/Paris"),
            ("monday", "8-17"),
            ("tuesday", "08:00-12:00, 13:00-17:30"),
            ("holidays", "2026-12-25 Christmas Day\n2026-12-31..2027-01-01 New Year"),
        ];
        let (st, _, body) = manager.post("/calendars/new", &fields).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("monday") && body.contains("is not opening hours"),
            "{body}"
        );
        assert!(body.contains(r#"value="8-17""#), "what was typed is kept");
        fields[2] = ("monday", "08:00-17:00");
        let (st, location, body) = manager.post("/calendars/new", &fields).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
        let cal = location.trim_start_matches("/calendars/").to_string();
        let (_, v) = s.get(&format!("/api/v1/calendars/{cal}"), &s.agent).await;
        assert_eq!(v["time_zone"], "Europe/Paris");
        assert_eq!(
            v["hours"]["tuesday"],
            json!([{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}])
        );
        assert_eq!(
            v["holidays"][1],
            json!({"name": "New Year", "from": "2026-12-31", "to": "2027-01-01"})
        );
        // Monday 2026-12-07 09:00 in Paris is 08:00 UTC; two business hours later is 11:00 Paris.
        let (_, due) = s
            .post(
                &format!("/api/v1/calendars/{cal}/add"),
                &s.agent,
                json!({"start": "2026-12-07T08:00:00Z", "duration": "PT2H"}),
            )
            .await;
        assert_eq!(due["due"], "2026-12-07T10:00:00Z", "{due}");
        let (_, page) = manager.get(&location).await;
        assert!(page.contains(&format!(r#"href="/calendars/{cal}/edit""#)), "{page}");
        let (_, page) = manager.get(&format!("/calendars/{cal}/edit")).await;
        assert!(page.contains(r#"value="08:00-12:00, 13:00-17:30""#), "{page}");
        assert!(page.contains("2026-12-31..2027-01-01 New Year"), "{page}");
        let (st, _, _) = manager
            .post(
                &format!("/calendars/{cal}/edit"),
                &[
                    ("name", "Paris office"),
                    ("time_zone", "Europe/Paris"),
                    ("always_open", "yes"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, v) = s.get(&format!("/api/v1/calendars/{cal}"), &s.agent).await;
        assert_eq!(v["always_open"], true);

        // An agreement counted in that calendar.
        let (st, page) = manager.get("/agreements/new").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains(&format!(r#"<option value="{cal}""#)), "{page}");
        let mut fields = vec![
            ("name", "Office printing"),
            ("kind", "sla"),
            ("organisation", s.org_a.as_str()),
            ("calendar", cal.as_str()),
            ("valid_from", "2026-12-01"),
            ("P1_response", "30m"),
            ("P1_resolution", "15m"),
            ("P2_response", "1h"),
            ("P2_resolution", "1h 30m"),
            ("pause_waiting_for_customer", "yes"),
            ("warning_percent", "75, 90"),
        ];
        let (st, _, body) = manager.post("/agreements/new", &fields).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("must not be shorter than the response target"), "{body}");
        assert!(body.contains(r#"value="1h 30m""#), "what was typed is kept");
        fields[6] = ("P1_resolution", "4h");
        let (st, location, body) = manager.post("/agreements/new", &fields).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
        let agr = location.trim_start_matches("/agreements/").to_string();
        let (_, v) = s.get(&format!("/api/v1/agreements/{agr}"), &s.agent).await;
        assert_eq!(v["organisation"], json!(s.org_a));
        assert_eq!(
            v["targets"][0],
            json!({"service": null, "priority": "P1", "response": "PT30M", "resolution": "PT4H"})
        );
        assert_eq!(v["targets"][1]["resolution"], "PT1H30M");
        assert_eq!(
            (v["pause_on"].clone(), v["warning_percent"].clone()),
            (json!(["waiting_for_customer"]), json!([75, 90]))
        );

        // A target for one service, set through the API, survives an edit from the form.
        let (svc, _) = s.service_with_item("FAX").await;
        let mut targets = v["targets"].as_array().unwrap().clone();
        targets.push(json!({"service": svc, "priority": "P1", "response": "PT10M", "resolution": "PT1H"}));
        let (st, _) = s
            .patch(
                &format!("/api/v1/agreements/{agr}"),
                &s.manager,
                json!({"targets": targets}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, page) = manager.get(&format!("/agreements/{agr}/edit")).await;
        assert!(page.contains(r#"name="P2_resolution" value="1h30m""#), "{page}");
        assert!(page.contains("1 targets for single services are kept"), "{page}");
        let (st, _, body) = manager
            .post(
                &format!("/agreements/{agr}/edit"),
                &[
                    ("name", "Office printing"),
                    ("kind", "sla"),
                    ("calendar", cal.as_str()),
                    ("valid_from", "2026-12-01"),
                    ("P3_response", "4h"),
                    ("P3_resolution", "2d"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "days are not a unit: {body}");
        assert!(
            body.contains("P3_resolution") || body.contains("P3 resolution"),
            "{body}"
        );
        let (st, _, body) = manager
            .post(
                &format!("/agreements/{agr}/edit"),
                &[
                    ("name", "Office printing"),
                    ("kind", "sla"),
                    ("calendar", cal.as_str()),
                    ("valid_from", "2026-12-01"),
                    ("P3_response", "4h"),
                    ("P3_resolution", "48h"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
        let (_, v) = s.get(&format!("/api/v1/agreements/{agr}"), &s.agent).await;
        let kept: Vec<(&str, &str)> = v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["priority"].as_str().unwrap(), t["resolution"].as_str().unwrap()))
            .collect();
        assert!(kept.contains(&("P3", "PT48H")) && kept.contains(&("P1", "PT1H")), "{v}");
        assert_eq!(kept.len(), 2, "P1 and P2 for every service were emptied: {v}");
        assert_eq!(
            v["organisation"],
            json!(null),
            "an emptied customer means every customer"
        );

        // An operational level agreement needs its team; agents and the auditor may not write.
        let (st, _, body) = manager
            .post(
                "/agreements/new",
                &[
                    ("name", "Desk"),
                    ("kind", "ola"),
                    ("calendar", cal.as_str()),
                    ("valid_from", "2026-12-01"),
                    ("P1_response", "1h"),
                    ("P1_resolution", "2h"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("an operational level agreement is made with a team"),
            "{body}"
        );
        for who in ["agent@example.com", "auditor@example.com"] {
            let w = Web::sign_in(s, who).await;
            assert_eq!(w.get("/calendars/new").await.0, StatusCode::FORBIDDEN, "{who}");
            assert_eq!(
                w.get(&format!("/agreements/{agr}/edit")).await.0,
                StatusCode::FORBIDDEN,
                "{who}"
            );
            let (st, _, _) = w.post(&format!("/calendars/{cal}/edit"), &[("name", "x")]).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
            let (_, page) = w.get("/admin").await;
            assert!(!page.contains(r#"href="/agreements/new""#), "{who}");
        }
    });
}

#[tokio::test]
async fn people_make_and_revoke_their_own_tokens_on_their_account_page() {
    on_each_backend!(|s| {
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, page) = agent.get("/account").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("agent@example.com") && page.contains("<td>test</td>"),
            "{page}"
        );
        let (st, _, body) = agent
            .post("/account/tokens", &[("name", "laptop"), ("expires_in_days", "900")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("expires in days: must be between 1 and 365") && body.contains(r#"value="laptop""#),
            "{body}"
        );
        let (st, _, body) = agent
            .post("/account/tokens", &[("name", "laptop"), ("expires_in_days", "30")])
            .await;
        assert_eq!(st, StatusCode::OK);
        let at =
            body.find(r#"<code id="new-token">"#).expect("the token is shown once") + r#"<code id="new-token">"#.len();
        let token = body[at..].split('<').next().unwrap().to_string();
        assert!(token.starts_with("stw_"), "{token}");
        let (st, me) = s.get("/api/v1/me", &token).await;
        assert_eq!(
            (st, me["user"]["email"].as_str()),
            (StatusCode::OK, Some("agent@example.com"))
        );
        let (_, page) = agent.get("/account").await;
        assert!(!page.contains(&token), "never shown again");
        let reference = {
            let at = page.find("/account/tokens/TOK-").unwrap() + "/account/tokens/".len();
            page[at..].split('/').next().unwrap().to_string()
        };
        // Another person cannot revoke it, even with a forged form of their own.
        let manager = Web::sign_in(s, "manager@example.com").await;
        let (st, _, _) = manager.post(&format!("/account/tokens/{reference}/revoke"), &[]).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert_eq!(s.get("/api/v1/me", &token).await.0, StatusCode::OK);
        let (st, location, _) = agent.post(&format!("/account/tokens/{reference}/revoke"), &[]).await;
        assert_eq!(
            (st, location),
            (StatusCode::SEE_OTHER, format!("/account?revoked={reference}"))
        );
        assert_eq!(s.get("/api/v1/me", &token).await.0, StatusCode::UNAUTHORIZED);
        let (_, page) = agent.get(&format!("/account?revoked={reference}")).await;
        assert!(
            page.contains(&format!("{reference} was revoked.")) && page.contains("revoked</td>"),
            "{page}"
        );
        assert!(
            !page.contains(&format!("/account/tokens/{reference}/revoke")),
            "no button for a revoked token"
        );
    });
}

/// Every `<script>` of a page names its file, and no element carries inline style or an
/// event handler: what the content security policy refuses would silently not work.
fn inline_code(html: &str) -> Vec<String> {
    let lower = html.to_lowercase();
    let mut found = vec![];
    for (at, _) in lower.match_indices("<script") {
        let tag = &lower[at..at + lower[at..].find('>').unwrap_or(0)];
        if !tag.contains(" src=") {
            found.push(tag.to_string());
        }
    }
    for needle in [
        " style=\"",
        " style='",
        "<style",
        " onclick=",
        " onload=",
        " onsubmit=",
        " onchange=",
        "javascript:",
    ] {
        if let Some(at) = lower.find(needle) {
            found.push(lower[at.saturating_sub(40)..(at + 60).min(lower.len())].to_string());
        }
    }
    found
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_hold_no_inline_code() {
    on_each_backend!(|s| {
        let inc = s
            .create("/api/v1/incidents", &s.agent, json!({"title": "Printer on fire"}))
            .await;
        let chg = s
            .create("/api/v1/changes", &s.agent, json!({"title": "New printer"}))
            .await;
        let admin = Web::sign_in(s, "admin@example.com").await;
        let pages = [
            "/queue".to_string(),
            format!("/incidents/{inc}"),
            format!("/changes/{chg}"),
            "/incidents/new".into(),
            "/changes/new".into(),
            "/dashboard".into(),
            "/dashboard/readiness".into(),
            "/compliance".into(),
            "/admin".into(),
            "/account".into(),
            "/calendars/new".into(),
            "/agreements/new".into(),
            "/search?q=printer".into(),
            "/api/v1/docs".into(),
        ];
        for path in &pages {
            let (st, html) = admin.get(path).await;
            assert_eq!(st, StatusCode::OK, "{path}");
            assert_eq!(inline_code(&html), Vec::<String>::new(), "{path}");
        }
        for (path, token) in [
            ("/sign-in", None),
            ("/api/v1/incidents", Some(s.agent.as_str())),
            ("/api/v1/incidents", None),
            ("/static/steward.css", None),
            ("/no-such-page", None),
        ] {
            let mut req = s.client.get(format!("{}{path}", s.base));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let r = req.send().await.unwrap();
            let h = r.headers();
            let csp = h
                .get("content-security-policy")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            assert!(
                csp.contains("script-src 'self'")
                    && csp.contains("style-src 'self'")
                    && csp.contains("frame-ancestors 'none'")
                    && !csp.contains("unsafe"),
                "{path}: {csp}"
            );
            assert_eq!(h.get("x-frame-options").unwrap(), "DENY", "{path}");
            assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{path}");
            assert_eq!(h.get("referrer-policy").unwrap(), "same-origin", "{path}");
        }
        let page = s
            .client
            .get(format!("{}/sign-in", s.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(inline_code(&page), Vec::<String>::new(), "the sign-in page");
    });
}

#[tokio::test]
async fn pages_offer_only_the_links_and_forms_the_person_may_use() {
    on_each_backend!(|s| {
        let (_, me) = s.get("/api/v1/me", &s.agent).await;
        let agent_ref = me["user"]["id"].as_str().unwrap().to_string();
        let inc = s
            .create("/api/v1/incidents", &s.requester_a, json!({"title": "Scanner jams"}))
            .await;
        let (st, _) = s
            .patch(
                &format!("/api/v1/incidents/{inc}"),
                &s.agent,
                json!({"assignee": agent_ref}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        // The customer sees who works the ticket, with no link to pages they may not open.
        let requester = Web::sign_in(s, "ra@acme.example").await;
        let (st, page) = requester.get(&format!("/incidents/{inc}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains(&format!("({agent_ref})")), "{page}");
        assert!(!page.contains(&format!(r#"href="/users/{agent_ref}""#)), "{page}");
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (_, page) = agent.get(&format!("/incidents/{inc}")).await;
        assert!(
            page.contains(&format!(r#"href="/users/{agent_ref}""#)),
            "staff follow the link"
        );
        // The auditor's queue offers nothing to raise, and the forms themselves are refused.
        let auditor = Web::sign_in(s, "auditor@example.com").await;
        let (st, page) = auditor.get("/queue").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            !page.contains(r#"href="/problems/new""#) && !page.contains(r#"href="/requests/new""#),
            "{page}"
        );
        for path in ["/incidents/new", "/requests/new", "/problems/new", "/changes/new"] {
            assert_eq!(auditor.get(path).await.0, StatusCode::FORBIDDEN, "{path}");
        }
        assert_eq!(agent.get("/requests/new").await.0, StatusCode::OK);
    });
}

impl Web {
    /// Posts a file through a record page's upload form (multipart), with the session's token
    /// unless `csrf` says otherwise; returns status, Location and body.
    async fn upload(
        &self,
        path: &str,
        name: &str,
        bytes: &[u8],
        visibility: Option<&str>,
        csrf: Option<&str>,
    ) -> (StatusCode, String, String) {
        let mut form = reqwest::multipart::Form::new().text("csrf", csrf.unwrap_or(&self.csrf).to_string());
        if let Some(v) = visibility {
            form = form.text("visibility", v.to_string());
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .multipart(form)
            .send()
            .await
            .unwrap();
        answered(r).await
    }
}

#[tokio::test]
async fn files_are_attached_from_the_record_page_and_downloaded_by_those_who_may() {
    on_each_backend!(|s| {
        let inc = s
            .create(
                "/api/v1/incidents",
                &s.requester_a,
                json!({"title": "Monitor flickers"}),
            )
            .await;
        let page = format!("/incidents/{inc}");
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, html) = agent.get(&page).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            html.contains(r#"enctype="multipart/form-data""#),
            "the page offers the form"
        );

        // A work note's file, and a reply's file the customer sees.
        let (st, to, body) = agent
            .upload(
                &format!("{page}/attachments"),
                "driver.log",
                b"flicker at 60Hz\n",
                None,
                None,
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(to, format!("{page}#files"));
        let (st, _, _) = agent
            .upload(
                &format!("{page}/attachments"),
                "steps.txt",
                b"Try another cable.\n",
                Some("public"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, html) = agent.get(&page).await;
        assert!(html.contains("driver.log") && html.contains("steps.txt"), "{html}");
        assert!(html.contains("attached driver.log"), "the timeline says so");

        // Bytes that are not what they claim, and a form without its token, are refused.
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let r = reqwest::multipart::Part::bytes(png.to_vec())
            .file_name("fake.txt")
            .mime_str("text/plain")
            .unwrap();
        let form = reqwest::multipart::Form::new()
            .text("csrf", agent.csrf.clone())
            .part("file", r);
        let resp = agent
            .client
            .post(format!("{}{page}/attachments", agent.base))
            .header(COOKIE, &agent.cookie)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(resp.text().await.unwrap().contains("content_type"));
        let (st, _, _) = agent
            .upload(&format!("{page}/attachments"), "x.txt", b"x", None, Some("forged"))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // The customer sees and downloads the reply's file only; another organisation nothing.
        let requester = Web::sign_in(s, "ra@acme.example").await;
        let (_, html) = requester.get(&page).await;
        assert!(html.contains("steps.txt") && !html.contains("driver.log"), "{html}");
        let (_, files) = s.get(&format!("/api/v1/incidents/{inc}/attachments"), &s.agent).await;
        let href = |name: &str| {
            let f = files.as_array().unwrap().iter().find(|f| f["name"] == name).unwrap();
            format!("/attachments/{}", f["id"].as_str().unwrap())
        };
        assert!(html.contains(&format!(r#"href="{}""#, href("steps.txt"))), "{html}");
        let (st, bytes) = requester.get(&href("steps.txt")).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(bytes, "Try another cable.\n");
        assert_eq!(requester.get(&href("driver.log")).await.0, StatusCode::NOT_FOUND);
        let other = Web::sign_in(s, "rb@globex.example").await;
        assert_eq!(other.get(&href("steps.txt")).await.0, StatusCode::NOT_FOUND);
        // The customer's own file is always one the agents see too.
        let (st, _, body) = requester
            .upload(&format!("{page}/attachments"), "photo.txt", b"the screen", None, None)
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
        let (_, html) = agent.get(&page).await;
        assert!(html.contains("photo.txt"), "{html}");
    });
}

#[tokio::test]
async fn people_watch_records_from_their_pages_and_choose_how_they_are_told() {
    on_each_backend!(|s| {
        let inc = s
            .create("/api/v1/incidents", &s.agent, json!({"title": "Badge reader"}))
            .await;
        let manager = Web::sign_in(s, "manager@example.com").await;
        let page_of = format!("/incidents/{inc}");
        let (_, page) = manager.get(&page_of).await;
        assert!(
            page.contains("Nobody watches this record.") && page.contains(">Watch</button>"),
            "{page}"
        );
        let (st, location, _) = manager.post(&format!("{page_of}/watch"), &[("watch", "on")]).await;
        assert_eq!(
            (st, location.as_str()),
            (StatusCode::SEE_OTHER, format!("{page_of}#watchers").as_str())
        );
        let (_, page) = manager.get(&page_of).await;
        assert!(page.contains(">Stop watching</button>"), "{page}");
        let (st, watchers) = s.get(&format!("/api/v1/watchers?record={inc}"), &s.agent).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(watchers.as_array().unwrap().len(), 1, "{watchers}");
        let (st, _) = s
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/watchers/{inc}/me"),
                Some(&s.requester_a),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "another organisation's record is not found");
        let (st, _, _) = manager.post(&format!("{page_of}/watch"), &[("watch", "off")]).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, watchers) = s.get(&format!("/api/v1/watchers?record={inc}"), &s.agent).await;
        assert!(watchers.as_array().unwrap().is_empty());
        let (st, _, _) = manager.post("/incidents/INC-999999/watch", &[("watch", "on")]).await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // Preferences: every event on the form; what is posted is what the API then says.
        let (_, page) = manager.get("/account").await;
        assert!(
            page.contains(r#"name="email_customer_reply""#) && page.contains("In the daily digest"),
            "{page}"
        );
        let mut fields: Vec<(&str, &str)> = vec![("email_assignment", "digest"), ("in_app_assignment", "on")];
        fields.push(("email_sla_breach", "off"));
        let (st, location, _) = manager.post("/account/notifications", &fields).await;
        assert_eq!(
            (st, location.as_str()),
            (StatusCode::SEE_OTHER, "/account?saved=1#h-notifications")
        );
        let (_, prefs) = s.get("/api/v1/notification-preferences", &s.manager).await;
        let of = |e: &str| {
            prefs
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["event"] == e)
                .unwrap()
                .clone()
        };
        assert_eq!(
            (of("assignment")["email"].as_str(), of("assignment")["in_app"].as_bool()),
            (Some("digest"), Some(true))
        );
        assert_eq!(
            (of("sla_breach")["email"].as_str(), of("sla_breach")["in_app"].as_bool()),
            (Some("off"), Some(false))
        );
        let (st, _, body) = manager
            .post("/account/notifications", &[("email_reply", "sometimes")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("must be off, immediate or digest"), "{body}");
    });
}

/// The administrator's email page: held messages placed again or discarded, rules added with
/// their fields checked and removed, templates rewritten and put back; nobody else may see it.
#[tokio::test]
async fn an_administrator_looks_after_email_from_one_page() {
    use steward_core::inbound::InboundState;
    use steward_store::NewInboundMail;
    on_each_backend!(|s| {
        let store = &s.db.store;
        let now = chrono::Utc::now();
        let mut held = Vec::new();
        for (n, sender) in ["ada@contoso.example", "bo@contoso.example"].iter().enumerate() {
            let message_id = format!("<held-{n}@contoso.example>");
            let (id, _, _) = store
                .receive_mail(NewInboundMail {
                    message_id: &message_id,
                    sender,
                    subject: "VPN <access>",
                    raw: b"From: ada@contoso.example\r\nSubject: VPN\r\n\r\nPlease.\r\n",
                    at: now,
                })
                .await
                .unwrap();
            store
                .keep_mail(
                    id,
                    InboundState::Held,
                    "no user has this address, and no mail rule matches it",
                    None,
                    now,
                )
                .await
                .unwrap();
            held.push(id);
        }
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, _) = agent.get("/admin/mail").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let admin = Web::sign_in(s, "admin@example.com").await;
        let (_, page) = admin.get("/admin").await;
        assert!(
            page.contains(r#"href="/admin/mail""#),
            "the administration page links to email"
        );
        let (st, page) = admin.get("/admin/mail").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("ada@contoso.example") && page.contains("no mail rule matches it"),
            "{page}"
        );
        assert!(
            page.contains("VPN &#60;access&#62;") && !page.contains("<access>"),
            "the subject is escaped: {page}"
        );
        let (st, raw) = admin.get(&format!("/admin/mail/inbound/{}/message", held[0])).await;
        assert_eq!(st, StatusCode::OK);
        assert!(raw.contains("Please."));

        let (st, location, _) = admin
            .post(&format!("/admin/mail/inbound/{}/reconsider", held[0]), &[])
            .await;
        assert_eq!(
            (st, location.as_str()),
            (StatusCode::SEE_OTHER, "/admin/mail?done=reconsidered")
        );
        assert_eq!(
            store.get_inbound_mail(held[0]).await.unwrap().unwrap().state,
            InboundState::Received
        );
        let (st, _, _) = admin
            .post(&format!("/admin/mail/inbound/{}/discard", held[1]), &[])
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (st, _, page) = admin
            .post(&format!("/admin/mail/inbound/{}/discard", held[1]), &[])
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{page}");
        let (_, page) = admin.get("/admin/mail").await;
        assert!(page.contains("Nothing is held."), "{page}");

        // Rules: each field checked and named; a good one listed, then removed.
        let (st, _, page) = admin
            .post(
                "/admin/mail/rules",
                &[
                    ("matches", "sender_domain"),
                    ("value", "contoso.example"),
                    ("opens", "incident"),
                    ("unknown_sender", "create"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("must name the organisation"), "{page}");
        let (st, _, page) = admin
            .post(
                "/admin/mail/rules",
                &[("matches", "recipient"), ("value", "desk"), ("team", "nonsense")],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("must be a reference such as TEAM-1"), "{page}");
        let org = s.org_a.clone();
        let (st, location, _) = admin
            .post(
                "/admin/mail/rules",
                &[
                    ("matches", "sender_domain"),
                    ("value", "Contoso.Example"),
                    ("opens", "incident"),
                    ("organisation", &org),
                    ("unknown_sender", "create"),
                ],
            )
            .await;
        assert_eq!(
            (st, location.as_str()),
            (StatusCode::SEE_OTHER, "/admin/mail?done=rule#h-rules")
        );
        let rules = store.mail_rules().await.unwrap();
        assert_eq!(rules.len(), 1);
        let (_, page) = admin.get("/admin/mail").await;
        assert!(page.contains("from @contoso.example"), "{page}");
        let (st, _, _) = admin
            .post(&format!("/admin/mail/rules/{}/delete", rules[0].id), &[])
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(store.mail_rules().await.unwrap().is_empty());

        // Templates: a refused rewrite shows its error beside what was typed; a good one is kept
        // until Steward's words are put back.
        let (st, _, page) = admin
            .post(
                "/admin/mail/templates/reply",
                &[("subject", "[{reference}] {nonsense}"), ("body", "x")],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("{nonsense}") && page.contains("field-error"), "{page}");
        let (st, location, _) = admin
            .post(
                "/admin/mail/templates/reply",
                &[("subject", "[{reference}] A reply"), ("body", "{text}")],
            )
            .await;
        assert_eq!(
            (st, location.as_str()),
            (StatusCode::SEE_OTHER, "/admin/mail?done=template#template-reply")
        );
        let (_, templates) = s.get("/api/v1/notification-templates", &s.admin).await;
        let reply = templates
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "reply")
            .unwrap()
            .clone();
        assert_eq!(
            (reply["subject"].as_str(), reply["customised"].as_bool()),
            (Some("[{reference}] A reply"), Some(true))
        );
        let (st, _, _) = admin.post("/admin/mail/templates/reply/reset", &[]).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (_, templates) = s.get("/api/v1/notification-templates", &s.admin).await;
        let reply = templates
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "reply")
            .unwrap()
            .clone();
        assert_eq!(reply["customised"], false);
        let (st, _, _) = admin.post("/admin/mail/templates/nonsense/reset", &[]).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    });
}

/// The availability page: each service against its target, the latest outages, and the form to
/// record one (for those who may), whose record page then shows it.
#[tokio::test]
async fn availability_is_read_by_service_and_outages_are_recorded_from_the_page() {
    on_each_backend!(|s| {
        let (st, svc) = s
            .call(
                reqwest::Method::POST,
                "/api/v1/services",
                Some(&s.manager),
                Some(json!({"code": "MAIL", "name": "Mail", "availability_target": 99.9})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{svc}");
        assert_eq!(svc["availability_target"], 99.9);
        let reference = svc["id"].as_str().unwrap().to_string();
        let requester = Web::sign_in(s, "ra@acme.example").await;
        let (st, _) = requester.get("/availability").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, page) = agent.get("/availability").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("Mail") && page.contains("99.9%") && page.contains("100.000%"),
            "{page}"
        );
        assert!(
            !page.contains("Record outage"),
            "an agent reads availability but does not record outages"
        );

        let manager = Web::sign_in(s, "manager@example.com").await;
        // A major incident's page leads to the form, with the incident and its service filled in.
        let major = s
            .create(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "Mail is down for everyone", "service": reference, "major": true}),
            )
            .await;
        let (_, page) = manager.get(&format!("/incidents/{major}")).await;
        let link = format!("/availability?incident={major}&#38;service={reference}#h-record-outage");
        assert!(page.contains(&link), "{page}");
        let (_, page) = agent.get(&format!("/incidents/{major}")).await;
        assert!(
            !page.contains("id=\"record-outage\""),
            "an agent does not record outages"
        );
        let (_, page) = manager
            .get(&format!("/availability?incident={major}&service={reference}"))
            .await;
        assert!(page.contains(&format!("value=\"{major}\"")), "{page}");
        let (st, _, page) = manager
            .post(
                "/availability/outages",
                &[("service", &reference), ("title", "Mail down"), ("started_at", "")],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("say when the service became unavailable"), "{page}");
        let started = (chrono::Utc::now() - chrono::Duration::hours(3))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let ended = (chrono::Utc::now() - chrono::Duration::hours(2))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let (st, location, _) = manager
            .post(
                "/availability/outages",
                &[
                    ("service", &reference),
                    ("title", "Mail down"),
                    ("started_at", &started),
                    ("ended_at", &ended),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/outages/OUT-"), "{location}");
        let (st, page) = manager.get(&location).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Mail down") && page.contains("restored"), "{page}");
        let (_, page) = manager.get("/availability?days=30").await;
        assert!(page.contains("1h 00m") && page.contains("missed"), "{page}");
        let (_, report) = s
            .get("/api/v1/reports/availability?from=2000-01-01&to=2100-01-01", &s.agent)
            .await;
        let mail = report["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["service"] == reference.as_str())
            .unwrap()
            .clone();
        assert_eq!(
            (mail["downtime_seconds"].as_i64(), mail["failures"].as_i64()),
            (Some(3600), Some(1))
        );
    });
}

/// Suppliers through the API and the page: a supplier needs an owner and the team of an internal
/// one; a contract is reviewed and a dispute resolved only with what they found; a ticket handed
/// to the supplier runs its underpinning contract's clock; the page and the report show the
/// supplier's figures; the page's forms add a supplier, record a review and raise a dispute, and
/// an agent reads it all without the forms.
#[tokio::test]
async fn suppliers_contracts_and_disputes_through_the_api_and_the_page() {
    on_each_backend!(|s| {
        let (host, contract, owner) = Box::pin(supplier_api(s)).await;
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, page) = agent.get("/suppliers").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("Host Ltd") && page.contains("Hosting") && page.contains("Credits"),
            "{page}"
        );
        assert!(page.contains("2020-06-01 (due)"), "{page}");
        assert!(!page.contains("Add supplier"), "an agent does not add suppliers");
        let requester = Web::sign_in(s, "ra@acme.example").await;
        let (st, _) = requester.get("/suppliers").await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        let manager = Web::sign_in(s, "manager@example.com").await;
        let (st, _, page) = manager
            .post(
                "/suppliers",
                &[("name", "Print Co"), ("kind", "external"), ("owner", "")],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("choose who manages the relationship") && page.contains("Print Co"),
            "{page}"
        );
        let (st, location, _) = manager
            .post(
                "/suppliers",
                &[("name", "Print Co"), ("kind", "external"), ("owner", &owner)],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/suppliers/SUP-"), "{location}");
        let (st, page) = manager.get(&location).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Print Co"), "{page}");
        let (st, location, _) = manager
            .post(
                "/suppliers/reviews",
                &[
                    ("contract", &contract),
                    ("notes", "Targets met"),
                    ("next_review", "2099-01-01"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(location, format!("/contracts/{contract}"));
        let (_, k) = s.get(&format!("/api/v1/contracts/{contract}"), &s.agent).await;
        assert_eq!(
            (k["review_notes"].as_str(), k["review_date"].as_str()),
            (Some("Targets met"), Some("2099-01-01"))
        );
        let (st, location, _) = manager
            .post(
                "/suppliers/disputes",
                &[("supplier", &host), ("title", "Late invoices")],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/disputes/DSP-"), "{location}");
    });
}

/// The API half of the supplier test: what it made, for the page half to show.
async fn supplier_api(s: &Server) -> (String, String, String) {
    let (_, users) = s.get("/api/v1/users?role=manager", &s.manager).await;
    let owner = users["items"][0]["id"].as_str().unwrap().to_string();
    let (st, body) = s
        .post(
            "/api/v1/suppliers",
            &s.manager,
            json!({"name": "Net team", "kind": "internal", "owner": owner}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "team", "{body}");
    let (st, body) = s
        .post(
            "/api/v1/suppliers",
            &s.manager,
            json!({"name": "Host", "kind": "external"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("owner"), "{body}");
    let (st, _) = s
        .post(
            "/api/v1/suppliers",
            &s.agent,
            json!({"name": "Host", "kind": "external", "owner": owner}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "agents read suppliers only");
    let host = s
        .create(
            "/api/v1/suppliers",
            &s.manager,
            json!({"name": "Host Ltd", "kind": "external", "owner": owner, "processes": ["8.6.1"]}),
        )
        .await;
    let (_, cal) = s
        .post(
            "/api/v1/calendars",
            &s.manager,
            json!({"name": "Always", "time_zone": "UTC", "always_open": true}),
        )
        .await;
    let uc = s
        .create(
            "/api/v1/agreements",
            &s.manager,
            json!({"name": "Host UC", "kind": "uc", "supplier": host, "calendar": cal["id"],
                       "targets": [{"priority": "P3", "response": "PT1H", "resolution": "PT4H"}],
                       "valid_from": "2020-01-01"}),
        )
        .await;
    let contract = s
        .create(
            "/api/v1/contracts",
            &s.manager,
            json!({"supplier": host, "title": "Hosting", "agreement": uc, "starts_on": "2020-01-01",
                       "review_date": "2020-06-01"}),
        )
        .await;
    let (st, body) = s
        .post(
            &format!("/api/v1/contracts/{contract}/review"),
            &s.manager,
            json!({"notes": " "}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "notes");
    let inc = s
        .create(
            "/api/v1/incidents",
            &s.agent,
            json!({"title": "Site slow", "supplier": host}),
        )
        .await;
    let (_, got) = s.get(&format!("/api/v1/incidents/{inc}"), &s.agent).await;
    assert_eq!(got["supplier"], host.as_str());
    let uc_clocks: Vec<&serde_json::Value> = got["sla"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["scope"] == "uc")
        .collect();
    assert_eq!(
        uc_clocks.len(),
        2,
        "the supplier's response and resolution clocks run: {got}"
    );
    assert_eq!(uc_clocks[0]["supplier"], host.as_str());
    let (_, report) = s
        .get("/api/v1/reports/suppliers?from=2000-01-01&to=2100-01-01", &s.agent)
        .await;
    assert_eq!(report["suppliers"][0]["open_tickets"], 1, "{report}");
    assert_eq!(report["suppliers"][0]["contracts_due_review"], 1, "{report}");
    let dispute = s
        .create(
            "/api/v1/disputes",
            &s.manager,
            json!({"supplier": host, "contract": contract, "title": "Credits"}),
        )
        .await;
    let (st, body) = s
        .post(
            &format!("/api/v1/disputes/{dispute}/transition"),
            &s.manager,
            json!({"to": "resolved"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "resolution");

    (host, contract, owner)
}

/// Business relationship through the API and the page: an organisation gets a relationship
/// owner and a kind; a service review is held only with its minutes; a requester raises a
/// complaint for their own organisation (in their name, under the policy's targets), comments
/// on it and reads it, and another organisation's requester cannot; the complaint is resolved
/// only with what was done; the report and the page show the relationship; the page's forms
/// plan a review, record it as held and record a complaint, and an auditor reads it all
/// without the forms.
#[tokio::test]
async fn relationships_reviews_and_complaints_through_the_api_and_the_page() {
    on_each_backend!(|s| {
        let (review, complaint) = Box::pin(relationship_api(s)).await;
        let auditor = Web::sign_in(s, "auditor@example.com").await;
        let (st, page) = auditor.get("/relationships").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Acme") && page.contains("interested party"), "{page}");
        assert!(page.contains("Printer queue lost our jobs"), "{page}");
        assert!(
            !page.contains("Plan review") && !page.contains("Record complaint"),
            "{page}"
        );
        let requester = Web::sign_in(s, "ra@acme.example").await;
        let (st, _) = requester.get("/relationships").await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        let manager = Web::sign_in(s, "manager@example.com").await;
        let (st, _, page) = manager
            .post(
                "/relationships/reviews",
                &[
                    ("organisation", &s.org_b),
                    ("title", "Kick-off review"),
                    ("scheduled_on", ""),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("give the day it is planned for") && page.contains("Kick-off review"),
            "{page}"
        );
        let (st, location, _) = manager
            .post(
                "/relationships/reviews",
                &[
                    ("organisation", &s.org_b),
                    ("title", "Kick-off review"),
                    ("scheduled_on", "2026-01-15"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/service-reviews/SR-"), "{location}");
        let planned = location.trim_start_matches("/service-reviews/").to_string();
        let (st, _, page) = manager
            .post(
                "/relationships/reviews/held",
                &[("review", &planned), ("held_on", "2026-01-15"), ("minutes", "")],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("a review is held with its minutes"), "{page}");
        let (st, location, _) = manager
            .post(
                "/relationships/reviews/held",
                &[
                    ("review", &planned),
                    ("held_on", "2026-01-15"),
                    ("attendees", "Globex IT lead"),
                    ("minutes", "Agreed the reporting pack"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(location, format!("/service-reviews/{planned}"));
        let (_, r) = s.get(&format!("/api/v1/service-reviews/{planned}"), &s.auditor).await;
        assert_eq!(
            (r["status"].as_str(), r["held_on"].as_str()),
            (Some("held"), Some("2026-01-15"))
        );
        assert_ne!(review, planned);

        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, location, _) = agent
            .post(
                "/relationships/complaints",
                &[
                    ("organisation", &s.org_b),
                    ("complainant", "Globex CFO"),
                    ("title", "Invoices late"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/complaints/CMP-"), "{location}");
        assert_ne!(location, format!("/complaints/{complaint}"));
        let (st, page) = agent.get(&location).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Invoices late"), "{page}");

        let (st, _, page) = manager.post("/relationships/surveys", &[("service", "")]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("choose the service to ask about"), "{page}");
        let (svc, _) = s.service_with_item("MAIL").await;
        let (st, location, _) = manager
            .post(
                "/relationships/surveys",
                &[("service", &svc), ("organisation", &s.org_a)],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(location, "/relationships");
        let (_, page) = manager.get("/relationships").await;
        assert!(
            page.contains("Satisfaction by service") && page.contains("Send surveys"),
            "{page}"
        );
        let (_, asked) = s.get("/api/v1/surveys?kind=periodic", &s.requester_a).await;
        assert_eq!(asked["items"].as_array().unwrap().len(), 1, "{asked}");
    });
}

/// The API half of the relationship test: the review and the complaint it made.
async fn relationship_api(s: &Server) -> (String, String) {
    let (_, users) = s.get("/api/v1/users?role=manager", &s.manager).await;
    let owner = users["items"][0]["id"].as_str().unwrap().to_string();
    let (st, body) = s
        .patch(
            &format!("/api/v1/organisations/{}", s.org_a),
            &s.manager,
            json!({"relationship_owner": "USR-999"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "relationship_owner", "{body}");
    let (st, body) = s
        .patch(
            &format!("/api/v1/organisations/{}", s.org_a),
            &s.manager,
            json!({"relationship_owner": owner}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, body) = s
        .post(
            "/api/v1/organisations",
            &s.manager,
            json!({"name": "Regulator", "kind": "watchdog"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    s.create(
        "/api/v1/organisations",
        &s.manager,
        json!({"name": "Regulator", "kind": "interested_party", "relationship_owner": owner}),
    )
    .await;
    let (_, parties) = s.get("/api/v1/organisations?kind=interested_party", &s.agent).await;
    assert_eq!(parties["items"].as_array().unwrap().len(), 1, "{parties}");

    let review = s
        .create(
            "/api/v1/service-reviews",
            &s.manager,
            json!({"organisation": s.org_a, "title": "Quarterly review", "scheduled_on": "2026-01-10"}),
        )
        .await;
    let (st, _) = s
        .post(
            "/api/v1/service-reviews",
            &s.agent,
            json!({"organisation": s.org_a, "title": "Mine", "scheduled_on": "2026-01-10"}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "agents read service reviews only");
    let (st, body) = s
        .post(
            &format!("/api/v1/service-reviews/{review}/transition"),
            &s.manager,
            json!({"to": "held", "held_on": "2099-01-01", "minutes": "Fine"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "held_on", "{body}");
    let (st, body) = s
        .post(
            &format!("/api/v1/service-reviews/{review}/transition"),
            &s.manager,
            json!({"to": "held", "held_on": "2026-01-10", "minutes": "Targets met"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, _) = s
        .get(&format!("/api/v1/service-reviews/{review}"), &s.requester_a)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "a review's minutes are the provider's");

    let (st, body) = s
        .call(
            reqwest::Method::PUT,
            "/api/v1/settings/complaint-policy",
            Some(&s.admin),
            Some(json!({"acknowledge_within_days": 3, "resolve_within_days": 2})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (st, _) = s
        .call(
            reqwest::Method::PUT,
            "/api/v1/settings/complaint-policy",
            Some(&s.admin),
            Some(json!({"acknowledge_within_days": 1, "resolve_within_days": 10})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let complaint = s
        .create(
            "/api/v1/complaints",
            &s.requester_a,
            json!({"title": "Printer queue lost our jobs", "owner": owner}),
        )
        .await;
    let (_, k) = s.get(&format!("/api/v1/complaints/{complaint}"), &s.requester_a).await;
    assert_eq!(k["organisation"], s.org_a.as_str(), "{k}");
    assert!(k["owner"].is_null(), "a requester does not choose the handler: {k}");
    assert!(!k["complainant"].as_str().unwrap_or("").is_empty(), "{k}");
    let received = chrono::DateTime::parse_from_rfc3339(k["received_at"].as_str().unwrap()).unwrap();
    let resolve_by = chrono::DateTime::parse_from_rfc3339(k["resolve_by"].as_str().unwrap()).unwrap();
    assert_eq!(resolve_by - received, chrono::Duration::days(10));
    let (st, _) = s.get(&format!("/api/v1/complaints/{complaint}"), &s.requester_b).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .post(
            "/api/v1/complaints",
            &s.requester_a,
            json!({"title": "Theirs", "organisation": s.org_b}),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, body) = s
        .post(
            &format!("/api/v1/complaints/{complaint}/comments"),
            &s.requester_a,
            json!({"body": "It happened again this morning"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = s
        .post(
            &format!("/api/v1/complaints/{complaint}/transition"),
            &s.agent,
            json!({"to": "resolved"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "resolution");
    let (st, body) = s
        .post(
            &format!("/api/v1/complaints/{complaint}/transition"),
            &s.agent,
            json!({"to": "investigating"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body["acknowledged_at"].is_string(), "{body}");

    let (_, report) = s
        .get(
            "/api/v1/reports/relationships?from=2026-01-01&to=2100-01-01",
            &s.auditor,
        )
        .await;
    let acme = report["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["organisation"] == s.org_a.as_str())
        .unwrap();
    assert_eq!(acme["relationship_owner"], owner.as_str(), "{report}");
    assert_eq!(acme["last_review_on"], "2026-01-10", "{report}");
    assert_eq!(
        (acme["complaints_received"].as_i64(), acme["complaints_open"].as_i64()),
        (Some(1), Some(1))
    );
    let (st, _) = s
        .get(
            "/api/v1/reports/relationships?from=2026-01-01&to=2100-01-01",
            &s.requester_a,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    (review, complaint)
}

/// Satisfaction surveys through the API and the portal: resolving a customer's incident puts a
/// survey to them, which the portal offers; only they may answer it, once, with a score from 1
/// to 5; a manager sends a periodic round; the satisfaction report counts the answers; and the
/// customer raises a complaint from the portal and follows it there.
#[tokio::test]
async fn surveys_and_complaints_through_the_portal() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("MAIL").await;
        let inc = s
            .create(
                "/api/v1/incidents",
                &s.requester_a,
                json!({"title": "No mail", "service": svc}),
            )
            .await;
        let (st, body) = s
            .post(
                &format!("/api/v1/incidents/{inc}/transition"),
                &s.agent,
                json!({"to": "resolved", "resolution_code": "fixed", "resolution_notes": "Relay restarted"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let (_, mine) = s.get("/api/v1/surveys", &s.requester_a).await;
        let items = mine["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{mine}");
        assert_eq!(
            (items[0]["incident"].as_str(), items[0]["status"].as_str()),
            (Some(inc.as_str()), Some("sent"))
        );
        let survey = items[0]["id"].as_str().unwrap().to_string();
        let (st, _) = s.get(&format!("/api/v1/surveys/{survey}"), &s.requester_b).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .post(
                &format!("/api/v1/surveys/{survey}/answer"),
                &s.manager,
                json!({"score": 5}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "only the person asked answers");

        let customer = Web::sign_in(s, "ra@acme.example").await;
        let (st, page) = customer.get("/portal").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains(&format!("your incident {inc}, now resolved")), "{page}");
        let (st, _, page) = customer
            .post("/portal/surveys", &[("survey", &survey), ("score", "9")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("must be from 1"), "{page}");
        let (st, location, _) = customer
            .post(
                "/portal/surveys",
                &[("survey", &survey), ("score", "2"), ("comment", "Slow to answer")],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert_eq!(location, "/portal");
        let (_, page) = customer.get("/portal").await;
        assert!(
            !page.contains("now resolved"),
            "an answered survey leaves the portal: {page}"
        );
        let (st, _) = s
            .post(
                &format!("/api/v1/surveys/{survey}/answer"),
                &s.requester_a,
                json!({"score": 4}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "answered once");

        let (st, body) = s
            .post(
                "/api/v1/surveys/rounds",
                &s.manager,
                json!({"service": svc, "organisations": [s.org_b]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        assert_eq!(body["sent"], 1, "{body}");
        let (st, _) = s
            .post("/api/v1/surveys/rounds", &s.agent, json!({"service": svc}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (_, report) = s
            .get("/api/v1/reports/satisfaction?from=2000-01-01&to=2100-01-01", &s.auditor)
            .await;
        let mail = &report["services"][0];
        assert_eq!(
            (
                mail["sent"].as_i64(),
                mail["answered"].as_i64(),
                mail["dissatisfied"].as_i64()
            ),
            (Some(2), Some(1), Some(1)),
            "{report}"
        );

        let (st, _, page) = customer
            .post("/portal/complaints", &[("title", ""), ("service", &svc)])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("field-error"), "{page}");
        let (st, location, _) = customer
            .post(
                "/portal/complaints",
                &[
                    ("title", "Mail keeps failing"),
                    ("service", &svc),
                    ("description", "Third time this month"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/complaints/CMP-"), "{location}");
        let (st, page) = customer.get(&location).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Mail keeps failing"), "{page}");
        let (_, page) = customer.get("/portal").await;
        assert!(page.contains("Mail keeps failing"), "{page}");
    });
}

/// The finance page: budgets against actual and each service's costs for a year; a manager plans
/// a budget, an agent records a cost and logs time from a ticket's page; refused forms come back
/// with the message beside the field; a requester never sees it.
#[tokio::test]
async fn budgets_and_costs_are_planned_recorded_and_read_from_the_finance_page() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("ERP").await;
        let year = chrono::Utc::now().format("%Y").to_string();
        let requester = Web::sign_in(s, "ra@acme.example").await;
        let (st, _) = requester.get("/finance").await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, page) = agent.get("/finance").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Record cost") && page.contains("Log time"), "{page}");
        assert!(
            !page.contains("Plan budget"),
            "an agent records costs but does not plan budgets"
        );

        let manager = Web::sign_in(s, "manager@example.com").await;
        let (st, _, page) = manager
            .post(
                "/finance/budgets",
                &[
                    ("service", &svc),
                    ("starts_on", &format!("{year}-01-01")),
                    ("ends_on", &format!("{year}-12-31")),
                    ("amount", "ten"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("must be an amount such as 1234.50") && page.contains("value=\"ten\""),
            "{page}"
        );
        let (st, location, _) = manager
            .post(
                "/finance/budgets",
                &[
                    ("service", &svc),
                    ("starts_on", &format!("{year}-01-01")),
                    ("ends_on", &format!("{year}-12-31")),
                    ("amount", "10,000.00"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/budgets/BUD-"), "{location}");

        let (st, location, _) = agent
            .post(
                "/finance/costs",
                &[
                    ("service", &svc),
                    ("amount", "1250.50"),
                    ("category", "licence"),
                    ("description", "ERP seats"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/costs/CST-"), "{location}");

        let inc = s
            .create(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "ERP down", "service": svc, "impact": "high", "urgency": "high"}),
            )
            .await;
        let (_, page) = agent.get(&format!("/incidents/{inc}")).await;
        let link = format!("/finance?ticket={inc}#h-log-time");
        assert!(page.contains(&link), "{page}");
        let (_, page) = agent.get(&format!("/finance?ticket={inc}")).await;
        assert!(page.contains(&format!("value=\"{inc}\"")), "{page}");
        for (ticket, minutes, message) in [
            ("INC-999999", "30", "there is no incident INC-999999"),
            (inc.as_str(), "many", "must be a whole number of minutes"),
            (inc.as_str(), "2000", "must be between 1 and 960"),
        ] {
            let (st, _, page) = agent
                .post("/finance/time", &[("ticket", ticket), ("minutes", minutes)])
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{ticket} {minutes}");
            assert!(page.contains(message), "{message}: {page}");
        }
        let (st, location, _) = agent
            .post(
                "/finance/time",
                &[
                    ("ticket", &inc),
                    ("minutes", "30"),
                    ("description", "Restarted the ERP"),
                ],
            )
            .await;
        assert_eq!(
            (st, location.as_str()),
            (StatusCode::SEE_OTHER, format!("/incidents/{inc}").as_str())
        );

        let (st, page) = manager.get(&format!("/finance?year={year}")).await;
        assert_eq!(st, StatusCode::OK);
        // 1,250.50 of licences and 30 minutes at 60.00 an hour: 1,280.50 of a 10,000.00 budget.
        assert!(
            page.contains("10,000.00") && page.contains("1,280.50") && page.contains("8,719.50"),
            "{page}"
        );
        assert!(page.contains("Restarted the ERP") && page.contains("0h 30m"), "{page}");
        let (st, _) = manager.get("/finance?year=100000").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    });
}

/// The capacity page: a manager adds a requirement, records a reading and forecasts demand from
/// its forms; an agent flags an incident as capacity-related; the page reads the reading against
/// the thresholds and the forecast against the tickets raised; refused forms come back with the
/// message beside the field; a requester never sees it.
#[tokio::test]
async fn capacity_is_planned_read_and_flagged_from_the_capacity_page() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("MAIL").await;
        let requester = Web::sign_in(s, "ra@acme.example").await;
        let (st, _) = requester.get("/capacity").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, page) = agent.get("/capacity").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("Flag incident") && !page.contains("Add requirement"),
            "{page}"
        );

        let manager = Web::sign_in(s, "manager@example.com").await;
        let requirement = |capacity: &'static str| {
            vec![
                ("service", svc.as_str()),
                ("kind", "technical"),
                ("title", "Mailbox storage"),
                ("unit", "GB"),
                ("capacity", capacity),
            ]
        };
        let (st, _, page) = manager.post("/capacity/requirements", &requirement("lots")).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("must be a number such as 1500") && page.contains("value=\"lots\""),
            "{page}"
        );
        let (st, location, _) = manager.post("/capacity/requirements", &requirement("1000")).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/capacity-requirements/CAP-"), "{location}");
        let cap = location.trim_start_matches("/capacity-requirements/").to_string();

        let (st, _, page) = manager
            .post("/capacity/readings", &[("requirement", &cap), ("value", "-5")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("must be between 0 and"), "{page}");
        let (st, location, _) = manager
            .post("/capacity/readings", &[("requirement", &cap), ("value", "872")])
            .await;
        assert_eq!(
            (st, location.as_str()),
            (StatusCode::SEE_OTHER, "/capacity#h-utilisation")
        );

        let today = chrono::Utc::now().date_naive();
        let (st, location, _) = manager
            .post(
                "/capacity/forecasts",
                &[
                    ("service", &svc),
                    ("measure", "incidents"),
                    ("starts_on", &(today - chrono::Duration::days(3)).to_string()),
                    ("ends_on", &(today + chrono::Duration::days(3)).to_string()),
                    ("forecast", "40"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/demand-forecasts/DEM-"), "{location}");

        let inc = s
            .create(
                "/api/v1/incidents",
                &s.agent,
                json!({"title": "Mailboxes full", "service": svc, "impact": "high", "urgency": "high"}),
            )
            .await;
        let (st, _, page) = agent
            .post(
                "/capacity/incidents",
                &[("incident", "INC-999999"), ("requirement", &cap)],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("INC-999999 does not exist"), "{page}");
        let (st, location, _) = agent
            .post("/capacity/incidents", &[("incident", &inc), ("requirement", &cap)])
            .await;
        assert_eq!((st, location), (StatusCode::SEE_OTHER, format!("/incidents/{inc}")));
        let (st, _, page) = agent
            .post("/capacity/incidents", &[("incident", &inc), ("requirement", &cap)])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("already flagged"), "{page}");

        let (st, page) = manager.get("/capacity?days=7").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("872 GB (87.2%)") && page.contains("<strong>warning</strong>"),
            "{page}"
        );
        assert!(
            page.contains("1 so far") && page.contains("-97.5%"),
            "one incident of 40 forecast: {page}"
        );
        let (_, report) = s
            .get("/api/v1/reports/capacity?from=2000-01-01&to=2100-01-01", &s.agent)
            .await;
        assert_eq!(report["requirements"][0]["incidents"], 1, "{report}");
    });
}

/// The continuity page and its API: a manager writes a plan, is told what approval needs,
/// approves it, schedules a test and records what it found against the objectives; the report
/// and the page show the plan tested; an agent reads without the forms; a requester never sees it.
#[tokio::test]
async fn continuity_plans_are_written_approved_and_tested_from_the_continuity_page() {
    on_each_backend!(|s| {
        let (svc, _) = s.service_with_item("MAIL").await;
        let requester = Web::sign_in(s, "ra@acme.example").await;
        let (st, _) = requester.get("/continuity").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let agent = Web::sign_in(s, "agent@example.com").await;
        let (st, page) = agent.get("/continuity").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            !page.contains("Write plan"),
            "an agent reads plans but does not write them"
        );

        let manager = Web::sign_in(s, "manager@example.com").await;
        let plan = |rto: &'static str| {
            vec![
                ("service", svc.as_str()),
                ("title", "Mail continuity"),
                ("recovery_time_minutes", rto),
                ("recovery_point_minutes", "15"),
                ("recovery_steps", "Fail over to the second site"),
                ("return_to_normal", "Fail back out of hours"),
            ]
        };
        let (st, _, page) = manager.post("/continuity/plans", &plan("soon")).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("must be a whole number of minutes"), "{page}");
        let (st, location, _) = manager.post("/continuity/plans", &plan("120")).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/continuity-plans/CTP-"), "{location}");
        let reference = location.trim_start_matches("/continuity-plans/").to_string();
        let (st, _, page) = manager.post("/continuity/approvals", &[("plan", &reference)]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("an approved plan says this"), "{page}");
        // A plan not chosen is said beside the form's own select.
        let (st, _, page) = manager
            .post("/continuity/tests", &[("plan", ""), ("kind", "failover")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let beside = page
            .split("id=\"schedule-plan\"")
            .nth(1)
            .and_then(|rest| rest.split("</select>").nth(1))
            .unwrap_or_default();
        assert!(
            beside
                .trim_start()
                .starts_with("<p class=\"field-error\">choose the plan to test"),
            "{page}"
        );
        let next_review = (chrono::Utc::now() + chrono::Duration::days(180))
            .date_naive()
            .to_string();
        let (st, v) = s
            .patch(
                &format!("/api/v1/continuity-plans/{reference}"),
                &s.manager,
                json!({"invocation_criteria": "Mail down for an hour", "next_review": next_review}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, location, _) = manager.post("/continuity/approvals", &[("plan", &reference)]).await;
        assert_eq!(
            (st, location),
            (StatusCode::SEE_OTHER, format!("/continuity-plans/{reference}"))
        );

        let today = chrono::Utc::now().date_naive().to_string();
        let (st, location, _) = manager
            .post(
                "/continuity/tests",
                &[("plan", &reference), ("kind", "failover"), ("scheduled_on", &today)],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let test = location.trim_start_matches("/continuity-tests/").to_string();
        let (st, _, page) = manager
            .post(
                "/continuity/results",
                &[
                    ("test", &test),
                    ("recovery_minutes", "95"),
                    ("data_loss_minutes", "5"),
                    ("findings", ""),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("must say what the test found"), "{page}");
        let (st, _, _) = manager
            .post(
                "/continuity/results",
                &[
                    ("test", &test),
                    ("recovery_minutes", "95"),
                    ("data_loss_minutes", "5"),
                    ("findings", "Recovered on the second site"),
                ],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER);
        let (st, v) = s
            .post(
                &format!("/api/v1/continuity-tests/{test}/complete"),
                &s.manager,
                json!({"recovery_minutes": 1, "data_loss_minutes": 0, "findings": "again"}),
            )
            .await;
        assert_eq!(
            (st, crate::helpers::error_code(&v)),
            (StatusCode::CONFLICT, "invalid_transition"),
            "{v}"
        );

        let (st, report) = s.get("/api/v1/reports/continuity", &s.auditor).await;
        assert_eq!(st, StatusCode::OK);
        let standing = &report["plans"][0];
        assert_eq!(
            (standing["last_test_met"].as_bool(), standing["review_due"].as_bool()),
            (Some(true), Some(false)),
            "{report}"
        );
        let (_, page) = manager.get("/continuity").await;
        assert!(
            page.contains("met the objectives") && page.contains("back within 2h 00m, losing at most 0h 15m"),
            "{page}"
        );
    });
}
