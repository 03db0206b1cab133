//! Email that arrives, from `steward mail ingest` or the IMAP poller: the message is kept as it
//! came before anything else is done with it, then read (headers, text, files — any character set
//! and transfer encoding, through `mail-parser`), decided on by core's rules, and placed: a reply
//! becomes a comment on its record, a new message opens a ticket, and whatever cannot be placed is
//! held for review. Automatic mail is kept and never answered, so no loop starts.

use chrono::{DateTime, Utc};
use mail_parser::{MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};
use steward_core::access::Actor;
use steward_core::attachment::{ATTACHMENT_MAX, content_type_of};
use steward_core::inbound::{
    Decision, InboundState, KnownSender, MailRule, Named, Opens, Signals, Situation, automatic, choose_rule, decide,
    fit_text, html_to_text, may_answer, named_record, rejection_reply, title_of, trim_quoted,
};
use steward_core::incident::{Incident, NewIncident};
use steward_core::request::{NewRequest, Request};
use steward_core::service::CatalogueItem;
use steward_core::user::{NewUser, Role, User};
use steward_core::validate::NAME_MAX;
use steward_core::{Error, Result};
use steward_store::{MailFile, MailReply, NewInboundMail, Store};

/// The largest message taken in; a larger one is refused before it is kept (the mail server then
/// returns it to its sender, so it is not lost either).
pub const MESSAGE_MAX: usize = 40 * 1024 * 1024;

/// What inbound mail needs to know of Steward's own email.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The domain of Steward's `Message-ID`s, to find the record a reply is about.
    pub domain: String,
    /// The address Steward's email comes from: a message from it is Steward's own, come back.
    pub own_address: String,
}

impl Incoming {
    /// From the address Steward's email comes from, e.g. `Service Desk <desk@example.com>`.
    pub fn from_address(from: &str) -> std::result::Result<Incoming, crate::smtp::ConfigError> {
        let mailbox = crate::smtp::parse_from(from)?;
        Ok(Incoming {
            domain: mailbox.email.domain().to_ascii_lowercase(),
            own_address: mailbox.email.to_string().to_ascii_lowercase(),
        })
    }
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    /// The inbound mail's id.
    pub id: i64,
    pub state: InboundState,
    pub reason: String,
    /// The record it was placed on or opened.
    pub record: Option<String>,
    /// It had been received before (by its `Message-ID`); nothing new was done.
    pub duplicate: bool,
}

/// A message as read.
#[derive(Debug, Clone, Default)]
struct Read {
    message_id: Option<String>,
    sender: String,
    sender_name: Option<String>,
    recipients: Vec<String>,
    subject: String,
    /// `References` then `In-Reply-To`, so the last is the message answered.
    thread_ids: Vec<String>,
    signals: Signals,
    text: String,
    files: Vec<(String, Option<String>, Vec<u8>)>,
}

fn angle(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{id}>")
}

