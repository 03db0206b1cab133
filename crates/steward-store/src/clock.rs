//! How service level clocks are stored, kept up to date in the same transaction as the ticket
//! they measure, and shown.

use std::collections::HashMap;

use steward_core::agreement::{Agreement, AgreementKind};
use steward_core::calendar::{Calendar, Schedule};
use steward_core::clock::{Clock, ClockScope, ClockSubject, ClockView, Metric, Outcome, reconcile};
use steward_core::history::HistoryAction;
use steward_core::id::{AgreementId, CalendarId};
use steward_core::record::RecordKind;
use steward_core::{Error, Result};

use crate::exec::{Arg, Tx};
use crate::job;
use crate::record::Table;
use crate::{Store, args, parse_stored};

#[derive(sqlx::FromRow)]
struct ClockRow {
    record_id: i64,
    scope: String,
    metric: String,
    agreement_id: i64,
    target: i64,
    started_at: i64,
    elapsed: i64,
    running_since: Option<i64>,
    due_at: Option<i64>,
    breached_at: Option<i64>,
    stopped_at: Option<i64>,
    outcome: Option<String>,
}

impl ClockRow {
    fn scope(&self) -> Result<ClockScope> {
        parse_stored("scope", &self.scope, ClockScope::parse)
    }

    fn into_clock(self) -> Result<Clock> {
        Ok(Clock {
            metric: parse_stored("metric", &self.metric, Metric::parse)?,
            agreement: AgreementId(self.agreement_id),
            target: self.target,
            started_at: self.started_at,
            elapsed: self.elapsed,
            running_since: self.running_since,
            due_at: self.due_at,
            breached_at: self.breached_at,
            stopped_at: self.stopped_at,
            outcome: self
                .outcome
                .map(|o| parse_stored("outcome", &o, Outcome::parse))
                .transpose()?,
        })
    }
}

const CLOCK_COLUMNS: &str = "record_id, scope, metric, agreement_id, target, started_at, elapsed, running_since, due_at, breached_at, stopped_at, outcome";

async fn schedules_for(tx: &mut Tx, calendars: &[CalendarId]) -> Result<HashMap<CalendarId, Schedule>> {
    if calendars.is_empty() {
        return Ok(HashMap::new());
    }
    let (sql, a) = schedules_query(calendars);
    schedules_from(tx.fetch_all(&sql, a).await?)
}

fn schedules_query(calendars: &[CalendarId]) -> (String, Vec<Arg>) {
    let sql = format!(
        "SELECT id, {} FROM calendars WHERE id IN ({})",
        Calendar::COLUMNS.join(", "),
        crate::placeholders(1, calendars.len())
    );
    (sql, calendars.iter().map(|c| Arg::from(c.0)).collect())
}

fn schedules_from(rows: Vec<<Calendar as Table>::Row>) -> Result<HashMap<CalendarId, Schedule>> {
    let mut out = HashMap::new();
    for row in rows {
        let cal = Calendar::from_row(row)?;
        out.insert(cal.id, cal.schedule()?);
    }
    Ok(out)
}

