//! What the binary's end-to-end tests share: running `steward` against a database and starting
//! `steward serve` on a free port. Each test binary uses part of it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

pub const BIN: &str = env!("CARGO_BIN_EXE_steward");

/// What a run of the binary printed, and how it ended.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `steward <target> <args>` (target: `--data-dir DIR` or `--database-url URL`).
pub fn run(target: &[String], args: &[&str], stdin: Option<&[u8]>) -> Ran {
    let mut cmd = Command::new(BIN);
    cmd.args(target).args(args).env("STEWARD_LOG", "warn");
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `steward <target> <args>`, which must succeed; what it printed on standard output.
pub fn succeed(target: &[String], args: &[&str]) -> String {
    let r = run(target, args, None);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.stdout.trim().to_string()
}

/// `GET {base}{path}` with a bearer token; the answer's JSON, whatever its status.
pub async fn get_json(http: &reqwest::Client, base: &str, token: &str, path: &str) -> serde_json::Value {
    http.get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Starts `steward serve` on a free port; returns the child, its base URL and what it printed
/// before it was ready.
pub fn serve(target: &[String]) -> (Child, String, String) {
    let (child, base, log) = serve_logging(target, "warn");
    let printed = log.lock().unwrap().clone();
    (child, base, printed)
}

/// As [`serve`], logging at `filter` (`STEWARD_LOG`); everything the server writes to standard
/// error, before it was ready and after, is gathered in the returned buffer.
pub fn serve_logging(target: &[String], filter: &str) -> (Child, String, Arc<Mutex<String>>) {
    serve_with(target, &[], filter)
}

/// As [`serve_logging`], with more arguments to `serve`.
#[allow(clippy::zombie_processes)] // the caller kills and waits for it
pub fn serve_with(target: &[String], extra: &[&str], filter: &str) -> (Child, String, Arc<Mutex<String>>) {
    let mut child = Command::new(BIN)
        .args(target)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("STEWARD_LOG", filter)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let log: Arc<Mutex<String>> = Arc::default();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "server exited early: {}",
            log.lock().unwrap()
        );
        log.lock().unwrap().push_str(&line);
        if let Some(rest) = line.split("serving on ").nth(1) {
            let base = rest.split_whitespace().next().unwrap().to_string();
            let gathered = log.clone();
            std::thread::spawn(move || {
                for line in reader.lines().map_while(Result::ok) {
                    let mut l = gathered.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
            return (child, base, log);
        }
    }
}

/// Every item of a list, following its `next_cursor`; `path` carries its query (`?limit=500`).
pub async fn list_every(http: &reqwest::Client, base: &str, token: &str, path: &str) -> Vec<serde_json::Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let r = http
            .get(format!("{base}{path}{q}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let page: serde_json::Value = r.json().await.unwrap();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return items,
        }
    }
}
