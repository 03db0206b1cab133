//! `steward migrate-store --to postgres://...`: the demo organisation, moved from its SQLite data
//! directory into an empty PostgreSQL database, reads the same through the API — every record of
//! every kind, each history entry, search — and its history chain verifies; new records get new
//! references; a database that holds records is never written to, and a PostgreSQL source is
//! refused with a sentence.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use steward_store::testing::{drop_database, pg_empty_database, pg_url, sqlite_dir};

mod common;

fn steward(target: &[String], args: &[&str]) -> (i32, String) {
    let r = common::run(target, args, None);
    (r.code, format!("{}{}", r.stdout, r.stderr))
}

/// Every item of a list, oldest first.
async fn all(http: &reqwest::Client, base: &str, token: &str, path: &str) -> Vec<Value> {
    common::list_every(http, base, token, &format!("{path}?limit=500&sort=created_at")).await
}

async fn get(http: &reqwest::Client, base: &str, token: &str, path: &str) -> Value {
    let r = http
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

/// What a ticket is, without its clocks' figures, which count on to the moment they are read.
fn settled(ticket: &Value) -> Value {
    let mut t = ticket.clone();
    if let Some(o) = t.as_object_mut() {
        o.remove("sla");
        o.remove("clocks");
    }
    t
}

#[tokio::test]
async fn the_demo_moves_from_sqlite_to_postgresql_whole() {
    let Some(admin) = pg_url() else {
        eprintln!("TEST_PG_URL is not set: migrate-store needs PostgreSQL");
        return;
    };
    let dir = sqlite_dir();
    let source = vec!["--data-dir".to_string(), dir.display().to_string()];
    let (code, out) = steward(&source, &["demo", "--records", "150"]);
    assert_eq!(code, 0, "{out}");
    let (code, token) = steward(&source, &["token", "create", "--email", "chen.okafor@it.example.com"]);
    assert_eq!(code, 0, "{token}");
    let token = token.trim().to_string();

    // A file on an incident, in chunks, so the move carries bytes too.
    let (code, agent) = steward(&source, &["token", "create", "--email", "lena.novak@it.example.com"]);
    assert_eq!(code, 0, "{agent}");
    let agent = agent.trim().to_string();
    let file: Vec<u8> = (0..1_500_000u32).map(|i| (i % 251) as u8).collect();
    let http = reqwest::Client::new();
    let (mut before, before_base, _) = common::serve(&source);
    let r = http
        .post(format!(
            "{before_base}/api/v1/incidents/INC-1/attachments?name=capture.bin"
        ))
        .bearer_auth(&agent)
        .body(file.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let attached: Value = r.json().await.unwrap();
    before.kill().unwrap();
    before.wait().unwrap();

    let (url, name) = pg_empty_database(&admin).await;
    let (code, out) = steward(&source, &["migrate-store", "--to", &url]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("the history chain verifies"), "{out}");
    let target = vec!["--database-url".to_string(), url.clone()];
    let (code, out) = steward(&target, &["audit", "verify"]);
    assert_eq!(code, 0, "{out}");

    // Both read the same, kind by kind and entry by entry.
    let (mut old, old_base, _) = common::serve(&source);
    let (mut new, new_base, _) = common::serve(&target);
    let kinds = [
        "/api/v1/incidents",
        "/api/v1/requests",
        "/api/v1/problems",
        "/api/v1/changes",
        "/api/v1/services",
        "/api/v1/configuration-items",
        "/api/v1/users",
        "/api/v1/teams",
        "/api/v1/organisations",
        "/api/v1/agreements",
        "/api/v1/calendars",
        "/api/v1/releases",
    ];
    for kind in kinds {
        let before: Vec<Value> = all(&http, &old_base, &token, kind).await.iter().map(settled).collect();
        let after: Vec<Value> = all(&http, &new_base, &token, kind).await.iter().map(settled).collect();
        assert_eq!(before.len(), after.len(), "{kind}");
        assert_eq!(before, after, "{kind}");
        if kind == "/api/v1/incidents" {
            assert!(before.len() > 20, "the demo has incidents: {}", before.len());
            for incident in before.iter().take(10) {
                let path = format!("{kind}/{}/history?limit=500", incident["id"].as_str().unwrap());
                assert_eq!(
                    get(&http, &old_base, &token, &path).await,
                    get(&http, &new_base, &token, &path).await,
                    "{path}"
                );
            }
            // Search finds a moved incident by its own words.
            let first = &before[0];
            let words = first["title"].as_str().unwrap();
            let found = get(
                &http,
                &new_base,
                &token,
                &format!("/api/v1/search?q={}", urlencode(words)),
            )
            .await;
            assert!(
                found.to_string().contains(first["id"].as_str().unwrap()),
                "search for {words:?} on PostgreSQL: {found}"
            );
        }
    }

    // The file's bytes came along whole.
    let r = http
        .get(format!(
            "{new_base}/api/v1/attachments/{}",
            attached["id"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), file);

    // A record made after the move takes the next reference, not one already used.
    let incidents = all(&http, &new_base, &token, "/api/v1/incidents").await;
    let highest = incidents
        .iter()
        .filter_map(|i| i["id"].as_str()?.strip_prefix("INC-")?.parse::<i64>().ok())
        .max()
        .unwrap();
    let r = http
        .post(format!("{new_base}/api/v1/incidents"))
        .bearer_auth(agent.trim())
        .json(&json!({"title": "Printer on floor 3 jams after the move"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.unwrap();
    assert_eq!(made["id"], json!(format!("INC-{}", highest + 1)));
    for child in [&mut old, &mut new] {
        child.kill().unwrap();
        child.wait().unwrap();
    }

    // The target now holds records: a second move is refused and writes nothing.
    let (code, out) = steward(&source, &["migrate-store", "--to", &url]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("only into an empty database"), "{out}");
    let (code, out) = steward(&target, &["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    // The source must be the embedded store.
    let (code, out) = steward(&target, &["migrate-store", "--to", &url]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("leave out --database-url"), "{out}");
    // A data directory with no database is named.
    let nowhere = vec!["--data-dir".to_string(), dir.join("nothing-here").display().to_string()];
    let (code, out) = steward(&nowhere, &["migrate-store", "--to", &url]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("there is no database"), "{out}");

    drop_database(&admin, &name).await;
    std::fs::remove_dir_all(&dir).ok();
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