/// Reads what Steward needs from a message; `None` if it is not a message at all. Run under
/// `catch_unwind` by the caller, so a parser fault on some strange message holds it instead of
/// ending the process.
fn read(raw: &[u8]) -> Option<Read> {
    let msg = MessageParser::default().parse(raw)?;
    let from = msg.from().and_then(|a| a.first());
    let sender = from
        .and_then(|a| a.address())
        .or_else(|| msg.sender().and_then(|a| a.first()).and_then(|a| a.address()))
        .unwrap_or("")
        .trim()
        .to_lowercase();
    let sender_name = from.and_then(|a| a.name()).map(str::to_string);
    let mut recipients: Vec<String> = msg
        .to()
        .into_iter()
        .chain(msg.cc())
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
        .map(str::to_lowercase)
        .collect();
    let mut hops = 0;
    let mut autoreply_header = false;
    let mut no_auto_reply = false;
    for (name, value) in msg.headers_raw() {
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            "received" => hops += 1,
            "delivered-to" | "x-original-to" | "envelope-to" => {
                recipients.push(value.trim().trim_matches(['<', '>']).to_lowercase());
            }
            "x-autoreply" | "x-autorespond" => autoreply_header = true,
            "x-auto-response-suppress" | "x-loop" | "list-id" => no_auto_reply = true,
            _ => {}
        }
    }
    let mut thread_ids: Vec<String> = Vec::new();
    for h in [msg.references(), msg.in_reply_to()] {
        if let Some(list) = h.as_text_list() {
            thread_ids.extend(list.iter().map(|s| angle(s)));
        }
    }
    let root = msg.root_part();
    let report = root.content_type().is_some_and(|ct| {
        let t = ct.ctype().to_ascii_lowercase();
        let s = ct.subtype().unwrap_or("").to_ascii_lowercase();
        (t == "multipart" && s == "report")
            || (t == "message" && (s == "delivery-status" || s == "disposition-notification"))
    });
    let header = |n: &str| msg.header_raw(n).map(|v| v.trim().to_string());
    let signals = Signals {
        auto_submitted: header("Auto-Submitted"),
        precedence: header("Precedence"),
        autoreply_header,
        no_auto_reply: no_auto_reply || header("Precedence").is_some_and(|p| p.eq_ignore_ascii_case("list")),
        report,
        null_return_path: header("Return-Path").is_some_and(|r| r.replace(' ', "") == "<>"),
        sender: sender.clone(),
        own_message_id: false,
        hops,
    };
    let mut texts: Vec<String> = Vec::new();
    for part in msg.text_bodies() {
        match &part.body {
            PartType::Text(t) => texts.push(t.to_string()),
            PartType::Html(h) => texts.push(html_to_text(h)),
            _ => {}
        }
    }
    if texts.is_empty() {
        for part in msg.html_bodies() {
            if let PartType::Html(h) = &part.body {
                texts.push(html_to_text(h));
            }
        }
    }
    let mut files = Vec::new();
    for (n, part) in msg.attachments().enumerate() {
        let declared = part.content_type().map(|ct| match ct.subtype() {
            Some(s) => format!("{}/{}", ct.ctype(), s).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        });
        let forwarded = part
            .message()
            .and_then(|m| m.subject())
            .filter(|s| !s.trim().is_empty());
        let name = part
            .attachment_name()
            .map(str::to_string)
            .or_else(|| forwarded.map(|s| format!("{s}.eml")))
            .unwrap_or_else(|| {
                let ext = match declared.as_deref() {
                    Some("message/rfc822") => "eml",
                    Some("image/png") => "png",
                    Some("image/jpeg") => "jpg",
                    Some("image/gif") => "gif",
                    Some("application/pdf") => "pdf",
                    Some("text/plain") => "txt",
                    Some("text/html") => "html",
                    _ => "bin",
                };
                format!("attachment-{}.{ext}", n + 1)
            });
        let bytes = match &part.body {
            PartType::Message(m) => m.raw_message().to_vec(),
            _ => part.contents().to_vec(),
        };
        files.push((name, declared, bytes));
    }
    Some(Read {
        message_id: msg.message_id().map(angle),
        sender,
        sender_name,
        recipients,
        subject: msg.subject().unwrap_or("").to_string(),
        thread_ids,
        signals,
        text: texts.join("\n\n"),
        files,
    })
}

/// [`read`], with a fault in the parser turned into "not readable".
fn read_safely(raw: &[u8]) -> Option<Read> {
    std::panic::catch_unwind(|| read(raw)).ok().flatten()
}

/// A file's name as kept: the last part of a Windows path, slashes as dashes (a name such as
/// `invoice 2026/11.pdf` keeps its words), without control characters, not too long.
fn file_name(name: &str) -> String {
    let base: String = name
        .rsplit('\\')
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '/' { '-' } else { c })
        .collect();
    let base = base.trim();
    if base.is_empty() {
        return "attachment".into();
    }
    if base.chars().count() <= NAME_MAX {
        return base.to_string();
    }
    // Keep the extension when cutting.
    let ext: String = base
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| e.len() <= 10)
        .unwrap_or("")
        .into();
    let keep = NAME_MAX - ext.len() - 1;
    format!("{}.{ext}", base.chars().take(keep).collect::<String>())
}

