//! Email with a real mail server: aiosmtpd (from PyPI, installed by `scripts/test` into
//! `target/mail-venv`) listening with STARTTLS required and a certificate made for the test,
//! storing what it receives in a Maildir. Steward is started with that server, the test's
//! certificate authority and a from address; an agent's public reply must reach the customer's
//! mailbox with the headers that thread it, on each backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use steward_store::testing::TestDb;

mod common;

/// The Python that has aiosmtpd: `STEWARD_TEST_MAIL_PYTHON`, or the test command's venv.
fn python() -> PathBuf {
    if let Ok(p) = std::env::var("STEWARD_TEST_MAIL_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/mail-venv/bin/python");
    assert!(
        venv.exists(),
        "no Python with aiosmtpd: run scripts/test (which installs it into target/mail-venv) or set STEWARD_TEST_MAIL_PYTHON"
    );
    venv
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A mail server on loopback that requires STARTTLS, with a certificate for `localhost` that
/// nothing but the file it returns vouches for.
struct MailServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
    ca: PathBuf,
}

impl MailServer {
    fn start(dir: &Path) -> MailServer {
        // A certificate authority of the test's own, and the server's certificate signed by it.
        let (ca, ca_key) = (dir.join("ca.pem"), dir.join("ca.key"));
        let (cert, key, csr, ext) = (
            dir.join("cert.pem"),
            dir.join("key.pem"),
            dir.join("leaf.csr"),
            dir.join("leaf.ext"),
        );
        std::fs::write(
            &ext,
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        let openssl = |args: &[&std::ffi::OsStr]| {
            let ok = Command::new("openssl")
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap()
                .success();
            assert!(ok, "openssl {args:?} failed");
        };
        let s = |v: &str| std::ffi::OsString::from(v);
        openssl(&[
            &s("req"),
            &s("-x509"),
            &s("-newkey"),
            &s("rsa:2048"),
            &s("-nodes"),
            &s("-days"),
            &s("2"),
            &s("-subj"),
            &s("/CN=Steward test authority"),
            &s("-keyout"),
            ca_key.as_os_str(),
            &s("-out"),
            ca.as_os_str(),
        ]);
        openssl(&[
            &s("req"),
            &s("-newkey"),
            &s("rsa:2048"),
            &s("-nodes"),
            &s("-subj"),
            &s("/CN=localhost"),
            &s("-keyout"),
            key.as_os_str(),
            &s("-out"),
            csr.as_os_str(),
        ]);
        openssl(&[
            &s("x509"),
            &s("-req"),
            &s("-in"),
            csr.as_os_str(),
            &s("-CA"),
            ca.as_os_str(),
            &s("-CAkey"),
            ca_key.as_os_str(),
            &s("-CAcreateserial"),
            &s("-days"),
            &s("2"),
            &s("-extfile"),
            ext.as_os_str(),
            &s("-out"),
            cert.as_os_str(),
        ]);
        let maildir = dir.join("maildir");
        let port = free_port();
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .arg("--tlscert")
            .arg(&cert)
            .arg("--tlskey")
            .arg(&key)
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let until = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "aiosmtpd did not start listening");
            std::thread::sleep(Duration::from_millis(100));
        }
        MailServer {
            child,
            port,
            maildir,
            ca,
        }
    }

    /// Every message received so far, as (headers, body).
    fn messages(&self) -> Vec<(Vec<(String, String)>, String)> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) else {
                continue;
            };
            for e in entries.flatten() {
                let text = std::fs::read_to_string(e.path()).unwrap();
                out.push(parse(&text));
            }
        }
        out
    }

    /// Waits for a message that `matches`.
    fn wait_for(
        &self,
        what: &str,
        matches: impl Fn(&[(String, String)], &str) -> bool,
    ) -> (Vec<(String, String)>, String) {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(m) = self.messages().into_iter().find(|(h, b)| matches(h, b)) {
                return m;
            }
            assert!(
                Instant::now() < until,
                "no message {what} arrived: {:#?}",
                self.messages()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message's unfolded headers and its body (plain text, as Steward writes it: 7-bit or
/// quoted-printable).
fn parse(text: &str) -> (Vec<(String, String)>, String) {
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let quoted = headers
        .iter()
        .any(|(k, v)| k == "content-transfer-encoding" && v.eq_ignore_ascii_case("quoted-printable"));
    let body = if quoted { unquote(body) } else { body.to_string() };
    (headers, body)
}

fn unquote(s: &str) -> String {
    let joined = s.replace("=\n", "");
    let b = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'=', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Runs the binary, which must succeed; what it printed on standard output.
fn steward(db: &TestDb, args: &[&str]) -> String {
    common::succeed(&db.cli_args(), args)
}

#[tokio::test]
async fn an_agents_reply_reaches_the_customers_mailbox_threaded_over_starttls() {
    for db in TestDb::each().await {
        eprintln!("--- backend: {}", db.label);
        let dir = tempfile::tempdir().unwrap();
        let mail = MailServer::start(dir.path());
        steward(&db, &["demo", "--records", "20"]);
        steward(&db, &["user", "add", "--email", "root@example.com", "--role", "admin"]);
        let admin = steward(&db, &["token", "create", "--email", "root@example.com"]);
        let agent = steward(&db, &["token", "create", "--email", "lena.novak@it.example.com"]);
        let customer = steward(&db, &["token", "create", "--email", "sam.nguyen@northwind.example"]);
        let smtp = format!("smtp://localhost:{}?tls=required", mail.port);
        let ca = mail.ca.to_string_lossy().to_string();
        let (mut server, base, log) = common::serve_with(
            &db.cli_args(),
            &[
                "--smtp-url",
                &smtp,
                "--mail-from",
                "Service Desk <desk@steward.test>",
                "--smtp-ca-file",
                &ca,
                "--public-url",
                "https://steward.test/",
            ],
            "warn",
        );
        let http = reqwest::Client::new();
        let me = common::get_json(&http, &base, &customer, "/api/v1/me").await;
        let sam = me["user"]["id"].as_str().unwrap().to_string();
        let r = http
            .post(format!("{base}/api/v1/incidents"))
            .bearer_auth(&agent)
            .json(&json!({"title": "VPN drops every hour", "caller": sam}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let inc: Value = r.json().await.unwrap();
        let reference = inc["id"].as_str().unwrap().to_string();
        let r = http
            .post(format!("{base}/api/v1/incidents/{reference}/comments"))
            .bearer_auth(&agent)
            .json(&json!({"body": "Please update the VPN client to 5.2 and tell us if it still drops.", "visibility": "public"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let r = http
            .post(format!("{base}/api/v1/incidents/{reference}/comments"))
            .bearer_auth(&agent)
            .json(&json!({"body": "Their firewall resets idle tunnels.", "visibility": "internal"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);

        let to_sam =
            |h: &[(String, String)]| header(h, "to").is_some_and(|t| t.contains("sam.nguyen@northwind.example"));
        let subject = format!("[{reference}] VPN drops every hour");
        let (h, body) = mail.wait_for("with the reply", |h, b| to_sam(h) && b.contains("VPN client to 5.2"));
        assert_eq!(header(&h, "subject"), Some(subject.as_str()));
        assert!(header(&h, "from").unwrap().contains("desk@steward.test"));
        let thread = format!("<steward.{reference}@steward.test>");
        assert_eq!(header(&h, "in-reply-to"), Some(thread.as_str()));
        assert_eq!(header(&h, "references"), Some(thread.as_str()));
        assert!(
            header(&h, "message-id")
                .unwrap()
                .starts_with(&format!("<steward.{reference}."))
        );
        assert_eq!(header(&h, "auto-submitted"), Some("auto-generated"));
        assert!(
            body.contains(&format!("https://steward.test/incidents/{reference}")),
            "{body}"
        );
        let opened = mail.wait_for("saying it was opened", |h, _| {
            to_sam(h) && header(h, "subject").is_some_and(|s| s.starts_with(&format!("[{reference}] Received")))
        });
        assert_eq!(header(&opened.0, "in-reply-to"), Some(thread.as_str()));

        // The work note reached nobody outside: every message to the customer is one of the two.
        std::thread::sleep(Duration::from_millis(1500));
        let all = mail.messages();
        assert!(
            all.iter().all(|(_, b)| !b.contains("firewall")),
            "a work note was emailed: {all:#?}"
        );
        assert_eq!(all.iter().filter(|(h, _)| to_sam(h)).count(), 2);

        // The outbox says so too.
        let sent = common::list_every(&http, &base, &admin, "/api/v1/mail/outbox?state=sent&limit=100").await;
        assert!(
            sent.iter()
                .filter(|m| m["recipient"] == "sam.nguyen@northwind.example")
                .count()
                == 2,
            "{sent:#?}"
        );
        let r = http
            .get(format!("{base}/api/v1/mail/outbox?state=sent"))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "the outbox is the administrators'");

        let _ = server.kill();
        let _ = server.wait();
        let printed = log.lock().unwrap().clone();
        assert!(!printed.contains("ERROR"), "{printed}");
        db.finish().await;
    }
}

const MAIL_FROM: &str = "Service Desk <desk@steward.test>";

/// Pipes a message to `steward mail ingest`; its exit status and what it printed.
fn ingest(db: &TestDb, message: &[u8]) -> (i32, String) {
    let r = common::run(&db.cli_args(), &["mail", "ingest", "--mail-from", MAIL_FROM], Some(message));
    (r.code, format!("{}{}", r.stdout, r.stderr))
}

fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail-corpus").join(name)).unwrap()
}

/// The inbound message an `ingest` line names ("inbound message 7: …").
fn inbound_id(printed: &str) -> i64 {
    printed
        .split("inbound message ")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no inbound message named in {printed:?}"))
}

#[tokio::test]
async fn awkward_messages_are_kept_and_placed_or_held_never_lost() {
    use steward_core::inbound::{InboundState, NewMailRule, UnknownSender};
    use steward_core::incident::Incident;

    for db in TestDb::each().await {
        eprintln!("--- backend: {}", db.label);
        steward(&db, &["demo", "--records", "20"]);
        let store = &db.store;
        let sam = store.user_by_email("sam.nguyen@northwind.example").await.unwrap().unwrap();
        let incident_of = |printed: &str| -> i64 {
            let reference = printed.split_whitespace().find(|w| w.starts_with("INC-")).unwrap_or_else(|| panic!("{printed}"));
            reference.trim_start_matches("INC-").parse().unwrap()
        };
        let read = |id: i64| async move { store.get::<Incident>(id).await.unwrap().unwrap() };
        let files = |id: i64| async move {
            let mut f: Vec<(String, String)> = store
                .attachments_seen_by(steward_core::record::RecordKind::Incident, id, true)
                .await
                .unwrap()
                .into_iter()
                .map(|a| (a.name, a.content_type))
                .collect();
            f.sort();
            f
        };

        // Character sets and transfer encodings: the text as written, the plain part preferred.
        let (code, out) = ingest(&db, &corpus("alternative-utf8.eml"));
        assert_eq!(code, 0, "{out}");
        let inc = read(incident_of(&out)).await;
        assert_eq!(inc.title, "Écran noir après la mise à jour");
        assert!(inc.description.contains("l'écran reste noir au démarrage"), "{}", inc.description);
        assert!(!inc.description.contains("HTML version"), "{}", inc.description);
        assert_eq!(inc.caller, Some(sam.id));
        assert_eq!(inc.organisation, sam.organisation);

        let (_, out) = ingest(&db, &corpus("latin1.eml"));
        let inc = read(incident_of(&out)).await;
        assert_eq!(inc.title, "Drucker im Büro druckt nicht (Größe A3)");
        assert!(inc.description.contains("Größe A3 mehr.\n\nGrüße"), "{}", inc.description);

        // HTML only: safe text with its structure, no script or style, the inline image attached.
        let (_, out) = ingest(&db, &corpus("html-inline-image.eml"));
        let id = incident_of(&out);
        let inc = read(id).await;
        assert_eq!(inc.description, "Saving a file shows this error:\n\n[screenshot]\n\n- Excel 365\n- since Monday");
        assert_eq!(files(id).await, [("screenshot.png".to_string(), "image/png".to_string())]);

        // A PDF declared as octet-stream is typed by its bytes; a forwarded message is a file.
        let (_, out) = ingest(&db, &corpus("pdf-attachment.eml"));
        let id = incident_of(&out);
        assert_eq!(
            files(id).await,
            [
                ("Upload failed.eml".to_string(), "message/rfc822".to_string()),
                ("invoice 2026-11.pdf".to_string(), "application/pdf".to_string()),
            ]
        );
        // winmail.dat (Outlook's TNEF) is kept as the file it is.
        let (_, out) = ingest(&db, &corpus("winmail.eml"));
        let id = incident_of(&out);
        let f = files(id).await;
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, "winmail.dat");

        // Machines: ignored, kept, and never answered.
        for (name, why) in [
            ("bounce.eml", "report"),
            ("auto-reply.eml", "Auto-Submitted"),
            ("outlook-out-of-office.eml", "automatic reply"),
            ("newsletter.eml", "Precedence: bulk"),
            ("loop.eml", "Steward itself"),
        ] {
            let (code, out) = ingest(&db, &corpus(name));
            assert_eq!(code, 0, "{name}: {out}");
            assert!(out.contains("ignored") && out.contains(why), "{name}: {out}");
        }
        // What cannot be placed is held, with the reason, and its bytes are kept as they came.
        let (_, out) = ingest(&db, &corpus("no-sender.eml"));
        assert!(out.contains("held") && out.contains("no sender"), "{out}");
        let garbage: Vec<u8> = (0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let (code, out) = ingest(&db, &garbage);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("held"), "{out}");
        assert_eq!(store.inbound_raw(inbound_id(&out)).await.unwrap().unwrap(), garbage);

        // Nothing is refused but what is not a message at all; the mail server is told so.
        let (code, out) = ingest(&db, b"");
        assert_eq!(code, 65, "{out}");
        assert!(out.contains("empty"), "{out}");

        // A message delivered twice is placed once.
        let before = store.inbound_mail(None, None, 500).await.unwrap().items.len();
        let (code, out) = ingest(&db, &corpus("latin1.eml"));
        assert_eq!(code, 0);
        assert!(out.contains("received before"), "{out}");
        assert_eq!(store.inbound_mail(None, None, 500).await.unwrap().items.len(), before);

        // Unknown senders, by the rule for their domain: made requesters, refused with a reply,
        // or (with no rule) held.
        let now = chrono::Utc::now();
        let rule = |domain: &str, unknown: UnknownSender| NewMailRule {
            recipient: None,
            sender_domain: Some(domain.into()),
            opens: None,
            service: None,
            catalogue_item: None,
            team: None,
            organisation: sam.organisation,
            unknown_sender: Some(unknown),
        };
        store.add_mail_rule(rule("northwind.example", UnknownSender::Create).check(now).unwrap()).await.unwrap();
        store.add_mail_rule(rule("spam.example", UnknownSender::Reject).check(now).unwrap()).await.unwrap();
        let from = |addr: &str, id: &str| {
            format!("From: {addr}\r\nTo: desk@steward.test\r\nSubject: Laptop will not charge\r\nMessage-ID: <{id}>\r\n\r\nIt stays at 3%.\r\n")
                .into_bytes()
        };
        let (_, out) = ingest(&db, &from("New Colleague <new.colleague@northwind.example>", "u1@x"));
        let inc = read(incident_of(&out)).await;
        let newcomer = store.user_by_email("new.colleague@northwind.example").await.unwrap().unwrap();
        assert_eq!((newcomer.role, newcomer.organisation, newcomer.name.as_str()), (steward_core::user::Role::Requester, sam.organisation, "New Colleague"));
        assert_eq!(inc.caller, Some(newcomer.id));
        let (_, out) = ingest(&db, &from("joe@spam.example", "u2@x"));
        assert!(out.contains("rejected"), "{out}");
        let queued = store.outbox(steward_core::mail::MailState::Pending, None, 100).await.unwrap().items;
        let reply = queued.iter().find(|m| m.recipient == "joe@spam.example").expect("a reply to the refused sender");
        assert!(reply.subject.starts_with("Not accepted: Laptop"), "{}", reply.subject);
        let (_, out) = ingest(&db, &from("someone@elsewhere.example", "u3@x"));
        assert!(out.contains("held") && out.contains("no mail rule"), "{out}");
        assert!(store.user_by_email("someone@elsewhere.example").await.unwrap().is_none());

        // A customer's reply on another organisation's ticket is held, not placed.
        let foreign = incident_of_another_organisation(&db, sam.organisation.unwrap().0).await;
        let (_, out) = ingest(
            &db,
            format!("From: sam.nguyen@northwind.example\r\nSubject: Re: [INC-{foreign}] x\r\nMessage-ID: <f1@x>\r\n\r\nhello\r\n").as_bytes(),
        );
        assert!(out.contains("held") && out.contains("may not write"), "{out}");

        // A runaway sender is stopped by the hourly limit: held, not placed.
        let mut last = String::new();
        for n in 0..=steward_core::inbound::SENDER_HOURLY_LIMIT {
            last = ingest(&db, &from("jo.okafor@northwind.example", &format!("flood{n}@x"))).1;
        }
        assert!(last.contains("held") && last.contains("within an hour"), "{last}");

        // Everything that arrived is listed, with what became of it.
        let all = store.inbound_mail(None, None, 500).await.unwrap().items;
        let count = |s: InboundState| all.iter().filter(|m| m.state == s).count();
        assert_eq!(count(InboundState::Ignored), 5, "{all:#?}");
        assert_eq!(count(InboundState::Rejected), 1);
        assert_eq!(count(InboundState::Held), 5, "{all:#?}");
        assert_eq!(count(InboundState::Received), 0, "{all:#?}");
        db.finish().await;
    }
}

/// An incident of an organisation other than `org`.
async fn incident_of_another_organisation(db: &TestDb, org: i64) -> i64 {
    let q = steward_store::ListQuery {
        limit: 200,
        ..Default::default()
    };
    let incidents = db.store.list::<steward_core::incident::Incident>(&q).await.unwrap();
    incidents
        .items
        .into_iter()
        .find(|i| i.organisation.is_some_and(|o| o.0 != org))
        .map(|i| i.id.0)
        .expect("the demo has incidents of several organisations")
}