/// Writes clocks (each of a ticket and a scope, changed at an instant), a few thousand to a
/// statement, and brings their tickets' `sla_due_at` (the first running clock's due instant, by
/// which queues sort) up to date.
async fn write_clocks(tx: &mut Tx, kind: RecordKind, clocks: &[(i64, ClockScope, Clock, i64)]) -> Result<()> {
    const COLUMNS: usize = 14;
    for chunk in clocks.chunks(crate::record::MAX_PARAMETERS / COLUMNS) {
        let mut values = Vec::with_capacity(chunk.len());
        let mut a: Vec<Arg> = Vec::with_capacity(chunk.len() * COLUMNS);
        for (id, scope, c, at) in chunk {
            values.push(format!("({})", crate::placeholders(a.len() + 1, COLUMNS)));
            a.extend(args![
                kind.as_str(),
                *id,
                c.metric.as_str(),
                c.agreement.0,
                c.target,
                c.started_at,
                c.elapsed,
                c.running_since,
                c.due_at,
                c.breached_at,
                c.stopped_at,
                c.outcome.map(|o| o.as_str()),
                *at,
                scope.key(),
            ]);
        }
        tx.execute(
            &format!(
                "INSERT INTO sla_clocks (record_kind, record_id, metric, agreement_id, target, started_at, elapsed, \
                 running_since, due_at, breached_at, stopped_at, outcome, updated_at, scope) VALUES {} \
                 ON CONFLICT (record_kind, record_id, scope, metric) DO UPDATE SET agreement_id = excluded.agreement_id, \
                 target = excluded.target, started_at = excluded.started_at, elapsed = excluded.elapsed, \
                 running_since = excluded.running_since, due_at = excluded.due_at, breached_at = excluded.breached_at, \
                 stopped_at = excluded.stopped_at, outcome = excluded.outcome, updated_at = excluded.updated_at",
                values.join(", ")
            ),
            a,
        )
        .await?;
    }
    let mut ids: Vec<i64> = clocks.iter().map(|(id, ..)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(crate::record::MAX_PARAMETERS) {
        let table = crate::record::table_of(kind);
        let mut a = args![kind.as_str(), NOT_DUE];
        let first = a.len() + 1;
        a.extend(chunk.iter().map(|id| Arg::from(*id)));
        tx.execute(
            &format!(
                "UPDATE {table} SET sla_due_at = COALESCE((SELECT MIN(c.due_at) FROM sla_clocks c \
                 WHERE c.record_kind = $1 AND c.record_id = {table}.id AND c.outcome IS NULL AND c.due_at IS NOT NULL), $2) \
                 WHERE id IN ({})",
                crate::placeholders(first, chunk.len())
            ),
            a,
        )
        .await?;
    }
    Ok(())
}

/// The stored `sla_due_at` of a ticket with no running clock: the largest BIGINT, so it sorts last.
pub(crate) const NOT_DUE: i64 = i64::MAX;

/// A ticket whose clocks are to be brought up to date: its id, what its clocks depend on, and
/// the instant of the write.
pub(crate) struct Reconcile {
    pub id: i64,
    pub subject: ClockSubject,
    pub at: i64,
}

/// Brings a ticket's clocks up to date inside the transaction that changed it.
pub(crate) async fn reconcile_in(tx: &mut Tx, kind: RecordKind, id: i64, subject: ClockSubject, at: i64) -> Result<()> {
    reconcile_many(tx, kind, vec![Reconcile { id, subject, at }], false).await
}

/// [`Table::after_write_many`] of a ticket type: the clocks of tickets just inserted, each from
/// its creation instant.
pub(crate) fn reconcile_inserted<'a, T: crate::import::Ticket>(
    tx: &'a mut Tx,
    recs: &'a [T],
) -> impl std::future::Future<Output = Result<()>> + Send + 'a {
    let tickets = recs
        .iter()
        .map(|r| Reconcile {
            id: r.id(),
            subject: r.clock_subject(),
            at: crate::micros(r.created_at()),
        })
        .collect();
    reconcile_many(tx, T::KIND, tickets, true)
}

/// Tickets reconciled per round of statements.
const RECONCILE_CHUNK: usize = 500;

/// Brings the clocks of several tickets of one kind up to date inside the transaction that
/// wrote them, in at most six statements per few hundred tickets whatever their number. `fresh`
/// says the tickets were inserted in this transaction, so they have no clocks or jobs yet.
pub(crate) async fn reconcile_many(tx: &mut Tx, kind: RecordKind, tickets: Vec<Reconcile>, fresh: bool) -> Result<()> {
    for chunk in tickets.chunks(RECONCILE_CHUNK) {
        reconcile_chunk(tx, kind, chunk, fresh).await?;
    }
    Ok(())
}

