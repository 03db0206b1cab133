//! The job runner of `steward serve`: fires due service level escalations, sends due
//! certificate reminders, tells people what happened (the notifier reads the history chain),
//! writes the daily digests, sends the outbox's email, and takes in email (from the IMAP mailbox,
//! and any message a stopped `mail ingest` left undecided). Every process runs one; the store
//! makes sure each job fires, each history entry is told and each message is claimed and placed
//! once between them.

use std::time::Duration;

use chrono::Utc;
use steward_core::mail::MailSettings;
use steward_mail::Sender;
use steward_mail::imap::Poller;
use steward_mail::inbound::{Incoming, place};
use steward_store::Store;
use tokio::sync::watch;

/// How often the runner looks for due jobs when there is nothing to do.
const IDLE: Duration = Duration::from_millis(500);
/// How often the digests are looked for (they fall due once a day).
const DIGEST_EVERY: Duration = Duration::from_secs(60);

/// Email coming in: what it needs to know of Steward's own, and the mailbox to poll, if any.
pub struct Inbound {
    pub incoming: Incoming,
    pub poller: Option<Poller>,
    pub every: Duration,
}

/// A message left `received` this long is taken to be abandoned by whoever received it (a
/// `mail ingest` that stopped), and placed here.
const ABANDONED: chrono::Duration = chrono::Duration::seconds(30);

pub async fn run(
    store: Store,
    mail: MailSettings,
    sender: Option<Sender>,
    inbound: Option<Inbound>,
    stop: watch::Receiver<bool>,
) {
    // Sending and receiving wait on mail servers, so each has its own loop: a slow server never
    // holds up an escalation or a notice.
    let outbox = sender.map(|s| tokio::spawn(send_outbox(store.clone(), s, stop.clone())));
    let inbox = inbound.map(|i| tokio::spawn(receive(store.clone(), i, stop.clone())));
    jobs(store, mail, stop).await;
    for task in [outbox, inbox].into_iter().flatten() {
        let _ = task.await;
    }
}

async fn receive(store: Store, inbound: Inbound, mut stop: watch::Receiver<bool>) {
    let mut next_poll = tokio::time::Instant::now();
    loop {
        match store.undecided_mail(Utc::now() - ABANDONED, 20).await {
            Ok(ids) => {
                for id in ids {
                    match place(&store, &inbound.incoming, id, Utc::now()).await {
                        Ok(m) => {
                            tracing::info!(id, state = %m.state, reason = %m.reason, "an undecided message was placed")
                        }
                        Err(e) => tracing::error!(id, error = %e, "placing an undecided message failed; retrying"),
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "looking for undecided messages failed; retrying"),
        }
        if let Some(p) = &inbound.poller
            && tokio::time::Instant::now() >= next_poll
        {
            next_poll = tokio::time::Instant::now() + inbound.every;
            match p.poll(&store, &inbound.incoming, 50).await {
                Ok(polled) if polled.fetched > 0 => {
                    tracing::info!(
                        fetched = polled.fetched,
                        kept = polled.kept,
                        set_aside = polled.set_aside,
                        "took in email from the mailbox"
                    );
                    // More may be waiting: look again at once.
                    if polled.fetched == 50 {
                        next_poll = tokio::time::Instant::now();
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(mailbox = %p.describe(), error = %e, "the mailbox could not be read; trying again later")
                }
            }
        }
        // Undecided messages are looked for every few seconds; the mailbox when it is due.
        let wait = match &inbound.poller {
            Some(_) => next_poll
                .saturating_duration_since(tokio::time::Instant::now())
                .clamp(Duration::from_millis(200), Duration::from_secs(5)),
            None => Duration::from_secs(5),
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn jobs(store: Store, mail: MailSettings, mut stop: watch::Receiver<bool>) {
    let mut last_digest = tokio::time::Instant::now() - DIGEST_EVERY;
    loop {
        let now = steward_server::auth::now().timestamp_micros();
        let mut busy = false;
        match store.run_due_escalations(now, 200).await {
            Ok(n) if n > 0 => {
                tracing::info!(fired = n, "service level escalations fired");
                busy = true;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the job runner failed; retrying"),
        }
        match store.run_due_reminders(now, 200).await {
            Ok(n) if n > 0 => tracing::info!(sent = n, "certificate reminders sent"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "sending certificate reminders failed; retrying"),
        }
        let round = std::time::Instant::now();
        match store.run_notifier(&mail, Utc::now(), 500).await {
            Ok(t) => {
                if t.entries > 0 {
                    tracing::debug!(
                        entries = t.entries,
                        notifications = t.notifications,
                        emails = t.emails,
                        micros = round.elapsed().as_micros() as u64,
                        "told what happened"
                    );
                }
                busy |= t.entries == 500;
            }
            Err(e) => tracing::error!(error = %e, cause = ?e, "telling people what happened failed; retrying"),
        }
        if last_digest.elapsed() >= DIGEST_EVERY {
            last_digest = tokio::time::Instant::now();
            match store.run_digests(&mail, Utc::now()).await {
                Ok(n) if n > 0 => tracing::info!(digests = n, "daily digests written"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "writing the daily digests failed; retrying"),
            }
        }
        if busy {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(IDLE) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn send_outbox(store: Store, sender: Sender, mut stop: watch::Receiver<bool>) {
    loop {
        let busy = match sender.send_due(&store, 20).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::error!(error = %e, "sending the outbox failed; retrying");
                false
            }
        };
        if busy && !*stop.borrow() {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(IDLE) => {}
            _ = stop.changed() => return,
        }
    }
}
