//! The bulk path for tickets that arrive with their past — an import from another tool, or the
//! demo's months of activity. Each ticket comes as a [`Story`]: the record as created and every
//! later change, each made by the domain's own rules at its own instant. The store writes the
//! ticket as it ends up, every history entry the changes would have written one by one, and the
//! service level clocks they would have left, in a few multi-row statements per few hundred
//! tickets instead of a transaction per change.

use chrono::{DateTime, Utc};
use steward_core::clock::ClockSubject;
use steward_core::history::{EntryContent, HistoryAction, diff};
use steward_core::id::UserId;
use steward_core::incident::Incident;
use steward_core::request::Request;
use steward_core::{Error, Result};

use crate::clock::{Replay, replay_many};
use crate::record::{Table, insert_rows, outcomes, refused_by_references};
use crate::{Store, history, micros};

/// A ticket type whose only work beside its row and history is its service level clocks, so it
/// can be imported with its past.
pub trait Ticket: Table {
    fn clock_subject(&self) -> ClockSubject;
}

impl Ticket for Incident {
    fn clock_subject(&self) -> ClockSubject {
        Incident::clock_subject(self)
    }
}

impl Ticket for Request {
    fn clock_subject(&self) -> ClockSubject {
        Request::clock_subject(self)
    }
}

/// One change in a story: the record after it, who made it, when, and as what.
struct Step<T> {
    state: T,
    actor: Option<UserId>,
    at: DateTime<Utc>,
    action: HistoryAction,
}

/// A ticket as it was created and changed over time, built in memory and written by
/// [`Store::import`].
pub struct Story<T> {
    created: T,
    actor: Option<UserId>,
    steps: Vec<Step<T>>,
}

impl<T: Ticket> Story<T> {
    /// A ticket as created by `actor` (its id is assigned when it is written).
    pub fn new(created: T, actor: Option<UserId>) -> Story<T> {
        Story {
            created,
            actor,
            steps: Vec::new(),
        }
    }

    /// The ticket as it stands after the changes so far.
    pub fn current(&self) -> &T {
        self.steps.last().map(|s| &s.state).unwrap_or(&self.created)
    }

    /// Changes the ticket as [`Store::update`] would at `at`: `change` applies the domain's
    /// rules; a change that changes nothing is not a step.
    pub fn step(
        &mut self,
        actor: Option<UserId>,
        at: DateTime<Utc>,
        action: HistoryAction,
        change: impl FnOnce(&mut T) -> Result<()>,
    ) -> Result<&T> {
        let mut next = self.current().clone();
        change(&mut next)?;
        if !diff(self.current(), &next).is_empty() {
            next.touch(at);
            self.steps.push(Step {
                state: next,
                actor,
                at,
                action,
            });
        }
        Ok(self.current())
    }
}

/// Stories written per transaction.
const STORIES_PER_TRANSACTION: usize = 1000;

impl Store {
    /// Writes tickets with their past (see [`Story`]): each as it ends up, with the history
    /// entries of its creation and of every change, and its clocks and escalations as the
    /// changes, made one by one at their instants, would have left them. A ticket whose
    /// references (in any of its states) do not exist gets its own error and is not written.
    pub async fn import<T: Ticket>(&self, stories: Vec<Story<T>>) -> Result<Vec<Result<T>>> {
        let mut out = Vec::with_capacity(stories.len());
        let mut rest = stories.into_iter().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<Story<T>> = rest.by_ref().take(STORIES_PER_TRANSACTION).collect();
            let mut tx = self.begin().await?;
            out.extend(import_in(&mut tx, chunk).await?);
            tx.commit().await?;
        }
        Ok(out)
    }
}

async fn import_in<T: Ticket>(tx: &mut crate::exec::Tx, stories: Vec<Story<T>>) -> Result<Vec<Result<T>>> {
    let refs: Vec<_> = stories
        .iter()
        .map(|s| {
            let mut r: Vec<_> = std::iter::once(&s.created)
                .chain(s.steps.iter().map(|st| &st.state))
                .flat_map(|t| t.references())
                .collect();
            r.sort_unstable_by_key(|(field, kind, id)| (*field, kind.as_str(), *id));
            r.dedup();
            r
        })
        .collect();
    let refused = refused_by_references(tx, &refs).await?;
    let mut out: Vec<Option<Result<T>>> = Vec::with_capacity(stories.len());
    let mut good: Vec<Story<T>> = Vec::with_capacity(stories.len());
    for (story, refused) in stories.into_iter().zip(refused) {
        match refused {
            Some(e) => out.push(Some(Err(e))),
            None => {
                out.push(None);
                good.push(story);
            }
        }
    }
    let mut finals: Vec<T> = good.iter().map(|s| s.current().clone()).collect();
    insert_rows(tx, &mut finals).await?;
    let mut entries = Vec::new();
    let mut replays = Vec::with_capacity(good.len());
    for (story, last) in good.iter_mut().zip(&finals) {
        let id = last.id();
        story.created.set_id(id);
        for s in &mut story.steps {
            s.state.set_id(id);
        }
        entries.push(EntryContent {
            record_kind: T::KIND,
            record_id: id,
            actor: story.actor,
            at_micros: micros(story.created.updated_at()),
            action: HistoryAction::Create,
            field: None,
            old_value: None,
            new_value: Some(serde_json::to_string(&story.created).map_err(|e| Error::Unexpected(Box::new(e)))?),
        });
        let mut writes = vec![(story.created.clock_subject(), micros(story.created.created_at()))];
        let mut prev = &story.created;
        for s in &story.steps {
            for (field, old_value, new_value) in diff(prev, &s.state) {
                entries.push(EntryContent {
                    record_kind: T::KIND,
                    record_id: id,
                    actor: s.actor,
                    at_micros: micros(s.at),
                    action: s.action,
                    field: Some(field),
                    old_value: Some(old_value),
                    new_value: Some(new_value),
                });
            }
            writes.push((s.state.clock_subject(), micros(s.at)));
            prev = &s.state;
        }
        replays.push(Replay { id, writes });
    }
    history::append(tx, entries).await?;
    replay_many(tx, T::KIND, replays).await?;
    Ok(outcomes(out, finals))
}
