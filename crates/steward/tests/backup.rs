//! `steward backup` while the server is taking writes, and `steward restore` into an empty data
//! directory or database, on each backend: the restored system holds every incident that was
//! acknowledged before the backup began, nothing that was never written, and a history chain
//! that verifies; a restore never lands on a database that holds records, and a backup never
//! overwrites a file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use steward_store::testing::{TestDb, drop_database, pg_empty_database, pg_url};

mod common;

/// Runs the binary against `target`; its exit code and everything it printed.
fn steward(target: &[String], args: &[&str]) -> (i32, String) {
    let r = common::run(target, args, None);
    (r.code, format!("{}{}", r.stdout, r.stderr))
}

fn serve(target: &[String]) -> (std::process::Child, String) {
    let (child, base, _) = common::serve(target);
    (child, base)
}

#[tokio::test]
async fn a_backup_taken_under_writes_restores_whole_into_an_empty_database() {
    for db in TestDb::each().await {
        eprintln!("--- backend: {}", db.label);
        let source = db.cli_args();
        let (code, out) = steward(
            &source,
            &["user", "add", "--email", "ops@example.com", "--role", "agent"],
        );
        assert_eq!(code, 0, "{out}");
        let (_, token) = steward(&source, &["token", "create", "--email", "ops@example.com"]);
        let token = token.trim().to_string();
        let (mut server, base) = serve(&source);
        let http = reqwest::Client::new();
        let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let mut writers = vec![];
        for w in 0..4 {
            let (http, base, token, acked) = (http.clone(), base.clone(), token.clone(), acked.clone());
            writers.push(tokio::spawn(async move {
                for i in 0.. {
                    let title = format!("backup writer {w} number {i}");
                    let r = http
                        .post(format!("{base}/api/v1/incidents"))
                        .bearer_auth(&token)
                        .json(&json!({"title": title}))
                        .send()
                        .await
                        .unwrap();
                    let v: Value = r.json().await.unwrap();
                    acked
                        .lock()
                        .unwrap()
                        .push((v["id"].as_str().unwrap().to_string(), title));
                }
            }));
        }
        // The backup is taken once the writers are well under way (however loaded the machine).
        let started = std::time::Instant::now();
        while acked.lock().unwrap().len() <= 20 && started.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let before = acked.lock().unwrap().clone();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.backup");
        let file_arg = file.display().to_string();
        let (code, out) = steward(&source, &["backup", "--to", &file_arg]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("backed up to"), "{out}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        for w in &writers {
            w.abort();
        }
        let after = acked.lock().unwrap().len();
        server.kill().unwrap();
        server.wait().unwrap();
        assert!(before.len() > 4, "the writers were busy: {}", before.len());
        let (code, out) = steward(&source, &["backup", "--to", &file_arg]);
        assert_eq!(code, 1);
        assert!(out.contains("already exists"), "{out}");

        // An empty place to restore into.
        let (target, empty_pg) = match db.label {
            "sqlite" => (
                vec![
                    "--data-dir".to_string(),
                    dir.path().join("restored").display().to_string(),
                ],
                None,
            ),
            _ => {
                let admin = pg_url().unwrap();
                let (url, name) = pg_empty_database(&admin).await;
                (vec!["--database-url".to_string(), url], Some((admin, name)))
            }
        };
        let (code, out) = steward(&target, &["restore", "--from", &file_arg]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("the history chain verifies"), "{out}");
        let (code, out) = steward(&target, &["audit", "verify"]);
        assert_eq!(code, 0, "{out}");

        // Every incident acknowledged before the backup began is there, as written; none that
        // was never acknowledged.
        let (mut restored, rbase) = serve(&target);
        for (id, title) in &before {
            let v: Value = http
                .get(format!("{rbase}/api/v1/incidents/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(v["title"], json!(title), "{id}: {v}");
        }
        let count = common::list_every(&http, &rbase, &token, "/api/v1/incidents?limit=500")
            .await
            .len();
        assert!(
            count >= before.len() && count <= after + 4,
            "restored {count}: {} acknowledged before the backup, {after} by the end",
            before.len()
        );
        restored.kill().unwrap();
        restored.wait().unwrap();

        // A restore never lands on records, and a file that is no backup is named as such.
        let (code, out) = steward(&target, &["restore", "--from", &file_arg]);
        assert_eq!(code, 1);
        assert!(out.contains("restore into an empty"), "{out}");
        let junk = dir.path().join("junk");
        std::fs::write(&junk, b"not a backup at all").unwrap();
        let empty = vec!["--data-dir".to_string(), dir.path().join("other").display().to_string()];
        let (code, out) = steward(&empty, &["restore", "--from", &junk.display().to_string()]);
        assert_eq!(code, 1);
        assert!(out.contains("is not a SQLite backup"), "{out}");
        if let Some((admin, name)) = empty_pg {
            drop_database(&admin, &name).await;
        }
        db.finish().await;
    }
}