async fn reconcile_chunk(tx: &mut Tx, kind: RecordKind, tickets: &[Reconcile], fresh: bool) -> Result<()> {
    let mut existing: HashMap<i64, Vec<(ClockScope, Clock)>> = HashMap::new();
    if !fresh && !tickets.is_empty() {
        let sql = format!(
            "SELECT {CLOCK_COLUMNS} FROM sla_clocks WHERE record_kind = $1 AND record_id IN ({})",
            crate::placeholders(2, tickets.len())
        );
        let mut a = args![kind.as_str()];
        a.extend(tickets.iter().map(|t| Arg::from(t.id)));
        let rows: Vec<ClockRow> = tx.fetch_all(&sql, a).await?;
        for row in rows {
            let id = row.record_id;
            existing.entry(id).or_default().push((row.scope()?, row.into_clock()?));
        }
    }
    let named: Vec<i64> = existing.values().flatten().map(|(_, c)| c.agreement.0).collect();
    let Some(terms) = Terms::load(tx, tickets.iter().map(|t| &t.subject), named).await? else {
        return Ok(());
    };
    // Every changed clock is written in one statement, and all their jobs planned in at most three.
    let mut changed: Vec<(i64, ClockScope, Clock, i64)> = Vec::new();
    let mut subjects: Vec<String> = Vec::new();
    let mut planned: Vec<job::Planned> = Vec::new();
    let mut latest = 0;
    for t in tickets {
        latest = latest.max(t.at);
        let before = existing.remove(&t.id).unwrap_or_default();
        for (scope, clock, jobs) in terms.reconcile(kind, t.id, &before, &t.subject, t.at)? {
            subjects.push(self::subject(kind, t.id, scope, clock.metric));
            planned.extend(jobs);
            changed.push((t.id, scope, clock, t.at));
        }
    }
    write_clocks(tx, kind, &changed).await?;
    if fresh {
        job::arm(tx, ESCALATION_QUEUE, &planned, latest).await
    } else {
        job::plan_many(tx, ESCALATION_QUEUE, &subjects, &planned, latest).await
    }
}

/// The agreements and calendars that may govern some tickets' clocks.
struct Terms {
    agreements: Vec<Agreement>,
    schedules: HashMap<CalendarId, Schedule>,
}

