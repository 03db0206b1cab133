//! The `steward` command: serve the API, migrate, manage users and tokens, verify the audit
//! trail, and seed demo data. Every command reaches the same database through `--data-dir`
//! (SQLite) or `--database-url` (PostgreSQL).

mod backup;
mod compliance;
mod demo;
mod mail;
mod report;
mod runner;

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use clap::{Args, Parser, Subcommand};
use steward_core::configuration_item::ConfigurationItem;
use steward_core::id::{ConfigurationItemId, OrganisationId};
use steward_core::mail::MailSettings;
use steward_core::report::{GroupBy, aggregate_tallies};
use steward_core::user::{NewUser, Role, User};
use steward_server::AppState;
use steward_server::api::report::period_bound;
use steward_server::auth::{hash_password, new_token, random_password};
use steward_store::{Store, TokenInfo};

#[derive(Parser)]
#[command(name = "steward", version, about = "IT service management for ISO/IEC 20000-1:2018")]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Folder of the embedded SQLite database (`<data-dir>/steward.db`).
    #[arg(long, env = "STEWARD_DATA_DIR", default_value = "./steward-data", global = true)]
    data_dir: PathBuf,
    /// Use PostgreSQL instead: postgres://user:password@host:port/database
    #[arg(long, env = "STEWARD_DATABASE_URL", global = true)]
    database_url: Option<String>,
}

/// Email: where it goes out, who it is from, and where the links in it point.
#[derive(clap::Args)]
struct MailArgs {
    /// The mail server that sends Steward's email: smtp://host:25 (unencrypted, for a local
    /// relay), smtp://user:password@host:587?tls=required (STARTTLS) or
    /// smtps://user:password@host:465. Without it, notifications are shown in the app only.
    #[arg(long, env = "STEWARD_SMTP_URL", requires = "mail_from")]
    smtp_url: Option<String>,
    /// The address Steward's email comes from and replies go to, e.g.
    /// "Service Desk <desk@example.com>".
    #[arg(long, env = "STEWARD_MAIL_FROM")]
    mail_from: Option<String>,
    /// A PEM file of certificate authorities to trust for the mail server's certificate, besides
    /// the built-in ones.
    #[arg(long, env = "STEWARD_SMTP_CA_FILE")]
    smtp_ca_file: Option<PathBuf>,
    /// Steward's address as people reach it, for the links in email (default: the listen
    /// address).
    #[arg(long, env = "STEWARD_PUBLIC_URL")]
    public_url: Option<String>,
    /// A mailbox whose email Steward takes in, as `mail ingest` does:
    /// imaps://user:password@host:993/INBOX, or imap://…:143/INBOX?tls=required (STARTTLS).
    /// Messages are removed from it once kept. Needs --mail-from.
    #[arg(long, env = "STEWARD_IMAP_URL", requires = "mail_from")]
    imap_url: Option<String>,
    /// A PEM file of certificate authorities to trust for the IMAP server's certificate.
    #[arg(long, env = "STEWARD_IMAP_CA_FILE")]
    imap_ca_file: Option<PathBuf>,
    /// Seconds between looks into the mailbox.
    #[arg(long, env = "STEWARD_IMAP_EVERY", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    imap_every: u64,
    /// The hour of the day (0-23, UTC) at which daily digests are written.
    #[arg(long, env = "STEWARD_DIGEST_HOUR", default_value_t = 7, value_parser = clap::value_parser!(u32).range(0..24))]
    digest_hour: u32,
}

