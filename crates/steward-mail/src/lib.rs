//! Steward's email. `smtp` writes the outbox's messages (with the headers that let replies find
//! their record and keep auto-responders quiet) and hands them to a mail server over SMTP, with
//! STARTTLS or implicit TLS; the job runner calls [`Sender::send_due`] and never a request
//! handler, so no request waits on a mail server.

pub mod imap;
pub mod inbound;
pub mod smtp;

pub use smtp::{Sender, SmtpConfig};
