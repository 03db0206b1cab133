//! Notifications: what Steward tells people about records, in the app and by email.
//!
//! Nothing here writes anything. The store reads the history chain in order and, for each entry,
//! asks [`occurrences`] what happened, loads the record's [`Parties`] and asks [`recipients`] who
//! is told of it and as which [`Event`]; each person's [`Preference`] for that event says whether
//! it shows in the app and whether it is emailed at once, in the daily digest, or not at all. An
//! email's words come from a [`Template`] an administrator may rewrite; its placeholders are
//! filled by [`render`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::comment::Visibility;
use crate::error::Result;
use crate::history::HistoryAction;
use crate::id::{OrganisationId, TeamId, UserId};
use crate::named_enum;
use crate::record::RecordKind;
use crate::user::Role;
use crate::validate::{Checker, TEXT_MAX};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    /// The record it is about, e.g. INC-42.
    pub record: String,
    /// What happened: one of the notification events (`assignment`, `sla_breach`, ...).
    pub kind: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

named_enum! {
    /// What a person may be told about.
    Event {
        /// A ticket they reported (or that was raised for them) was opened.
        Opened = "opened",
        /// A record was assigned to them, or to their team with nobody named.
        Assignment = "assignment",
        /// The customer wrote on a record they work on or watch.
        CustomerReply = "customer_reply",
        /// The service provider answered on a ticket of theirs (what a customer is sent).
        Reply = "reply",
        /// A colleague wrote on a record they work on or watch: a work note or a public answer.
        Comment = "comment",
        /// A record they report, work on or watch changed state.
        StateChange = "state_change",
        /// A service level target is nearly used up.
        SlaWarning = "sla_warning",
        /// A service level target was missed.
        SlaBreach = "sla_breach",
        /// A change waits for their decision.
        ApprovalNeeded = "approval_needed",
        /// A certificate they own has a step falling due.
        CertificationReminder = "certification_reminder",
    }
}

named_enum! {
    /// Whether and when an event is emailed.
    EmailDelivery {
        Off = "off",
        /// As soon as it happens.
        Immediate = "immediate",
        /// Gathered into one message a day.
        Digest = "digest",
    }
}

impl Event {
    /// What the event is, for the preferences page.
    pub fn describe(self) -> &'static str {
        match self {
            Event::Opened => "A ticket you reported was opened",
            Event::Assignment => "A record is assigned to you or your team",
            Event::CustomerReply => "The customer wrote on a record you work on or watch",
            Event::Reply => "The service desk answered on your ticket",
            Event::Comment => "A colleague wrote on a record you work on or watch",
            Event::StateChange => "A record you report, work on or watch changed state",
            Event::SlaWarning => "A service level target is nearly used up",
            Event::SlaBreach => "A service level target was missed",
            Event::ApprovalNeeded => "A change waits for your decision",
            Event::CertificationReminder => "A step of a certificate you own falls due",
        }
    }

    /// How someone who has said nothing is told: everything in the app; by email at once for
    /// what needs them now, in the digest for what can wait.
    pub fn default_preference(self) -> Preference {
        let email = match self {
            Event::SlaWarning | Event::Comment | Event::StateChange => EmailDelivery::Digest,
            _ => EmailDelivery::Immediate,
        };
        Preference {
            event: self,
            in_app: true,
            email,
            chosen: false,
        }
    }
}

/// How one person is told of one event.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Preference {
    pub event: Event,
    /// Shown among the person's notifications in the app.
    pub in_app: bool,
    pub email: EmailDelivery,
    /// Whether the person chose this, rather than it being the default.
    pub chosen: bool,
}

/// The body of `PUT /api/v1/notification-preferences/{event}`: what is left out stays as it is.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencePatch {
    #[serde(default)]
    pub in_app: Option<bool>,
    #[serde(default)]
    pub email: Option<EmailDelivery>,
}

