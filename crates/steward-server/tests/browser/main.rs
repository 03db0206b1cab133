//! The web interface in a real browser: Debian's Chromium, headless, driven through its
//! chromedriver against the real server on SQLite. One story, as people live it: a customer
//! signs in (after a wrong password) and raises an incident from the portal; an agent finds it
//! in the unassigned queue, takes it, replies, resolves it; the dashboard shows it; the auditor
//! reads it, the compliance workspace and the administration lists, and is refused a write; an
//! administrator adds a calendar from its form. Every page passes axe-core's WCAG 2 A/AA checks (labels,
//! landmarks, contrast, names), keyboard shortcuts work, and a screenshot of each step is kept
//! in `target/browser-artefacts/`.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`, which `scripts/test` installs), or `STEWARD_CHROMIUM` and
//! `STEWARD_CHROMEDRIVER`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use steward_core::id::OrganisationId;
use steward_core::organisation::{NewOrganisation, Organisation};
use steward_core::user::{NewUser, Role, User};
use steward_server::AppState;
use steward_server::auth::{hash_password, new_token};
use steward_store::TokenInfo;
use steward_store::testing::TestDb;

const PASSWORD: &str = "correct horse battery";
const AXE: &str = include_str!("axe.min.js");

fn program(var: &str, default: &str) -> String {
    let p = std::env::var(var).unwrap_or_else(|_| default.to_string());
    assert!(
        std::path::Path::new(&p).exists(),
        "{p} is missing: install Debian's chromium and chromium-driver (scripts/test does), or set {var}"
    );
    p
}

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

async fn start_driver() -> Driver {
    let bin = program("STEWARD_CHROMEDRIVER", "/usr/bin/chromedriver");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Driver {
        child: Command::new(bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        url: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http.get(format!("{}/status", driver.url)).send().await.is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let chromium = program("STEWARD_CHROMIUM", "/usr/bin/chromium");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1280,1100",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .unwrap()
}

fn artefacts() -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("browser-artefacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Story {
    c: Client,
    base: String,
    shots: PathBuf,
    n: usize,
}

impl Story {
    async fn go(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    /// Waits for an element (pages swapped in by htmx arrive a moment after the click).
    async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => panic!("no {css} on {:?}: {e}", self.c.current_url().await.ok()),
        }
    }

    async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.unwrap()
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self.wait(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.wait(css).await.click().await.unwrap();
    }

    /// Waits until the element's text contains `want` (after an htmx swap, the old page may
    /// still be there for a moment).
    async fn until_text(&self, css: &str, want: &str) {
        for _ in 0..100 {
            if let Ok(e) = self.c.find(Locator::Css(css)).await
                && e.text().await.unwrap_or_default().contains(want)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never read '{want}' on {:?}", self.c.current_url().await.ok());
    }

    /// Waits until nothing matches `css` (a form that goes once submitted: the page it was on
    /// may still be there for a moment, under the same heading).
    async fn until_gone(&self, css: &str) {
        for _ in 0..100 {
            if self.c.find(Locator::Css(css)).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} is still on {:?}", self.c.current_url().await.ok());
    }

    async fn heading_is(&self, want: &str) {
        for _ in 0..100 {
            if let Ok(h) = self.c.find(Locator::Css("h1")).await
                && h.text().await.unwrap_or_default().contains(want)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the page never showed a heading with '{want}': {:?}",
            self.c.current_url().await.ok()
        );
    }

    /// Keeps a screenshot and checks the page against axe-core's WCAG 2 A and AA rules.
    async fn check(&mut self, name: &str) {
        self.n += 1;
        let png = self.c.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{:02}-{name}.png", self.n)), png).unwrap();
        self.c.execute(AXE, vec![]).await.unwrap();
        let found = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})
                    .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        let violations: Vec<String> = serde_json::from_value(found).unwrap();
        assert!(
            violations.is_empty(),
            "{name}: accessibility violations:\n{}",
            violations.join("\n")
        );
    }

    async fn sign_in(&mut self, email: &str, password: &str) {
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("form[action='/sign-in'] button[type=submit]").await;
    }

    async fn sign_out(&self) {
        self.click("form[action='/sign-out'] button").await;
        self.wait("#email").await;
    }
}

async fn add_user(db: &TestDb, email: &str, name: &str, role: Role, org: Option<OrganisationId>) -> User {
    let u = User::create(
        &NewUser {
            email: email.into(),
            name: Some(name.into()),
            role,
            organisation: org,
            password: None,
            security_cleared: None,
        },
        Utc::now(),
    )
    .unwrap();
    db.store
        .create_user(u, Some(hash_password(PASSWORD).unwrap()), None)
        .await
        .unwrap()
}

