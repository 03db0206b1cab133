//! Notifications: the notifier that reads the history chain and tells people what happened (in
//! the app, and by email at once or in the daily digest), each person's preferences, and the
//! email templates.
//!
//! The notifier reads history after its cursor in chain order and writes the notifications, the
//! outgoing email and the moved cursor in one transaction, so each entry is told exactly once
//! however many processes run it, and a write never waits for anyone to be told: the write path
//! costs nothing more than its history entry.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use steward_core::history::HistoryAction;
use steward_core::id::{OrganisationId, TeamId, UserId};
use steward_core::mail::{MailSettings, MailState, digest_cut};
use steward_core::notification::{
    EmailDelivery, Event, Notification, Occurrence, Parties, Person, Preference, Template, TemplateName, Values,
    detail, occurrences, placeholders_of, recipients, render, subject_line, summary, thread_id,
};
use steward_core::record::RecordKind;
use steward_core::user::Role;
use steward_core::{Error, Result};

use crate::exec::{Arg, Tx};
use crate::page::{MAX_LIMIT, decode_cursor, encode_cursor};
use crate::record::table_of;
use crate::{Page, Store, args, from_micros, micros, opt_from_micros, parse_stored, placeholders};

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: i64,
    record_kind: String,
    record_id: i64,
    kind: String,
    message: String,
    created_at: i64,
    read_at: Option<i64>,
}

/// One email to queue.
pub(crate) struct Outgoing {
    pub user: Option<i64>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub thread: Option<String>,
    pub record: Option<(RecordKind, i64)>,
    pub event: String,
}

/// Queues email in one statement per chunk; a message whose `Message-ID` is queued already is
/// left as it is, so queueing is idempotent.
pub(crate) async fn queue_mail(tx: &mut Tx, mail: &[Outgoing], at: i64) -> Result<()> {
    const COLS: usize = 14;
    for chunk in mail.chunks(crate::record::MAX_PARAMETERS / COLS) {
        let mut values = Vec::with_capacity(chunk.len());
        let mut a: Vec<Arg> = Vec::with_capacity(chunk.len() * COLS);
        for m in chunk {
            values.push(format!("({})", placeholders(a.len() + 1, COLS)));
            a.extend(args![
                m.user,
                m.recipient.clone(),
                m.subject.clone(),
                m.body.clone(),
                m.message_id.clone(),
                m.thread.clone(),
                m.thread.clone(),
                m.record.map(|(k, _)| k.as_str()),
                m.record.map(|(_, id)| id),
                m.event.clone(),
                MailState::Pending.as_str(),
                0_i64,
                at,
                at
            ]);
        }
        let sql = format!(
            "INSERT INTO mail_outbox (user_id, recipient, subject, body, message_id, in_reply_to, thread_refs, \
             record_kind, record_id, event, state, attempts, next_attempt_at, created_at) VALUES {} \
             ON CONFLICT (message_id) DO NOTHING",
            values.join(", ")
        );
        tx.execute(&sql, a).await?;
    }
    Ok(())
}

/// One notification to write.
struct Notice {
    user: i64,
    kind: RecordKind,
    record: i64,
    event: Event,
    message: String,
    in_app: bool,
    digest: bool,
}

async fn write_notices(tx: &mut Tx, notices: &[Notice], at: i64) -> Result<()> {
    const COLS: usize = 8;
    for chunk in notices.chunks(crate::record::MAX_PARAMETERS / COLS) {
        let mut values = Vec::with_capacity(chunk.len());
        let mut a: Vec<Arg> = Vec::with_capacity(chunk.len() * COLS);
        for n in chunk {
            values.push(format!("({})", placeholders(a.len() + 1, COLS)));
            a.extend(args![
                n.user,
                n.kind.as_str(),
                n.record,
                n.event.as_str(),
                n.message.clone(),
                at,
                n.in_app,
                n.digest.then_some("pending")
            ]);
        }
        let sql = format!(
            "INSERT INTO notifications (user_id, record_kind, record_id, kind, message, created_at, in_app, digest_state) \
             VALUES {}",
            values.join(", ")
        );
        tx.execute(&sql, a).await?;
    }
    Ok(())
}