impl PreferencePatch {
    pub fn apply(self, current: &Preference) -> Preference {
        Preference {
            event: current.event,
            in_app: self.in_app.unwrap_or(current.in_app),
            email: self.email.unwrap_or(current.email),
            chosen: true,
        }
    }
}

/// Everyone's preferences, those they chose over the defaults.
pub fn preferences(chosen: &[Preference]) -> Vec<Preference> {
    Event::ALL
        .iter()
        .map(|e| {
            chosen
                .iter()
                .find(|p| p.event == *e)
                .cloned()
                .unwrap_or_else(|| e.default_preference())
        })
        .collect()
}

named_enum! {
    /// The emails Steward writes: one per event, and the daily digest.
    TemplateName {
        Opened = "opened",
        Assignment = "assignment",
        CustomerReply = "customer_reply",
        Reply = "reply",
        Comment = "comment",
        StateChange = "state_change",
        SlaWarning = "sla_warning",
        SlaBreach = "sla_breach",
        ApprovalNeeded = "approval_needed",
        CertificationReminder = "certification_reminder",
        Digest = "digest",
    }
}

impl From<Event> for TemplateName {
    fn from(e: Event) -> Self {
        // The names are the same by construction.
        TemplateName::parse(e.as_str()).unwrap_or(TemplateName::Digest)
    }
}

/// What each placeholder of a template stands for.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("reference", "the record's reference, e.g. INC-42"),
    ("title", "the record's title or name"),
    (
        "actor",
        "who did it (\"Steward\" for the service level clock and reminders)",
    ),
    ("recipient", "the name of the person the message is for"),
    ("status", "the record's state"),
    (
        "text",
        "what was written: the comment, or the detail of a reminder or service level event",
    ),
    ("summary", "the one-line notice shown in the app"),
    ("link", "the record's address in Steward"),
    ("count", "how many notices a digest holds"),
    ("items", "a digest's notices, one to a line"),
];

/// The placeholders a template may use.
pub fn placeholders_of(name: TemplateName) -> &'static [&'static str] {
    match name {
        TemplateName::Digest => &["recipient", "count", "items", "link"],
        _ => &[
            "reference",
            "title",
            "actor",
            "recipient",
            "status",
            "text",
            "summary",
            "link",
        ],
    }
}

/// An email template as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub name: TemplateName,
    /// The subject line; `[{reference}]` in it lets replies find their record.
    pub subject: String,
    pub body: String,
    /// The placeholders it may use, each written `{name}`.
    pub placeholders: Vec<String>,
    /// Whether an administrator rewrote it; otherwise it is Steward's own.
    pub customised: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The body of `PUT /api/v1/notification-templates/{name}`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub subject: String,
    pub body: String,
}

/// The longest subject line a template may have.
pub const SUBJECT_MAX: usize = 300;

impl TemplateName {
    /// Steward's own words for the template: (subject, body before the footer).
    fn default_text(self) -> (&'static str, &'static str) {
        match self {
            TemplateName::Opened => (
                "[{reference}] Received: {title}",
                "Hello {recipient},\n\nwe have received your request and recorded it as {reference}. \
                 Reply to this message to add to it; please keep {reference} in the subject.",
            ),
            TemplateName::Assignment => ("[{reference}] Assigned to you: {title}", "{summary}"),
            TemplateName::CustomerReply => ("[{reference}] {actor} wrote: {title}", "{actor} wrote:\n\n{text}"),
            TemplateName::Reply => (
                "[{reference}] {title}",
                "{text}\n\n{actor}\n\nReply to this message to answer; please keep {reference} in the subject.",
            ),
            TemplateName::Comment => ("[{reference}] Note from {actor}: {title}", "{actor} wrote:\n\n{text}"),
            TemplateName::StateChange => ("[{reference}] Now {status}: {title}", "{summary}"),
            TemplateName::SlaWarning => ("[{reference}] Service level warning: {title}", "{summary}"),
            TemplateName::SlaBreach => ("[{reference}] Service level breached: {title}", "{summary}"),
            TemplateName::ApprovalNeeded => (
                "[{reference}] Your decision is needed: {title}",
                "{summary}\n\nApprove or reject it on its page.",
            ),
            TemplateName::CertificationReminder => ("[{reference}] Reminder: {title}", "{text}"),
            TemplateName::Digest => (
                "Steward: {count} notices",
                "Hello {recipient},\n\nhere is what happened since your last digest:\n\n{items}",
            ),
        }
    }