/// An organisation, its customer, an agent in the service desk team, a manager, an auditor, a
/// live mail service with a catalogue item, and a 24x7 agreement, so the ticket has clocks.
async fn seed(db: &TestDb, base: &str) {
    let org = db
        .store
        .insert(
            Organisation::create(
                NewOrganisation {
                    name: "Acme".into(),
                    kind: None,
                    relationship_owner: None,
                    description: None,
                },
                Utc::now(),
            )
            .unwrap(),
            None,
        )
        .await
        .unwrap();
    let admin = add_user(db, "admin@example.com", "Ada Admin", Role::Admin, None).await;
    let agent = add_user(db, "agent@example.com", "Aga Agent", Role::Agent, None).await;
    add_user(db, "auditor@example.com", "Otto Auditor", Role::Auditor, None).await;
    add_user(
        db,
        "carla@acme.example",
        "Carla Customer",
        Role::Requester,
        Some(org.id),
    )
    .await;
    let (token, hash) = new_token().unwrap();
    db.store
        .insert_token(
            admin.id,
            &hash,
            &TokenInfo {
                name: "seed".into(),
                created_at: Utc::now(),
                expires_at: None,
            },
        )
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        let req = http.post(format!("{base}{path}")).bearer_auth(&token).json(&body);
        async move {
            let r = req.send().await.unwrap();
            let status = r.status();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            assert!(status.is_success(), "{status}: {v}");
            v
        }
    };
    let svc = post(
        "/api/v1/services",
        json!({"code": "MAIL", "name": "Email", "status": "live"}),
    )
    .await;
    post(
        "/api/v1/catalogue-items",
        json!({"service": svc["id"], "name": "New mailbox"}),
    )
    .await;
    let team = post("/api/v1/teams", json!({"name": "Service desk"})).await;
    let member = format!(
        "{base}/api/v1/teams/{}/members/{}",
        team["id"].as_str().unwrap(),
        agent.id
    );
    assert!(
        http.put(member)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let cal = post(
        "/api/v1/calendars",
        json!({"name": "24x7", "time_zone": "UTC", "always_open": true}),
    )
    .await;
    post(
        "/api/v1/agreements",
        json!({
            "name": "Acme standard", "kind": "sla", "organisation": org.id, "calendar": cal["id"],
            "valid_from": "2020-01-01",
            "targets": [
                {"priority": "P1", "response": "PT15M", "resolution": "PT4H"},
                {"priority": "P2", "response": "PT30M", "resolution": "PT8H"},
                {"priority": "P3", "response": "PT1H", "resolution": "PT24H"}
            ]
        }),
    )
    .await;
}

