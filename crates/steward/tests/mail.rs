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
    let r = common::run(
        &db.cli_args(),
        &["mail", "ingest", "--mail-from", MAIL_FROM],
        Some(message),
    );
    (r.code, format!("{}{}", r.stdout, r.stderr))
}

fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/mail-corpus")
            .join(name),
    )
    .unwrap()
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
        let sam = store
            .user_by_email("sam.nguyen@northwind.example")
            .await
            .unwrap()
            .unwrap();
        let incident_of = |printed: &str| -> i64 {
            let reference = printed
                .split_whitespace()
                .find(|w| w.starts_with("INC-"))
                .unwrap_or_else(|| panic!("{printed}"));
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
        assert!(
            inc.description.contains("l'écran reste noir au démarrage"),
            "{}",
            inc.description
        );
        assert!(!inc.description.contains("HTML version"), "{}", inc.description);
        assert_eq!(inc.caller, Some(sam.id));
        assert_eq!(inc.organisation, sam.organisation);

        let (_, out) = ingest(&db, &corpus("latin1.eml"));
        let inc = read(incident_of(&out)).await;
        assert_eq!(inc.title, "Drucker im Büro druckt nicht (Größe A3)");
        assert!(
            inc.description.contains("Größe A3 mehr.\n\nGrüße"),
            "{}",
            inc.description
        );

        // HTML only: safe text with its structure, no script or style, the inline image attached.
        let (_, out) = ingest(&db, &corpus("html-inline-image.eml"));
        let id = incident_of(&out);
        let inc = read(id).await;
        assert_eq!(
            inc.description,
            "Saving a file shows this error:\n\n[screenshot]\n\n- Excel 365\n- since Monday"
        );
        assert_eq!(
            files(id).await,
            [("screenshot.png".to_string(), "image/png".to_string())]
        );

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
            ("outlook-out-of-office.eml", "Auto-Submitted: auto-generated"),
            ("vacation.eml", "automatic reply"),
            ("newsletter.eml", "Precedence: bulk"),
            ("loop.eml", "Steward itself"),
        ] {
            let (code, out) = ingest(&db, &corpus(name));
            assert_eq!(code, 0, "{name}: {out}");
            assert!(out.contains("ignored") && out.contains(why), "{name}: {out}");
        }
        // Outlook marks a person's own message as not to be answered automatically: it is placed.
        let (_, out) = ingest(&db, &corpus("outlook-question.eml"));
        assert_eq!(read(incident_of(&out)).await.title, "Shared calendar will not open");

        // What cannot be placed is held, with the reason, and its bytes are kept as they came.
        let (_, out) = ingest(&db, &corpus("no-sender.eml"));
        assert!(out.contains("held") && out.contains("no sender"), "{out}");
        let garbage: Vec<u8> = (0..4000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
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
        store
            .add_mail_rule(rule("northwind.example", UnknownSender::Create).check(now).unwrap())
            .await
            .unwrap();
        store
            .add_mail_rule(rule("spam.example", UnknownSender::Reject).check(now).unwrap())
            .await
            .unwrap();
        let from = |addr: &str, id: &str| {
            format!("From: {addr}\r\nTo: desk@steward.test\r\nSubject: Laptop will not charge\r\nMessage-ID: <{id}>\r\n\r\nIt stays at 3%.\r\n")
                .into_bytes()
        };
        let (_, out) = ingest(&db, &from("New Colleague <new.colleague@northwind.example>", "u1@x"));
        let inc = read(incident_of(&out)).await;
        let newcomer = store
            .user_by_email("new.colleague@northwind.example")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (newcomer.role, newcomer.organisation, newcomer.name.as_str()),
            (steward_core::user::Role::Requester, sam.organisation, "New Colleague")
        );
        assert_eq!(inc.caller, Some(newcomer.id));
        let (_, out) = ingest(&db, &from("joe@spam.example", "u2@x"));
        assert!(out.contains("rejected"), "{out}");
        let queued = store
            .outbox(steward_core::mail::MailState::Pending, None, 100)
            .await
            .unwrap()
            .items;
        let reply = queued
            .iter()
            .find(|m| m.recipient == "joe@spam.example")
            .expect("a reply to the refused sender");
        assert!(reply.subject.starts_with("Not accepted: Laptop"), "{}", reply.subject);
        // Refused, but a message that asks for no automatic answer gets none.
        let listed = String::from_utf8(from("joe@spam.example", "u2b@x")).unwrap().replacen(
            "\r\n\r\n",
            "\r\nList-Id: <chat.spam.example>\r\n\r\n",
            1,
        );
        let (_, out) = ingest(&db, listed.as_bytes());
        assert!(out.contains("rejected") && out.contains("no reply was sent"), "{out}");
        let queued = store
            .outbox(steward_core::mail::MailState::Pending, None, 100)
            .await
            .unwrap()
            .items;
        assert_eq!(queued.iter().filter(|m| m.recipient == "joe@spam.example").count(), 1);
        let (_, out) = ingest(&db, &from("someone@elsewhere.example", "u3@x"));
        assert!(out.contains("held") && out.contains("no mail rule"), "{out}");
        assert!(
            store
                .user_by_email("someone@elsewhere.example")
                .await
                .unwrap()
                .is_none()
        );

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
        assert_eq!(count(InboundState::Ignored), 6, "{all:#?}");
        assert_eq!(count(InboundState::Rejected), 2);
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

