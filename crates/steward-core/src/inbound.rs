//! Email that arrives: what a message is (a reply on a record, a new ticket, or something that
//! must not be answered), where a new one goes (mail rules), and how its text is made fit for a
//! ticket (HTML reduced to plain text, quoted history trimmed). Every message is kept whatever is
//! decided, so nothing that arrives is lost: one that cannot be placed is held for review.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Operation, authorize};
use crate::comment::{Visibility, authorize_comment};
use crate::error::Result;
use crate::id::{CatalogueItemId, OrganisationId, ServiceId, TeamId};
use crate::named_enum;
use crate::record::RecordKind;
use crate::user::Role;
use crate::validate::{Checker, NAME_MAX, TEXT_MAX, TITLE_MAX};

named_enum! {
    /// Where a received message stands.
    InboundState {
        /// Kept, and not yet decided on (a crash between keeping and placing leaves it here; the
        /// next run places it).
        Received = "received",
        /// Became a comment on a record, or opened one.
        Placed = "placed",
        /// Kept for an administrator to look at: it could not be placed.
        Held = "held",
        /// Refused, with a reply to the sender saying so.
        Rejected = "rejected",
        /// Automatic mail (an auto-reply, a bounce, a report, Steward's own message) — kept and
        /// never answered, so no loop starts.
        Ignored = "ignored",
        /// Looked at and thrown away by an administrator (the message itself is still kept).
        Discarded = "discarded",
    }
}

named_enum! {
    /// What happens to a new message from an address no user has.
    UnknownSender {
        /// The sender becomes a requester of the rule's organisation (without a password) and the
        /// message opens a ticket.
        Create = "create",
        /// A reply tells the sender that the service desk takes email only from its customers.
        Reject = "reject",
        /// The message is held for an administrator.
        Hold = "hold",
    }
}

named_enum! {
    /// The kind of ticket a new message opens.
    Opens {
        Incident = "incident",
        Request = "request",
    }
}

/// A received message, as an administrator sees it in the list of inbound mail.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct InboundMail {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    /// Its `Message-ID`, or one made from its bytes when it had none.
    pub message_id: String,
    /// The address it came from, as its `From` says; empty if it had none.
    pub sender: String,
    pub subject: String,
    /// Its size in bytes, as received.
    pub size: i64,
    pub state: InboundState,
    /// Why it was held, rejected or ignored; what it became when placed.
    pub reason: String,
    /// The record it was placed on or opened, e.g. INC-42.
    pub record: Option<String>,
}

/// Where new messages go: the first rule whose recipient address the message was sent to, or
/// else the first whose domain the sender's address is at.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MailRule {
    pub id: i64,
    /// The rule applies to messages sent to this address (lower case).
    pub recipient: Option<String>,
    /// The rule applies to messages from addresses at this domain (lower case).
    pub sender_domain: Option<String>,
    pub opens: Opens,
    /// The service a new incident is about.
    pub service: Option<ServiceId>,
    /// The catalogue item a new request is for; required when the rule opens requests.
    pub catalogue_item: Option<CatalogueItemId>,
    /// The team a new ticket is assigned to.
    pub team: Option<TeamId>,
    /// The customer organisation new senders are made requesters of.
    pub organisation: Option<OrganisationId>,
    pub unknown_sender: UnknownSender,
    pub created_at: DateTime<Utc>,
}

/// The body of `POST /api/v1/mail/rules`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMailRule {
    /// Match messages sent to this address; give this or `sender_domain`.
    #[serde(default)]
    pub recipient: Option<String>,
    /// Match messages from addresses at this domain, e.g. `example.com`.
    #[serde(default)]
    pub sender_domain: Option<String>,
    /// Defaults to `incident`.
    #[serde(default)]
    pub opens: Option<Opens>,
    #[serde(default)]
    pub service: Option<ServiceId>,
    #[serde(default)]
    pub catalogue_item: Option<CatalogueItemId>,
    #[serde(default)]
    pub team: Option<TeamId>,
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
    /// Defaults to `hold`.
    #[serde(default)]
    pub unknown_sender: Option<UnknownSender>,
}