#[tokio::test]
async fn a_customer_raises_an_incident_an_agent_resolves_it_and_an_auditor_only_reads() {
    let db = TestDb::sqlite().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(db.store.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        steward_server::serve(listener, state, async {
            stopped.await.ok();
        })
        .await
        .unwrap();
    });
    seed(&db, &base).await;

    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let mut s = Story {
        c: browser(&driver, profile.path()).await,
        base: base.clone(),
        shots: artefacts(),
        n: 0,
    };

    // The customer: sent to sign in, told of a wrong password, then on the portal.
    s.go("/portal").await;
    s.wait("#email").await;
    assert!(
        s.c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("/sign-in?next=%2Fportal")
    );
    s.check("sign-in").await;
    s.sign_in("carla@acme.example", "not my password").await;
    assert_eq!(s.text("#sign-in-error").await, "Wrong email or password.");
    s.check("sign-in-refused").await;
    s.sign_in("carla@acme.example", PASSWORD).await;
    s.heading_is("Hello, Carla Customer").await;
    s.check("portal").await;
    s.click("a[href='/portal/raise?service=SVC-1']").await;
    s.heading_is("Get help").await;
    s.fill("#title", "Mail does not arrive").await;
    s.fill("#description", "Nothing since nine this morning.").await;
    s.wait("#urgency").await.select_by_value("high").await.unwrap();
    s.check("portal-raise").await;
    s.click("form[action='/portal/raise'] button[type=submit]").await;
    s.heading_is("INC-1 · Mail does not arrive").await;
    s.check("portal-incident").await;
    s.sign_out().await;

    // The agent: the unassigned queue, then the record; take it, answer, resolve.
    s.sign_in("agent@example.com", PASSWORD).await;
    s.heading_is("Queue").await;
    s.click("a[aria-current][href$='view=unassigned']").await;
    s.wait("#queue-rows a[href='/incidents/INC-1']").await;
    assert!(s.text("#queue-rows").await.contains("Mail does not arrive"));
    s.check("queue-unassigned").await;
    s.click("#queue-rows a[href='/incidents/INC-1']").await;
    s.heading_is("INC-1").await;
    assert!(
        s.text("#sla-heading + p, #sla-heading ~ ul")
            .await
            .contains("response (sla)")
    );
    s.click("form[action='/incidents/INC-1/assign-to-me'] button").await;
    s.until_text("#fields", "Aga Agent").await;
    s.wait("#to").await.select_by_value("in_progress").await.unwrap();
    s.click("form[action='/incidents/INC-1/transition'] button").await;
    s.until_text("#fields", "in_progress").await;
    s.fill("#comment-body", "The relay was stuck; restarting it now.").await;
    s.click("input[name=visibility][value=public]").await;
    s.click("form[action='/incidents/INC-1/comments'] button").await;
    s.until_text("ol.timeline", "The relay was stuck").await;
    s.check("record-in-progress").await;
    s.wait("#to").await.select_by_value("resolved").await.unwrap();
    s.wait("#resolution_code").await.select_by_value("fixed").await.unwrap();
    s.fill("#notes", "Relay restarted; mail flowing again.").await;
    s.click("form[action='/incidents/INC-1/transition'] button").await;
    s.until_text("#fields", "Relay restarted; mail flowing again.").await;
    s.check("record-resolved").await;

    // The keyboard: "g" then "d" opens the dashboard, whose readiness arrives by htmx.
    s.c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("gd")
        .await
        .unwrap();
    s.heading_is("Dashboard").await;
    assert_eq!(s.text("#backlog-total").await, "0");
    s.wait("#readiness-overall").await;
    s.check("dashboard").await;
    s.sign_out().await;

    // The administrator: a new business-hours calendar from its form, then an agreement's form.
    s.sign_in("admin@example.com", PASSWORD).await;
    s.heading_is("Queue").await;
    s.click("a[href='/admin']").await;
    s.heading_is("Administration").await;
    s.click("#add-calendar").await;
    s.heading_is("New calendar").await;
    s.fill("#name", "Helsinki desk").await;
    s.wait("#time_zone")
        .await
        .select_by_value("Europe/Helsinki")
        .await
        .unwrap();
    s.fill("#saturday", "10:00-14:00").await;
    s.fill("#holidays", "2026-12-06 Independence Day").await;
    s.check("calendar-new").await;
    s.click("form[action='/calendars/new'] button[type=submit]").await;
    s.until_text("#fields", "Europe/Helsinki").await;
    s.check("calendar-record").await;
    s.go("/agreements/new").await;
    s.heading_is("New agreement").await;
    s.check("agreement-new").await;
    // Email: a mail rule from the administrator's email page.
    s.go("/admin").await;
    s.click("#admin-mail").await;
    s.heading_is("Email").await;
    s.wait("#rule-matches")
        .await
        .select_by_value("sender_domain")
        .await
        .unwrap();
    s.fill("#rule-value", "customer.example").await;
    s.check("admin-mail").await;
    s.click("form[action='/admin/mail/rules'] button[type=submit]").await;
    s.until_text("#mail-rules", "from @customer.example").await;
    // Availability: the page by service, reached from the dashboard.
    s.go("/dashboard").await;
    s.click("#to-availability").await;
    s.heading_is("Availability").await;
    s.check("availability").await;
    // Budgets and costs: time logged on the incident from its page, counted on the finance page.
    s.go("/incidents/INC-1").await;
    s.click("#log-time").await;
    s.heading_is("Budgets and costs").await;
    s.fill("#time-minutes", "45").await;
    s.fill("#time-description", "Cleared the relay queue").await;
    s.check("finance").await;
    s.click("form[action='/finance/time'] button[type=submit]").await;
    s.heading_is("INC-1").await;
    s.go("/dashboard").await;
    s.click("#to-finance").await;
    s.until_text("#costs", "Cleared the relay queue").await;
    // Capacity and demand: the page from the dashboard, and a requirement added from its form.
    s.go("/dashboard").await;
    s.click("#to-capacity").await;
    s.heading_is("Capacity and demand").await;
    s.wait("#requirement-service")
        .await
        .select_by_value("SVC-1")
        .await
        .unwrap();
    s.wait("#requirement-kind")
        .await
        .select_by_value("technical")
        .await
        .unwrap();
    s.fill("#requirement-title", "Mail relay queue").await;
    s.fill("#requirement-unit", "messages").await;
    s.fill("#requirement-capacity", "50000").await;
    s.check("capacity").await;
    s.click("form[action='/capacity/requirements'] button[type=submit]")
        .await;
    s.until_text("#fields", "messages").await;
    // Continuity: a plan written from its form.
    s.go("/dashboard").await;
    s.click("#to-continuity").await;
    s.heading_is("Service continuity").await;
    s.wait("#plan-service").await.select_by_value("SVC-1").await.unwrap();
    s.fill("#plan-title", "Email continuity").await;
    s.fill("#plan-rto", "240").await;
    s.fill("#plan-rpo", "15").await;
    s.check("continuity").await;
    s.click("form[action='/continuity/plans'] button[type=submit]").await;
    s.until_text("#fields", "Email continuity").await;
    // Information security: the page from the dashboard.
    s.go("/dashboard").await;
    s.click("#to-security").await;
    s.heading_is("Information security").await;
    s.check("security").await;
    // Knowledge: an article for customers written, then published from its editor.
    s.go("/dashboard").await;
    s.click("#to-knowledge").await;
    s.heading_is("Knowledge").await;
    s.fill("#article-title", "Mail does not arrive in Outlook").await;
    s.fill("#article-body", "Check the junk folder first.").await;
    s.fill("#article-keywords", "inbox missing messages").await;
    s.wait("#article-audience")
        .await
        .select_by_value("customers")
        .await
        .unwrap();
    s.wait("#article-service").await.select_by_value("SVC-1").await.unwrap();
    let review = (Utc::now().date_naive() + chrono::Duration::days(180)).to_string();
    s.c.execute(
        "document.querySelector('#article-next-review').value = arguments[0];",
        vec![json!(review)],
    )
    .await
    .unwrap();
    s.check("knowledge").await;
    s.click("form[action='/knowledge/articles'] button[type=submit]").await;
    s.heading_is("KB-1 Mail does not arrive in Outlook").await;
    s.click("#move-published").await;
    s.until_text("#article-status", "published").await;
    s.check("knowledge-editor").await;
    s.sign_out().await;

    // The customer again: the survey their resolved incident sent, answered from the portal.
    s.sign_in("carla@acme.example", PASSWORD).await;
    s.heading_is("Hello, Carla Customer").await;
    s.until_text("#surveys-heading + form legend", "your incident INC-1, now resolved")
        .await;
    s.click("form[action='/portal/surveys'] input[name=score][value='4']")
        .await;
    s.fill("#comment-SAT-1", "Fixed within the hour.").await;
    s.check("portal-survey").await;
    s.click("form[action='/portal/surveys'] button[type=submit]").await;
    s.until_gone("form[action='/portal/surveys']").await;
    s.heading_is("Hello, Carla Customer").await;
    // The article is suggested as the title of a new ticket is typed, then read and voted on.
    s.go("/portal/raise").await;
    s.heading_is("Get help").await;
    s.fill("#title", "mail does not arrive").await;
    s.until_text("#suggested", "Mail does not arrive in Outlook").await;
    s.check("portal-suggested").await;
    s.click("a[href='/portal/articles']").await;
    s.heading_is("Answers").await;
    s.check("portal-answers").await;
    s.click("a[href='/portal/articles/KB-1']").await;
    s.heading_is("Mail does not arrive in Outlook").await;
    s.fill("#vote-comment", "The junk folder was it.").await;
    s.click("button[name=helpful][value=yes]").await;
    s.until_text("#your-vote", "You said this helped").await;
    s.check("portal-article").await;
    s.sign_out().await;

    // The auditor: reads the record, has no forms, and a forged write is refused.
    s.sign_in("auditor@example.com", PASSWORD).await;
    s.heading_is("Dashboard").await;
    s.go("/incidents/INC-1").await;
    s.heading_is("INC-1").await;
    assert!(s.c.find(Locator::Css("#comment-body")).await.is_err());
    assert!(s.c.find(Locator::Css("form[action$='/transition']")).await.is_err());
    let status = s
        .c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const csrf = document.querySelector('input[name=csrf]').value;
             fetch('/incidents/INC-1/comments', {method: 'POST', body: new URLSearchParams({csrf, body: 'auditor was here'})})
               .then(r => done(r.status)).catch(e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(status, json!(403));
    s.check("auditor-record").await;
    let timeline = s.text("#timeline").await;
    assert!(timeline.contains("The relay was stuck") && !timeline.contains("auditor was here"));
    // The relationships page: the answer counted for the service, and no forms for the auditor.
    s.go("/relationships").await;
    s.heading_is("Customers and interested parties").await;
    assert!(s.text("#satisfaction").await.contains("Email"));
    assert!(
        s.c.find(Locator::Css("form[action='/relationships/reviews']"))
            .await
            .is_err()
    );
    s.check("relationships").await;
    // The compliance workspace and the administration lists, read-only for the auditor.
    s.click("a[href='/compliance']").await;
    s.heading_is("Compliance workspace").await;
    assert!(s.text("#h-tree + details summary").await.starts_with("4 "));
    s.check("compliance").await;
    s.click("a[href='/admin']").await;
    s.heading_is("Administration").await;
    assert!(s.text("#h-people + table").await.contains("Carla Customer"));
    assert!(s.c.find(Locator::Css("form[action='/admin/users']")).await.is_err());
    s.check("administration").await;

    s.c.close().await.unwrap();
    drop(driver);
    stop.send(()).ok();
    server.await.ok();
    db.finish().await;
}