/// The message's files as they can be attached, and a line for each that cannot (empty or too
/// large), to add to the text.
fn files_of(read: &Read, mail: i64) -> (Vec<MailFile>, Vec<String>) {
    let mut files = Vec::new();
    let mut notes = Vec::new();
    for (name, declared, bytes) in &read.files {
        let name = file_name(name);
        if bytes.is_empty() {
            notes.push(format!("[the file {name} was empty and is not attached]"));
            continue;
        }
        if bytes.len() > ATTACHMENT_MAX {
            notes.push(format!(
                "[the file {name} ({} MiB) is larger than an attachment may be ({} MiB); it is kept with inbound message {mail}]",
                bytes.len().div_ceil(1024 * 1024),
                ATTACHMENT_MAX / 1024 / 1024
            ));
            continue;
        }
        // A declaration the bytes contradict is not believed: the bytes decide.
        let content_type = content_type_of(bytes, declared.as_deref())
            .or_else(|_| content_type_of(bytes, None))
            .unwrap_or_else(|_| "application/octet-stream".into());
        files.push(MailFile {
            name,
            content_type,
            bytes: bytes.clone(),
        });
    }
    (files, notes)
}

fn with_notes(text: String, notes: &[String]) -> String {
    if notes.is_empty() {
        return text;
    }
    let notes = notes.join("\n");
    if text.trim().is_empty() {
        notes
    } else {
        format!("{text}\n\n{notes}")
    }
}

/// Keeps a message and decides on it. An error means the message could not even be kept (the
/// database is unreachable, say): the caller tells the mail server to try again later. Once kept,
/// a message that cannot be placed is held with the reason, not returned as an error.
pub async fn ingest(store: &Store, incoming: &Incoming, raw: &[u8], now: DateTime<Utc>) -> Result<Ingested> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::invalid(
            "message",
            "is empty: there was no message on standard input",
        ));
    }
    if raw.len() > MESSAGE_MAX {
        return Err(Error::invalid(
            "message",
            format!(
                "is {} MiB; at most {} MiB is taken in",
                raw.len().div_ceil(1024 * 1024),
                MESSAGE_MAX / 1024 / 1024
            ),
        ));
    }
    let parsed = read_safely(raw);
    let fallback_id = format!("<sha256.{}@steward.invalid>", hex::encode(Sha256::digest(raw)));
    let message_id = parsed
        .as_ref()
        .and_then(|r| r.message_id.clone())
        .unwrap_or(fallback_id);
    let (sender, subject) = match &parsed {
        Some(r) => (r.sender.as_str(), r.subject.as_str()),
        None => ("", ""),
    };
    let (id, state, new) = store
        .receive_mail(NewInboundMail {
            message_id: &message_id,
            sender,
            subject,
            raw,
            at: now,
        })
        .await?;
    if !new && state != InboundState::Received {
        return as_kept(store, id, true).await;
    }
    let mut out = place_read(store, incoming, id, &message_id, parsed, now).await?;
    out.duplicate = !new;
    Ok(out)
}

/// Decides on a kept message that is still `received` — one a stopped process left, or a held
/// one put back by an administrator — reading it again from its kept bytes.
pub async fn place(store: &Store, incoming: &Incoming, id: i64, now: DateTime<Utc>) -> Result<Ingested> {
    let mail = store
        .get_inbound_mail(id)
        .await?
        .ok_or_else(|| Error::not_found("inbound mail", id))?;
    let raw = store.inbound_raw(id).await?.unwrap_or_default();
    let parsed = read_safely(&raw);
    place_read(store, incoming, id, &mail.message_id, parsed, now).await
}