impl Terms {
    /// The active customer agreements, the active agreements of every team the subjects name,
    /// and the agreements in `named`; `None` when there are none at all.
    async fn load<'s>(
        tx: &mut Tx,
        subjects: impl Iterator<Item = &'s ClockSubject>,
        mut named: Vec<i64>,
    ) -> Result<Option<Terms>> {
        let mut teams = Vec::new();
        let mut suppliers = Vec::new();
        for s in subjects {
            teams.extend(s.terms.team.map(|t| t.0));
            suppliers.extend(s.terms.supplier.map(|t| t.0));
        }
        teams.sort_unstable();
        teams.dedup();
        suppliers.sort_unstable();
        suppliers.dedup();
        named.sort_unstable();
        named.dedup();
        let mut a = args![AgreementKind::ServiceLevel.as_str(), true];
        let mut wanted = "kind = $1".to_string();
        if !teams.is_empty() {
            a.push(Arg::from(AgreementKind::OperationalLevel.as_str()));
            wanted.push_str(&format!(
                " OR (kind = $3 AND team_id IN ({}))",
                crate::placeholders(4, teams.len())
            ));
            a.extend(teams.iter().map(|t| Arg::from(*t)));
        }
        if !suppliers.is_empty() {
            let kind = a.len() + 1;
            a.push(Arg::from(AgreementKind::UnderpinningContract.as_str()));
            wanted.push_str(&format!(
                " OR (kind = ${kind} AND supplier_id IN ({}))",
                crate::placeholders(kind + 1, suppliers.len())
            ));
            a.extend(suppliers.iter().map(|t| Arg::from(*t)));
        }
        let also = if named.is_empty() {
            String::new()
        } else {
            let first = a.len() + 1;
            a.extend(named.iter().map(|n| Arg::from(*n)));
            format!(" OR id IN ({})", crate::placeholders(first, named.len()))
        };
        let sql = format!(
            "SELECT id, {} FROM agreements WHERE (active = $2 AND ({wanted})){also} ORDER BY id",
            Agreement::COLUMNS.join(", ")
        );
        let rows: Vec<<Agreement as Table>::Row> = tx.fetch_all(&sql, a).await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let agreements = rows.into_iter().map(Agreement::from_row).collect::<Result<Vec<_>>>()?;
        let mut calendars: Vec<CalendarId> = agreements.iter().map(|a| a.calendar).collect();
        calendars.sort();
        calendars.dedup();
        let schedules = schedules_for(tx, &calendars).await?;
        Ok(Some(Terms { agreements, schedules }))
    }

    /// The clocks of one ticket that change when it is written at `at` (its clocks having been
    /// `before`), each with the escalation jobs it needs from then on.
    fn reconcile(
        &self,
        kind: RecordKind,
        id: i64,
        before: &[(ClockScope, Clock)],
        subject: &ClockSubject,
        at: i64,
    ) -> Result<Vec<(ClockScope, Clock, Vec<job::Planned>)>> {
        let mut scopes: Vec<ClockScope> = before.iter().map(|(s, _)| *s).collect();
        scopes.push(ClockScope::ServiceLevel);
        scopes.extend(subject.terms.team.map(ClockScope::Operational));
        scopes.extend(subject.terms.supplier.map(ClockScope::Underpinning));
        scopes.sort();
        scopes.dedup();
        let mut out = Vec::new();
        for scope in scopes {
            let was: Vec<Clock> = before
                .iter()
                .filter(|(s, _)| *s == scope)
                .map(|(_, c)| c.clone())
                .collect();
            let clocks = reconcile(was.clone(), subject, scope, &self.agreements, &self.schedules, at)?;
            for clock in clocks.into_iter().filter(|c| !was.contains(c)) {
                let agreement = self
                    .agreements
                    .iter()
                    .find(|a| a.id == clock.agreement)
                    .ok_or_else(|| Error::unexpected(format!("{} is missing", clock.agreement)))?;
                let cal = self
                    .schedules
                    .get(&agreement.calendar)
                    .ok_or_else(|| Error::unexpected(format!("{} is missing", agreement.calendar)))?;
                let jobs = escalations(kind, id, scope, &clock, agreement, cal, at)?;
                out.push((scope, clock, jobs));
            }
        }
        Ok(out)
    }
}

/// One ticket's escalation jobs kept in memory as [`job::plan_many`] keeps them in the table,
/// so a replayed past leaves the same jobs pending as the writes made one by one.
#[derive(Default)]
struct Escalations {
    /// The pending jobs of each subject.
    pending: HashMap<String, Vec<job::Planned>>,
    /// Keys of jobs withdrawn because a later plan no longer had them.
    cancelled: std::collections::HashSet<String>,
}

impl Escalations {
    fn plan(&mut self, subject: String, planned: Vec<job::Planned>) {
        let mut before = self.pending.remove(&subject).unwrap_or_default();
        let mut now = Vec::with_capacity(planned.len());
        for p in planned {
            let existing = before
                .iter()
                .position(|b| b.key == p.key)
                .map(|i| before.swap_remove(i));
            match (p.settled, existing) {
                // A job whose moment has passed keeps the time it was first armed for...
                (true, Some(old)) => now.push(old),
                // ...and one withdrawn before stays withdrawn.
                (true, None) if self.cancelled.contains(&p.key) => {}
                _ => {
                    self.cancelled.remove(&p.key);
                    now.push(p);
                }
            }
        }
        self.cancelled.extend(before.into_iter().map(|b| b.key));
        self.pending.insert(subject, now);
    }
}

/// A ticket imported with its past: its id and what its clocks depended on at each write, in
/// order from its creation.
pub(crate) struct Replay {
    pub id: i64,
    pub writes: Vec<(ClockSubject, i64)>,
}