impl NewMailRule {
    /// The rule as it is kept, or every problem with it named by its field.
    pub fn check(self, at: DateTime<Utc>) -> Result<MailRule> {
        let mut c = Checker::new();
        let recipient = self
            .recipient
            .map(|r| r.trim().to_lowercase())
            .filter(|r| !r.is_empty());
        let sender_domain = self
            .sender_domain
            .map(|d| d.trim().trim_start_matches('@').to_lowercase())
            .filter(|d| !d.is_empty());
        match (&recipient, &sender_domain) {
            (None, None) => c.fail(
                "recipient",
                "give a recipient address or a sender_domain for the rule to match",
            ),
            (Some(_), Some(_)) => c.fail(
                "sender_domain",
                "a rule matches a recipient address or a sender domain, not both",
            ),
            _ => {}
        }
        if let Some(r) = &recipient {
            c.line("recipient", r, NAME_MAX * 2);
            if !looks_like_address(r) {
                c.fail("recipient", "must be an email address such as desk@example.com");
            }
        }
        if let Some(d) = &sender_domain {
            c.line("sender_domain", d, NAME_MAX * 2);
            if !looks_like_domain(d) {
                c.fail("sender_domain", "must be a domain such as example.com");
            }
        }
        let opens = self.opens.unwrap_or(Opens::Incident);
        match opens {
            Opens::Request if self.catalogue_item.is_none() => c.fail(
                "catalogue_item",
                "a rule that opens requests must name the catalogue item they are for",
            ),
            Opens::Incident if self.catalogue_item.is_some() => c.fail(
                "catalogue_item",
                "only a rule that opens requests names a catalogue item",
            ),
            Opens::Request if self.service.is_some() => c.fail(
                "service",
                "a request's service is its catalogue item's; leave service out",
            ),
            _ => {}
        }
        let unknown_sender = self.unknown_sender.unwrap_or(UnknownSender::Hold);
        if unknown_sender == UnknownSender::Create && self.organisation.is_none() {
            c.fail(
                "organisation",
                "a rule that creates requesters for new senders must name the organisation they belong to",
            );
        }
        c.finish()?;
        Ok(MailRule {
            id: 0,
            recipient,
            sender_domain,
            opens,
            service: self.service,
            catalogue_item: self.catalogue_item,
            team: self.team,
            organisation: self.organisation,
            unknown_sender,
            created_at: at,
        })
    }
}

fn looks_like_domain(d: &str) -> bool {
    d.contains('.')
        && !d.starts_with('.')
        && !d.ends_with('.')
        && d.chars().all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '.')
}

fn looks_like_address(a: &str) -> bool {
    match a.rsplit_once('@') {
        Some((local, domain)) => !local.is_empty() && !local.contains(char::is_whitespace) && looks_like_domain(domain),
        None => false,
    }
}

/// The domain of an address, lower case.
pub fn domain_of(address: &str) -> Option<String> {
    address.rsplit_once('@').map(|(_, d)| d.trim().to_lowercase())
}

/// The rule for a new message: the first sent to one of `recipients`, else the first matching
/// the sender's domain.
pub fn choose_rule<'a>(rules: &'a [MailRule], recipients: &[String], sender: &str) -> Option<&'a MailRule> {
    let to: Vec<String> = recipients.iter().map(|r| r.trim().to_lowercase()).collect();
    rules
        .iter()
        .find(|r| r.recipient.as_ref().is_some_and(|a| to.contains(a)))
        .or_else(|| {
            let domain = domain_of(sender)?;
            rules
                .iter()
                .find(|r| r.sender_domain.as_deref() == Some(domain.as_str()))
        })
}

/// What a message's headers say about where it came from, for telling people from machines.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    pub auto_submitted: Option<String>,
    pub precedence: Option<String>,
    /// `X-Autoreply` or `X-Autorespond` is present (set by most vacation responders).
    pub autoreply_header: bool,
    /// The message asks not to be answered automatically, though a person may have written it:
    /// `X-Auto-Response-Suppress` (Outlook and Exchange), `X-Loop` (a forwarder's mark), or it
    /// came through a mailing list (`List-Id`, `Precedence: list`).
    pub no_auto_reply: bool,
    /// The message is a `multipart/report` (a delivery-status or read report) or a
    /// `message/delivery-status`.
    pub report: bool,
    /// The `Return-Path` is `<>`, the null sender of bounces.
    pub null_return_path: bool,
    /// The sender's address.
    pub sender: String,
    /// The message carries a `Message-ID` of Steward's own making (it is one of ours, come back).
    pub own_message_id: bool,
    /// How many mail servers it passed through (its `Received` headers).
    pub hops: usize,
}

/// More hops than any real delivery takes: a message that has passed through this many servers
/// is going round in a loop.
pub const MAX_HOPS: usize = 30;

/// Messages from one sender in an hour beyond which the next are held, not placed: a runaway
/// responder or a loop that the other signs missed stops here.
pub const SENDER_HOURLY_LIMIT: i64 = 20;

/// Why a message must not be answered or placed, if it came from a machine rather than a person.
pub fn automatic(s: &Signals, own_address: &str) -> Option<String> {
    if s.own_message_id || (!own_address.is_empty() && s.sender.eq_ignore_ascii_case(own_address)) {
        return Some("sent by Steward itself".into());
    }
    if s.report {
        return Some("a delivery-status or read report".into());
    }
    if s.null_return_path {
        return Some("sent with an empty return path, as bounces are".into());
    }
    let local = s
        .sender
        .rsplit_once('@')
        .map_or(s.sender.as_str(), |(l, _)| l)
        .to_lowercase();
    if matches!(
        local.as_str(),
        "mailer-daemon" | "postmaster" | "noreply" | "no-reply" | "donotreply" | "do-not-reply"
    ) {
        return Some(format!("sent from a mail system's address ({local})"));
    }
    if let Some(a) = &s.auto_submitted {
        let a = a.trim().to_lowercase();
        if !a.is_empty() && a != "no" {
            return Some(format!("marked Auto-Submitted: {}", first_word(&a)));
        }
    }
    if let Some(p) = &s.precedence {
        let p = p.trim().to_lowercase();
        if matches!(p.as_str(), "bulk" | "junk" | "auto_reply") {
            return Some(format!("marked Precedence: {p}"));
        }
    }
    if s.autoreply_header {
        return Some("marked as an automatic reply".into());
    }
    if s.hops > MAX_HOPS {
        return Some(format!(
            "passed through {} mail servers, as a message in a loop does",
            s.hops
        ));
    }
    None
}