async fn place_read(
    store: &Store,
    incoming: &Incoming,
    id: i64,
    message_id: &str,
    parsed: Option<Read>,
    now: DateTime<Utc>,
) -> Result<Ingested> {
    let Some(mut read) = parsed else {
        return keep(
            store,
            id,
            InboundState::Held,
            "it could not be read as an email message",
            None,
            now,
        )
        .await;
    };
    read.signals.own_message_id = message_id
        .trim_matches(['<', '>'])
        .strip_prefix("steward.")
        .is_some_and(|rest| {
            rest.rsplit_once('@')
                .is_some_and(|(_, d)| d.eq_ignore_ascii_case(&incoming.domain))
        });
    let why_automatic = automatic(&read.signals, &incoming.own_address);
    let recent = if read.sender.is_empty() {
        0
    } else {
        store.mail_from_sender(&read.sender, id, now).await?
    };
    let user = if read.sender.is_empty() {
        None
    } else {
        store.user_by_email(&read.sender).await?
    };
    let sender = user.as_ref().map(|u| KnownSender {
        actor: Actor::of(u),
        active: u.active,
    });
    let named = match named_record(&read.subject, &read.thread_ids, &incoming.domain) {
        // A record kept to others (a security incident) is, to this sender, a record not found.
        Some((kind, record)) => Some(
            match store.locate(kind, record).await?.filter(|l| {
                l.need_to_know.is_none() || sender.as_ref().is_some_and(|s| s.actor.knows(l.need_to_know.as_ref()))
            }) {
                Some(l) => Named::Found {
                    kind,
                    id: record,
                    organisation: l.organisation,
                },
                None => Named::Missing {
                    reference: format!("{}-{record}", kind.prefix()),
                },
            },
        ),
        None => None,
    };
    let rules = store.mail_rules().await?;
    let rule = choose_rule(&rules, &read.recipients, &read.sender);
    let situation = Situation {
        sender_address: &read.sender,
        automatic: why_automatic,
        recent_from_sender: recent,
        sender,
        named,
        rule,
    };
    match decide(&situation) {
        Decision::Keep { state, reason } => {
            let answer = may_answer(&read.signals, &incoming.own_address);
            let reply = (state == InboundState::Rejected && answer).then(|| {
                let (subject, body) = rejection_reply(&read.subject);
                MailReply {
                    recipient: read.sender.clone(),
                    subject,
                    body,
                    message_id: format!("<steward.rejection.m{id}@{}>", incoming.domain),
                    in_reply_to: message_id.to_string(),
                }
            });
            let reason = if state == InboundState::Rejected && !answer {
                format!("{reason}; no reply was sent, as the message asks for no automatic answer")
            } else {
                reason
            };
            keep(store, id, state, &reason, reply, now).await
        }
        Decision::Comment {
            kind,
            id: record,
            visibility,
        } => {
            let Some(author) = user.as_ref().map(|u| u.id) else {
                return keep(store, id, InboundState::Held, "the sender went missing", None, now).await;
            };
            let (files, notes) = files_of(&read, id);
            let body = fit_text(&with_notes(trim_quoted(&read.text), &notes));
            let placed = store
                .comment_from_mail(id, kind, record, author, now, visibility, &body, &files)
                .await;
            settled(store, id, placed, now).await
        }
        Decision::Open { rule, create_sender } => {
            let opened = open(store, &read, id, user.as_ref(), rule, create_sender, now).await;
            settled(store, id, opened, now).await
        }
    }
}

