//! The job runner of `steward serve`: fires due service level escalations, sends due
//! certificate reminders, tells people what happened (the notifier reads the history chain),
//! writes the daily digests, and sends the outbox's email. Every process runs one; the store
//! makes sure each job fires, each history entry is told and each message is claimed once
//! between them.

use std::time::Duration;

use chrono::Utc;
use steward_core::mail::MailSettings;
use steward_mail::Sender;
use steward_store::Store;
use tokio::sync::watch;

/// How often the runner looks for due jobs when there is nothing to do.
const IDLE: Duration = Duration::from_millis(500);
/// How often the digests are looked for (they fall due once a day).
const DIGEST_EVERY: Duration = Duration::from_secs(60);

pub async fn run(store: Store, mail: MailSettings, sender: Option<Sender>, stop: watch::Receiver<bool>) {
    // Sending waits on a mail server, so it has its own loop: a slow server never holds up an
    // escalation or a notice.
    let outbox = sender.map(|s| tokio::spawn(send_outbox(store.clone(), s, stop.clone())));
    jobs(store, mail, stop).await;
    if let Some(o) = outbox {
        let _ = o.await;
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