/// An IMAP mailbox on a real Dovecot (Debian's dovecot-imapd, installed by `scripts/test`),
/// started in the foreground with a configuration of the test's own: implicit TLS on a free port
/// with the certificate `MailServer` made, one user `desk@steward.test`, mail in a Maildir that
/// the test delivers into as a mail server's local delivery does.
struct Dovecot {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

const NOBODY: u32 = 65534;
const IMAP_PASSWORD: &str = "imap-test-password";

impl Dovecot {
    fn start(dir: &Path) -> Dovecot {
        let binary = Path::new("/usr/sbin/dovecot");
        assert!(
            binary.exists(),
            "Dovecot is not installed: scripts/test installs Debian's dovecot-imapd"
        );
        use std::os::unix::fs::PermissionsExt;
        // Dovecot's mail processes run as nobody and must reach the mailbox.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let home = dir.join("imap");
        let maildir = home.join("desk@steward.test");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        for p in [
            &home,
            &maildir,
            &maildir.join("new"),
            &maildir.join("cur"),
            &maildir.join("tmp"),
        ] {
            std::os::unix::fs::chown(p, Some(NOBODY), Some(NOBODY)).unwrap();
        }
        std::fs::write(
            dir.join("passwd"),
            format!("desk@steward.test:{{PLAIN}}{IMAP_PASSWORD}\n"),
        )
        .unwrap();
        let port = free_port();
        let d = dir.display();
        let config = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {d}/dovecot-run\nstate_dir = {d}/dovecot-state\n\
             log_path = {d}/dovecot.log\nssl = required\nssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem\n\
             auth_mechanisms = plain\ndefault_internal_user = dovecot\ndefault_login_user = dovenull\n\
             first_valid_uid = 1\nmail_location = maildir:{d}/imap/%u\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={NOBODY} gid={NOBODY} home={d}/imap/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = 0\n  }}\n  inet_listener imaps {{\n    port = {port}\n    ssl = yes\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n"
        );
        let conf = dir.join("dovecot.conf");
        std::fs::write(&conf, config).unwrap();
        let child = Command::new(binary)
            .arg("-F")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let until = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < until,
                "Dovecot did not start listening: {}",
                std::fs::read_to_string(dir.join("dovecot.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Dovecot { child, port, maildir }
    }

    /// Delivers a message into the mailbox.
    fn deliver(&self, name: &str, message: &[u8]) {
        let tmp = self.maildir.join("tmp").join(name);
        std::fs::write(&tmp, message).unwrap();
        std::os::unix::fs::chown(&tmp, Some(NOBODY), Some(NOBODY)).unwrap();
        std::fs::rename(&tmp, self.maildir.join("new").join(name)).unwrap();
    }

    /// Messages still in the mailbox (not yet expunged).
    fn held(&self) -> usize {
        ["new", "cur"]
            .iter()
            .map(|s| std::fs::read_dir(self.maildir.join(s)).map(|d| d.count()).unwrap_or(0))
            .sum()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `check` gives a value.
async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < until, "{what} did not happen within 30 seconds");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_customers_email_opens_an_incident_and_the_conversation_goes_round_without_a_loop() {
    for db in TestDb::each().await {
        eprintln!("--- backend: {}", db.label);
        let dir = tempfile::tempdir().unwrap();
        let mail = MailServer::start(dir.path());
        let imap = Dovecot::start(dir.path());
        steward(&db, &["demo", "--records", "20"]);
        steward(&db, &["user", "add", "--email", "root@example.com", "--role", "admin"]);
        let admin = steward(&db, &["token", "create", "--email", "root@example.com"]);
        let agent = steward(&db, &["token", "create", "--email", "lena.novak@it.example.com"]);
        let smtp = format!("smtp://localhost:{}?tls=required", mail.port);
        let imap_url = format!(
            "imaps://desk%40steward.test:{IMAP_PASSWORD}@localhost:{}/INBOX",
            imap.port
        );
        let ca = mail.ca.to_string_lossy().to_string();
        let (mut server, base, log) = common::serve_with(
            &db.cli_args(),
            &[
                "--smtp-url",
                &smtp,
                "--mail-from",
                MAIL_FROM,
                "--smtp-ca-file",
                &ca,
                "--imap-url",
                &imap_url,
                "--imap-ca-file",
                &ca,
                "--imap-every",
                "1",
                "--public-url",
                "https://steward.test/",
            ],
            "warn",
        );
        let http = reqwest::Client::new();

        // The customer writes to the service desk's mailbox; the poller takes it in.
        imap.deliver(
            "1.eml",
            b"From: Sam Nguyen <sam.nguyen@northwind.example>\r\nTo: Service Desk <desk@steward.test>\r\n\
              Subject: Laptop screen flickers\r\nMessage-ID: <loop-1@northwind.example>\r\n\
              Content-Type: text/plain; charset=utf-8\r\n\r\nSince this morning the screen flickers every few seconds.\r\n",
        );
        let to_sam =
            |h: &[(String, String)]| header(h, "to").is_some_and(|t| t.contains("sam.nguyen@northwind.example"));
        let opened = eventually("the customer's email placed", async || {
            let page = common::get_json(&http, &base, &admin, "/api/v1/mail/inbound?state=placed").await;
            page["items"].as_array()?.first()?["record"]
                .as_str()
                .map(str::to_string)
        })
        .await;
        assert!(opened.starts_with("INC-"), "{opened}");
        let inc = common::get_json(&http, &base, &agent, &format!("/api/v1/incidents/{opened}")).await;
        assert_eq!(inc["title"], "Laptop screen flickers");
        assert!(
            inc["description"]
                .as_str()
                .unwrap()
                .contains("flickers every few seconds")
        );
        let sam = common::get_json(
            &http,
            &base,
            &admin,
            &format!("/api/v1/users/{}", inc["caller"].as_str().unwrap()),
        )
        .await;
        assert_eq!(sam["email"], "sam.nguyen@northwind.example");
        eventually("the mailbox emptied", async || (imap.held() == 0).then_some(())).await;
        // The customer is told the ticket's reference at once, in a message replies thread to.
        let (ack, _) = mail.wait_for("acknowledging the email", |h, _| {
            to_sam(h) && header(h, "subject").is_some_and(|s| s.starts_with(&format!("[{opened}]")))
        });
        assert_eq!(
            header(&ack, "in-reply-to"),
            Some(format!("<steward.{opened}@steward.test>").as_str())
        );

        // The agent answers in Steward; the answer reaches the customer's mailbox.
        let r = http
            .post(format!("{base}/api/v1/incidents/{opened}/comments"))
            .bearer_auth(&agent)
            .json(&json!({"body": "Please update the display driver to 31.0 and tell us if it still flickers.", "visibility": "public"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let to_sam =
            |h: &[(String, String)]| header(h, "to").is_some_and(|t| t.contains("sam.nguyen@northwind.example"));
        let (answer, _) = mail.wait_for("with the agent's answer", |h, b| {
            to_sam(h) && b.contains("display driver to 31.0")
        });
        let answer_id = header(&answer, "message-id").unwrap().to_string();
        let subject = header(&answer, "subject").unwrap().to_string();
        assert_eq!(subject, format!("[{opened}] Laptop screen flickers"));

        // The customer's reply, with the answer quoted under it, lands on the same incident as a
        // public comment, quote trimmed.
        let reply = format!(
            "From: Sam Nguyen <sam.nguyen@northwind.example>\r\nTo: desk@steward.test\r\nSubject: Re: {subject}\r\n\
             Message-ID: <loop-2@northwind.example>\r\nIn-Reply-To: {answer_id}\r\nReferences: <steward.{opened}@steward.test> {answer_id}\r\n\r\n\
             Updated, it still flickers.\r\n\r\nOn Wed, 2 Dec 2026 at 10:00, Service Desk <desk@steward.test> wrote:\r\n\
             > Please update the display driver to 31.0 and tell us if it still flickers.\r\n"
        );
        let (code, out) = ingest(&db, reply.as_bytes());
        assert_eq!(code, 0, "{out}");
        assert!(out.contains(&format!("placed {opened}")), "{out}");
        let comments = common::get_json(&http, &base, &agent, &format!("/api/v1/incidents/{opened}/comments")).await;
        let items = comments["items"].as_array().unwrap();
        let last = items
            .iter()
            .find(|c| c["author"] == inc["caller"])
            .expect("the customer's reply");
        assert_eq!(last["body"], "Updated, it still flickers.");
        assert_eq!(last["visibility"], "public");

        // An out-of-office answer to Steward's message, and Steward's own message come back, are
        // kept but not placed, and nothing is sent in answer to them.
        let before = mail.messages().len();
        imap.deliver(
            "2.eml",
            format!(
                "From: sam.nguyen@northwind.example\r\nTo: desk@steward.test\r\nSubject: Automatic reply: {subject}\r\n\
                 Message-ID: <loop-3@northwind.example>\r\nIn-Reply-To: {answer_id}\r\nAuto-Submitted: auto-replied\r\n\r\n\
                 I am out of the office until Monday.\r\n"
            )
            .as_bytes(),
        );
        let own = std::fs::read(
            ["new", "cur"]
                .iter()
                .flat_map(|s| std::fs::read_dir(mail.maildir.join(s)).unwrap().flatten())
                .map(|e| e.path())
                .find(|p| std::fs::read_to_string(p).unwrap().contains("display driver"))
                .unwrap(),
        )
        .unwrap();
        let (code, out) = ingest(&db, &own);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("ignored") && out.contains("Steward itself"), "{out}");
        let ignored = eventually("the auto-reply taken in", async || {
            let page = common::get_json(&http, &base, &admin, "/api/v1/mail/inbound?state=ignored").await;
            let items = page["items"].as_array()?.clone();
            (items.len() == 2).then_some(items)
        })
        .await;
        assert!(
            ignored
                .iter()
                .any(|m| m["reason"].as_str().unwrap().contains("Auto-Submitted")),
            "{ignored:#?}"
        );
        // Give the notifier and the outbox a few rounds: nothing more goes out, nothing is added.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let after = mail.messages();
        assert_eq!(
            after.len(),
            before,
            "a message was sent in answer to automatic mail: {after:#?}"
        );
        let comments = common::get_json(&http, &base, &agent, &format!("/api/v1/incidents/{opened}/comments")).await;
        assert_eq!(comments["items"].as_array().unwrap().len(), 2, "{comments:#}");
        assert_eq!(imap.held(), 0);

        let _ = server.kill();
        let _ = server.wait();
        let printed = log.lock().unwrap().clone();
        assert!(!printed.contains("ERROR"), "{printed}");
        db.finish().await;
    }
}

#[tokio::test]
async fn an_administrator_reviews_held_mail_and_adds_the_rule_it_lacked() {
    for db in TestDb::each().await {
        eprintln!("--- backend: {}", db.label);
        steward(&db, &["demo", "--records", "20"]);
        steward(&db, &["user", "add", "--email", "root@example.com", "--role", "admin"]);
        let admin = steward(&db, &["token", "create", "--email", "root@example.com"]);
        let agent = steward(&db, &["token", "create", "--email", "lena.novak@it.example.com"]);
        let (mut server, base, log) = common::serve_with(&db.cli_args(), &["--mail-from", MAIL_FROM], "warn");
        let http = reqwest::Client::new();

        let message = |id: &str| {
            format!(
                "From: Ada Newcomer <ada@contoso.example>\r\nTo: desk@steward.test\r\nSubject: VPN access\r\nMessage-ID: <{id}>\r\n\r\nPlease give me VPN access.\r\n"
            )
        };
        let (_, out) = ingest(&db, message("held-1@contoso.example").as_bytes());
        assert!(out.contains("held"), "{out}");
        let (_, out) = ingest(&db, message("held-2@contoso.example").as_bytes());
        let second = inbound_id(&out);
        let held = common::get_json(&http, &base, &admin, "/api/v1/mail/inbound?state=held").await;
        let items = held["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{held:#}");
        assert_eq!(items[0]["sender"], "ada@contoso.example");
        assert!(items[0]["reason"].as_str().unwrap().contains("no mail rule"));
        let first = items[1]["id"].as_i64().unwrap();
        // The message as it came, for the administrator to read.
        let r = http
            .get(format!("{base}/api/v1/mail/inbound/{first}/message"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "message/rfc822");
        assert!(r.text().await.unwrap().contains("Please give me VPN access."));
        // Held mail is the administrators' alone.
        let r = http
            .get(format!("{base}/api/v1/mail/inbound"))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);

        // A rule is checked field by field.
        let orgs = common::get_json(&http, &base, &admin, "/api/v1/organisations?limit=100").await;
        let contoso = orgs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "Contoso Pharma")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        for (body, field) in [
            (
                json!({"sender_domain": "contoso.example", "unknown_sender": "create"}),
                "organisation",
            ),
            (
                json!({"opens": "request", "recipient": "desk@steward.test"}),
                "catalogue_item",
            ),
            (json!({"recipient": "not an address"}), "recipient"),
            (json!({}), "recipient"),
            (
                json!({"sender_domain": "contoso.example", "team": "TEAM-999999"}),
                "team",
            ),
        ] {
            let r = http
                .post(format!("{base}/api/v1/mail/rules"))
                .bearer_auth(&admin)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{body}");
            let e: Value = r.json().await.unwrap();
            assert_eq!(e["error"]["fields"][0]["field"], field, "{e:#}");
        }
        let r = http
            .post(format!("{base}/api/v1/mail/rules"))
            .bearer_auth(&admin)
            .json(&json!({"sender_domain": "Contoso.Example", "unknown_sender": "create", "organisation": contoso}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let rule: Value = r.json().await.unwrap();
        assert_eq!(rule["sender_domain"], "contoso.example");

        // The first message is put back and placed by the job runner; the second is discarded.
        let post = |path: String| {
            let request = http.post(format!("{base}{path}")).bearer_auth(&admin);
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(post(format!("/api/v1/mail/inbound/{first}/reconsider")).await, 202);
        assert_eq!(post(format!("/api/v1/mail/inbound/{second}/discard")).await, 200);
        assert_eq!(
            post(format!("/api/v1/mail/inbound/{second}/discard")).await,
            409,
            "only a held message can be discarded"
        );
        let placed = eventually("the reconsidered message placed", async || {
            let m = common::get_json(&http, &base, &admin, &format!("/api/v1/mail/inbound/{first}")).await;
            (m["state"] == "placed").then_some(m)
        })
        .await;
        let reference = placed["record"].as_str().unwrap();
        let inc = common::get_json(&http, &base, &agent, &format!("/api/v1/incidents/{reference}")).await;
        assert_eq!(inc["title"], "VPN access");
        assert_eq!(inc["organisation"], contoso.as_str());
        let ada = common::get_json(
            &http,
            &base,
            &admin,
            &format!("/api/v1/users/{}", inc["caller"].as_str().unwrap()),
        )
        .await;
        assert_eq!(
            (ada["email"].as_str(), ada["role"].as_str()),
            (Some("ada@contoso.example"), Some("requester"))
        );

        let r = http
            .delete(format!("{base}/api/v1/mail/rules/{}", rule["id"]))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let rules = common::get_json(&http, &base, &admin, "/api/v1/mail/rules").await;
        assert_eq!(rules, json!([]));

        let _ = server.kill();
        let _ = server.wait();
        let printed = log.lock().unwrap().clone();
        assert!(!printed.contains("ERROR"), "{printed}");
        db.finish().await;
    }
}