/// Gives tickets written in this transaction with their whole past (an import) the clocks they
/// would have had had each write happened at its own time: every write is replayed in memory,
/// and only the clocks and escalation jobs as they stand after the last are stored.
pub(crate) async fn replay_many(tx: &mut Tx, kind: RecordKind, tickets: Vec<Replay>) -> Result<()> {
    for chunk in tickets.chunks(RECONCILE_CHUNK) {
        let subjects = chunk.iter().flat_map(|t| t.writes.iter().map(|(s, _)| s));
        // No agreement for this chunk's tickets: they have no clocks, but a later chunk's may.
        let Some(terms) = Terms::load(tx, subjects, Vec::new()).await? else {
            continue;
        };
        let mut clocks: Vec<(i64, ClockScope, Clock, i64)> = Vec::new();
        let mut planned: Vec<job::Planned> = Vec::new();
        let mut latest = 0;
        for t in chunk {
            // Per clock (scope, metric): where it stands and when it last changed.
            let mut now: Vec<(ClockScope, Clock, i64)> = Vec::new();
            let mut jobs = Escalations::default();
            for (subject, at) in &t.writes {
                latest = latest.max(*at);
                let before: Vec<(ClockScope, Clock)> = now.iter().map(|(s, c, _)| (*s, c.clone())).collect();
                for (scope, clock, planned) in terms.reconcile(kind, t.id, &before, subject, *at)? {
                    now.retain(|(s, c, _)| !(*s == scope && c.metric == clock.metric));
                    jobs.plan(self::subject(kind, t.id, scope, clock.metric), planned);
                    now.push((scope, clock, *at));
                }
            }
            clocks.extend(now.into_iter().map(|(scope, clock, at)| (t.id, scope, clock, at)));
            planned.extend(jobs.pending.into_values().flatten());
        }
        write_clocks(tx, kind, &clocks).await?;
        job::arm(tx, ESCALATION_QUEUE, &planned, latest).await?;
    }
    Ok(())
}

pub(crate) const ESCALATION_QUEUE: &str = "sla_escalation";