/// Opens the ticket a new message asks for.
async fn open(
    store: &Store,
    read: &Read,
    mail: i64,
    user: Option<&User>,
    rule: Option<&MailRule>,
    create_sender: bool,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let new_sender = if create_sender {
        let input = NewUser {
            email: read.sender.clone(),
            name: read.sender_name.clone().filter(|n| !n.trim().is_empty()),
            role: Role::Requester,
            organisation: rule.and_then(|r| r.organisation),
            password: None,
            security_cleared: None,
        };
        Some(User::create(&input, now)?)
    } else {
        None
    };
    let person = user.map(|u| u.id);
    let organisation = match (&new_sender, user) {
        (Some(n), _) => n.organisation,
        (None, Some(u)) => u.organisation,
        (None, None) => None,
    };
    let (files, notes) = files_of(read, mail);
    let description = fit_text(&with_notes(read.text.clone(), &notes));
    let title = title_of(&read.subject);
    let rules = store.priority_rules().await?;
    match rule.map(|r| r.opens) {
        Some(Opens::Request) => {
            let rule = rule.ok_or_else(|| Error::unexpected("a request rule went missing"))?;
            let item_id = rule
                .catalogue_item
                .ok_or_else(|| Error::invalid("catalogue_item", "the mail rule names no catalogue item"))?;
            let item: CatalogueItem = store
                .get(item_id.0)
                .await?
                .filter(|i: &CatalogueItem| i.active)
                .ok_or_else(|| {
                    Error::invalid(
                        "catalogue_item",
                        format!("the mail rule's catalogue item {item_id} is not active"),
                    )
                })?;
            let input = NewRequest {
                title,
                description: Some(description),
                catalogue_item: item_id,
                requested_for: person,
                impact: None,
                urgency: None,
                category: None,
                subcategory: None,
                assignee: None,
                team: rule.team,
                supplier: None,
            };
            let request = Request::create(input, item.service, organisation, &rules.standard, now)?;
            store
                .open_from_mail(
                    mail,
                    now,
                    request,
                    person,
                    new_sender,
                    |r, u| r.requested_for = Some(u),
                    &files,
                )
                .await
        }
        Some(Opens::Incident) | None => {
            let input = NewIncident {
                title,
                description: Some(description),
                service: rule.and_then(|r| r.service),
                configuration_item: None,
                caller: person,
                impact: None,
                urgency: None,
                major: None,
                security: None,
                category: None,
                subcategory: None,
                assignee: None,
                team: rule.and_then(|r| r.team),
                supplier: None,
            };
            let incident = Incident::create(input, organisation, &rules, now)?;
            store
                .open_from_mail(
                    mail,
                    now,
                    incident,
                    person,
                    new_sender,
                    |i, u| i.caller = Some(u),
                    &files,
                )
                .await
        }
    }
}

/// What a placement came to: placed; or, when what the message asks for cannot be done (a rule
/// naming a retired catalogue item, a sender address no user may have), held with the reason.
/// Any other error leaves the message `received`, to be placed on a later run.
async fn settled(store: &Store, id: i64, placed: Result<Option<String>>, now: DateTime<Utc>) -> Result<Ingested> {
    match placed {
        Ok(Some(_)) => as_kept(store, id, false).await,
        Ok(None) => as_kept(store, id, true).await,
        Err(e @ (Error::Invalid(_) | Error::NotFound { .. } | Error::Conflict(_) | Error::Forbidden(_))) => {
            keep(
                store,
                id,
                InboundState::Held,
                &format!("it could not be placed: {e}"),
                None,
                now,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn keep(
    store: &Store,
    id: i64,
    state: InboundState,
    reason: &str,
    reply: Option<MailReply>,
    now: DateTime<Utc>,
) -> Result<Ingested> {
    if !store.keep_mail(id, state, reason, reply, now).await? {
        return as_kept(store, id, true).await;
    }
    Ok(Ingested {
        id,
        state,
        reason: reason.to_string(),
        record: None,
        duplicate: false,
    })
}

/// What became of a kept message, as its row says; `duplicate` when this run did not decide it.
async fn as_kept(store: &Store, id: i64, duplicate: bool) -> Result<Ingested> {
    let mail = store
        .get_inbound_mail(id)
        .await?
        .ok_or_else(|| Error::unexpected("a received message went missing"))?;
    Ok(Ingested {
        id,
        state: mail.state,
        reason: mail.reason,
        record: mail.record,
        duplicate,
    })
}

/// Why a message was not taken in, as one sentence from its field errors.
pub fn refusal(fields: &[steward_core::FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("the {} {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}
