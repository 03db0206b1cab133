//! The job runner's storage: scheduling keyed jobs, and claiming a due one in the transaction
//! that runs it, so a job runs exactly once however many processes share the database.

use steward_core::Result;

use crate::exec::{Arg, Tx};
use crate::{Store, args};

pub(crate) const PENDING: &str = "pending";
pub(crate) const DONE: &str = "done";
pub(crate) const CANCELLED: &str = "cancelled";
pub(crate) const FAILED: &str = "failed";

/// A job to arm (or re-arm, unless it has already run).
pub(crate) struct Planned {
    /// What the job is about; [`plan_many`] replaces the pending jobs of whole subjects.
    pub subject: String,
    pub key: String,
    pub payload: String,
    pub run_at: i64,
    /// Its moment has already passed: keep an existing job as it is (with its original time),
    /// and arm one only if there is none.
    pub settled: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct Claimed {
    pub id: i64,
    pub subject: String,
    pub payload: String,
    pub run_at: i64,
}

/// Makes the pending jobs of `subject` exactly `planned`: arms new ones, moves re-planned ones,
/// and cancels pending ones no longer planned. Jobs that have run stay as they are.
pub(crate) async fn plan(tx: &mut Tx, queue: &str, subject: &str, planned: &[Planned], at: i64) -> Result<()> {
    plan_many(tx, queue, &[subject.to_string()], planned, at).await
}

/// [`plan`] for several subjects at once, in a few statements whatever their number: the
/// pending jobs of all of `subjects` become exactly `planned`.
pub(crate) async fn plan_many(
    tx: &mut Tx,
    queue: &str,
    subjects: &[String],
    planned: &[Planned],
    at: i64,
) -> Result<()> {
    if subjects.is_empty() {
        return Ok(());
    }
    arm(tx, queue, planned, at).await?;
    let mut a = args![CANCELLED, at, PENDING];
    let first = a.len() + 1;
    a.extend(subjects.iter().map(|s| Arg::from(s.clone())));
    let mut sql = format!(
        "UPDATE jobs SET state = $1, updated_at = $2 WHERE state = $3 AND subject IN ({})",
        crate::placeholders(first, subjects.len())
    );
    if !planned.is_empty() {
        let first = a.len() + 1;
        a.extend(planned.iter().map(|p| Arg::from(p.key.clone())));
        sql.push_str(&format!(
            " AND job_key NOT IN ({})",
            crate::placeholders(first, planned.len())
        ));
    }
    tx.execute(&sql, a).await?;
    Ok(())
}

/// Arms `planned` (re-arming the ones that exist and have not run), without touching other
/// jobs of their subjects: all a subject needs when it had no jobs before.
pub(crate) async fn arm(tx: &mut Tx, queue: &str, planned: &[Planned], at: i64) -> Result<()> {
    for settled in [false, true] {
        let group: Vec<&Planned> = planned.iter().filter(|p| p.settled == settled).collect();
        for chunk in group.chunks(crate::record::MAX_PARAMETERS / 5) {
            let mut values = Vec::with_capacity(chunk.len());
            let mut a: Vec<Arg> = Vec::with_capacity(chunk.len() * 5 + 1);
            a.extend(args![queue]);
            for p in chunk {
                let b = a.len();
                values.push(format!(
                    "($1, ${}, ${}, ${}, ${}, 'pending', 0, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 5
                ));
                a.extend(args![p.subject.clone(), p.key.clone(), p.payload.clone(), p.run_at, at]);
            }
            let on_conflict = if settled {
                "DO NOTHING"
            } else {
                "DO UPDATE SET run_at = excluded.run_at, payload = excluded.payload, state = 'pending', \
                 updated_at = excluded.updated_at WHERE jobs.state <> 'done'"
            };
            let sql = format!(
                "INSERT INTO jobs (queue, subject, job_key, payload, run_at, state, attempts, created_at, updated_at) \
                 VALUES {} ON CONFLICT (job_key) {on_conflict}",
                values.join(", ")
            );
            tx.execute(&sql, a).await?;
        }
    }
    Ok(())
}

/// Claims the most overdue job of `queue` due by `now`, locking it for this transaction.
pub(crate) async fn claim(tx: &mut Tx, queue: &str, now: i64) -> Result<Option<Claimed>> {
    let sql = format!(
        "SELECT id, subject, payload, run_at FROM jobs WHERE state = $1 AND run_at <= $2 AND queue = $3 \
         ORDER BY run_at, id LIMIT 1{}",
        tx.lock_rows_skip_locked()
    );
    Ok(tx.fetch_optional(&sql, args![PENDING, now, queue]).await?)
}

pub(crate) async fn finish(tx: &mut Tx, id: i64, state: &str, at: i64) -> Result<()> {
    tx.execute(
        "UPDATE jobs SET state = $1, attempts = attempts + 1, updated_at = $2 WHERE id = $3",
        args![state, at, id],
    )
    .await?;
    Ok(())
}

/// Sets a job aside after an error, keeping the error for whoever looks into it.
pub(crate) async fn fail(tx: &mut Tx, id: i64, error: &str, at: i64) -> Result<()> {
    let error: String = error.chars().take(2000).collect();
    tx.execute(
        "UPDATE jobs SET state = $1, attempts = attempts + 1, last_error = $2, updated_at = $3 WHERE id = $4",
        args![FAILED, error, at, id],
    )
    .await?;
    Ok(())
}

/// What firing one claimed job does, inside the transaction that claimed it: `Ok(true)` when it
/// did its work, `Ok(false)` when there was nothing left to do (it is cancelled).
pub(crate) type Fire = for<'a> fn(
    &'a mut Tx,
    &'a Claimed,
    i64,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<bool>> + Send + 'a>>;

impl Store {
    /// Runs up to `max` jobs of `queue` due by `now`, oldest first, each claimed, fired and marked
    /// in one transaction, so each runs exactly once however many processes share the database.
    /// A job that fails is rolled back and set aside with its error, so it cannot block the jobs
    /// behind it.
    pub(crate) async fn run_due(&self, queue: &str, now: i64, max: usize, fire: Fire) -> Result<Ran> {
        let mut ran = Ran::default();
        for _ in 0..max {
            let mut tx = self.begin().await?;
            let Some(claimed) = claim(&mut tx, queue, now).await? else {
                tx.commit().await?;
                break;
            };
            ran.claimed += 1;
            match fire(&mut tx, &claimed, now).await {
                Ok(done) => {
                    finish(&mut tx, claimed.id, if done { DONE } else { CANCELLED }, now).await?;
                    tx.commit().await?;
                    ran.done += usize::from(done);
                }
                Err(e) => {
                    drop(tx);
                    tracing::error!(queue, job = claimed.id, subject = %claimed.subject, error = %e, cause = ?e, "a job failed");
                    let mut tx = self.begin().await?;
                    fail(&mut tx, claimed.id, &format!("{e}: {e:?}"), now).await?;
                    tx.commit().await?;
                }
            }
        }
        Ok(ran)
    }
}

/// What one [`Store::run_due`] did.
#[derive(Debug, Default)]
pub(crate) struct Ran {
    /// Jobs claimed: done, cancelled or set aside as failed.
    pub claimed: usize,
    /// Jobs that did their work.
    pub done: usize,
}

/// A job's state, for tests and diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobState {
    pub job_key: String,
    pub state: String,
    pub run_at: i64,
    pub attempts: i64,
    pub last_error: Option<String>,
}

impl Store {
    /// The jobs about one subject (such as `incident:5:resolution`), by key.
    pub async fn jobs_of(&self, subject: &str) -> Result<Vec<JobState>> {
        let mut c = self.read().await?;
        c.fetch_all(
            "SELECT job_key, state, run_at, attempts, last_error FROM jobs WHERE subject = $1 ORDER BY job_key",
            args![subject],
        )
        .await
        .map_err(Into::into)
    }
}