/// The columns that name a kind's parties: (title, status, who works it, team, who reported it).
fn party_columns(kind: RecordKind) -> [&'static str; 5] {
    const NONE: &str = "CAST(NULL AS BIGINT)";
    const NO_STATUS: &str = "''";
    use RecordKind as K;
    match kind {
        K::Incident => ["title", "status", "assignee_id", "team_id", "caller_id"],
        K::Request => ["title", "status", "assignee_id", "team_id", "requested_for_id"],
        K::Problem | K::Change => ["title", "status", "assignee_id", "team_id", NONE],
        K::Release => ["name", "status", "assignee_id", "team_id", NONE],
        K::ConfigurationItem | K::Service => ["name", "status", "owner_id", "team_id", NONE],
        K::Agreement => ["name", NO_STATUS, "owner_id", "team_id", NONE],
        K::Asset => ["name", "status", "owner_id", NONE, NONE],
        K::Licence | K::Supplier => ["name", NO_STATUS, "owner_id", NONE, NONE],
        K::CapacityRequirement | K::DemandForecast => ["title", NO_STATUS, "owner_id", NONE, NONE],
        K::ContinuityPlan => ["title", "status", "owner_id", NONE, NONE],
        K::ContinuityTest => ["title", "status", NONE, NONE, NONE],
        K::SecurityControl | K::Article => ["title", "status", "owner_id", NONE, NONE],
        K::Action
        | K::Document
        | K::Improvement
        | K::Nonconformity
        | K::Objective
        | K::Risk
        | K::Contract
        | K::Dispute
        | K::ServiceReview
        | K::Budget
        | K::Complaint => ["title", "status", "owner_id", NONE, NONE],
        K::Cost => ["description", "category", NONE, NONE, NONE],
        K::Certificate => ["number", "status", "owner_id", NONE, NONE],
        K::Audit => ["title", "status", "lead_auditor_id", NONE, NONE],
        K::Assessment | K::ManagementReview | K::Outage => ["title", "status", NONE, NONE, NONE],
        K::Evidence | K::Finding | K::SmsScope => ["title", NO_STATUS, NONE, NONE, NONE],
        K::Survey => ["kind", "status", NONE, NONE, NONE],
        K::Programme => ["name", "status", NONE, NONE, NONE],
        K::CatalogueItem
        | K::Calendar
        | K::Organisation
        | K::Team
        | K::User
        | K::ChangeBlackout
        | K::ChangeTemplate => ["name", NO_STATUS, NONE, NONE, NONE],
    }
}

#[derive(sqlx::FromRow)]
struct PartyRow {
    id: i64,
    title: String,
    status: String,
    organisation: Option<i64>,
    assignee: Option<i64>,
    team: Option<i64>,
    caller: Option<i64>,
    restricted: bool,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    seq: i64,
    record_kind: String,
    record_id: i64,
    actor_id: Option<i64>,
    action: String,
    field: Option<String>,
    new_value: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    name: String,
    email: String,
    role: String,
    organisation_id: Option<i64>,
    active: bool,
    security_cleared: bool,
}

#[derive(sqlx::FromRow)]
struct PreferenceRow {
    user_id: i64,
    event: String,
    in_app: bool,
    email: String,
}

