//! Crash safety, on each backend: writers create and edit incidents against a real
//! `steward serve` process, which is killed with SIGKILL at a moment chosen at random; it is
//! started again, and every write it had acknowledged is there, whole — the incident with its
//! title, each acknowledged edit, and the history entries that go with them — and `steward audit
//! verify` finds the history chain intact. Several rounds, each killed at another moment. This
//! is a crash of the process (the operating system keeps what was written); power loss is the
//! storage's own durability settings (SQLite `synchronous=FULL`, PostgreSQL's fsync).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use steward_store::testing::TestDb;

const ROUNDS: u64 = 4;
const WRITERS: usize = 6;

mod common;

/// Runs the binary; its exit code and everything it printed.
fn steward(db: &TestDb, args: &[&str]) -> (i32, String) {
    let r = common::run(&db.cli_args(), args, None);
    (r.code, format!("{}{}", r.stdout, r.stderr))
}

fn serve(db: &TestDb) -> (std::process::Child, String) {
    let (child, base, _) = common::serve(&db.cli_args());
    (child, base)
}

/// What the writers were told was done: each incident's title and the last edit acknowledged,
/// and the edit in flight when the server died (it may or may not have landed).
#[derive(Default, Clone)]
struct Acked {
    title: String,
    edits: u32,
    in_flight: bool,
}

/// A small generator (SplitMix64) for the moment of each kill; the seed is printed.
fn next(seed: &mut u64) -> u64 {
    *seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[tokio::test]
async fn acknowledged_writes_survive_a_kill_at_any_moment() {
    let mut seed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64;
    eprintln!("kill moments from seed {seed}");
    for db in TestDb::each().await {
        eprintln!("--- backend: {}", db.label);
        assert_eq!(steward(&db, &["migrate"]).0, 0);
        let (code, out) = steward(&db, &["user", "add", "--email", "ops@example.com", "--role", "agent"]);
        assert_eq!(code, 0, "{out}");
        let (code, token) = steward(&db, &["token", "create", "--email", "ops@example.com"]);
        assert_eq!(code, 0, "{token}");
        let token = token.trim().to_string();
        let acked: Arc<Mutex<HashMap<String, Acked>>> = Arc::default();
        for round in 0..ROUNDS {
            let (mut server, base) = serve(&db);
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            let mut writers = vec![];
            for w in 0..WRITERS {
                let (http, base, token, acked) = (http.clone(), base.clone(), token.clone(), acked.clone());
                writers.push(tokio::spawn(async move {
                    for i in 0.. {
                        let title = format!("crash round {round} writer {w} number {i}");
                        let created = http
                            .post(format!("{base}/api/v1/incidents"))
                            .bearer_auth(&token)
                            .json(&json!({"title": title, "impact": "high", "urgency": "low"}))
                            .send()
                            .await;
                        let Ok(r) = created else { return };
                        let Ok(v) = r.json::<Value>().await else { return };
                        let id = v["id"].as_str().unwrap().to_string();
                        let entry = Acked {
                            title: title.clone(),
                            ..Acked::default()
                        };
                        acked.lock().unwrap().insert(id.clone(), entry);
                        for edit in 1..=2u32 {
                            acked.lock().unwrap().get_mut(&id).unwrap().in_flight = true;
                            let patched = http
                                .patch(format!("{base}/api/v1/incidents/{id}"))
                                .bearer_auth(&token)
                                .json(&json!({"description": format!("edit {edit}")}))
                                .send()
                                .await;
                            let Ok(r) = patched else { return };
                            if r.json::<Value>().await.is_err() {
                                return;
                            }
                            let mut all = acked.lock().unwrap();
                            let a = all.get_mut(&id).unwrap();
                            a.edits = edit;
                            a.in_flight = false;
                        }
                    }
                }));
            }
            let wait = 300 + next(&mut seed) % 1200;
            tokio::time::sleep(Duration::from_millis(wait)).await;
            server.kill().unwrap();
            server.wait().unwrap();
            for w in writers {
                w.await.unwrap();
            }
            eprintln!(
                "round {round}: killed after {wait} ms with {} incidents acknowledged",
                acked.lock().unwrap().len()
            );
        }

        // Started again: everything acknowledged is there, whole.
        let (mut server, base) = serve(&db);
        let http = reqwest::Client::new();
        let acked = acked.lock().unwrap().clone();
        assert!(acked.len() > WRITERS, "the writers got some work done: {}", acked.len());
        for (id, a) in &acked {
            let v: Value = http
                .get(format!("{base}/api/v1/incidents/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(v["title"], json!(a.title), "{id} was acknowledged: {v}");
            let landed: u32 = match v["description"].as_str().unwrap_or("") {
                "" => 0,
                d => d.trim_start_matches("edit ").parse().unwrap(),
            };
            let may = if a.in_flight { a.edits + 1 } else { a.edits };
            assert!(
                (a.edits..=may).contains(&landed),
                "{id}: {landed} edits landed, {} acknowledged",
                a.edits
            );
            let h: Value = http
                .get(format!("{base}/api/v1/incidents/{id}/history?limit=100"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let entries = h["items"].as_array().unwrap();
            assert_eq!(entries[0]["action"], "create", "{id}: {h}");
            let edits = entries.iter().filter(|e| e["field"] == "description").count() as u32;
            assert_eq!(
                edits, landed,
                "{id}: each edit that landed has its history entry, and no other"
            );
        }
        server.kill().unwrap();
        server.wait().unwrap();
        let (code, out) = steward(&db, &["audit", "verify"]);
        assert_eq!(code, 0, "the history chain survived every kill: {out}");
        db.finish().await;
    }
}