/// Whether a message may be answered automatically (with a refusal): never automatic mail, nor a
/// message that asks for no automatic answer.
pub fn may_answer(s: &Signals, own_address: &str) -> bool {
    !s.no_auto_reply && automatic(s, own_address).is_none()
}

fn first_word(s: &str) -> &str {
    s.split(|c: char| c == ';' || c.is_whitespace()).next().unwrap_or(s)
}

/// The record a message is about: a `Message-ID` of Steward's in `In-Reply-To` or `References`
/// (the newest first), else a `[INC-42]` tag in the subject.
pub fn named_record(subject: &str, message_ids: &[String], domain: &str) -> Option<(RecordKind, i64)> {
    message_ids
        .iter()
        .rev()
        .find_map(|id| crate::notification::record_of_message_id(id, domain))
        .or_else(|| reference_in_subject(subject))
}

/// The first `[PREFIX-n]` tag in a subject that names a record.
pub fn reference_in_subject(subject: &str) -> Option<(RecordKind, i64)> {
    let mut rest = subject;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        if let Some(found) = RecordKind::parse_reference(after[..close].trim()) {
            return Some(found);
        }
        rest = &after[close..];
    }
    None
}

/// A ticket's title from a message's subject: reply and forward marks and Steward's own tag
/// taken off, one line, at most the length a title may be.
pub fn title_of(subject: &str) -> String {
    let mut s = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let lower = s.to_lowercase();
        let cut = ["re:", "fw:", "fwd:", "aw:", "wg:", "tr:", "sv:", "vs:", "antw:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len());
        match cut {
            Some(n) => s = s[n..].trim_start().to_string(),
            None => break,
        }
    }
    let s: String = s.chars().filter(|c| !c.is_control()).take(TITLE_MAX).collect();
    if s.trim().is_empty() {
        "(no subject)".into()
    } else {
        s.trim().to_string()
    }
}

/// Text fit for a record: NULs removed (no column holds them), line ends made `\n`, at most
/// what a text field holds, with a note when cut.
pub fn fit_text(text: &str) -> String {
    let clean: String = text.replace("\r\n", "\n").replace('\r', "\n").replace('\0', "");
    let clean = clean.trim_matches('\n').trim_end().to_string();
    if clean.chars().count() <= TEXT_MAX {
        return clean;
    }
    let note = "\n\n[the rest of this message was cut; the whole message is kept with the inbound mail]";
    let mut out: String = clean.chars().take(TEXT_MAX - note.chars().count()).collect();
    out.push_str(note);
    out
}

/// A reply's new words: the quoted history below it taken off (the "On … wrote:" line and what
/// follows, an Outlook "Original Message" block, trailing `>` lines). If nothing would be left,
/// the text is kept whole.
pub fn trim_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let lower = t.to_lowercase();
        let attribution = (lower.starts_with("on ") && lower.ends_with("wrote:"))
            || (lower.starts_with("am ") && lower.contains(" schrieb") && lower.ends_with(':'))
            || (lower.starts_with("le ") && (lower.ends_with("a écrit :") || lower.ends_with("a écrit:")))
            || (lower.starts_with("el ") && lower.ends_with("escribió:"));
        let outlook = lower.starts_with("-----original message-----")
            || lower.starts_with("-------- original message --------")
            || (t.starts_with("________________________________")
                && lines
                    .get(i + 1)
                    .is_some_and(|n| n.trim_start().to_lowercase().starts_with("from:")))
            || (lower.starts_with("from:")
                && i > 0
                && lines[i - 1].trim().is_empty()
                && lines.get(i + 1).is_some_and(|n| {
                    let n = n.trim_start().to_lowercase();
                    n.starts_with("sent:") || n.starts_with("date:")
                }));
        // An attribution broken over two lines ("On Tue, … Jane Doe <jane@…>\nwrote:").
        let split_attribution = lower.starts_with("on ")
            && lines
                .get(i + 1)
                .is_some_and(|n| n.trim().eq_ignore_ascii_case("wrote:"));
        if attribution || outlook || split_attribution {
            end = i;
            break;
        }
    }
    let mut kept = &lines[..end];
    while let Some((last, rest)) = kept.split_last() {
        let t = last.trim();
        if t.is_empty() || t.starts_with('>') {
            kept = rest;
        } else {
            break;
        }
    }
    let out = kept.join("\n").trim_end().to_string();
    if out.trim().is_empty() {
        text.trim_end().to_string()
    } else {
        out
    }
}