fn subject(kind: RecordKind, id: i64, scope: ClockScope, metric: Metric) -> String {
    format!("{}:{id}:{}:{}", kind.as_str(), scope.key(), metric.as_str())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct EscalationPayload {
    percent: u8,
    agreement: i64,
}

/// The jobs of a clock: one for each warning threshold and the breach still ahead, at the
/// instant each falls due; none for a paused or stopped clock, so planning them withdraws its
/// pending ones.
fn escalations(
    kind: RecordKind,
    id: i64,
    scope: ClockScope,
    clock: &Clock,
    agreement: &Agreement,
    cal: &Schedule,
    at: i64,
) -> Result<Vec<job::Planned>> {
    let mut percents = agreement.warning_percent.clone();
    percents.push(100);
    let subject = subject(kind, id, scope, clock.metric);
    let planned: Vec<job::Planned> = clock
        .thresholds(&percents, at, cal)?
        .into_iter()
        .filter_map(|(percent, when)| {
            when.map(|run_at| job::Planned {
                subject: subject.clone(),
                key: format!("{subject}:{}:{percent}", clock.agreement.0),
                payload: crate::json_text(&EscalationPayload {
                    percent,
                    agreement: clock.agreement.0,
                }),
                run_at,
                settled: clock.elapsed >= clock.threshold_amount(percent),
            })
        })
        .collect();
    Ok(planned)
}

/// Withdraws every open clock of an agreement (it was deactivated), banking their time.
pub(crate) async fn withdraw_for(tx: &mut Tx, agreement: &Agreement, at: i64) -> Result<()> {
    let sql =
        format!("SELECT record_kind, {CLOCK_COLUMNS} FROM sla_clocks WHERE agreement_id = $1 AND outcome IS NULL");
    #[derive(sqlx::FromRow)]
    struct Kinded {
        record_kind: String,
        #[sqlx(flatten)]
        clock: ClockRow,
    }
    let rows: Vec<Kinded> = tx.fetch_all(&sql, args![agreement.id.0]).await?;
    if rows.is_empty() {
        return Ok(());
    }
    let schedules = schedules_for(tx, &[agreement.calendar]).await?;
    let cal = schedules
        .get(&agreement.calendar)
        .ok_or_else(|| Error::unexpected(format!("{} is missing", agreement.calendar)))?;
    for row in rows {
        let kind = parse_stored("record_kind", &row.record_kind, RecordKind::parse)?;
        let id = row.clock.record_id;
        let scope = row.clock.scope()?;
        let mut clock = row.clock.into_clock()?;
        clock.withdraw(at, cal)?;
        write_clocks(tx, kind, &[(id, scope, clock.clone(), at)]).await?;
        job::plan(tx, ESCALATION_QUEUE, &subject(kind, id, scope, clock.metric), &[], at).await?;
    }
    Ok(())
}

/// Fires one due escalation inside the transaction that claimed it: a warning or breach entry in
/// the ticket's history and a notification to its assignee and team. A job whose clock no longer
/// warrants it (paused, re-targeted, withdrawn) is cancelled instead.
async fn fire(tx: &mut Tx, job: &job::Claimed, now: i64) -> Result<bool> {
    let mut parts = job.subject.split(':');
    let (Some(kind), Some(id), Some(scope), Some(metric)) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::unexpected(format!("job subject '{}' is malformed", job.subject)));
    };
    let scope = parse_stored("job subject", scope, ClockScope::parse)?;
    let kind = parse_stored("job subject", kind, RecordKind::parse)?;
    let id: i64 = id
        .parse()
        .map_err(|_| Error::unexpected(format!("job subject '{}' is malformed", job.subject)))?;
    let metric = parse_stored("job subject", metric, Metric::parse)?;
    let payload: EscalationPayload =
        serde_json::from_str(&job.payload).map_err(|e| Error::unexpected(format!("job payload is malformed: {e}")))?;
    let table = crate::record::table_of(kind);
    // Lock the ticket as its writers do, so the clock cannot change under us.
    let sql = format!("SELECT id FROM {table} WHERE id = $1{}", tx.lock_rows());
    let Some((_,)): Option<(i64,)> = tx.fetch_optional(&sql, args![id]).await? else {
        return Ok(false);
    };
    let sql = format!(
        "SELECT {CLOCK_COLUMNS} FROM sla_clocks WHERE record_kind = $1 AND record_id = $2 AND scope = $3 AND metric = $4"
    );
    let Some(row): Option<ClockRow> = tx
        .fetch_optional(&sql, args![kind.as_str(), id, scope.key(), metric.as_str()])
        .await?
    else {
        return Ok(false);
    };
    let clock = row.into_clock()?;
    if clock.agreement.0 != payload.agreement || clock.outcome == Some(Outcome::Withdrawn) {
        return Ok(false);
    }
    let sql = format!(
        "SELECT id, {} FROM agreements WHERE id = $1",
        Agreement::COLUMNS.join(", ")
    );
    let Some(agreement) = tx
        .fetch_optional::<<Agreement as Table>::Row>(&sql, args![payload.agreement])
        .await?
    else {
        return Ok(false);
    };
    let agreement = Agreement::from_row(agreement)?;
    let schedules = schedules_for(tx, &[agreement.calendar]).await?;
    let cal = schedules
        .get(&agreement.calendar)
        .ok_or_else(|| Error::unexpected(format!("{} is missing", agreement.calendar)))?;
    if clock.elapsed_at(now, cal)? < clock.threshold_amount(payload.percent) {
        return Ok(false);
    }
    let breach = payload.percent >= 100;
    let detail = serde_json::json!({
        "agreement": clock.agreement.to_string(),
        "name": agreement.name,
        "percent": payload.percent,
        "target": steward_core::calendar::format_duration(clock.target),
    });
    crate::history::append(
        tx,
        vec![steward_core::history::EntryContent {
            record_kind: kind,
            record_id: id,
            actor: None,
            at_micros: job.run_at,
            action: if breach {
                HistoryAction::SlaBreach
            } else {
                HistoryAction::SlaWarning
            },
            field: Some(metric.as_str().to_string()),
            old_value: None,
            new_value: Some(detail.to_string()),
        }],
    )
    .await?;
    if let Some(action) = agreement.action_at(payload.percent) {
        match kind {
            RecordKind::Incident => {
                escalate::<steward_core::incident::Incident>(tx, id, now, |t| t.escalate(action)).await?
            }
            RecordKind::Request => {
                escalate::<steward_core::request::Request>(tx, id, now, |t| t.escalate(action)).await?
            }
            _ => {}
        }
    }
    Ok(true)
}

