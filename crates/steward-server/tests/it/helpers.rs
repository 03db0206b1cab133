//! A running server with one user of every role, and a small HTTP client.

use chrono::Utc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use steward_core::id::OrganisationId;
use steward_core::organisation::{NewOrganisation, Organisation};
use steward_core::user::{NewUser, Role, User};
use steward_server::AppState;
use steward_server::auth::{hash_password, new_token};
use steward_store::TokenInfo;
use steward_store::testing::TestDb;

pub struct Server {
    pub base: String,
    pub db: TestDb,
    pub client: reqwest::Client,
    pub admin: String,
    pub manager: String,
    pub agent: String,
    /// The agent's reference (the agent is not cleared for security incidents).
    pub agent_user: String,
    pub auditor: String,
    /// A requester of organisation A (ORG-1).
    pub requester_a: String,
    /// A requester of organisation B (ORG-2).
    pub requester_b: String,
    pub requester_a_user: String,
    pub org_a: String,
    pub org_b: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

pub const PASSWORD: &str = "a long enough password";

async fn add_user(db: &TestDb, email: &str, role: Role, org: Option<OrganisationId>) -> (User, String) {
    add_person(db, email, role, org, false).await
}

async fn add_person(
    db: &TestDb,
    email: &str,
    role: Role,
    org: Option<OrganisationId>,
    security_cleared: bool,
) -> (User, String) {
    let u = User::create(
        &NewUser {
            email: email.into(),
            name: None,
            role,
            organisation: org,
            password: None,
            security_cleared: Some(security_cleared),
        },
        Utc::now(),
    )
    .unwrap();
    let u = db
        .store
        .create_user(u, Some(hash_password(PASSWORD).unwrap()), None)
        .await
        .unwrap();
    let (token, hash) = new_token().unwrap();
    db.store
        .insert_token(
            u.id,
            &hash,
            &TokenInfo {
                name: "test".into(),
                created_at: Utc::now(),
                expires_at: None,
            },
        )
        .await
        .unwrap();
    (u, token)
}

impl Server {
    pub async fn start(db: TestDb) -> Server {
        eprintln!("--- backend: {}", db.label);
        let now = Utc::now();
        let a = db
            .store
            .insert(
                Organisation::create(
                    NewOrganisation {
                        name: "Acme".into(),
                        kind: None,
                        relationship_owner: None,
                        description: None,
                    },
                    now,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let b = db
            .store
            .insert(
                Organisation::create(
                    NewOrganisation {
                        name: "Globex".into(),
                        kind: None,
                        relationship_owner: None,
                        description: None,
                    },
                    now,
                )
                .unwrap(),
                None,
            )
            .await
            .unwrap();
        let (_, admin) = add_user(&db, "admin@example.com", Role::Admin, None).await;
        let (_, manager) = add_user(&db, "manager@example.com", Role::Manager, None).await;
        let (agent_user, agent) = add_user(&db, "agent@example.com", Role::Agent, None).await;
        let (_, auditor) = add_user(&db, "auditor@example.com", Role::Auditor, None).await;
        let (ra, requester_a) = add_user(&db, "ra@acme.example", Role::Requester, Some(a.id)).await;
        let (_, requester_b) = add_user(&db, "rb@globex.example", Role::Requester, Some(b.id)).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(db.store.clone());
        let handle = tokio::spawn(async move {
            steward_server::serve(listener, state, async {
                rx.await.ok();
            })
            .await
            .unwrap();
        });
        Server {
            base,
            db,
            client: reqwest::Client::new(),
            admin,
            manager,
            agent,
            agent_user: agent_user.id.to_string(),
            auditor,
            requester_a,
            requester_b,
            requester_a_user: ra.id.to_string(),
            org_a: a.id.to_string(),
            org_b: b.id.to_string(),
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    /// One more person with the password [`PASSWORD`]: their reference and an API token.
    pub async fn person(
        &self,
        email: &str,
        role: Role,
        organisation: Option<&str>,
        security_cleared: bool,
    ) -> (String, String) {
        let org = organisation.map(|o| o.parse::<OrganisationId>().unwrap());
        let (u, token) = add_person(&self.db, email, role, org, security_cleared).await;
        (u.id.to_string(), token)
    }

    /// Sends a request with an optional token and JSON body; returns status and JSON (or Null).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    /// Creates a record and returns its reference, asserting a 201.
    pub async fn create(&self, path: &str, token: &str, body: Value) -> String {
        let (s, v) = self.post(path, token, body).await;
        assert_eq!(s, StatusCode::CREATED, "{path}: {v}");
        v["id"].as_str().unwrap().to_string()
    }

    /// A live service with a catalogue item; returns (service ref, catalogue item ref).
    pub async fn service_with_item(&self, code: &str) -> (String, String) {
        let svc = self
            .create(
                "/api/v1/services",
                &self.admin,
                json!({"code": code, "name": format!("{code} service"), "status": "live"}),
            )
            .await;
        let item = self
            .create(
                "/api/v1/catalogue-items",
                &self.admin,
                json!({"service": svc, "name": "Access"}),
            )
            .await;
        (svc, item)
    }

    /// A change advisory board of the manager alone, whose one approval carries a change.
    pub async fn advisory_board(&self) {
        let team = self
            .create("/api/v1/teams", &self.admin, json!({"name": "Change advisory board"}))
            .await;
        let (_, me) = self.get("/api/v1/me", &self.manager).await;
        let member = format!("/api/v1/teams/{team}/members/{}", me["user"]["id"].as_str().unwrap());
        assert_eq!(
            self.call(Method::PUT, &member, Some(&self.admin), None).await.0,
            StatusCode::NO_CONTENT
        );
        let (st, v) = self
            .call(
                Method::PUT,
                "/api/v1/settings/change-policy",
                Some(&self.admin),
                Some(json!({"advisory_board": team, "quorum": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }

    /// The board's approval of a change in assessment.
    pub async fn approve(&self, change: &str) {
        let (st, v) = self
            .post(
                &format!("/api/v1/changes/{change}/approvals"),
                &self.manager,
                json!({"decision": "approved"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "approved", "{v}");
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            tx.send(()).ok();
        }
        if let Some(h) = self.handle.take() {
            h.await.ok();
        }
        self.db.finish().await;
    }
}

/// Runs a test body against a fresh server on each backend.
#[macro_export]
macro_rules! on_each_backend {
    (|$s:ident| $body:block) => {
        for db in steward_store::testing::TestDb::each().await {
            let $s = $crate::helpers::Server::start(db).await;
            {
                let $s = &$s;
                $body
            }
            $s.stop().await;
        }
    };
}

pub fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}