/// An HTML body as plain text: scripts, styles and the head dropped, blocks and line breaks kept
/// as lines, list items as `- `, quotations as `> `, links followed by their address, character
/// references decoded. Nothing of the markup survives, so the text is safe wherever it is shown.
pub fn html_to_text(html: &str) -> String {
    let mut w = TextWriter::default();
    let mut rest = html;
    let mut skipping: Option<String> = None;
    let mut pre = 0usize;
    let mut links: Vec<Option<String>> = Vec::new();
    while !rest.is_empty() {
        if let Some(body) = rest.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |e| &body[e + 3..]);
            continue;
        }
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                // A lone '<' with no tag after it: text.
                if skipping.is_none() {
                    w.text("<", pre > 0);
                }
                rest = &rest[1..];
                continue;
            };
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            let closing = tag.starts_with('/');
            let inner = tag.trim_start_matches('/');
            let name: String = inner
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if let Some(s) = &skipping {
                if closing && *s == name {
                    skipping = None;
                }
                continue;
            }
            match name.as_str() {
                "script" | "style" | "head" | "title" | "template" | "noscript"
                    if !closing && !inner.trim_end().ends_with('/') =>
                {
                    skipping = Some(name);
                }
                "br" => w.newline(),
                "p" | "div" | "tr" | "table" | "ul" | "ol" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "section"
                | "article" | "header" | "footer" | "address" | "dl" | "dt" | "dd" | "center" | "form" => {
                    w.block();
                }
                "pre" => {
                    w.block();
                    if closing {
                        pre = pre.saturating_sub(1);
                    } else {
                        pre += 1;
                    }
                }
                "li" if !closing => {
                    w.newline();
                    w.text("- ", true);
                }
                "td" | "th" if !closing => w.text(" ", false),
                "hr" => {
                    w.block();
                    w.text("---", true);
                    w.block();
                }
                "blockquote" => {
                    if !w.line.trim().is_empty() {
                        w.newline();
                    }
                    if closing {
                        w.depth = w.depth.saturating_sub(1);
                        while w
                            .lines
                            .last()
                            .is_some_and(|l| l.trim_start_matches(['>', ' ']).is_empty())
                        {
                            w.lines.pop();
                        }
                    }
                    w.block();
                    if !closing {
                        w.depth += 1;
                    }
                }
                "img" if !closing => {
                    if let Some(alt) = attribute(inner, "alt").filter(|a| !a.trim().is_empty()) {
                        w.text(&format!("[{}]", decode_entities(&alt)), false);
                    }
                }
                "a" => {
                    if closing {
                        if let Some(Some(href)) = links.pop() {
                            w.text(&format!(" <{href}>"), false);
                        }
                    } else {
                        let href = attribute(inner, "href")
                            .map(|h| decode_entities(&h))
                            .filter(|h| h.starts_with("http://") || h.starts_with("https://"));
                        links.push(href);
                    }
                }
                _ => {}
            }
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        if skipping.is_none() {
            w.text(&decode_entities(&rest[..next]), pre > 0);
        }
        rest = &rest[next..];
    }
    w.finish()
}

/// The value of attribute `name` in a tag's inside (`a href="…"`), quoted or not.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let at = from + pos;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let offset = tag.len() - after.len() + 1;
        let value = tag[offset..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or("").to_string(),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or("")
                .to_string(),
        });
    }
    None
}

/// Writes text line by line, collapsing white space (except in `pre`), prefixing quoted lines.
#[derive(Default)]
struct TextWriter {
    lines: Vec<String>,
    line: String,
    depth: usize,
    pending_space: bool,
}

impl TextWriter {
    fn text(&mut self, s: &str, verbatim: bool) {
        if verbatim {
            for (i, part) in s.split('\n').enumerate() {
                if i > 0 {
                    self.newline();
                }
                self.push(part);
            }
            return;
        }
        for (i, word) in s.split(|c: char| c.is_whitespace() && c != '\u{a0}').enumerate() {
            if i > 0 {
                self.pending_space = true;
            }
            if !word.is_empty() {
                if self.pending_space && !self.line.is_empty() {
                    self.line.push(' ');
                }
                self.pending_space = false;
                self.line.push_str(&word.replace('\u{a0}', " "));
            }
        }
    }

    fn push(&mut self, s: &str) {
        self.line.push_str(s);
        self.pending_space = false;
    }

    fn newline(&mut self) {
        let prefix = "> ".repeat(self.depth);
        let line = std::mem::take(&mut self.line);
        self.lines
            .push(format!("{prefix}{}", line.trim_end()).trim_end().to_string());
        self.pending_space = false;
    }

    /// Ends the current line and leaves one blank line before what follows (not two).
    fn block(&mut self) {
        if !self.line.trim().is_empty() {
            self.newline();
        }
        if self
            .lines
            .last()
            .is_some_and(|l| !l.trim_start_matches(['>', ' ']).is_empty())
        {
            self.lines.push(if self.depth > 0 { ">".into() } else { String::new() });
        }
        self.line.clear();
    }

    fn finish(mut self) -> String {
        if !self.line.trim().is_empty() {
            self.newline();
        }
        let mut out: Vec<String> = Vec::with_capacity(self.lines.len());
        for l in self.lines {
            let blank = l.trim_start_matches(['>', ' ']).is_empty();
            if blank && out.last().is_none_or(|p| p.trim_start_matches(['>', ' ']).is_empty()) {
                continue;
            }
            out.push(l);
        }
        while out.last().is_some_and(|l| l.trim_start_matches(['>', ' ']).is_empty()) {
            out.pop();
        }
        out.join("\n")
    }
}