/// The people with these ids, with their addresses.
async fn people_in(tx: &mut Tx, ids: &BTreeSet<i64>) -> Result<HashMap<i64, (Person, String)>> {
    let mut out = HashMap::new();
    let ids: Vec<i64> = ids.iter().copied().collect();
    for chunk in ids.chunks(crate::record::MAX_PARAMETERS) {
        let sql = format!(
            "SELECT id, name, email, role, organisation_id, active, security_cleared FROM users WHERE id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<PersonRow> = tx
            .fetch_all(&sql, chunk.iter().map(|i| Arg::from(*i)).collect())
            .await?;
        for r in rows {
            let role = parse_stored("role", &r.role, Role::parse)?;
            out.insert(
                r.id,
                (
                    Person {
                        id: UserId(r.id),
                        name: r.name,
                        role,
                        organisation: r.organisation_id.map(OrganisationId),
                        active: r.active,
                        cleared: role == Role::Admin || r.security_cleared,
                    },
                    r.email,
                ),
            );
        }
    }
    Ok(out)
}

/// The preferences these people chose, by person and event.
async fn chosen_preferences(tx: &mut Tx, ids: &BTreeSet<i64>) -> Result<HashMap<(i64, Event), Preference>> {
    let mut out = HashMap::new();
    let ids: Vec<i64> = ids.iter().copied().collect();
    for chunk in ids.chunks(crate::record::MAX_PARAMETERS) {
        let sql = format!(
            "SELECT user_id, event, in_app, email FROM notification_preferences WHERE user_id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<PreferenceRow> = tx
            .fetch_all(&sql, chunk.iter().map(|i| Arg::from(*i)).collect())
            .await?;
        for r in rows {
            // A row for an event this version does not know is left alone.
            let (Some(event), Some(email)) = (Event::parse(&r.event), EmailDelivery::parse(&r.email)) else {
                continue;
            };
            out.insert(
                (r.user_id, event),
                Preference {
                    event,
                    in_app: r.in_app,
                    email,
                    chosen: true,
                },
            );
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct TemplateRow {
    name: String,
    subject: String,
    body: String,
    updated_at: i64,
}

/// Every template, the rewritten ones as rewritten.
async fn templates_in(tx: &mut Tx) -> Result<HashMap<TemplateName, Template>> {
    let rows: Vec<TemplateRow> = tx
        .fetch_all(
            "SELECT name, subject, body, updated_at FROM notification_templates",
            vec![],
        )
        .await?;
    let mut out: HashMap<TemplateName, Template> =
        TemplateName::ALL.iter().map(|n| (*n, n.default_template())).collect();
    for r in rows {
        let Some(name) = TemplateName::parse(&r.name) else {
            continue;
        };
        out.insert(
            name,
            Template {
                name,
                subject: r.subject,
                body: r.body,
                placeholders: placeholders_of(name).iter().map(|p| p.to_string()).collect(),
                customised: true,
                updated_at: Some(from_micros(r.updated_at)?),
            },
        );
    }
    Ok(out)
}

/// The parties of the records named, by kind and id, with their watchers and a change's pending
/// approvers: a few statements per kind, however many records.
async fn parties_of(
    tx: &mut Tx,
    wanted: &HashMap<RecordKind, BTreeSet<i64>>,
) -> Result<HashMap<(RecordKind, i64), Parties>> {
    let mut out = HashMap::new();
    for (kind, ids) in wanted {
        let ids: Vec<i64> = ids.iter().copied().collect();
        let [title, status, assignee, team, caller] = party_columns(*kind);
        let organisation = crate::record::organisation_column(*kind).unwrap_or("CAST(NULL AS BIGINT)");
        let restricted = crate::record::need_to_know_columns(*kind).map_or("FALSE", |n| n.flag);
        for chunk in ids.chunks(crate::record::MAX_PARAMETERS) {
            let a: Vec<Arg> = chunk.iter().map(|i| Arg::from(*i)).collect();
            let sql = format!(
                "SELECT id, CAST({title} AS TEXT) AS title, CAST({status} AS TEXT) AS status, {organisation} AS organisation, \
                 {assignee} AS assignee, {team} AS team, {caller} AS caller, {restricted} AS restricted \
                 FROM {} WHERE id IN ({})",
                table_of(*kind),
                placeholders(1, chunk.len())
            );
            let rows: Vec<PartyRow> = tx.fetch_all(&sql, a.clone()).await?;
            for r in rows {
                out.insert(
                    (*kind, r.id),
                    Parties {
                        title: r.title,
                        status: r.status,
                        organisation: r.organisation.map(OrganisationId),
                        assignee: r.assignee.map(UserId),
                        team: r.team.map(TeamId),
                        caller: r.caller.map(UserId),
                        watchers: Vec::new(),
                        approvers: Vec::new(),
                        restricted: r.restricted,
                    },
                );
            }
            let mut wa = args![kind.as_str()];
            wa.extend(a.iter().cloned());
            let sql = format!(
                "SELECT record_id, user_id FROM watchers WHERE record_kind = $1 AND record_id IN ({}) \
                 ORDER BY record_id, user_id",
                placeholders(2, chunk.len())
            );
            let watchers: Vec<(i64, i64)> = tx.fetch_all(&sql, wa).await?;
            for (record, user) in watchers {
                if let Some(p) = out.get_mut(&(*kind, record)) {
                    p.watchers.push(UserId(user));
                }
            }
            if *kind == RecordKind::Change {
                let sql = format!(
                    "SELECT change_id, approver_id FROM change_approvals WHERE decision = 'pending' AND change_id IN ({}) \
                     ORDER BY change_id, approver_id",
                    placeholders(1, chunk.len())
                );
                let approvers: Vec<(i64, i64)> = tx.fetch_all(&sql, a).await?;
                for (change, user) in approvers {
                    if let Some(p) = out.get_mut(&(*kind, change)) {
                        p.approvers.push(UserId(user));
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The members of these teams.
async fn members_of(tx: &mut Tx, teams: &BTreeSet<i64>) -> Result<HashMap<i64, Vec<UserId>>> {
    let mut out: HashMap<i64, Vec<UserId>> = HashMap::new();
    let ids: Vec<i64> = teams.iter().copied().collect();
    for chunk in ids.chunks(crate::record::MAX_PARAMETERS) {
        let sql = format!(
            "SELECT team_id, user_id FROM team_members WHERE team_id IN ({}) ORDER BY team_id, user_id",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(i64, i64)> = tx
            .fetch_all(&sql, chunk.iter().map(|i| Arg::from(*i)).collect())
            .await?;
        for (team, user) in rows {
            out.entry(team).or_default().push(UserId(user));
        }
    }
    Ok(out)
}

/// The address of a record's page.
fn link_of(settings: &MailSettings, kind: RecordKind, id: i64) -> String {
    format!("{}/{}/{}-{id}", settings.public_url, kind.collection(), kind.prefix())
}

/// What the notifier did in one round.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Told {
    /// History entries read.
    pub entries: usize,
    /// Notifications written (in the app, for the digest, or both).
    pub notifications: usize,
    /// Email queued to go at once.
    pub emails: usize,
}

impl Store {
    /// Tells people of up to `max` history entries after the notifier's cursor, in one
    /// transaction with the moved cursor; returns what it did. Run by every process's job
    /// runner: the cursor's row lock (SQLite's single writer) keeps two from telling one entry.
    pub async fn run_notifier(&self, settings: &MailSettings, now: DateTime<Utc>, max: usize) -> Result<Told> {
        let at = micros(now);
        let mut tx = self.begin().await?;
        let sql = format!("SELECT seq FROM notifier_cursor WHERE id = 1{}", tx.lock_rows());
        let Some((cursor,)): Option<(i64,)> = tx.fetch_optional(&sql, vec![]).await? else {
            return Err(Error::unexpected("the notifier's cursor row is missing"));
        };
        let entries: Vec<EntryRow> = tx
            .fetch_all(
                "SELECT seq, record_kind, record_id, actor_id, action, field, new_value FROM history \
                 WHERE seq > $1 ORDER BY seq LIMIT $2",
                args![cursor, max as i64],
            )
            .await?;
        let Some(last) = entries.last().map(|e| e.seq) else {
            tx.commit().await?;
            return Ok(Told::default());
        };
        let mut told = Told {
            entries: entries.len(),
            ..Told::default()
        };

        // What each entry means, and whose records are involved.
        let mut happened: Vec<(i64, RecordKind, i64, Option<UserId>, Occurrence)> = Vec::new();
        for e in &entries {
            let (Some(kind), Some(action)) = (RecordKind::parse(&e.record_kind), HistoryAction::parse(&e.action))
            else {
                continue;
            };
            for occ in occurrences(action, e.field.as_deref(), e.new_value.as_deref()) {
                happened.push((e.seq, kind, e.record_id, e.actor_id.map(UserId), occ));
            }
        }
        if !happened.is_empty() {
            let mut wanted: HashMap<RecordKind, BTreeSet<i64>> = HashMap::new();
            for (_, kind, id, _, _) in &happened {
                wanted.entry(*kind).or_default().insert(*id);
            }
            let parties = parties_of(&mut tx, &wanted).await?;
            let mut teams: BTreeSet<i64> = parties.values().filter_map(|p| p.team.map(|t| t.0)).collect();
            teams.extend(happened.iter().filter_map(|h| match &h.4 {
                Occurrence::AssignedToTeam(t) => Some(t.0),
                _ => None,
            }));
            let members = members_of(&mut tx, &teams).await?;
            let mut everyone: BTreeSet<i64> = members.values().flatten().map(|u| u.0).collect();
            for p in parties.values() {
                everyone.extend(
                    p.assignee
                        .iter()
                        .chain(&p.caller)
                        .chain(&p.watchers)
                        .chain(&p.approvers)
                        .map(|u| u.0),
                );
            }
            for (_, _, _, actor, occ) in &happened {
                everyone.extend(actor.map(|a| a.0));
                if let Occurrence::Assigned(u) = occ {
                    everyone.insert(u.0);
                }
            }
            let people = people_in(&mut tx, &everyone).await?;
            let persons: BTreeMap<UserId, Person> = people.values().map(|(p, _)| (p.id, p.clone())).collect();
            let chosen = chosen_preferences(&mut tx, &everyone).await?;
            let templates = if settings.enabled {
                templates_in(&mut tx).await?
            } else {
                HashMap::new()
            };
            let team_members = |t: TeamId| members.get(&t.0).cloned().unwrap_or_default();

            let mut notices = Vec::new();
            let mut mail = Vec::new();
            for (seq, kind, id, actor, occ) in &happened {
                let Some(p) = parties.get(&(*kind, *id)) else {
                    continue;
                };
                let reference = format!("{}-{id}", kind.prefix());
                let actor_name = actor
                    .and_then(|a| persons.get(&a))
                    .map_or_else(|| "Steward".to_string(), |a| a.name.clone());
                let line = summary(&reference, occ, &actor_name, p);
                for (user, event) in recipients(*kind, occ, *actor, p, &persons, &team_members) {
                    let pref = chosen
                        .get(&(user.0, event))
                        .cloned()
                        .unwrap_or_else(|| event.default_preference());
                    let email = if settings.enabled {
                        pref.email
                    } else {
                        EmailDelivery::Off
                    };
                    if !pref.in_app && email == EmailDelivery::Off {
                        continue;
                    }
                    notices.push(Notice {
                        user: user.0,
                        kind: *kind,
                        record: *id,
                        event,
                        message: line.clone(),
                        in_app: pref.in_app,
                        digest: email == EmailDelivery::Digest,
                    });
                    if email != EmailDelivery::Immediate {
                        continue;
                    }
                    let (Some((person, address)), Some(t)) = (people.get(&user.0), templates.get(&event.into())) else {
                        continue;
                    };
                    let values = Values::new()
                        .set("reference", reference.clone())
                        .set("title", p.title.clone())
                        .set("actor", actor_name.clone())
                        .set("recipient", person.name.clone())
                        .set("status", p.status.replace('_', " "))
                        .set("text", detail(occ, &line))
                        .set("summary", line.clone())
                        .set("link", link_of(settings, *kind, *id));
                    mail.push(Outgoing {
                        user: Some(user.0),
                        recipient: address.clone(),
                        subject: subject_line(&render(&t.subject, &values)),
                        body: render(&t.body, &values),
                        message_id: format!("<steward.{reference}.h{seq}.u{}@{}>", user.0, settings.domain),
                        thread: Some(thread_id(&reference, &settings.domain)),
                        record: Some((*kind, *id)),
                        event: event.as_str().to_string(),
                    });
                }
            }
            write_notices(&mut tx, &notices, at).await?;
            queue_mail(&mut tx, &mail, at).await?;
            told.notifications = notices.len();
            told.emails = mail.len();
        }
        tx.execute("UPDATE notifier_cursor SET seq = $1 WHERE id = 1", args![last])
            .await?;
        tx.commit().await?;
        Ok(told)
    }

    /// Tells people of everything in the history so far, round after round.
    pub async fn run_notifier_to_end(&self, settings: &MailSettings, now: DateTime<Utc>) -> Result<Told> {
        const ROUND: usize = 500;
        let mut all = Told::default();
        loop {
            let t = self.run_notifier(settings, now, ROUND).await?;
            all.entries += t.entries;
            all.notifications += t.notifications;
            all.emails += t.emails;
            if t.entries < ROUND {
                return Ok(all);
            }
        }
    }

    /// Moves the notifier past everything written so far, so none of it is told: for seeded
    /// and imported records, whose past happened elsewhere.
    pub async fn skip_notifications_to_now(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.execute(
            "UPDATE notifier_cursor SET seq = (SELECT seq FROM history_head WHERE id = 1) WHERE id = 1",
            vec![],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes the daily digest of everyone with notices waiting from before the last digest hour:
    /// one email each, in one transaction with the notices marked as sent. Returns how many were
    /// queued.
    pub async fn run_digests(&self, settings: &MailSettings, now: DateTime<Utc>) -> Result<usize> {
        const ROUND: i64 = 2000;
        if !settings.enabled {
            return Ok(0);
        }
        let cut = micros(digest_cut(now, settings.digest_hour));
        let mut tx = self.begin().await?;
        let rows: Vec<(i64, i64, String, i64)> = tx
            .fetch_all(
                &format!(
                    "SELECT id, user_id, message, created_at FROM notifications \
                     WHERE digest_state = 'pending' AND created_at < $1 ORDER BY created_at, id LIMIT $2{}",
                    tx.lock_rows_skip_locked()
                ),
                args![cut, ROUND],
            )
            .await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(0);
        }
        let mut by_user: BTreeMap<i64, Vec<(i64, String, i64)>> = BTreeMap::new();
        for (id, user, message, created) in rows {
            by_user.entry(user).or_default().push((id, message, created));
        }
        let people = people_in(&mut tx, &by_user.keys().copied().collect()).await?;
        let templates = templates_in(&mut tx).await?;
        let t = templates
            .get(&TemplateName::Digest)
            .cloned()
            .unwrap_or_else(|| TemplateName::Digest.default_template());
        let mut mail = Vec::new();
        let mut done: Vec<i64> = Vec::new();
        for (user, items) in &by_user {
            done.extend(items.iter().map(|(id, _, _)| *id));
            let Some((person, address)) = people.get(user) else {
                continue;
            };
            if !person.active {
                continue;
            }
            let mut lines = Vec::with_capacity(items.len());
            for (_, message, created) in items {
                lines.push(format!(
                    "- {} {message}",
                    from_micros(*created)?.format("%Y-%m-%d %H:%M UTC")
                ));
            }
            let values = Values::new()
                .set("recipient", person.name.clone())
                .set("count", items.len().to_string())
                .set("items", lines.join("\n"))
                .set("link", format!("{}/account", settings.public_url));
            mail.push(Outgoing {
                user: Some(*user),
                recipient: address.clone(),
                subject: subject_line(&render(&t.subject, &values)),
                body: render(&t.body, &values),
                message_id: format!("<steward.digest.u{user}.n{}@{}>", items[0].0, settings.domain),
                thread: None,
                record: None,
                event: TemplateName::Digest.as_str().to_string(),
            });
        }
        queue_mail(&mut tx, &mail, micros(now)).await?;
        for chunk in done.chunks(crate::record::MAX_PARAMETERS) {
            let sql = format!(
                "UPDATE notifications SET digest_state = 'sent' WHERE id IN ({})",
                placeholders(1, chunk.len())
            );
            tx.execute(&sql, chunk.iter().map(|i| Arg::from(*i)).collect()).await?;
        }
        tx.commit().await?;
        Ok(mail.len())
    }

    /// A user's notifications shown in the app, newest first.
    pub async fn notifications(
        &self,
        user: UserId,
        unread_only: bool,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Notification>> {
        let before = match cursor {
            Some(c) => decode_cursor(c)?.1,
            None => i64::MAX,
        };
        let limit = i64::from(limit.clamp(1, MAX_LIMIT));
        let unread = if unread_only { " AND read_at IS NULL" } else { "" };
        let sql = format!(
            "SELECT id, record_kind, record_id, kind, message, created_at, read_at FROM notifications \
             WHERE user_id = $1 AND in_app = $2 AND id < $3{unread} ORDER BY id DESC LIMIT $4"
        );
        let mut c = self.read().await?;
        let rows: Vec<NotificationRow> = c.fetch_all(&sql, args![user.0, true, before, limit + 1]).await?;
        let more = rows.len() as i64 > limit;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows.into_iter().take(limit as usize) {
            let kind = parse_stored("record_kind", &r.record_kind, RecordKind::parse)?;
            items.push(Notification {
                id: r.id,
                record: format!("{}-{}", kind.prefix(), r.record_id),
                kind: r.kind,
                message: r.message,
                created_at: from_micros(r.created_at)?,
                read_at: opt_from_micros(r.read_at)?,
            });
        }
        let next_cursor = if more {
            items.last().map(|n| encode_cursor(0, n.id))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    /// Marks one of a user's notifications read.
    pub async fn mark_notification_read(&self, user: UserId, id: i64, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3 AND in_app = $4",
                args![micros(at), id, user.0, true],
            )
            .await?;
        tx.commit().await?;
        if n == 0 {
            return Err(Error::not_found("notification", id));
        }
        Ok(())
    }

    /// How a person is told of each event: what they chose, and the default for the rest.
    pub async fn notification_preferences(&self, user: UserId) -> Result<Vec<Preference>> {
        let mut tx = self.begin_read().await?;
        let chosen = chosen_preferences(&mut tx, &BTreeSet::from([user.0])).await?;
        tx.commit().await?;
        let chosen: Vec<Preference> = chosen.into_values().collect();
        Ok(steward_core::notification::preferences(&chosen))
    }

    /// Records how a person wants to be told of these events, in one statement.
    pub async fn set_notification_preferences(
        &self,
        user: UserId,
        chosen: &[Preference],
        at: DateTime<Utc>,
    ) -> Result<()> {
        const COLS: usize = 5;
        if chosen.is_empty() {
            return Ok(());
        }
        let mut values = Vec::with_capacity(chosen.len());
        let mut a: Vec<Arg> = Vec::with_capacity(chosen.len() * COLS);
        for p in chosen {
            values.push(format!("({})", placeholders(a.len() + 1, COLS)));
            a.extend(args![user.0, p.event.as_str(), p.in_app, p.email.as_str(), micros(at)]);
        }
        let sql = format!(
            "INSERT INTO notification_preferences (user_id, event, in_app, email, updated_at) VALUES {} \
             ON CONFLICT (user_id, event) DO UPDATE SET in_app = excluded.in_app, email = excluded.email, \
             updated_at = excluded.updated_at",
            values.join(", ")
        );
        let mut tx = self.begin().await?;
        tx.execute(&sql, a).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every email template, rewritten or Steward's own.
    pub async fn notification_templates(&self) -> Result<Vec<Template>> {
        let mut tx = self.begin_read().await?;
        let mut all = templates_in(&mut tx).await?;
        tx.commit().await?;
        Ok(TemplateName::ALL.iter().filter_map(|n| all.remove(n)).collect())
    }

    /// Rewrites a template (already checked by core).
    pub async fn set_notification_template(
        &self,
        name: TemplateName,
        subject: &str,
        body: &str,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Template> {
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO notification_templates (name, subject, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET subject = excluded.subject, body = excluded.body, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            args![name.as_str(), subject, body, by.0, micros(at)],
        )
        .await?;
        let all = templates_in(&mut tx).await?;
        tx.commit().await?;
        all.get(&name)
            .cloned()
            .ok_or_else(|| Error::unexpected("a template just written was not read back"))
    }

    /// Puts Steward's own words back in a template.
    pub async fn reset_notification_template(&self, name: TemplateName) -> Result<Template> {
        let mut tx = self.begin().await?;
        tx.execute(
            "DELETE FROM notification_templates WHERE name = $1",
            args![name.as_str()],
        )
        .await?;
        tx.commit().await?;
        Ok(name.default_template())
    }
}