/// Changes a ticket as an escalation action says, with history, in the firing transaction.
async fn escalate<T: Table>(tx: &mut Tx, id: i64, at: i64, change: impl FnOnce(&mut T)) -> Result<()> {
    let Some(old) = crate::record::get_in::<T>(tx, id).await? else {
        return Ok(());
    };
    let mut new = old.clone();
    change(&mut new);
    let at = crate::from_micros(at)?;
    crate::record::save(tx, &old, new, None, at, HistoryAction::Update).await?;
    Ok(())
}

impl Store {
    /// Fires every escalation due by `now`, oldest first, each in its own transaction; returns
    /// how many fired. Safe to run in any number of processes at once: each job is claimed with
    /// its row lock (`FOR UPDATE SKIP LOCKED`) or SQLite's exclusive write transaction, and marked
    /// done in the transaction that fires it, so it fires exactly once.
    pub async fn run_due_escalations(&self, now: i64, max: usize) -> Result<usize> {
        Ok(self
            .run_due(ESCALATION_QUEUE, now, max, |tx, job, now| Box::pin(fire(tx, job, now)))
            .await?
            .done)
    }

    /// Fires every escalation due by `now`, however many, until none is left; returns how many
    /// fired (a job found no longer warranted is cancelled and not counted).
    pub async fn run_all_due_escalations(&self, now: i64) -> Result<usize> {
        const ROUND: usize = 1000;
        let mut fired = 0;
        loop {
            let ran = self
                .run_due(ESCALATION_QUEUE, now, ROUND, |tx, job, now| {
                    Box::pin(fire(tx, job, now))
                })
                .await?;
            fired += ran.done;
            if ran.claimed < ROUND {
                return Ok(fired);
            }
        }
    }

    /// The clocks of some tickets of one kind as they stand at `now`, by ticket id.
    pub async fn clock_views(&self, kind: RecordKind, ids: &[i64], now: i64) -> Result<HashMap<i64, Vec<ClockView>>> {
        let mut out: HashMap<i64, Vec<ClockView>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        #[derive(sqlx::FromRow)]
        struct WithCalendar {
            calendar_id: i64,
            #[sqlx(flatten)]
            clock: ClockRow,
        }
        let sql = format!(
            "SELECT a.calendar_id, {} FROM sla_clocks c JOIN agreements a ON a.id = c.agreement_id \
             WHERE c.record_kind = $1 AND c.record_id IN ({}) ORDER BY c.record_id, c.scope DESC, c.metric DESC",
            CLOCK_COLUMNS
                .split(", ")
                .map(|c| format!("c.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
            crate::placeholders(2, ids.len())
        );
        let mut a = args![kind.as_str()];
        a.extend(ids.iter().map(|i| Arg::from(*i)));
        // Two reads without a transaction around them: a calendar edited between them changes
        // how the clocks are shown for one response, never what is stored.
        let mut c = self.read().await?;
        let rows: Vec<WithCalendar> = c.fetch_all(&sql, a).await?;
        let mut calendars: Vec<CalendarId> = rows.iter().map(|r| CalendarId(r.calendar_id)).collect();
        calendars.sort();
        calendars.dedup();
        let schedules = if calendars.is_empty() {
            HashMap::new()
        } else {
            let (sql, a) = schedules_query(&calendars);
            schedules_from(c.fetch_all(&sql, a).await?)?
        };
        for row in rows {
            let cal = schedules
                .get(&CalendarId(row.calendar_id))
                .ok_or_else(|| Error::unexpected(format!("CAL-{} is missing", row.calendar_id)))?;
            let id = row.clock.record_id;
            let scope = row.clock.scope()?;
            let view = row.clock.into_clock()?.view(scope, now, cal)?;
            out.entry(id).or_default().push(view);
        }
        Ok(out)
    }
}