/// HTML character references as the characters they stand for; an unknown one is left as it is.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let ch = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(num, 16).ok().and_then(char::from_u32)
            } else if let Some(num) = name.strip_prefix('#') {
                num.parse::<u32>().ok().and_then(char::from_u32)
            } else {
                named_entity(name)
            };
            ch.filter(|c| *c != '\0').map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "euro" => '€',
        "pound" => '£',
        "bull" => '•',
        "middot" => '·',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "eacute" => 'é',
        "egrave" => 'è',
        "agrave" => 'à',
        "ccedil" => 'ç',
        _ => return None,
    })
}

/// The person a message came from, if a user has the address.
#[derive(Debug, Clone)]
pub struct KnownSender {
    pub actor: Actor,
    pub active: bool,
}

/// The record a message names, as looked up.
#[derive(Debug, Clone)]
pub enum Named {
    /// It exists, in this organisation.
    Found {
        kind: RecordKind,
        id: i64,
        organisation: Option<OrganisationId>,
    },
    /// It names a record that does not exist.
    Missing { reference: String },
}

/// Everything known about a message when deciding what it is.
#[derive(Debug, Clone)]
pub struct Situation<'a> {
    /// The sender's address; empty if the message had none.
    pub sender_address: &'a str,
    /// Why it is automatic, if it is (see [`automatic`]).
    pub automatic: Option<String>,
    /// Messages from the same sender received in the hour before this one.
    pub recent_from_sender: i64,
    pub sender: Option<KnownSender>,
    pub named: Option<Named>,
    /// The rule for a new message from this sender to these recipients.
    pub rule: Option<&'a MailRule>,
}

/// What becomes of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision<'a> {
    /// A comment on the record, by the sender: public from a customer, a work note from the
    /// service provider's people (so that nothing an agent writes by email reaches a customer
    /// unless they write it in Steward).
    Comment {
        kind: RecordKind,
        id: i64,
        visibility: Visibility,
    },
    /// A new ticket, by the rule if one matched (an incident with nothing more set otherwise);
    /// `create_sender` when the sender is to be made a requester first.
    Open {
        rule: Option<&'a MailRule>,
        create_sender: bool,
    },
    /// Not placed: held for review, refused with a reply, or ignored as automatic.
    Keep { state: InboundState, reason: String },
}

fn keep<'a>(state: InboundState, reason: impl Into<String>) -> Decision<'a> {
    Decision::Keep {
        state,
        reason: reason.into(),
    }
}

/// Decides what a received message is. Machines are never answered; people are answered only
/// when a rule says so; whatever cannot be placed is held, never dropped.
pub fn decide<'a>(s: &Situation<'a>) -> Decision<'a> {
    if s.sender_address.is_empty() {
        return keep(InboundState::Held, "the message has no sender address");
    }
    if let Some(why) = &s.automatic {
        return keep(InboundState::Ignored, format!("automatic mail: {why}"));
    }
    if s.recent_from_sender >= SENDER_HOURLY_LIMIT {
        return keep(
            InboundState::Held,
            format!("more than {SENDER_HOURLY_LIMIT} messages from this sender within an hour"),
        );
    }
    let Some(sender) = &s.sender else {
        if let Some(Named::Found { kind, id, .. }) = &s.named {
            return keep(
                InboundState::Held,
                format!("no user has this address, and it writes about {}-{id}", kind.prefix()),
            );
        }
        return match s.rule.map(|r| r.unknown_sender) {
            None => keep(
                InboundState::Held,
                "no user has this address, and no mail rule matches it",
            ),
            Some(UnknownSender::Hold) => keep(
                InboundState::Held,
                "no user has this address; the mail rule holds such messages",
            ),
            Some(UnknownSender::Reject) => keep(
                InboundState::Rejected,
                "no user has this address; the mail rule refuses such messages",
            ),
            Some(UnknownSender::Create) => Decision::Open {
                rule: s.rule,
                create_sender: true,
            },
        };
    };
    if !sender.active {
        return keep(InboundState::Held, "the sender's account is inactive");
    }
    match &s.named {
        Some(Named::Found { kind, id, organisation }) => {
            let allowed = authorize_comment(&sender.actor, *kind).is_ok_and(|scope| scope.covers(*organisation));
            if !allowed {
                return keep(
                    InboundState::Held,
                    format!("the sender may not write on {}-{id}", kind.prefix()),
                );
            }
            let visibility = if sender.actor.role == Role::Requester {
                Visibility::Public
            } else {
                Visibility::Internal
            };
            Decision::Comment {
                kind: *kind,
                id: *id,
                visibility,
            }
        }
        Some(Named::Missing { reference }) => keep(
            InboundState::Held,
            format!("it writes about {reference}, which does not exist"),
        ),
        None => {
            let kind = match s.rule.map(|r| r.opens) {
                Some(Opens::Request) => RecordKind::Request,
                _ => RecordKind::Incident,
            };
            let allowed = authorize(&sender.actor, kind, Operation::Create)
                .is_ok_and(|scope| scope.covers(sender.actor.organisation));
            if !allowed {
                return keep(
                    InboundState::Held,
                    format!("the sender may not open {} records", kind.as_str()),
                );
            }
            Decision::Open {
                rule: s.rule,
                create_sender: false,
            }
        }
    }
}

