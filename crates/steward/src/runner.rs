//! The job runner of `steward serve`: fires due service level escalations and sends due
//! certificate reminders. Every process runs one; the store makes sure each job fires exactly
//! once between them.

use std::time::Duration;

use steward_store::Store;
use tokio::sync::watch;

/// How often the runner looks for due jobs when there is nothing to do.
const IDLE: Duration = Duration::from_millis(500);

pub async fn run(store: Store, mut stop: watch::Receiver<bool>) {
    loop {
        let now = steward_server::auth::now().timestamp_micros();
        match store.run_due_escalations(now, 200).await {
            Ok(n) if n > 0 => {
                tracing::info!(fired = n, "service level escalations fired");
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the job runner failed; retrying"),
        }
        match store.run_due_reminders(now, 200).await {
            Ok(n) if n > 0 => tracing::info!(sent = n, "certificate reminders sent"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "sending certificate reminders failed; retrying"),
        }
        tokio::select! {
            _ = tokio::time::sleep(IDLE) => {}
            _ = stop.changed() => return,
        }
    }
}