impl MailArgs {
    /// What inbound mail needs (with --mail-from), and the mailbox poller (with --imap-url).
    fn inbound(&self) -> anyhow::Result<Option<runner::Inbound>> {
        let Some(from) = &self.mail_from else {
            return Ok(None);
        };
        let incoming =
            steward_mail::inbound::Incoming::from_address(from).map_err(|e| anyhow::anyhow!("--mail-from: {e}"))?;
        let poller = match &self.imap_url {
            Some(url) => {
                let ca_pem = match &self.imap_ca_file {
                    Some(p) => Some(
                        std::fs::read(p)
                            .with_context(|| format!("cannot read the certificate authority file {}", p.display()))?,
                    ),
                    None => None,
                };
                let config = steward_mail::imap::ImapConfig {
                    url: url.clone(),
                    ca_pem,
                };
                Some(steward_mail::imap::Poller::new(&config).map_err(|e| anyhow::anyhow!("--imap-url: {e}"))?)
            }
            None => None,
        };
        Ok(Some(runner::Inbound {
            incoming,
            poller,
            every: Duration::from_secs(self.imap_every),
        }))
    }

    /// The notifier's settings and the sender, or a sentence saying what is wrong.
    fn settings(&self, listen: SocketAddr) -> anyhow::Result<(MailSettings, Option<steward_mail::Sender>)> {
        let public_url = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        let Some(url) = &self.smtp_url else {
            return Ok((
                MailSettings {
                    digest_hour: self.digest_hour,
                    ..MailSettings::in_app_only(&public_url)
                },
                None,
            ));
        };
        let ca_pem = match &self.smtp_ca_file {
            Some(p) => Some(
                std::fs::read(p)
                    .with_context(|| format!("cannot read the certificate authority file {}", p.display()))?,
            ),
            None => None,
        };
        let config = steward_mail::SmtpConfig {
            url: url.clone(),
            from: self.mail_from.clone().unwrap_or_default(),
            ca_pem,
        };
        let sender = steward_mail::Sender::new(&config).map_err(|e| anyhow::anyhow!("{e}"))?;
        let settings = MailSettings {
            enabled: true,
            domain: config.domain().map_err(|e| anyhow::anyhow!("{e}"))?,
            public_url,
            digest_hour: self.digest_hour,
        };
        Ok((settings, Some(sender)))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrations run first).
    Serve {
        #[arg(long, env = "STEWARD_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed demo data first if the database is empty.
        #[arg(long, env = "STEWARD_DEMO")]
        demo: bool,
        /// How many demo tickets `--demo` creates.
        #[arg(long, env = "STEWARD_DEMO_RECORDS", default_value_t = 5000)]
        demo_records: u32,
        /// A reverse proxy in front of Steward whose `X-Forwarded-For` is believed (repeat, or
        /// separate with commas): sign-in throttling and the security log then count the address
        /// it forwarded for instead of the proxy's own.
        #[arg(long = "trusted-proxy", env = "STEWARD_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxies: Vec<std::net::IpAddr>,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a consistent copy of the database to a file, while the server goes on serving
    /// (SQLite: a snapshot database file; PostgreSQL: a pg_dump archive).
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into an empty data directory or an empty PostgreSQL database.
    Restore {
        /// A file written by `steward backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Move the embedded SQLite database (`--data-dir`) into an empty PostgreSQL database, every
    /// record with its history; stop the server first, since writes made during the move are not
    /// carried over. The SQLite database is left as it was.
    MigrateStore {
        /// The empty PostgreSQL database: postgres://user:password@host:port/database
        #[arg(long)]
        to: String,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Configuration items.
    Ci {
        #[command(subcommand)]
        command: CiCommand,
    },
    /// Reports.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Conformity with ISO/IEC 20000-1.
    Compliance {
        #[command(subcommand)]
        command: ComplianceCommand,
    },
    /// Email that arrives.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Seed a believable organisation with 90 days of tickets.
    Demo {
        /// How many tickets (incidents, requests, problems and changes) to create.
        #[arg(long, env = "STEWARD_DEMO_RECORDS", default_value_t = 5000)]
        records: u32,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Take one email message on standard input, for a mail server to pipe messages to: a reply
    /// becomes a comment on its record, a new message opens a ticket by the mail rules, and one
    /// that cannot be placed is held for review. Exit status: 0 kept, 65 not a message Steward
    /// takes (empty or over 40 MiB), 75 try again later (the database could not be reached).
    Ingest {
        /// The address Steward's email comes from, e.g. "Service Desk <desk@example.com>":
        /// replies to it are found by their headers, and Steward's own messages are never taken.
        #[arg(long, env = "STEWARD_MAIL_FROM")]
        mail_from: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user.
    Add {
        #[arg(long)]
        email: String,
        /// admin, manager, agent, requester or auditor
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
        /// The customer organisation (ORG-n) of a requester.
        #[arg(long)]
        organisation: Option<String>,
        /// Read the password from standard input (first line).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user and print it (alone) on standard output.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// 1 to 365; without it the token lasts until revoked.
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// List a user's tokens: reference, state, name, made, expires.
    List {
        #[arg(long)]
        email: String,
    },
    /// Revoke a token (it stops working at once).
    Revoke {
        /// The token's reference, such as TOK-3.
        reference: String,
    },
}

#[derive(Subcommand)]
enum CiCommand {
    /// What a failure of an item would affect (items and services), and what it depends on.
    Impact {
        /// The item, e.g. CI-3.
        reference: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// The period of a report and how it is printed.
#[derive(Args)]
struct ReportPeriod {
    /// Start of the period: a date (UTC midnight) or an RFC 3339 instant.
    #[arg(long)]
    from: String,
    /// End of the period, exclusive.
    #[arg(long)]
    to: String,
    /// table, csv or json
    #[arg(long, default_value = "table")]
    format: String,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Service level attainment: targets met and missed, mean and 90th percentile times.
    Sla {
        /// Start of the period: a date (UTC midnight) or an RFC 3339 instant.
        #[arg(long)]
        from: String,
        /// End of the period, exclusive.
        #[arg(long)]
        to: String,
        /// agreement, service or priority
        #[arg(long, default_value = "agreement")]
        group_by: String,
        /// table, csv or json
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Availability per service: against its target, with downtime, failures, mean time between
    /// failures and to restore service, counted round the clock from its outages.
    Availability(ReportPeriod),
    /// Every active supplier: its tickets open now, its underpinning contract clocks that
    /// stopped in the period met or breached, its active contracts (those due a review) and its
    /// open disputes.
    Suppliers(ReportPeriod),
    /// Every active customer and interested party: its relationship owner, the last service
    /// review held and the next planned, reviews held in the period, and its complaints
    /// (received, open, past their target, resolved and how many on time).
    Relationships(ReportPeriod),
    /// Satisfaction per service: surveys sent in the period (on resolved tickets and in
    /// periodic rounds), answered, the response rate, the mean score, satisfied and dissatisfied.
    Satisfaction(ReportPeriod),
    /// Actual against budget: every budget whose period meets the report's, beside what its
    /// service spent over the budget's own period, with how much of the period has passed.
    Budget(ReportPeriod),
    /// What each service cost over the period, by category, with the staff time logged and
    /// what its incidents cost, in all and per incident.
    Costs(ReportPeriod),
    /// Every active capacity requirement: its readings in the period, the latest, peak and mean
    /// utilisation against its thresholds, and the capacity-related incidents raised.
    Capacity(ReportPeriod),
    /// Every continuity plan not retired, as it stands today: its objectives, its review, its
    /// last and next test, linked risks and the high-risk changes since its review.
    Continuity {
        /// table, csv or json
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Every demand forecast whose period meets the report's, beside the demand its service met
    /// (tickets counted from the records, or the actual recorded) and the variance.
    Demand(ReportPeriod),
    /// Information security: security incidents raised month by month (P1 or P2, resolved, mean
    /// hours to resolve), the security risks and the controls treating them, with their
    /// effectiveness and reviews (CSV: the monthly trend only).
    Security(ReportPeriod),
    /// The knowledge base as it stands today: every article not retired with its audience,
    /// state, owner, next review (marked when past) and readers' votes.
    Knowledge {
        /// table, csv or json
        #[arg(long, default_value = "table")]
        format: String,
    },
}

#[derive(Subcommand)]
enum ComplianceCommand {
    /// The readiness report: per requirement its score, documents, evidence and open
    /// nonconformities, rolled up per clause and overall, with the reasoning.
    Report {
        /// Start of the live evidence period (a date or an RFC 3339 instant); default 90 days before --to.
        #[arg(long)]
        from: Option<String>,
        /// End of the period, exclusive; default now.
        #[arg(long)]
        to: Option<String>,
        /// json, csv or html (a printable audit pack)
        #[arg(long, default_value = "json")]
        format: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the history chain; exit non-zero naming every entry edited, deleted or reordered.
    Verify,
}

/// A report over a period, printed as its `--format` asks: read with one store, however many
/// statements the report needs.
async fn period_report(store: &Store, command: ReportCommand) -> anyhow::Result<String> {
    match command {
        ReportCommand::Availability(p) => {
            let (from, to) = p.bounds()?;
            let rows = store.availability(from, to, Utc::now()).await?;
            report::render_availability(&rows, &p.format)
        }
        ReportCommand::Suppliers(p) => {
            let (from, to) = p.bounds()?;
            let rows = store.supplier_performance(from, to, Utc::now().date_naive()).await?;
            report::render_suppliers(&rows, &p.format)
        }
        ReportCommand::Relationships(p) => {
            let (from, to) = p.bounds()?;
            let rows = store.relationships(from, to, Utc::now()).await?;
            report::render_relationships(&rows, &p.format)
        }
        ReportCommand::Satisfaction(p) => {
            let (from, to) = p.bounds()?;
            let rows = store.satisfaction(from, to).await?;
            report::render_satisfaction(&rows, &p.format)
        }
        ReportCommand::Budget(p) => {
            let (from, to) = p.bounds()?;
            let rows = store.budget_report(from, to, Utc::now().date_naive()).await?;
            let currency = store.cost_rates().await?.currency;
            report::render_budget(&rows, &currency, &p.format)
        }
        ReportCommand::Costs(p) => {
            let (from, to) = p.bounds()?;
            let rows = store.service_costs(from, to).await?;
            let currency = store.cost_rates().await?.currency;
            report::render_costs(&rows, &currency, &p.format)
        }
        ReportCommand::Capacity(p) => {
            let (from, to) = p.bounds()?;
            let rows = store.capacity_report(from, to).await?;
            report::render_capacity(&rows, &p.format)
        }
        ReportCommand::Demand(p) => {
            let (from, to) = p.bounds()?;
            let rows = store.demand_report(from, to, Utc::now().date_naive()).await?;
            report::render_demand(&rows, &p.format)
        }
        ReportCommand::Security(p) => {
            let (from, to) = p.bounds()?;
            let r = store.security_report(from, to, Utc::now().date_naive()).await?;
            report::render_security(&r, &p.format)
        }
        ReportCommand::Sla { .. } | ReportCommand::Continuity { .. } | ReportCommand::Knowledge { .. } => {
            bail!("not a report over a period")
        }
    }
}

impl ReportCommand {
    /// The period a report over one names.
    fn period(&self) -> Option<&ReportPeriod> {
        match self {
            ReportCommand::Availability(p)
            | ReportCommand::Suppliers(p)
            | ReportCommand::Relationships(p)
            | ReportCommand::Satisfaction(p)
            | ReportCommand::Budget(p)
            | ReportCommand::Costs(p)
            | ReportCommand::Capacity(p)
            | ReportCommand::Demand(p)
            | ReportCommand::Security(p) => Some(p),
            ReportCommand::Sla { .. } | ReportCommand::Continuity { .. } | ReportCommand::Knowledge { .. } => None,
        }
    }
}

impl ReportPeriod {
    /// The period's bounds, once the format is one the reports print.
    fn bounds(&self) -> anyhow::Result<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
        report_period(&self.from, &self.to, &self.format)
    }
}

/// A report's period from `--from` and `--to`, once its `--format` is one a report prints.
fn report_period(from: &str, to: &str, format: &str) -> anyhow::Result<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    if !["table", "csv", "json"].contains(&format) {
        bail!("unknown format '{format}': use table, csv or json");
    }
    let from = period_bound("--from", from).map_err(anyhow::Error::msg)?;
    let to = period_bound("--to", to).map_err(anyhow::Error::msg)?;
    if to <= from {
        bail!("--to must be after --from");
    }
    Ok((from, to))
}

async fn user_by_email(store: &Store, email: &str) -> anyhow::Result<User> {
    store
        .user_by_email(email)
        .await?
        .with_context(|| format!("no user has the email {email}"))
}

async fn open(db: &DbArgs) -> anyhow::Result<Store> {
    let store = match &db.database_url {
        Some(url) => Store::open_postgres(url).await?,
        None => {
            std::fs::create_dir_all(&db.data_dir)
                .with_context(|| format!("cannot create data directory {}", db.data_dir.display()))?;
            Store::open_sqlite(&db.data_dir.join("steward.db")).await?
        }
    };
    store.migrate().await?;
    Ok(store)
}

/// Creates the first administrator of an empty database and prints the password once.
async fn first_admin(store: &Store) -> anyhow::Result<()> {
    let password = random_password()?;
    let input = NewUser {
        email: "admin@steward.local".into(),
        name: Some("Administrator".into()),
        role: Role::Admin,
        organisation: None,
        password: Some(password.clone()),
        security_cleared: None,
    };
    let user = User::create(&input, Utc::now())?;
    store.create_user(user, Some(hash_password(&password)?), None).await?;
    eprintln!("Created the first administrator admin@steward.local with the password {password}");
    eprintln!(
        "This password is shown once: keep it, or set a new one by adding another admin with `steward user add`."
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            listen,
            demo,
            demo_records,
            trusted_proxies,
            mail,
        } => {
            let (mail_settings, sender) = mail.settings(listen)?;
            let inbound = mail.inbound()?;
            let store = open(&cli.db).await?;
            if store.count_users().await? == 0 {
                first_admin(&store).await?;
                if demo {
                    demo::seed(&store, demo_records, Utc::now()).await?;
                }
            } else if demo {
                eprintln!("the database already holds data: --demo seeds only an empty one, so nothing was added");
            }
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            eprintln!(
                "Steward is serving on http://{} (API docs at /api/v1/docs)",
                listener.local_addr()?
            );
            let (stop, stopped) = tokio::sync::watch::channel(false);
            if let Some(url) = &mail.smtp_url {
                eprintln!("email goes out through {}", steward_mail::smtp::redact(url));
            }
            if let Some(p) = inbound.as_ref().and_then(|i| i.poller.as_ref()) {
                eprintln!("email comes in from {}", p.describe());
            }
            let jobs = tokio::spawn(runner::run(store.clone(), mail_settings, sender, inbound, stopped));
            let shutdown = async move {
                shutdown_signal().await;
                let _ = stop.send(true);
            };
            let state = AppState {
                trusted_proxies: trusted_proxies.into(),
                ..AppState::new(store.clone())
            };
            steward_server::serve(listener, state, shutdown).await?;
            let _ = jobs.await;
            store.close().await;
        }
        Command::Backup { to } => backup::backup(&cli.db.database_url, &cli.db.data_dir, &to).await?,
        Command::Restore { from } => backup::restore(&cli.db.database_url, &cli.db.data_dir, &from).await?,
        Command::MigrateStore { to } => backup::migrate_store(&cli.db.database_url, &cli.db.data_dir, &to).await?,
        Command::Mail {
            command: MailCommand::Ingest { mail_from },
        } => return mail::ingest_stdin(&cli.db, &mail_from).await,
        Command::Migrate => {
            let store = open(&cli.db).await?;
            store.close().await;
            eprintln!("migrations applied");
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    role,
                    name,
                    organisation,
                    password_stdin,
                },
        } => {
            let role = Role::parse(&role)
                .with_context(|| format!("unknown role '{role}': use admin, manager, agent, requester or auditor"))?;
            let organisation = organisation
                .map(|o| o.parse::<OrganisationId>().map_err(anyhow::Error::msg))
                .transpose()?;
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("cannot read the password from standard input")?;
                let line = s.lines().next().unwrap_or("").to_string();
                if line.is_empty() {
                    bail!("--password-stdin was given but standard input held no password");
                }
                Some(line)
            } else {
                None
            };
            let store = open(&cli.db).await?;
            let input = NewUser {
                email,
                name,
                role,
                organisation,
                password: password.clone(),
                security_cleared: None,
            };
            let user = User::create(&input, Utc::now())?;
            let hash = password.as_deref().map(hash_password).transpose()?;
            let user = store.create_user(user, hash, None).await?;
            store.close().await;
            eprintln!("added {} ({}) as {}", user.email, user.id, user.role);
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    email,
                    name,
                    expires_in_days,
                },
        } => {
            let now = Utc::now();
            let (name, expires_at) = steward_core::token::check_token(&name, expires_in_days, now)?;
            let store = open(&cli.db).await?;
            let user = user_by_email(&store, &email).await?;
            if !user.active {
                bail!("{email} is deactivated");
            }
            let (token, hash) = new_token()?;
            let info = TokenInfo {
                name,
                created_at: now,
                expires_at,
            };
            store.insert_token(user.id, &hash, &info).await?;
            store.close().await;
            println!("{token}");
        }
        Command::Token {
            command: TokenCommand::List { email },
        } => {
            let store = open(&cli.db).await?;
            let user = user_by_email(&store, &email).await?;
            let tokens = store.list_tokens(user.id, Utc::now()).await?;
            store.close().await;
            for t in tokens {
                let expires = t.expires_at.map(|e| e.to_rfc3339()).unwrap_or_else(|| "never".into());
                println!(
                    "{}\t{}\t{}\t{}\t{expires}",
                    t.id,
                    t.state,
                    t.name,
                    t.created_at.to_rfc3339()
                );
            }
        }
        Command::Token {
            command: TokenCommand::Revoke { reference },
        } => {
            let id: steward_core::id::TokenId = reference.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            let store = open(&cli.db).await?;
            let Some(token) = store.get_token(id, Utc::now()).await? else {
                bail!("there is no token {id}");
            };
            store.revoke_token(id, None, Utc::now()).await?;
            store.close().await;
            eprintln!("revoked {id} ({}) of {}", token.name, token.user);
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let store = open(&cli.db).await?;
            let report = store.verify_history().await?;
            store.close().await;
            if report.faults.is_empty() {
                println!("history intact: {} entries verified", report.checked);
            } else {
                for f in &report.faults {
                    println!("FAULT: {f}");
                }
                println!(
                    "history NOT intact: {} fault(s) in {} entries",
                    report.faults.len(),
                    report.checked
                );
                return Ok(ExitCode::from(1));
            }
        }
        Command::Ci {
            command: CiCommand::Impact { reference, json },
        } => {
            let id: ConfigurationItemId = reference.parse().map_err(|e: String| anyhow::anyhow!("{e}"))?;
            let store = open(&cli.db).await?;
            let item: Option<ConfigurationItem> = store.get(id.0).await?;
            let Some(item) = item else {
                store.close().await;
                bail!("there is no configuration item {reference}");
            };
            let impact = store.impact(item.id).await?;
            store.close().await;
            if json {
                println!("{}", serde_json::to_string_pretty(&impact)?);
            } else {
                print!("{}", report::impact_text(&item, &impact));
            }
        }
        Command::Report {
            command:
                ReportCommand::Sla {
                    from,
                    to,
                    group_by,
                    format,
                },
        } => {
            let group_by = GroupBy::parse(&group_by)
                .with_context(|| format!("unknown grouping '{group_by}': use agreement, service or priority"))?;
            let (from, to) = report_period(&from, &to, &format)?;
            let store = open(&cli.db).await?;
            let tallies = store
                .sla_tallies(from.timestamp_micros(), to.timestamp_micros(), group_by)
                .await?;
            store.close().await;
            print!("{}", report::render(&aggregate_tallies(tallies), &format)?);
        }
        Command::Report {
            command:
                command @ (ReportCommand::Availability(_)
                | ReportCommand::Suppliers(_)
                | ReportCommand::Relationships(_)
                | ReportCommand::Satisfaction(_)
                | ReportCommand::Budget(_)
                | ReportCommand::Costs(_)
                | ReportCommand::Capacity(_)
                | ReportCommand::Demand(_)
                | ReportCommand::Security(_)),
        } => {
            // A mistyped period or format is told before any database is opened.
            if let Some(p) = command.period() {
                p.bounds()?;
            }
            let store = open(&cli.db).await?;
            let printed = period_report(&store, command).await;
            store.close().await;
            print!("{}", printed?);
        }
        Command::Report {
            command: ReportCommand::Knowledge { format },
        } => {
            if !["table", "csv", "json"].contains(&format.as_str()) {
                bail!("unknown format '{format}': use table, csv or json");
            }
            let store = open(&cli.db).await?;
            let mut articles = Vec::new();
            let mut cursor = None;
            loop {
                let page = store
                    .list::<steward_core::article::Article>(&steward_store::ListQuery {
                        cursor,
                        limit: 500,
                        ..Default::default()
                    })
                    .await?;
                articles.extend(
                    page.items
                        .into_iter()
                        .filter(|a| a.status != steward_core::article::ArticleStatus::Retired),
                );
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            store.close().await;
            print!(
                "{}",
                report::render_knowledge(&articles, Utc::now().date_naive(), &format)?
            );
        }
        Command::Report {
            command: ReportCommand::Continuity { format },
        } => {
            if !["table", "csv", "json"].contains(&format.as_str()) {
                bail!("unknown format '{format}': use table, csv or json");
            }
            let store = open(&cli.db).await?;
            let rows = store.continuity_report(Utc::now().date_naive()).await?;
            store.close().await;
            print!("{}", report::render_continuity(&rows, &format)?);
        }
        Command::Compliance {
            command: ComplianceCommand::Report { from, to, format },
        } => {
            if !["json", "csv", "html"].contains(&format.as_str()) {
                bail!("unknown format '{format}': use json, csv or html");
            }
            let now = Utc::now();
            let to = match to {
                Some(t) => period_bound("--to", &t).map_err(anyhow::Error::msg)?,
                None => now,
            };
            let from = match from {
                Some(f) => period_bound("--from", &f).map_err(anyhow::Error::msg)?,
                None => to - chrono::Duration::days(90),
            };
            if to <= from {
                bail!("--to must be after --from");
            }
            let store = open(&cli.db).await?;
            let gathered = async {
                let report = store
                    .readiness(steward_core::indicator::Period { from, to }, now)
                    .await?;
                let pack = if format == "html" {
                    compliance::gather_pack(&store).await?
                } else {
                    compliance::Pack::default()
                };
                anyhow::Ok((report, pack))
            }
            .await;
            store.close().await;
            let (report, pack) = gathered?;
            print!("{}", compliance::render(&report, &pack, &format)?);
        }
        Command::Demo { records } => {
            let store = open(&cli.db).await?;
            demo::seed(&store, records, Utc::now()).await?;
            store.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