/// The reply to a refused message: (subject, body).
pub fn rejection_reply(subject: &str) -> (String, String) {
    let subject = format!("Not accepted: {}", title_of(subject));
    let body = "Your message was not accepted: this service desk takes email only from the people \
                it serves, and your address is not one of them.\n\n\
                If you think it should be, ask your organisation's contact to have you added.\n\n\
                This reply was sent automatically; answering it reaches no one."
        .to_string();
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::UserId;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    fn rule(recipient: Option<&str>, domain: Option<&str>, unknown: UnknownSender) -> MailRule {
        MailRule {
            id: 1,
            recipient: recipient.map(str::to_string),
            sender_domain: domain.map(str::to_string),
            opens: Opens::Incident,
            service: None,
            catalogue_item: None,
            team: None,
            organisation: Some(OrganisationId(7)),
            unknown_sender: unknown,
            created_at: at(),
        }
    }

    fn person(role: Role, org: Option<i64>) -> KnownSender {
        KnownSender {
            actor: Actor {
                user: UserId(3),
                role,
                organisation: org.map(OrganisationId),
                cleared: false,
            },
            active: true,
        }
    }

    fn situation<'a>() -> Situation<'a> {
        Situation {
            sender_address: "jane@customer.example",
            automatic: None,
            recent_from_sender: 0,
            sender: None,
            named: None,
            rule: None,
        }
    }

    #[test]
    fn machines_are_recognised_by_their_headers() {
        let base = Signals {
            sender: "jane@customer.example".into(),
            ..Signals::default()
        };
        assert_eq!(automatic(&base, "desk@steward.example"), None);
        let cases: Vec<(Signals, &str)> = vec![
            (
                Signals {
                    auto_submitted: Some("auto-replied".into()),
                    ..base.clone()
                },
                "Auto-Submitted: auto-replied",
            ),
            (
                Signals {
                    auto_submitted: Some("auto-generated; owner-email=x".into()),
                    ..base.clone()
                },
                "auto-generated",
            ),
            (
                Signals {
                    precedence: Some("Bulk".into()),
                    ..base.clone()
                },
                "Precedence: bulk",
            ),
            (
                Signals {
                    autoreply_header: true,
                    ..base.clone()
                },
                "automatic reply",
            ),
            (
                Signals {
                    report: true,
                    ..base.clone()
                },
                "report",
            ),
            (
                Signals {
                    null_return_path: true,
                    ..base.clone()
                },
                "empty return path",
            ),
            (
                Signals {
                    sender: "MAILER-DAEMON@mx.example".into(),
                    ..base.clone()
                },
                "mailer-daemon",
            ),
            (
                Signals {
                    own_message_id: true,
                    ..base.clone()
                },
                "Steward itself",
            ),
            (
                Signals {
                    sender: "Desk@Steward.example".into(),
                    ..base.clone()
                },
                "Steward itself",
            ),
            (
                Signals {
                    hops: MAX_HOPS + 1,
                    ..base.clone()
                },
                "loop",
            ),
        ];
        for (s, expected) in cases {
            let why = automatic(&s, "desk@steward.example").unwrap_or_default();
            assert!(why.contains(expected), "{why:?} should mention {expected:?}");
        }
        let human = Signals {
            auto_submitted: Some("no".into()),
            precedence: Some("normal".into()),
            ..base.clone()
        };
        assert_eq!(automatic(&human, "desk@steward.example"), None);
        assert!(may_answer(&human, "desk@steward.example"));
        // Outlook marks people's own messages so, and a list carries people's words: placed,
        // but never answered automatically.
        let quiet = Signals {
            no_auto_reply: true,
            precedence: Some("list".into()),
            ..base.clone()
        };
        assert_eq!(automatic(&quiet, "desk@steward.example"), None);
        assert!(!may_answer(&quiet, "desk@steward.example"));
        assert!(!may_answer(&Signals { report: true, ..base }, "desk@steward.example"));
    }

    #[test]
    fn the_record_is_found_by_thread_headers_then_by_subject_tag() {
        let ids = vec![
            "<abc@mail.example>".to_string(),
            "<steward.INC-42.h9.u3@desk.example>".to_string(),
        ];
        assert_eq!(
            named_record("Re: printer", &ids, "desk.example"),
            Some((RecordKind::Incident, 42))
        );
        assert_eq!(
            named_record("Re: [REQ-7] laptop", &[], "desk.example"),
            Some((RecordKind::Request, 7))
        );
        assert_eq!(
            named_record("Re: [REQ-7] laptop", &ids, "other.example"),
            Some((RecordKind::Request, 7))
        );
        assert_eq!(
            named_record("[urgent] [INC-9] down", &[], "d.example"),
            Some((RecordKind::Incident, 9))
        );
        assert_eq!(named_record("[urgent] printer", &[], "d.example"), None);
        assert_eq!(named_record("[INC-x] [", &[], "d.example"), None);
        assert_eq!(named_record("INC-42 without brackets", &[], "d.example"), None);
    }

    #[test]
    fn titles_lose_reply_marks_and_never_come_out_blank() {
        assert_eq!(title_of("Re: RE: Fwd:  Printer   on fire"), "Printer on fire");
        assert_eq!(title_of("AW: Drucker"), "Drucker");
        assert_eq!(title_of("   "), "(no subject)");
        assert_eq!(title_of("Re:"), "(no subject)");
        assert_eq!(title_of(&"x".repeat(500)).chars().count(), TITLE_MAX);
        assert_eq!(title_of("line\u{7}bell"), "linebell");
    }

    #[test]
    fn quoted_history_is_trimmed_from_replies() {
        let gmail = "Thanks, that worked.\n\nOn Tue, 1 Dec 2026 at 10:00, Desk <desk@x.example> wrote:\n> Please restart.\n> Regards";
        assert_eq!(trim_quoted(gmail), "Thanks, that worked.");
        let outlook =
            "Still broken.\r\n\r\n-----Original Message-----\r\nFrom: Desk\r\nSent: Tuesday\r\n\r\nPlease restart.";
        assert_eq!(trim_quoted(outlook), "Still broken.");
        let outlook_html =
            "Still broken.\n\n________________________________\nFrom: Desk <desk@x.example>\nSent: Tuesday";
        assert_eq!(trim_quoted(outlook_html), "Still broken.");
        let header_block = "Done.\n\nFrom: Desk <desk@x.example>\nSent: 1 December 2026\nTo: Jane";
        assert_eq!(trim_quoted(header_block), "Done.");
        let split = "Yes.\n\nOn Tue, 1 Dec 2026 at 10:00, Service Desk <desk@x.example>\nwrote:\n> old";
        assert_eq!(trim_quoted(split), "Yes.");
        let german = "Danke.\n\nAm 01.12.2026 um 10:00 schrieb Desk <desk@x.example>:\n> alt";
        assert_eq!(trim_quoted(german), "Danke.");
        let interleaved = "> Is it on?\nYes it is.\n> Which model?\nLaserJet.\n\n> --\n> Desk";
        assert_eq!(
            trim_quoted(interleaved),
            "> Is it on?\nYes it is.\n> Which model?\nLaserJet."
        );
        let only_quote = "> everything quoted";
        assert_eq!(trim_quoted(only_quote), "> everything quoted");
        assert_eq!(trim_quoted("plain words"), "plain words");
    }

    #[test]
    fn html_becomes_plain_text_with_its_structure() {
        let html = "<html><head><title>T</title><style>p{color:red}</style></head><body>\
            <p>Hello&nbsp;team,</p><div>The <b>printer</b> &amp; scanner<br>are down.</div>\
            <ul><li>first</li><li>second</li></ul>\
            <script>alert('x')</script><!-- a comment <p>hidden</p> -->\
            <p>See <a href=\"https://status.example/x?a=1&amp;b=2\">status</a>.</p>\
            <blockquote><p>quoted line</p></blockquote><img src=cid:1 alt=\"logo\"></body></html>";
        let text = html_to_text(html);
        assert_eq!(
            text,
            "Hello team,\n\nThe printer & scanner\nare down.\n\n- first\n- second\n\nSee status <https://status.example/x?a=1&b=2>.\n\n> quoted line\n\n[logo]"
        );
        assert!(!text.contains('<') || text.contains("<https://"));
        assert_eq!(
            html_to_text("a < b &unknown; &#233;&#x263A;&#0;"),
            "a < b &unknown; é☺&#0;"
        );
        assert_eq!(
            html_to_text("<pre>  two\n   lines</pre>"),
            "two\n   lines".replacen("two", "  two", 1)
        );
        assert_eq!(html_to_text("<a href=\"javascript:alert(1)\">x</a>"), "x");
        assert_eq!(html_to_text("<p>unclosed <script>never shown"), "unclosed");
        assert_eq!(html_to_text(""), "");
    }

    #[test]
    fn long_text_is_cut_with_a_note_and_nul_removed() {
        assert_eq!(fit_text("a\r\nb\0c\r"), "a\nbc");
        let long = "x".repeat(TEXT_MAX + 10);
        let fitted = fit_text(&long);
        assert_eq!(fitted.chars().count(), TEXT_MAX);
        assert!(fitted.ends_with("kept with the inbound mail]"));
    }

    #[test]
    fn rules_match_the_recipient_before_the_sender_domain() {
        let rules = vec![
            rule(None, Some("customer.example"), UnknownSender::Create),
            rule(Some("hr@desk.example"), None, UnknownSender::Hold),
        ];
        let to = vec!["HR@desk.example".to_string()];
        assert_eq!(
            choose_rule(&rules, &to, "jane@customer.example").and_then(|r| r.recipient.clone()),
            Some("hr@desk.example".into())
        );
        assert_eq!(
            choose_rule(&rules, &["desk@desk.example".into()], "Jane@Customer.Example").map(|r| r.unknown_sender),
            Some(UnknownSender::Create)
        );
        assert!(choose_rule(&rules, &["desk@desk.example".into()], "joe@other.example").is_none());
    }

    #[test]
    fn a_new_rule_is_checked() {
        let ok = NewMailRule {
            recipient: Some(" Desk@Example.com ".into()),
            sender_domain: None,
            opens: None,
            service: None,
            catalogue_item: None,
            team: None,
            organisation: None,
            unknown_sender: None,
        };
        let r = ok.clone().check(at()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.recipient.as_deref(), Some("desk@example.com"));
        assert_eq!((r.opens, r.unknown_sender), (Opens::Incident, UnknownSender::Hold));
        let fields = |rule: NewMailRule| match rule.check(at()) {
            Err(crate::Error::Invalid(f)) => f.into_iter().map(|f| f.field).collect::<Vec<_>>(),
            other => panic!("expected invalid, got {other:?}"),
        };
        assert_eq!(
            fields(NewMailRule {
                recipient: None,
                ..ok.clone()
            }),
            ["recipient"]
        );
        assert_eq!(
            fields(NewMailRule {
                sender_domain: Some("x.example".into()),
                ..ok.clone()
            }),
            ["sender_domain"]
        );
        assert_eq!(
            fields(NewMailRule {
                recipient: Some("not an address".into()),
                ..ok.clone()
            }),
            ["recipient"]
        );
        assert_eq!(
            fields(NewMailRule {
                opens: Some(Opens::Request),
                ..ok.clone()
            }),
            ["catalogue_item"]
        );
        assert_eq!(
            fields(NewMailRule {
                unknown_sender: Some(UnknownSender::Create),
                ..ok.clone()
            }),
            ["organisation"]
        );
        assert_eq!(
            fields(NewMailRule {
                recipient: None,
                sender_domain: Some("@bad domain".into()),
                ..ok
            }),
            ["sender_domain"]
        );
    }

    #[test]
    fn decisions_follow_who_wrote_and_about_what() {
        let create = rule(None, Some("customer.example"), UnknownSender::Create);
        let reject = rule(None, Some("customer.example"), UnknownSender::Reject);
        let s = situation();
        assert!(matches!(
            decide(&s),
            Decision::Keep {
                state: InboundState::Held,
                ..
            }
        ));
        assert!(matches!(
            decide(&Situation {
                rule: Some(&create),
                ..s.clone()
            }),
            Decision::Open {
                create_sender: true,
                ..
            }
        ));
        assert!(matches!(
            decide(&Situation {
                rule: Some(&reject),
                ..s.clone()
            }),
            Decision::Keep {
                state: InboundState::Rejected,
                ..
            }
        ));
        // Automatic mail is ignored before anything else, so it is never answered.
        assert!(matches!(
            decide(&Situation {
                rule: Some(&reject),
                automatic: Some("x".into()),
                ..s.clone()
            }),
            Decision::Keep {
                state: InboundState::Ignored,
                ..
            }
        ));
        assert!(matches!(
            decide(&Situation {
                sender_address: "",
                ..s.clone()
            }),
            Decision::Keep {
                state: InboundState::Held,
                ..
            }
        ));
        assert!(matches!(
            decide(&Situation {
                rule: Some(&create),
                recent_from_sender: SENDER_HOURLY_LIMIT,
                ..s.clone()
            }),
            Decision::Keep {
                state: InboundState::Held,
                ..
            }
        ));

        let customer = Some(person(Role::Requester, Some(7)));
        let on = |org: i64| {
            Some(Named::Found {
                kind: RecordKind::Incident,
                id: 42,
                organisation: Some(OrganisationId(org)),
            })
        };
        assert_eq!(
            decide(&Situation {
                sender: customer.clone(),
                named: on(7),
                ..s.clone()
            }),
            Decision::Comment {
                kind: RecordKind::Incident,
                id: 42,
                visibility: Visibility::Public
            }
        );
        // Another organisation's ticket: held, not placed.
        assert!(matches!(
            decide(&Situation {
                sender: customer.clone(),
                named: on(8),
                ..s.clone()
            }),
            Decision::Keep {
                state: InboundState::Held,
                ..
            }
        ));
        let agent = Some(person(Role::Agent, None));
        assert_eq!(
            decide(&Situation {
                sender: agent.clone(),
                named: on(8),
                ..s.clone()
            }),
            Decision::Comment {
                kind: RecordKind::Incident,
                id: 42,
                visibility: Visibility::Internal
            }
        );
        let auditor = Some(person(Role::Auditor, None));
        assert!(matches!(
            decide(&Situation {
                sender: auditor.clone(),
                named: on(8),
                ..s.clone()
            }),
            Decision::Keep {
                state: InboundState::Held,
                ..
            }
        ));
        assert!(matches!(
            decide(&Situation {
                sender: auditor.clone(),
                ..s.clone()
            }),
            Decision::Keep {
                state: InboundState::Held,
                ..
            }
        ));
        assert!(matches!(
            decide(&Situation {
                sender: customer.clone(),
                named: Some(Named::Missing {
                    reference: "INC-9".into()
                }),
                ..s.clone()
            }),
            Decision::Keep {
                state: InboundState::Held,
                ..
            }
        ));
        assert!(matches!(
            decide(&Situation {
                sender: customer.clone(),
                ..s.clone()
            }),
            Decision::Open {
                rule: None,
                create_sender: false
            }
        ));
        let inactive = Some(KnownSender {
            active: false,
            ..person(Role::Requester, Some(7))
        });
        assert!(matches!(
            decide(&Situation {
                sender: inactive,
                ..s.clone()
            }),
            Decision::Keep {
                state: InboundState::Held,
                ..
            }
        ));
        // An unknown sender writing about an existing ticket is held, whatever the rule says.
        assert!(matches!(
            decide(&Situation {
                rule: Some(&create),
                named: on(7),
                ..s
            }),
            Decision::Keep {
                state: InboundState::Held,
                ..
            }
        ));
    }
}