    /// Steward's own template, as shown when nobody rewrote it.
    pub fn default_template(self) -> Template {
        let (subject, body) = self.default_text();
        Template {
            name: self,
            subject: subject.to_string(),
            body: format!("{body}\n\n-- \n{{link}}\n"),
            placeholders: placeholders_of(self).iter().map(|p| p.to_string()).collect(),
            customised: false,
            updated_at: None,
        }
    }
}

/// The `{name}` placeholders of a text, in order; `{{` and `}}` are a literal brace.
fn placeholders_in(text: &str) -> std::result::Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        let (c, after) = (rest.as_bytes()[i], &rest[i + 1..]);
        if after.as_bytes().first() == Some(&c) {
            rest = &after[1..];
            continue;
        }
        if c == b'}' {
            return Err("has a `}` with no `{` before it (write `}}` for a brace)".into());
        }
        let Some(end) = after.find('}') else {
            return Err("has a `{` that is never closed (write `{{` for a brace)".into());
        };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    Ok(out)
}

impl TemplateInput {
    /// Checks a rewritten template: a one-line subject, a body, and only the placeholders the
    /// template has.
    pub fn check(self, name: TemplateName) -> Result<(String, String)> {
        let subject = self.subject.trim().to_string();
        let body = self.body.replace("\r\n", "\n");
        let mut c = Checker::new();
        if subject.is_empty() {
            c.fail("subject", "must not be blank");
        } else if subject.contains(['\n', '\r']) {
            c.fail("subject", "must be one line");
        } else {
            c.line("subject", &subject, SUBJECT_MAX);
        }
        if body.trim().is_empty() {
            c.fail("body", "must not be blank");
        } else {
            c.text("body", &body, TEXT_MAX);
        }
        let allowed = placeholders_of(name);
        for (field, text) in [("subject", subject.as_str()), ("body", body.as_str())] {
            match placeholders_in(text) {
                Err(why) => c.fail(field, why),
                Ok(found) => {
                    if let Some(bad) = found.iter().find(|p| !allowed.contains(p)) {
                        c.fail(
                            field,
                            format!(
                                "has no placeholder {{{bad}}}; this template has {}",
                                allowed
                                    .iter()
                                    .map(|p| format!("{{{p}}}"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                    }
                }
            }
        }
        c.finish()?;
        Ok((subject, body))
    }
}

/// The values a template's placeholders are filled with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values(BTreeMap<&'static str, String>);

impl Values {
    pub fn new() -> Self {
        Values::default()
    }
    pub fn set(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.0.insert(name, value.into());
        self
    }
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

/// Fills a template's placeholders; a placeholder with no value becomes empty text. (Templates
/// are checked when saved, so an unknown one can only come from an older version's row.)
pub fn render(text: &str, values: &Values) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let (c, after) = (rest.as_bytes()[i], &rest[i + 1..]);
        if after.as_bytes().first() == Some(&c) {
            out.push(c as char);
            rest = &after[1..];
            continue;
        }
        match (c, after.find('}')) {
            (b'{', Some(end)) => {
                out.push_str(values.get(&after[..end]));
                rest = &after[end + 1..];
            }
            _ => {
                out.push(c as char);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A rendered subject as a header can carry it: one line, no control characters, bounded.
pub fn subject_line(rendered: &str) -> String {
    let line: String = rendered
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    line.chars().take(SUBJECT_MAX).collect()
}

/// What one history entry tells the people around a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Occurrence {
    /// The record was created.
    Opened,
    /// It was given to this person.
    Assigned(UserId),
    /// It was given to this team (whose members hear of it while nobody is named).
    AssignedToTeam(TeamId),
    /// It moved to this state.
    StatusChanged(String),
    /// Someone wrote on it.
    Commented { visibility: Visibility, text: String },
    /// A service level threshold was reached: `percent` of `target` of `agreement` is used.
    ServiceLevel {
        breach: bool,
        metric: String,
        agreement: String,
        percent: i64,
        target: String,
    },
    /// Its approvers were asked for their decision.
    ApprovalsRequested,
    /// A reminder about it fell due; the text says of what.
    Reminder(String),
}

/// A JSON text holding a reference: the reference, parsed.
fn reference_in<T: std::str::FromStr>(json: Option<&str>) -> Option<T> {
    match serde_json::from_str::<serde_json::Value>(json?).ok()? {
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// What a history entry means for the people around its record; most entries (a changed
/// description, a link) mean nothing to anyone.
pub fn occurrences(action: HistoryAction, field: Option<&str>, new_value: Option<&str>) -> Vec<Occurrence> {
    match action {
        HistoryAction::Create => {
            let mut out = vec![Occurrence::Opened];
            let record: serde_json::Value = new_value
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or(serde_json::Value::Null);
            let field = |name: &str| record.get(name).and_then(|v| v.as_str()).map(str::to_string);
            match (field("assignee"), field("team")) {
                (Some(a), _) => out.extend(a.parse().ok().map(Occurrence::Assigned)),
                (None, Some(t)) => out.extend(t.parse().ok().map(Occurrence::AssignedToTeam)),
                (None, None) => {}
            }
            out
        }
        HistoryAction::Update | HistoryAction::Transition => match field {
            Some("assignee") => reference_in(new_value).map(Occurrence::Assigned).into_iter().collect(),
            Some("team") => reference_in(new_value)
                .map(Occurrence::AssignedToTeam)
                .into_iter()
                .collect(),
            Some("status") => match new_value.and_then(|v| serde_json::from_str::<serde_json::Value>(v).ok()) {
                Some(serde_json::Value::String(s)) => vec![Occurrence::StatusChanged(s)],
                _ => Vec::new(),
            },
            Some("approvals") => {
                let v: serde_json::Value = new_value
                    .and_then(|v| serde_json::from_str(v).ok())
                    .unwrap_or(serde_json::Value::Null);
                if v.get("requested").is_some() {
                    vec![Occurrence::ApprovalsRequested]
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        },
        HistoryAction::Comment => {
            let Some(visibility) = field.and_then(Visibility::parse) else {
                return Vec::new();
            };
            let text = match new_value.and_then(|v| serde_json::from_str::<serde_json::Value>(v).ok()) {
                Some(serde_json::Value::String(s)) => s,
                Some(other) => other.to_string(),
                None => return Vec::new(),
            };
            vec![Occurrence::Commented { visibility, text }]
        }
        HistoryAction::SlaWarning | HistoryAction::SlaBreach => {
            let v: serde_json::Value = new_value
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or(serde_json::Value::Null);
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
            vec![Occurrence::ServiceLevel {
                breach: action == HistoryAction::SlaBreach,
                metric: field.unwrap_or_default().to_string(),
                agreement: Some(s("name"))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| s("agreement")),
                percent: v.get("percent").and_then(|p| p.as_i64()).unwrap_or(100),
                target: s("target"),
            }]
        }
        HistoryAction::Reminder => {
            let v: serde_json::Value = new_value
                .and_then(|v| serde_json::from_str(v).ok())
                .unwrap_or(serde_json::Value::Null);
            let text = v.get("message").and_then(|m| m.as_str()).unwrap_or_default();
            vec![Occurrence::Reminder(text.to_string())]
        }
        _ => Vec::new(),
    }
}

/// Someone who may be told, as the store found them.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    pub organisation: Option<OrganisationId>,
    pub active: bool,
    /// Cleared for security incidents (an administrator, or cleared by one).
    pub cleared: bool,
}

/// The people around a record when an entry is read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parties {
    pub title: String,
    pub status: String,
    /// The record's organisation: a customer hears only of their own organisation's records.
    pub organisation: Option<OrganisationId>,
    /// Who works it: the assignee, or the owner of a record that has one.
    pub assignee: Option<UserId>,
    pub team: Option<TeamId>,
    /// Who reported it or is served by it (a ticket's caller or requested-for).
    pub caller: Option<UserId>,
    pub watchers: Vec<UserId>,
    /// The pending approvers of a change.
    pub approvers: Vec<UserId>,
    /// A security incident: besides the cleared, only its caller and its assignee hear of it.
    pub restricted: bool,
}

/// Who is told of `occurrence` on a record of `kind`, and as which event: never the person who
/// did it (except that a ticket's reporter is told it was opened), never someone inactive, and a
/// customer only of public things on their own organisation's tickets. `people` holds everyone
/// the parties name; `team_members` the members of any team an occurrence names.
pub fn recipients(
    kind: RecordKind,
    occurrence: &Occurrence,
    actor: Option<UserId>,
    parties: &Parties,
    people: &BTreeMap<UserId, Person>,
    team_members: &dyn Fn(TeamId) -> Vec<UserId>,
) -> Vec<(UserId, Event)> {
    let ticket = matches!(kind, RecordKind::Incident | RecordKind::Request);
    let customer = |u: &UserId| people.get(u).is_some_and(|p| p.role == Role::Requester);
    let actor_is_customer = actor.as_ref().is_some_and(customer);
    // The staff who work the record: the assignee, or the team while nobody is named.
    let workers = || -> Vec<UserId> {
        match (parties.assignee, parties.team) {
            (Some(a), _) => vec![a],
            (None, Some(t)) => team_members(t),
            (None, None) => Vec::new(),
        }
    };
    let mut out: Vec<(UserId, Event)> = Vec::new();
    match occurrence {
        Occurrence::Opened => {
            if ticket {
                out.extend(parties.caller.map(|c| (c, Event::Opened)));
            }
        }
        Occurrence::Assigned(u) => out.push((*u, Event::Assignment)),
        Occurrence::AssignedToTeam(t) => {
            if parties.assignee.is_none() {
                out.extend(team_members(*t).into_iter().map(|u| (u, Event::Assignment)));
            }
        }
        Occurrence::StatusChanged(_) => {
            let mut around = workers();
            if ticket {
                around.extend(parties.caller);
            }
            around.extend(parties.watchers.iter().copied());
            out.extend(around.into_iter().map(|u| (u, Event::StateChange)));
        }
        Occurrence::Commented { visibility, .. } => {
            let mut around = workers();
            if ticket {
                around.extend(parties.caller);
            }
            around.extend(parties.watchers.iter().copied());
            for u in around {
                let event = match (customer(&u), actor_is_customer) {
                    (true, _) => Event::Reply,
                    (false, true) => Event::CustomerReply,
                    (false, false) => Event::Comment,
                };
                if event == Event::Reply && *visibility != Visibility::Public {
                    continue;
                }
                out.push((u, event));
            }
        }
        Occurrence::ServiceLevel { breach, .. } => {
            let event = if *breach { Event::SlaBreach } else { Event::SlaWarning };
            let mut around: Vec<UserId> = parties.assignee.into_iter().collect();
            around.extend(parties.team.map(team_members).unwrap_or_default());
            around.extend(parties.watchers.iter().copied());
            out.extend(around.into_iter().filter(|u| !customer(u)).map(|u| (u, event)));
        }
        Occurrence::ApprovalsRequested => {
            out.extend(parties.approvers.iter().map(|u| (*u, Event::ApprovalNeeded)));
        }
        Occurrence::Reminder(_) => {
            out.extend(parties.assignee.map(|u| (u, Event::CertificationReminder)));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|(u, event)| {
        let Some(p) = people.get(u) else {
            return false;
        };
        let own_act = Some(*u) == actor && *event != Event::Opened;
        let customer_may = p.role != Role::Requester
            || (ticket
                && parties.organisation.is_some()
                && p.organisation == parties.organisation
                && matches!(event, Event::Opened | Event::Reply | Event::StateChange));
        let may_know = !parties.restricted || p.cleared || Some(*u) == parties.assignee || Some(*u) == parties.caller;
        p.active && !own_act && customer_may && may_know && seen.insert(*u)
    });
    out
}

/// The one-line notice of an occurrence, as the app shows it.
pub fn summary(reference: &str, occurrence: &Occurrence, actor: &str, parties: &Parties) -> String {
    let title = &parties.title;
    match occurrence {
        Occurrence::Opened => format!("{reference} was opened: {title}"),
        Occurrence::Assigned(_) => format!("{actor} assigned {reference} to you: {title}"),
        Occurrence::AssignedToTeam(_) => format!("{actor} assigned {reference} to your team: {title}"),
        Occurrence::StatusChanged(s) => format!("{reference} is now {}: {title}", s.replace('_', " ")),
        Occurrence::Commented { visibility, .. } => match visibility {
            Visibility::Public => format!("{actor} replied on {reference}: {title}"),
            Visibility::Internal => format!("{actor} added a work note on {reference}: {title}"),
        },
        Occurrence::ServiceLevel {
            breach: true,
            metric,
            agreement,
            target,
            ..
        } => format!("{reference}: the {metric} target of {agreement} ({target}) is breached"),
        Occurrence::ServiceLevel {
            percent,
            metric,
            agreement,
            ..
        } => format!("{reference}: {percent}% of the {metric} target of {agreement} is used"),
        Occurrence::ApprovalsRequested => format!("{reference} waits for your decision: {title}"),
        Occurrence::Reminder(text) => text.clone(),
    }
}

/// The text a template's `{text}` stands for.
pub fn detail(occurrence: &Occurrence, summary: &str) -> String {
    match occurrence {
        Occurrence::Commented { text, .. } => text.clone(),
        _ => summary.to_string(),
    }
}

/// The `Message-ID` every message about a record refers to, so a mail program threads them and
/// a reply can be traced to its record: `<steward.INC-42@example.com>`.
pub fn thread_id(reference: &str, domain: &str) -> String {
    format!("<steward.{reference}@{domain}>")
}

/// The record a `Message-ID` of Steward's names, from `In-Reply-To` or `References`.
pub fn record_of_message_id(id: &str, domain: &str) -> Option<(RecordKind, i64)> {
    let inner = id.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, host) = inner.rsplit_once('@')?;
    if !host.eq_ignore_ascii_case(domain) {
        return None;
    }
    let reference = local.strip_prefix("steward.")?.split('.').next()?;
    RecordKind::parse_reference(reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, role: Role, org: Option<i64>) -> (UserId, Person) {
        (
            UserId(id),
            Person {
                id: UserId(id),
                name: format!("P{id}"),
                role,
                organisation: org.map(OrganisationId),
                active: true,
                cleared: id == 2,
            },
        )
    }

    fn people() -> BTreeMap<UserId, Person> {
        BTreeMap::from([
            person(1, Role::Agent, None),
            person(2, Role::Agent, None),
            person(3, Role::Requester, Some(7)),
            person(4, Role::Requester, Some(8)),
            person(5, Role::Manager, None),
        ])
    }

    fn ticket() -> Parties {
        Parties {
            title: "Printer down".into(),
            status: "new".into(),
            organisation: Some(OrganisationId(7)),
            assignee: Some(UserId(1)),
            team: Some(TeamId(9)),
            caller: Some(UserId(3)),
            watchers: vec![UserId(5), UserId(4)],
            approvers: vec![],
            restricted: false,
        }
    }

    fn team(_: TeamId) -> Vec<UserId> {
        vec![UserId(1), UserId(2)]
    }

    fn told(occ: Occurrence, actor: i64, parties: &Parties) -> Vec<(i64, Event)> {
        recipients(
            RecordKind::Incident,
            &occ,
            Some(UserId(actor)),
            parties,
            &people(),
            &team,
        )
        .into_iter()
        .map(|(u, e)| (u.0, e))
        .collect()
    }

    #[test]
    fn an_agents_public_reply_reaches_the_caller_as_a_reply_and_colleagues_as_a_comment() {
        let occ = Occurrence::Commented {
            visibility: Visibility::Public,
            text: "Try again".into(),
        };
        // Not the author (1), not the other organisation's customer watching (4).
        assert_eq!(told(occ, 1, &ticket()), vec![(3, Event::Reply), (5, Event::Comment)]);
    }

    #[test]
    fn of_a_security_incident_only_the_cleared_its_caller_and_its_assignee_hear() {
        let secret = Parties {
            restricted: true,
            assignee: None,
            ..ticket()
        };
        let occ = Occurrence::StatusChanged("in_progress".into());
        // The team is 1 and 2 (2 is cleared); 5 watches but is not cleared; 3 is the caller.
        let unassigned = Parties {
            assignee: None,
            ..ticket()
        };
        assert_eq!(
            told(occ.clone(), 9, &unassigned).len(),
            4,
            "were it open, all four would hear"
        );
        assert_eq!(
            told(occ, 9, &secret),
            vec![(2, Event::StateChange), (3, Event::StateChange)]
        );
    }

    #[test]
    fn a_work_note_never_reaches_a_customer() {
        let occ = Occurrence::Commented {
            visibility: Visibility::Internal,
            text: "root cause is the driver".into(),
        };
        assert_eq!(told(occ, 5, &ticket()), vec![(1, Event::Comment)]);
    }

    #[test]
    fn a_customers_reply_reaches_the_assignee_or_else_the_team() {
        let occ = Occurrence::Commented {
            visibility: Visibility::Public,
            text: "still broken".into(),
        };
        assert_eq!(
            told(occ.clone(), 3, &ticket()),
            vec![(1, Event::CustomerReply), (5, Event::CustomerReply)]
        );
        let unassigned = Parties {
            assignee: None,
            watchers: vec![],
            ..ticket()
        };
        assert_eq!(
            told(occ, 3, &unassigned),
            vec![(1, Event::CustomerReply), (2, Event::CustomerReply)]
        );
    }

    #[test]
    fn the_reporter_is_told_a_ticket_was_opened_even_when_they_opened_it() {
        assert_eq!(told(Occurrence::Opened, 3, &ticket()), vec![(3, Event::Opened)]);
        let occ = Occurrence::Assigned(UserId(1));
        assert_eq!(told(occ, 1, &ticket()), vec![], "not of their own act");
    }

    #[test]
    fn a_team_hears_of_an_assignment_only_while_nobody_is_named() {
        let occ = Occurrence::AssignedToTeam(TeamId(9));
        assert_eq!(told(occ.clone(), 5, &ticket()), vec![]);
        let unassigned = Parties {
            assignee: None,
            ..ticket()
        };
        assert_eq!(
            told(occ, 5, &unassigned),
            vec![(1, Event::Assignment), (2, Event::Assignment)]
        );
    }

    #[test]
    fn service_level_events_reach_staff_only() {
        let occ = Occurrence::ServiceLevel {
            breach: true,
            metric: "resolution".into(),
            agreement: "AGR-1".into(),
            percent: 100,
            target: "8h".into(),
        };
        let got = recipients(RecordKind::Incident, &occ, None, &ticket(), &people(), &team);
        let got: Vec<i64> = got.into_iter().map(|(u, _)| u.0).collect();
        assert_eq!(got, vec![1, 2, 5]);
    }

    #[test]
    fn history_entries_read_as_occurrences() {
        let created = r#"{"id":"INC-1","assignee":null,"team":"TEAM-9"}"#;
        assert_eq!(
            occurrences(HistoryAction::Create, None, Some(created)),
            vec![Occurrence::Opened, Occurrence::AssignedToTeam(TeamId(9))]
        );
        assert_eq!(
            occurrences(HistoryAction::Update, Some("assignee"), Some("\"USR-4\"")),
            vec![Occurrence::Assigned(UserId(4))]
        );
        assert_eq!(
            occurrences(HistoryAction::Update, Some("assignee"), Some("null")),
            vec![]
        );
        assert_eq!(
            occurrences(HistoryAction::Transition, Some("status"), Some("\"resolved\"")),
            vec![Occurrence::StatusChanged("resolved".into())]
        );
        assert_eq!(
            occurrences(HistoryAction::Update, Some("description"), Some("\"x\"")),
            vec![]
        );
        assert_eq!(
            occurrences(HistoryAction::Comment, Some("public"), Some("\"hi\"")),
            vec![Occurrence::Commented {
                visibility: Visibility::Public,
                text: "hi".into()
            }]
        );
    }

    #[test]
    fn templates_fill_placeholders_and_keep_doubled_braces() {
        let v = Values::new().set("reference", "INC-4").set("title", "Mail");
        assert_eq!(render("[{reference}] {title} {{x}} {nope}", &v), "[INC-4] Mail {x} ");
        assert_eq!(render("a } b { c", &v), "a } b { c");
        assert_eq!(subject_line("a\r\nBcc: x@y\tz"), "a Bcc: x@y z");
    }

    #[test]
    fn a_template_may_use_only_its_own_placeholders() {
        let ok = TemplateInput {
            subject: "[{reference}] {title}".into(),
            body: "{text}\n{{literal}}".into(),
        };
        assert!(ok.check(TemplateName::Reply).is_ok());
        let bad = TemplateInput {
            subject: "{count}".into(),
            body: "{text".into(),
        };
        let e = bad.check(TemplateName::Reply).unwrap_err().to_string();
        assert!(e.contains("subject") && e.contains("{count}"), "{e}");
        assert!(e.contains("body") && e.contains("never closed"), "{e}");
        let two_lines = TemplateInput {
            subject: "a\nb".into(),
            body: "x".into(),
        };
        assert!(two_lines.check(TemplateName::Digest).is_err());
        for name in TemplateName::ALL {
            let t = name.default_template();
            let back = TemplateInput {
                subject: t.subject,
                body: t.body,
            };
            let r = back.check(*name);
            assert!(r.is_ok(), "{name}: {r:?}");
        }
    }

    #[test]
    fn message_ids_name_their_record() {
        let id = thread_id("INC-42", "steward.example.com");
        assert_eq!(
            record_of_message_id(&id, "steward.example.com"),
            Some((RecordKind::Incident, 42))
        );
        assert_eq!(
            record_of_message_id("<steward.REQ-7.e9.u3@Steward.Example.com>", "steward.example.com"),
            Some((RecordKind::Request, 7))
        );
        assert_eq!(record_of_message_id(&id, "elsewhere.example"), None);
        assert_eq!(
            record_of_message_id("<abc@steward.example.com>", "steward.example.com"),
            None
        );
    }

    #[test]
    fn every_event_has_a_template_and_a_default() {
        for e in Event::ALL {
            assert_eq!(TemplateName::from(*e).as_str(), e.as_str());
            assert!(!e.default_preference().chosen);
        }
        assert_eq!(preferences(&[]).len(), Event::ALL.len());
    }
}
