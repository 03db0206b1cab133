//! Group commit: inserts of one record type that arrive while another batch is being written
//! wait together and are written in one transaction, with multi-row statements, and each caller
//! is answered after that transaction commits. One caller alone is written at once, as before;
//! under load the cost of a transaction (its fsync) and of each statement's round trip to the
//! driver is shared by every record in the batch.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use steward_core::id::UserId;
use steward_core::{Error, Result};
use tokio::sync::oneshot;

use crate::Store;
use crate::record::{Table, insert_many};

/// Records written in one transaction at most; a larger backlog is written in several.
const MAX_BATCH: usize = 256;

struct Pending<T> {
    rec: T,
    actor: Option<UserId>,
    reply: oneshot::Sender<Result<T>>,
}

/// The waiting inserts of one record type, and the turn of whoever writes them.
struct Queue<T> {
    pending: Mutex<Vec<Pending<T>>>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue {
            pending: Mutex::new(Vec::new()),
            turn: Arc::new(tokio::sync::Mutex::new(())),
        }
    }
}

impl<T> Queue<T> {
    fn pending(&self) -> std::sync::MutexGuard<'_, Vec<Pending<T>>> {
        // A panic while holding this lock cannot leave the vector half-changed.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One queue per record type.
#[derive(Default)]
pub(crate) struct Queues(Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl Queues {
    fn of<T: Table>(&self) -> Arc<Queue<T>> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map
            .entry(TypeId::of::<Queue<T>>())
            .or_insert_with(|| Arc::new(Queue::<T>::default()));
        // Keyed by the queue's own type, so the cast cannot fail.
        Arc::clone(entry).downcast::<Queue<T>>().unwrap_or_default()
    }
}

impl Store {
    /// Inserts a new record (its id is assigned here) with its creation entry in history,
    /// sharing a transaction with the inserts of the same type that arrive meanwhile.
    pub async fn insert<T: Table>(&self, rec: T, actor: Option<UserId>) -> Result<T> {
        let queue = self.queues.of::<T>();
        let (reply, mut answer) = oneshot::channel();
        queue.pending().push(Pending { rec, actor, reply });
        let turn = Arc::clone(&queue.turn).lock_owned().await;
        // Whoever had the turn before may have written ours with theirs.
        match answer.try_recv() {
            Ok(result) => return result,
            Err(oneshot::error::TryRecvError::Closed) => return Err(lost()),
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let batch = std::mem::take(&mut *queue.pending());
        // The batch is written by a task of its own, so a caller that goes away (a closed
        // connection drops its request) cannot abandon the others' writes half way.
        let store = self.clone();
        tokio::spawn(async move {
            store.write_batch(batch).await;
            drop(turn);
        });
        answer.await.map_err(|_| lost())?
    }

    async fn write_batch<T: Table>(&self, batch: Vec<Pending<T>>) {
        let mut rest = batch.into_iter().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<Pending<T>> = rest.by_ref().take(MAX_BATCH).collect();
            let items: Vec<(T, Option<UserId>)> = chunk.iter().map(|p| (p.rec.clone(), p.actor)).collect();
            match self.insert_all(items).await {
                Ok(results) => {
                    for (p, result) in chunk.into_iter().zip(results) {
                        // The caller may have gone; the record is written all the same.
                        let _ = p.reply.send(result);
                    }
                }
                Err(e) if chunk.len() == 1 => {
                    if let Some(p) = chunk.into_iter().next() {
                        let _ = p.reply.send(Err(e));
                    }
                }
                // One record broke the shared transaction: write each on its own, so each
                // caller gets its own outcome.
                Err(_) => {
                    for p in chunk {
                        let result = self.insert_all(vec![(p.rec, p.actor)]).await.and_then(|mut r| {
                            r.pop()
                                .unwrap_or_else(|| Err(Error::unexpected("an insert returned no record")))
                        });
                        let _ = p.reply.send(result);
                    }
                }
            }
        }
    }

    /// Inserts records of one type in one transaction, as [`insert_many`] does.
    async fn insert_all<T: Table>(&self, items: Vec<(T, Option<UserId>)>) -> Result<Vec<Result<T>>> {
        let mut tx = self.begin().await?;
        let out = insert_many(&mut tx, items).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Inserts many records of one type at once — the bulk path of imports and demo data:
    /// a few statements for hundreds of records, in transactions of up to a few hundred. Each
    /// record gets its own outcome; a record whose references do not exist is not written.
    pub async fn insert_many<T: Table>(&self, items: Vec<(T, Option<UserId>)>) -> Result<Vec<Result<T>>> {
        let mut out = Vec::with_capacity(items.len());
        let mut rest = items.into_iter().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<(T, Option<UserId>)> = rest.by_ref().take(MAX_BATCH * 4).collect();
            out.extend(self.insert_all(chunk).await?);
        }
        Ok(out)
    }
}

fn lost() -> Error {
    Error::unexpected("the write was lost before it was answered")
}
