//! The `steward` binary end to end, on every backend: first start, users and tokens from the
//! command line, an incident's life over HTTP, and `audit verify` catching a hand edit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use steward_store::testing::TestDb;

mod common;

use common::BIN;

fn steward(db: &TestDb, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let r = common::run(&db.cli_args(), args, stdin.map(str::as_bytes));
    (r.code, r.stdout, r.stderr)
}

fn serve(db: &TestDb) -> (std::process::Child, String, String) {
    common::serve(&db.cli_args())
}

#[tokio::test]
async fn first_start_cli_tokens_incident_lifecycle_and_audit_verify() {
    for db in TestDb::each().await {
        eprintln!("--- backend: {}", db.label);
        let http = reqwest::Client::new();

        // First start on an empty database: an administrator with a one-time password.
        let (mut server, base, printed) = serve(&db);
        let password = printed
            .split("with the password ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("first start prints the admin password")
            .to_string();
        let r = http
            .post(format!("{base}/api/v1/tokens"))
            .json(&json!({"email": "admin@steward.local", "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        server.kill().unwrap();
        server.wait().unwrap();

        // Users and tokens from the command line.
        let (code, _, err) = steward(
            &db,
            &[
                "user",
                "add",
                "--email",
                "ops@example.com",
                "--role",
                "agent",
                "--password-stdin",
            ],
            Some("a strong password here\n"),
        );
        assert_eq!(code, 0, "{err}");
        let (code, token, err) = steward(&db, &["token", "create", "--email", "ops@example.com"], None);
        assert_eq!(code, 0, "{err}");
        let token = token.trim().to_string();
        assert!(token.starts_with("stw_") && !token.contains('\n'));
        let (code, _, err) = steward(
            &db,
            &["user", "add", "--email", "x@example.com", "--role", "wizard"],
            None,
        );
        assert_eq!(code, 1);
        assert!(err.contains("unknown role 'wizard'"), "{err}");
        let (code, _, err) = steward(&db, &["token", "create", "--email", "nobody@example.com"], None);
        assert_eq!(code, 1);
        assert!(err.contains("no user has the email"), "{err}");
        let (code, _, err) = steward(
            &db,
            &["user", "add", "--email", "ops@example.com", "--role", "agent"],
            None,
        );
        assert_eq!(code, 1);
        assert!(err.contains("already exists"), "{err}");
        // A second, expiring token: listed with its state, then revoked.
        let args = [
            "token",
            "create",
            "--email",
            "ops@example.com",
            "--name",
            "backup job",
            "--expires-in-days",
            "7",
        ];
        let (code, spare, err) = steward(&db, &args, None);
        assert_eq!(code, 0, "{err}");
        let spare = spare.trim().to_string();
        let (code, out, err) = steward(&db, &["token", "list", "--email", "ops@example.com"], None);
        assert_eq!(code, 0, "{err}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].contains("\tactive\tbackup job\t") && !lines[0].ends_with("never"),
            "{out}"
        );
        assert!(lines[1].ends_with("never") && !out.contains("stw_"), "{out}");
        let spare_ref = lines[0].split('\t').next().unwrap().to_string();
        let (code, _, err) = steward(&db, &["token", "revoke", &spare_ref], None);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("revoked") && err.contains("backup job"), "{err}");
        let (_, out, _) = steward(&db, &["token", "list", "--email", "ops@example.com"], None);
        assert!(out.lines().next().unwrap().contains("\trevoked\t"), "{out}");
        let (code, _, err) = steward(&db, &["token", "revoke", "TOK-4242"], None);
        assert_eq!(code, 1);
        assert!(err.contains("there is no token TOK-4242"), "{err}");
        let (code, _, err) = steward(
            &db,
            &[
                "token",
                "create",
                "--email",
                "ops@example.com",
                "--expires-in-days",
                "0",
            ],
            None,
        );
        assert_eq!(code, 1);
        assert!(err.contains("expires_in_days"), "{err}");

        // An incident's life over HTTP with that token.
        let (mut server, base, printed) = serve(&db);
        assert!(
            !printed.contains("with the password"),
            "only the first start creates an admin"
        );
        let call = |method: reqwest::Method, path: &str, body: Option<Value>| {
            let mut req = http.request(method, format!("{base}{path}")).bearer_auth(&token);
            if let Some(b) = body {
                req = req.json(&b);
            }
            async move {
                let r = req.send().await.unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap())
            }
        };
        let (st, inc) = call(
            reqwest::Method::POST,
            "/api/v1/incidents",
            Some(json!({"title": "Payroll export fails", "impact": "high", "urgency": "medium"})),
        )
        .await;
        assert_eq!(st, 201, "{inc}");
        let refused = http
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(&spare)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 401, "a revoked token opens nothing");
        let r = inc["id"].as_str().unwrap().to_string();
        let (_, list) = call(reqwest::Method::GET, "/api/v1/incidents?status=new&priority=P2", None).await;
        assert_eq!(list["items"][0]["id"], r);
        for body in [
            json!({"to": "in_progress"}),
            json!({"to": "resolved", "resolution_code": "fixed", "resolution_notes": "Re-ran the job"}),
        ] {
            let (st, v) = call(
                reqwest::Method::POST,
                &format!("/api/v1/incidents/{r}/transition"),
                Some(body),
            )
            .await;
            assert_eq!(st, 200, "{v}");
        }
        let (st, h) = call(reqwest::Method::GET, &format!("/api/v1/incidents/{r}/history"), None).await;
        assert_eq!(st, 200);
        let statuses: Vec<&str> = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["field"] == "status")
            .map(|e| e["new_value"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["in_progress", "resolved"]);
        server.kill().unwrap();
        server.wait().unwrap();

        // audit verify passes, then names the entry edited by hand and exits non-zero.
        let (code, out, err) = steward(&db, &["audit", "verify"], None);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("history intact"), "{out}");
        let status_entry = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == "status")
            .unwrap()["seq"]
            .as_i64()
            .unwrap();
        db.store
            .execute_raw(&format!(
                "UPDATE history SET new_value = '\"closed\"' WHERE seq = {status_entry}"
            ))
            .await
            .unwrap();
        let (code, out, _) = steward(&db, &["audit", "verify"], None);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains(&format!("history entry {status_entry} ({r}) was edited")),
            "{out}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn demo_seeds_a_believable_organisation_with_an_intact_history() {
    for db in TestDb::each().await {
        eprintln!("--- backend: {}", db.label);
        let (code, _, err) = steward(&db, &["demo", "--records", "150"], None);
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("seeded 10 services, 5 teams, 4 customer organisations and 150 tickets"),
            "{err}"
        );
        let q = steward_store::ListQuery {
            limit: 500,
            ..Default::default()
        };
        let services = db.store.list::<steward_core::service::Service>(&q).await.unwrap();
        assert_eq!(services.items.len(), 10);
        let incidents = db.store.list::<steward_core::incident::Incident>(&q).await.unwrap();
        assert!(incidents.items.len() > 50, "{}", incidents.items.len());
        assert!(
            incidents
                .items
                .iter()
                .any(|i| i.status == steward_core::incident::IncidentStatus::Closed)
        );
        assert!(
            incidents
                .items
                .iter()
                .all(|i| i.organisation.is_some() && i.service.is_some())
        );
        let (code, out, _) = steward(&db, &["audit", "verify"], None);
        assert_eq!(code, 0, "{out}");

        // The SLA report over all time matches a count made straight from the clocks.
        let (code, out, err) = steward(
            &db,
            &[
                "report",
                "sla",
                "--from",
                "2000-01-01",
                "--to",
                "2100-01-01",
                "--format",
                "json",
            ],
            None,
        );
        assert_eq!(code, 0, "{err}");
        let rows: Value = serde_json::from_str(&out).unwrap();
        let all = |metric: &str| {
            rows.as_array()
                .unwrap()
                .iter()
                .find(|r| r["group"] == "all" && r["metric"] == metric)
                .unwrap()
                .clone()
        };
        let counted = |sql: &str| {
            let sql = sql.to_string();
            let location = &db.location;
            async move {
                match location {
                    steward_store::testing::Location::Sqlite { dir } => {
                        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("steward.db").display()))
                            .await
                            .unwrap();
                        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap();
                        pool.close().await;
                        n
                    }
                    steward_store::testing::Location::Postgres { url, .. } => {
                        let pool = sqlx::PgPool::connect(url).await.unwrap();
                        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap();
                        pool.close().await;
                        n
                    }
                }
            }
        };
        for metric in ["response", "resolution"] {
            let met = counted(&format!(
                "SELECT COUNT(*) FROM sla_clocks WHERE metric = '{metric}' AND outcome = 'met'"
            ))
            .await;
            let breached = counted(&format!(
                "SELECT COUNT(*) FROM sla_clocks WHERE metric = '{metric}' AND (outcome = 'breached' OR (outcome IS NULL AND breached_at IS NOT NULL))"
            ))
            .await;
            let row = all(metric);
            assert_eq!(
                (row["met"].as_i64().unwrap(), row["breached"].as_i64().unwrap()),
                (met, breached),
                "{metric}"
            );
            assert!(met > 0, "the demo produces clocks");
        }
        // The readiness report: every figure adds up from its parts, and an indicator's
        // population is the count of the records behind it.
        let (code, out, err) = steward(
            &db,
            &[
                "compliance",
                "report",
                "--from",
                "2000-01-01",
                "--to",
                "2100-01-01",
                "--format",
                "json",
            ],
            None,
        );
        assert_eq!(code, 0, "{err}");
        let r: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(r["assessment"], "ASM-2", "the later completed assessment");
        assert_eq!(
            r["scope_warnings"].as_array().unwrap().len(),
            0,
            "{}",
            r["scope_warnings"]
        );
        let reqs = r["requirements"].as_array().unwrap();
        let mut sum = 0.0;
        for q in reqs {
            let p = &q["parts"];
            let parts =
                p["assessment"].as_f64().unwrap() + p["documents"].as_f64().unwrap() + p["evidence"].as_f64().unwrap()
                    - p["nonconformities"].as_f64().unwrap();
            let figure = q["readiness_percent"].as_f64().unwrap();
            assert!((parts - figure).abs() < 0.02, "{}: {parts} vs {figure}", q["clause"]);
            sum += figure;
        }
        let overall = r["overall_percent"].as_f64().unwrap();
        assert!((sum / reqs.len() as f64 - overall).abs() < 0.01);
        let mandatory = |item: &str| {
            r["mandatory_documents"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["item"] == item)
                .unwrap()["state"]
                .clone()
        };
        assert_eq!(
            mandatory("information_security_policy"),
            "not_current",
            "past its review date"
        );
        assert_eq!(mandatory("service_management_policy"), "present");
        let req = |clause: &str| reqs.iter().find(|q| q["clause"] == clause).unwrap().clone();
        let success = req("8.5.1.3")["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "change_success_rate")
            .unwrap()
            .clone();
        let closed = counted("SELECT COUNT(*) FROM changes WHERE outcome IS NOT NULL AND closed_at IS NOT NULL").await;
        assert_eq!(success["population"].as_i64().unwrap(), closed);
        assert!(closed > 0);
        assert!(
            req("8.7.2")["evidence"][0]["fresh"] == false,
            "the continuity test is over a year old"
        );
        let (code, html, _) = steward(&db, &["compliance", "report", "--format", "html"], None);
        assert_eq!(code, 0);
        assert!(
            html.starts_with("<!doctype html>") && html.contains("Certification readiness") && html.contains("8.5.1.1")
        );
        let (code, csv, _) = steward(&db, &["compliance", "report", "--format", "csv"], None);
        assert_eq!(code, 0);
        assert_eq!(csv.lines().count(), reqs.len() + 1);
        let (code, _, err) = steward(&db, &["compliance", "report", "--format", "pdf"], None);
        assert_eq!(code, 1);
        assert!(err.contains("use json, csv or html"), "{err}");

        // Availability (8.7.1): every demo service has a target; its outages give the figures
        // and the live evidence.
        let outages = req("8.7.1")["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "unplanned_outages_investigated")
            .unwrap()
            .clone();
        assert!(outages["population"].as_i64().unwrap() > 0, "{outages}");
        let from = (chrono::Utc::now() - chrono::Duration::days(90))
            .format("%Y-%m-%d")
            .to_string();
        let to = (chrono::Utc::now() + chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        let (code, csv, err) = steward(
            &db,
            &[
                "report",
                "availability",
                "--from",
                &from,
                "--to",
                &to,
                "--format",
                "csv",
            ],
            None,
        );
        assert_eq!(code, 0, "{err}");
        let services = counted("SELECT COUNT(*) FROM services WHERE availability_target IS NOT NULL").await;
        assert_eq!(csv.lines().count() as i64, services + 1, "{csv}");
        assert!(csv.starts_with("service,target %,availability %,met,"), "{csv}");
        let (code, table, _) = steward(&db, &["report", "availability", "--from", &from, "--to", &to], None);
        assert_eq!(code, 0);
        assert!(table.contains("MTBF") && table.contains("99.900"), "{table}");
        let (code, _, err) = steward(
            &db,
            &[
                "report",
                "availability",
                "--from",
                &from,
                "--to",
                &to,
                "--format",
                "xml",
            ],
            None,
        );
        assert_eq!(code, 1);
        assert!(err.contains("use table, csv or json"), "{err}");

        // Business relationship (8.3.2): every demo customer has an owner; one has let its
        // quarterly review slip, which the live evidence shows.
        let reviewed = req("8.3.2")["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "customers_reviewed")
            .unwrap()
            .clone();
        assert_eq!(
            (
                reviewed["population"].as_i64(),
                reviewed["value_percent"].as_f64(),
                reviewed["met"].as_bool()
            ),
            (Some(4), Some(75.0), Some(false)),
            "{reviewed}"
        );
        let (code, csv, err) = steward(
            &db,
            &[
                "report",
                "relationships",
                "--from",
                &from,
                "--to",
                &to,
                "--format",
                "csv",
            ],
            None,
        );
        assert_eq!(code, 0, "{err}");
        let organisations = counted("SELECT COUNT(*) FROM organisations WHERE active = TRUE").await;
        assert_eq!(csv.lines().count() as i64, organisations + 1, "{csv}");
        assert!(csv.contains("interested_party"), "{csv}");
        let (code, table, err) = steward(&db, &["report", "satisfaction", "--from", &from, "--to", &to], None);
        assert_eq!(code, 0, "{err}");
        assert!(
            table.contains("mean score") && table.contains("Email and Calendaring"),
            "{table}"
        );

        // Budgeting and accounting (8.4.1): a budget for every live service this year, one left
        // a draft and one spent past its amount; costs from the ledger and from time on tickets.
        let budgeted = req("8.4.1")["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "services_budgeted")
            .unwrap()
            .clone();
        let live = counted("SELECT COUNT(*) FROM services WHERE status = 'live'").await;
        assert_eq!(budgeted["population"].as_i64(), Some(live), "{budgeted}");
        assert_eq!(
            budgeted["met"].as_bool(),
            Some(false),
            "one budget is still a draft: {budgeted}"
        );
        let year = chrono::Utc::now().format("%Y").to_string();
        let (year_from, year_to) = (
            format!("{year}-01-01"),
            format!("{}-01-01", year.parse::<i32>().unwrap() + 1),
        );
        let (code, csv, err) = steward(
            &db,
            &[
                "report", "budget", "--from", &year_from, "--to", &year_to, "--format", "csv",
            ],
            None,
        );
        assert_eq!(code, 0, "{err}");
        assert!(
            csv.starts_with("budget,service,starts,ends,status,amount,actual,"),
            "{csv}"
        );
        assert_eq!(csv.lines().count() as i64, live + 1, "{csv}");
        assert!(csv.contains(",draft,") && csv.contains(",approved,"), "{csv}");
        let (code, table, err) = steward(&db, &["report", "costs", "--from", &year_from, "--to", &year_to], None);
        assert_eq!(code, 0, "{err}");
        assert!(
            table.starts_with("Amounts in EUR")
                && table.contains("incident cost")
                && table.contains("Email and Calendaring"),
            "{table}"
        );
        let (code, json, err) = steward(
            &db,
            &[
                "report", "costs", "--from", &year_from, "--to", &year_to, "--format", "json",
            ],
            None,
        );
        assert_eq!(code, 0, "{err}");
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let staff: i64 = json["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["staff"].as_i64().unwrap())
            .sum();
        assert!(staff > 0, "time logged on the demo's incidents is costed: {json}");

        // Demand and capacity (8.4.2, 8.4.3): a forecast for every live service, one service's
        // outrun by demand; mailbox storage past its warning threshold, VPN sessions past their
        // critical one with capacity-related incidents, the print requirement not yet measured;
        // the capacity plan approved in the register.
        let indicator = |requirement: &str, id: &str| {
            req(requirement)["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == id)
                .unwrap()
                .clone()
        };
        let forecast = indicator("8.4.2", "services_with_demand_forecast");
        assert_eq!(
            (forecast["population"].as_i64(), forecast["met"].as_bool()),
            (Some(live), Some(true)),
            "{forecast}"
        );
        let measured = indicator("8.4.3", "capacity_requirements_measured");
        assert_eq!(
            measured["met"].as_bool(),
            Some(false),
            "the print service has no monitoring yet: {measured}"
        );
        // The report runs to 2100, past the plan's next review.
        let plan = indicator("8.4.3", "capacity_plan_current");
        assert_eq!(
            (plan["population"].as_i64(), plan["met"].as_bool()),
            (Some(1), Some(false)),
            "{plan}"
        );
        let (code, csv, err) = steward(
            &db,
            &["report", "capacity", "--from", &from, "--to", &to, "--format", "csv"],
            None,
        );
        assert_eq!(code, 0, "{err}");
        assert!(
            csv.starts_with("requirement,service,kind,unit,capacity,readings,"),
            "{csv}"
        );
        assert!(
            csv.contains(",warning,") && csv.contains(",critical,") && csv.contains(",unmeasured,"),
            "{csv}"
        );
        let vpn = csv.lines().find(|l| l.contains("VPN sessions")).unwrap();
        assert!(
            !vpn.ends_with(",0"),
            "the VPN incidents are flagged capacity-related: {vpn}"
        );
        // Continuity (8.7.2): every live service but the last has an approved plan; one test
        // ran over its recovery time objective; one plan is past its review.
        let planned = indicator("8.7.2", "services_with_continuity_plan");
        assert_eq!(
            (planned["population"].as_i64(), planned["met"].as_bool()),
            (Some(live), Some(false)),
            "{planned}"
        );
        let met = indicator("8.7.2", "continuity_tests_met_objectives");
        assert_eq!(met["population"].as_i64(), Some(8), "{met}");
        let (code, csv, err) = steward(&db, &["report", "continuity", "--format", "csv"], None);
        assert_eq!(code, 0, "{err}");
        assert!(csv.starts_with("plan,service,status,rto minutes,"), "{csv}");
        assert_eq!(
            csv.lines().count() as i64,
            live,
            "a plan for all live services but one: {csv}"
        );
        assert!(csv.contains("(due)") && csv.contains(",no,"), "{csv}");
        let (code, table, err) = steward(&db, &["report", "demand", "--from", &from, "--to", &to], None);
        assert_eq!(code, 0, "{err}");
        assert!(
            table.contains("borne out") && table.contains("missed") && table.contains("mailboxes"),
            "{table}"
        );

        let (code, _, err) = steward(
            &db,
            &["report", "sla", "--from", "2026-13-01", "--to", "2027-01-01"],
            None,
        );
        assert_eq!(code, 1);
        assert!(err.contains("--from must be a date"), "{err}");
        let (code, _, err) = steward(
            &db,
            &[
                "report",
                "sla",
                "--from",
                "2026-01-01",
                "--to",
                "2027-01-01",
                "--format",
                "xml",
            ],
            None,
        );
        assert_eq!(code, 1);
        assert!(err.contains("unknown format"), "{err}");
        db.finish().await;
    }
}

/// `serve --demo` on an empty database seeds it and still creates a usable administrator.
#[tokio::test]
async fn serve_demo_creates_the_admin_too() {
    let db = TestDb::sqlite().await;
    let mut child = Command::new(BIN)
        .args(db.cli_args())
        .args(["serve", "--demo", "--demo-records", "200", "--listen", "127.0.0.1:0"])
        .env("STEWARD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("serving on") {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push_str(&line);
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(printed.contains("admin@steward.local with the password"), "{printed}");
    assert!(printed.contains("200 tickets"), "{printed}");
    db.finish().await;
}

/// Two `steward serve` processes on one PostgreSQL database: each breach fires exactly once.
#[tokio::test]
async fn two_servers_fire_each_escalation_once() {
    let Some(url) = steward_store::testing::pg_url() else {
        return;
    };
    let db = TestDb::postgres(&url).await;
    let (mut first, base, printed) = serve(&db);
    let password = printed
        .split("with the password ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_string();
    let (mut second, _, _) = serve(&db);
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{base}/api/v1/tokens"))
        .json(&json!({"email": "admin@steward.local", "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let post = |path: &str, body: Value| {
        let req = http.post(format!("{base}{path}")).bearer_auth(&token).json(&body);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let cal = post(
        "/api/v1/calendars",
        json!({"name": "24x7", "time_zone": "UTC", "always_open": true}),
    )
    .await;
    let agr = post(
        "/api/v1/agreements",
        json!({"name": "Fast", "kind": "sla", "calendar": cal["id"], "valid_from": "2020-01-01", "warning_percent": [50],
               "targets": [{"priority": "P1", "response": 1, "resolution": 2}]}),
    )
    .await;
    assert!(agr["id"].is_string(), "{agr}");
    let mut refs = Vec::new();
    for n in 0..4 {
        let inc = post(
            "/api/v1/incidents",
            json!({"title": format!("fast {n}"), "impact": "high", "urgency": "high"}),
        )
        .await;
        refs.push(inc["id"].as_str().unwrap().to_string());
    }
    tokio::time::sleep(std::time::Duration::from_millis(4500)).await;
    for r in &refs {
        let h: Value = http
            .get(format!("{base}/api/v1/incidents/{r}/history"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let fired: Vec<(String, String)> = h["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "sla_warning" || e["action"] == "sla_breach")
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_string(),
                    e["field"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let mut fired_sorted = fired.clone();
        fired_sorted.sort();
        assert_eq!(
            fired_sorted,
            [
                ("sla_breach".to_string(), "resolution".to_string()),
                ("sla_breach".to_string(), "response".to_string()),
                ("sla_warning".to_string(), "resolution".to_string()),
                ("sla_warning".to_string(), "response".to_string()),
            ],
            "{r}: {fired:?}"
        );
    }
    for child in [&mut first, &mut second] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let (code, out, _) = steward(&db, &["audit", "verify"], None);
    assert_eq!(code, 0, "{out}");
    db.finish().await;
}

#[tokio::test]
async fn every_refusal_is_in_the_security_log_and_no_secret_is() {
    let db = TestDb::sqlite().await;
    let (code, _, err) = steward(
        &db,
        &[
            "user",
            "add",
            "--email",
            "ana@example.com",
            "--role",
            "agent",
            "--password-stdin",
        ],
        Some("a long and secret passphrase\n"),
    );
    assert_eq!(code, 0, "{err}");
    let (_, token, _) = steward(&db, &["token", "create", "--email", "ana@example.com"], None);
    let token = token.trim().to_string();
    let (mut server, base, log) = common::serve_logging(&db.cli_args(), "warn");
    let http = reqwest::Client::new();
    let r = http
        .get(format!("{base}/api/v1/incidents"))
        .bearer_auth("stw_guessed0000000000000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = http
        .get(format!(
            "{base}/api/v1/changes/schedule.ics?token=stw_in_the_query_0000000000"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = http
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"email": "mallory@example.com", "role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = http
        .post(format!("{base}/api/v1/tokens"))
        .json(&json!({"email": "ana@example.com", "password": "not the passphrase at all"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The log is written as the answers go out; give its reader a moment.
    let mut written = String::new();
    for _ in 0..50 {
        written = log.lock().unwrap().clone();
        if written.matches("access denied").count() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let denied: Vec<&str> = written.lines().filter(|l| l.contains("access denied")).collect();
    assert_eq!(denied.len(), 4, "{written}");
    for (line, path, status) in [
        (denied[0], "/api/v1/incidents", 401),
        (denied[1], "/api/v1/changes/schedule.ics", 401),
        (denied[2], "/api/v1/users", 403),
        (denied[3], "/api/v1/tokens", 401),
    ] {
        assert!(line.contains("steward::security"), "{line}");
        assert!(
            line.contains(&format!("path=\"{path}\"")) || line.contains(&format!("path={path}")),
            "{line}"
        );
        assert!(line.contains(&format!("status={status}")), "{line}");
        assert!(line.contains("address=\"127.0.0.1\""), "{line}");
        assert!(line.contains("request_id="), "{line}");
    }
    for secret in [
        "stw_guessed",
        "stw_in_the_query",
        token.as_str(),
        "not the passphrase",
        "a long and secret passphrase",
    ] {
        assert!(!written.contains(secret), "the log holds {secret:?}: {written}");
    }
    db.finish().await;
}
