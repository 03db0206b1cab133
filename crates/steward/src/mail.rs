//! `steward mail ingest`: one message on standard input, as a mail server's pipe delivers it
//! (like Request Tracker's rt-mailgate), kept and placed. The exit status speaks the mail
//! server's language (sysexits): 0 when the message is kept, whatever became of it; 65 when it is
//! not a message Steward takes (empty, or too large), which the mail server returns to its sender;
//! 75 when the database could not be reached, so the mail server keeps it and tries again.

use std::io::Read;
use std::process::ExitCode;

use chrono::Utc;
use steward_core::Error;
use steward_mail::inbound::{Incoming, MESSAGE_MAX, ingest, refusal};

use crate::{DbArgs, open};

const EX_DATAERR: u8 = 65;
const EX_TEMPFAIL: u8 = 75;

pub async fn ingest_stdin(db: &DbArgs, mail_from: &str) -> anyhow::Result<ExitCode> {
    let incoming = match Incoming::from_address(mail_from) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("--mail-from: {e}");
            return Ok(ExitCode::from(64));
        }
    };
    let mut raw = Vec::new();
    // One byte more than the most taken in, to tell a message that is too large.
    if let Err(e) = std::io::stdin().take(MESSAGE_MAX as u64 + 1).read_to_end(&mut raw) {
        eprintln!("the message could not be read from standard input: {e}");
        return Ok(ExitCode::from(EX_TEMPFAIL));
    }
    let store = match open(db).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "the message was not taken in, the database could not be opened (the mail server should try again): {e:#}"
            );
            return Ok(ExitCode::from(EX_TEMPFAIL));
        }
    };
    let outcome = ingest(&store, &incoming, &raw, Utc::now()).await;
    store.close().await;
    match outcome {
        Ok(m) => {
            let record = m.record.map(|r| format!(" {r}")).unwrap_or_default();
            let again = if m.duplicate { " (received before)" } else { "" };
            println!("inbound message {}: {}{record}{again} — {}", m.id, m.state, m.reason);
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Invalid(fields)) => {
            eprintln!("the message was not taken in: {}", refusal(&fields));
            Ok(ExitCode::from(EX_DATAERR))
        }
        Err(e) => {
            eprintln!("the message was not taken in (the mail server should try again): {e}");
            Ok(ExitCode::from(EX_TEMPFAIL))
        }
    }
}
