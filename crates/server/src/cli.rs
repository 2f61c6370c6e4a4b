//! The `sokoni` command line.

use crate::config::Config;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Sokoni: a WhatsApp-first order, payment and production engine for small
/// businesses.
#[derive(Parser, Debug)]
#[command(name = "sokoni", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (default: ./sokoni.toml if present). SOKONI_*
    /// environment variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API on SOKONI_LISTEN (default 127.0.0.1:8080), migrating
    /// the database first; runs the job workers too unless SOKONI_WORKERS=false.
    Serve,
    /// Run job workers only, no HTTP: for extra worker processes beside
    /// `serve` (or instead of its workers) on the same database.
    Worker {
        /// Queues to work on, comma-separated (default: all).
        #[arg(long, value_delimiter = ',')]
        queues: Option<Vec<String>>,
    },
    /// Connect and list businesses' WhatsApp numbers.
    #[command(subcommand)]
    Number(NumberCommand),
    /// Try everything locally: a fresh SQLite database with a tailor, a shop
    /// and a restaurant already set up, served on http://127.0.0.1:8080.
    Demo,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage businesses.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Invite codes: what a prospective owner sends to the onboarding
    /// number to open their business.
    #[command(subcommand)]
    Invite(InviteCommand),
    /// Write a consistent copy of the SQLite database to PATH.
    Backup {
        /// Where to write the copy (must not exist).
        path: PathBuf,
    },
    /// Inspect and repair the background job queue.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// The automation engine: reminders, win-backs, alerts.
    #[command(subcommand)]
    Automation(AutomationCommand),
    /// The built-in message parser (no database, no network).
    #[command(subcommand)]
    Nlu(NluCommand),
    /// Measure speed; prints figures.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// A business's WhatsApp message templates: read them from Meta, or
    /// submit Sokoni's standard ones for review.
    #[command(subcommand)]
    Templates(TemplatesCommand),
}

#[derive(Subcommand, Debug)]
pub enum InviteCommand {
    /// Issue codes; prints each code once (only its hash is stored).
    Create {
        /// The plan the new business gets: free, pro or scale.
        #[arg(long, default_value = "free")]
        plan: String,
        /// How many codes.
        #[arg(long, default_value_t = 1)]
        count: usize,
        /// When they expire: a duration (`14d`, `48h`) or a date
        /// (`2026-12-31`, the end of that day UTC).
        #[arg(long, default_value = "14d")]
        expires: String,
    },
    /// Every code, newest first, with its status and the business it opened.
    List,
    /// Revoke a code not yet used, by the code itself or its id.
    Revoke {
        /// `7F3K-9QXM` or the invite's id.
        code: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TemplatesCommand {
    /// Read every template of the business's WhatsApp Business Accounts
    /// from Meta and store their statuses; prints the templates as JSON.
    Sync {
        /// The business: its slug or id.
        #[arg(long)]
        tenant: String,
    },
    /// Submit the standard templates the business does not have yet (its
    /// language and English) for Meta's review; a sandbox account approves
    /// them at once. Prints the templates as JSON.
    Submit {
        /// The business: its slug or id.
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AutomationCommand {
    /// Run one cycle now, for every business, and print what it did (the
    /// messages are queued; a running server or `sokoni worker` sends them).
    RunOnce,
}

#[derive(Subcommand, Debug)]
pub enum JobsCommand {
    /// Jobs, newest first, as JSON lines.
    List {
        /// Only jobs in this state: queued, running, done or dead.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Put a dead job back in the queue with fresh attempts.
    Retry {
        /// The job id (from `jobs list`).
        id: String,
    },
    /// Delete finished jobs older than some hours.
    Purge {
        /// Age in hours of the jobs to delete.
        #[arg(long, default_value_t = 72)]
        older_than_hours: i64,
        /// Delete dead jobs too (their errors are lost).
        #[arg(long)]
        dead: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum NluCommand {
    /// Read JSON lines (text, locale, vertical, now, timezone, catalog) on
    /// stdin; write one understanding per line on stdout, in order.
    Parse,
    /// Score a labelled JSON-lines file (each line an input plus "expected");
    /// prints overall, per-field and per-vertical accuracy.
    Eval {
        /// The labelled file, e.g. crates/nlu/data/labelled.jsonl.
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum NumberCommand {
    /// Connect a WhatsApp number to a business; its access token is sealed
    /// before it is stored.
    Add {
        /// The business's slug.
        #[arg(long)]
        tenant: String,
        /// Meta's phone number id (WhatsApp Manager → API setup).
        #[arg(long)]
        phone_number_id: String,
        /// The number customers see, with country code.
        #[arg(long)]
        display: String,
        /// The WhatsApp Business Account id.
        #[arg(long)]
        waba_id: Option<String>,
        /// A system-user access token (required unless --sandbox).
        #[arg(long, env = "SOKONI_WA_ACCESS_TOKEN", hide_env_values = true)]
        access_token: Option<String>,
        /// A sandbox number: sends go to the chat simulator, not Meta
        /// (`serve` mounts the simulator only with SOKONI_SANDBOX=true).
        #[arg(long)]
        sandbox: bool,
    },
    /// Every number on the server, as JSON lines.
    List,
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Messages per second of the built-in parser on one core.
    Nlu {
        /// How many messages to parse.
        #[arg(long, default_value_t = 200_000)]
        messages: usize,
    },
    /// Webhook intake: signed requests per second with durable writes, and
    /// intake-to-stored latency, over real HTTP on a fresh database
    /// (SQLite in a temp dir, or --database-url postgres://...).
    Intake {
        /// Webhook deliveries to send.
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
        /// Deliveries in flight at once.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Deliveries started per second (0: as fast as the intake answers).
        /// Below the processing rate, the latency is the pipeline's own, not
        /// a backlog's.
        #[arg(long, default_value_t = 0)]
        rate: u32,
        /// A PostgreSQL URL to measure instead of SQLite (a fresh schema is
        /// created in it and dropped afterwards).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// One automation cycle over a seeded data set (businesses of the three
    /// verticals, customers with a past, open orders, payments, messages
    /// and the ledger of the days before), then a second that must find
    /// nothing new; prints both cycles' time, database time and counts, on
    /// a fresh database (SQLite in a temp dir, or --database-url
    /// postgres://...).
    Automation {
        /// Businesses to seed.
        #[arg(long, default_value_t = 1_000)]
        businesses: usize,
        /// Customers in all, spread evenly over the businesses.
        #[arg(long, default_value_t = 100_000)]
        customers: usize,
        /// Open orders in all, spread evenly over the businesses.
        #[arg(long, default_value_t = 20_000)]
        orders: usize,
        /// A PostgreSQL URL to measure instead of SQLite (a fresh schema is
        /// created in it and dropped afterwards).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Every dashboard page, requested in process through the router with
    /// a signed-in session, over a business of realistic size (10,000
    /// orders, 5,000 customers, a year of payments), then each dashboard
    /// read alone: p50, p95 and max of each, and the page's size. On
    /// SQLite in a temp dir, then on PostgreSQL too with --database-url.
    Dashboard {
        /// Requests per page (after a warm-up).
        #[arg(long, default_value_t = 50)]
        requests: usize,
        /// Orders to seed.
        #[arg(long, default_value_t = 10_000)]
        orders: usize,
        /// Customers to seed.
        #[arg(long, default_value_t = 5_000)]
        customers: usize,
        /// A PostgreSQL URL to measure on as well (a fresh schema is
        /// created in it and dropped afterwards).
        #[arg(long, env = "SOKONI_BENCH_DATABASE_URL")]
        database_url: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TenantCommand {
    /// Register a business and its owner; prints both as JSON (with the
    /// owner's password if one was generated).
    Create(Box<TenantCreate>),
}

#[derive(Args, Debug)]
pub struct TenantCreate {
    /// The business name customers see.
    #[arg(long)]
    pub name: String,
    /// URL-safe handle: lowercase letters, digits, dashes.
    #[arg(long)]
    pub slug: String,
    /// tailor, shop or restaurant.
    #[arg(long)]
    pub vertical: String,
    /// ISO currency, e.g. NGN, KES, ARS.
    #[arg(long)]
    pub currency: String,
    /// IANA timezone, e.g. Africa/Lagos.
    #[arg(long)]
    pub timezone: String,
    /// Locale, e.g. en-NG, sw-KE, es-AR.
    #[arg(long)]
    pub locale: String,
    /// ISO country for local phone numbers (default: the locale's region).
    #[arg(long)]
    pub country: Option<String>,
    /// The business's phone number.
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub owner_name: String,
    #[arg(long)]
    pub owner_email: String,
    /// The owner's password; generated and printed if omitted.
    #[arg(long, env = "SOKONI_OWNER_PASSWORD", hide_env_values = true)]
    pub owner_password: Option<String>,
    /// The owner's phone (for WhatsApp login codes).
    #[arg(long)]
    pub owner_phone: Option<String>,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let file = cli.config.as_deref();
    match cli.command {
        Command::Serve => {
            let state = crate::build_state(Config::load_with(Config::default(), file)?).await?;
            crate::serve(state).await
        }
        Command::Demo => crate::demo::run(file).await,
        Command::Worker { queues } => {
            let state = crate::build_state(Config::load_with(Config::default(), file)?).await?;
            let queues = match queues {
                Some(names) => crate::workers::parse_queues(&names)?,
                None => crate::workers::all_queues(),
            };
            let running = crate::workers::start(&state, &queues);
            let scheduler = crate::workers::scheduler(&state)?;
            crate::shutdown_signal().await;
            if let Some(s) = scheduler {
                s.shutdown().await;
            }
            running.shutdown(std::time::Duration::from_secs(30)).await;
            state.db.close().await;
            Ok(())
        }
        Command::Number(cmd) => {
            let state = crate::build_state(Config::load_with(Config::default(), file)?).await?;
            number(&state, cmd).await
        }
        Command::Bench(BenchCommand::Intake {
            requests,
            concurrency,
            rate,
            database_url,
        }) => crate::bench::intake(requests, concurrency, rate, database_url).await,
        Command::Bench(BenchCommand::Automation {
            businesses,
            customers,
            orders,
            database_url,
        }) => crate::bench::automation(businesses, customers, orders, database_url).await,
        Command::Bench(BenchCommand::Dashboard {
            requests,
            orders,
            customers,
            database_url,
        }) => crate::bench::dashboard(requests, orders, customers, database_url).await,
        Command::Migrate => {
            let config = Config::load_with(Config::default(), file)?;
            if config.database_url().starts_with("sqlite:") {
                std::fs::create_dir_all(&config.data_dir)?;
            }
            let db = store::Db::connect(&config.database_url()).await?;
            db.migrate().await?;
            println!("migrated the {} database", db.backend());
            Ok(())
        }
        Command::Backup { path } => {
            let config = Config::load_with(Config::default(), file)?;
            anyhow::ensure!(!path.exists(), "{} already exists", path.display());
            let db = store::Db::connect(&config.database_url()).await?;
            db.backup_to(&path.display().to_string()).await?;
            println!("wrote {}", path.display());
            Ok(())
        }
        Command::Automation(AutomationCommand::RunOnce) => {
            let state = crate::build_state(Config::load_with(Config::default(), file)?).await?;
            let r = engine::automation::run_cycle(&state.services, None).await?;
            println!(
                "automation cycle {}: {} targets, {} sent, {} skipped, {} deferred ({} rows written, {:.1} ms on the database)",
                r.run_id.map(|u| u.to_string()).unwrap_or_default(),
                r.targets,
                r.sent,
                r.skipped,
                r.deferred,
                r.rows_written,
                r.db_time.as_secs_f64() * 1000.0
            );
            state.db.close().await;
            Ok(())
        }
        Command::Jobs(cmd) => {
            let config = Config::load_with(Config::default(), file)?;
            let db = store::Db::connect(&config.database_url()).await?;
            db.migrate().await?;
            jobs(&db, cmd).await
        }
        Command::Nlu(NluCommand::Parse) => {
            let stdin = std::io::stdin().lock();
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            nlu::parse_stream(stdin, stdout).context("reading stdin or writing stdout")?;
            Ok(())
        }
        Command::Nlu(NluCommand::Eval { file }) => {
            let f = std::fs::File::open(&file)
                .with_context(|| format!("opening {}", file.display()))?;
            let report =
                nlu::evaluate(std::io::BufReader::new(f)).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{report}");
            Ok(())
        }
        Command::Bench(BenchCommand::Nlu { messages }) => {
            println!("{}", nlu::bench(messages));
            Ok(())
        }
        Command::Templates(cmd) => {
            let state = crate::build_state(Config::load_with(Config::default(), file)?).await?;
            templates(&state, cmd).await
        }
        Command::Invite(cmd) => {
            let config = Config::load_with(Config::default(), file)?;
            if config.database_url().starts_with("sqlite:") {
                std::fs::create_dir_all(&config.data_dir)?;
            }
            let db = store::Db::connect(&config.database_url()).await?;
            db.migrate().await?;
            invite(&db, cmd).await
        }
        Command::Tenant(TenantCommand::Create(t)) => {
            let state = crate::build_state(Config::load_with(Config::default(), file)?).await?;
            let out = tenant_create(&state, *t).await?;
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(())
        }
    }
}

async fn templates(state: &crate::state::AppState, cmd: TemplatesCommand) -> anyhow::Result<()> {
    let (TemplatesCommand::Sync { tenant } | TemplatesCommand::Submit { tenant }) = &cmd;
    let found = match tenant.parse::<uuid::Uuid>() {
        Ok(id) => store::tenants::get(&state.db, domain::TenantId(id)).await,
        Err(_) => store::tenants::get_by_slug(&state.db, tenant).await,
    };
    let t = found.map_err(|_| anyhow::anyhow!("no business {tenant}"))?;
    let report = match cmd {
        TemplatesCommand::Sync { .. } => engine::templates::sync(&state.services, t.id).await,
        TemplatesCommand::Submit { .. } => engine::templates::submit(&state.services, t.id).await,
    }?;
    let items: Vec<crate::api::templates::WaTemplate> = store::templates::list(&state.db, t.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({ "report": report, "items": items }))?
    );
    Ok(())
}

async fn number(state: &crate::state::AppState, cmd: NumberCommand) -> anyhow::Result<()> {
    use crate::api::whatsapp::{NewNumberRequest, WaNumber, add, check_number};
    match cmd {
        NumberCommand::Add {
            tenant,
            phone_number_id,
            display,
            waba_id,
            access_token,
            sandbox,
        } => {
            let t = store::tenants::get_by_slug(&state.db, &tenant)
                .await
                .map_err(|_| anyhow::anyhow!("no business with slug {tenant}"))?;
            let req = NewNumberRequest {
                phone_number_id,
                display_phone_number: display,
                waba_id,
                access_token,
                sandbox,
            };
            let mut v = crate::error::Validator::new();
            check_number(&mut v, &req);
            v.finish().map_err(describe)?;
            let n = add(state, t.id, req).await.map_err(describe)?;
            println!("{}", serde_json::to_string_pretty(&WaNumber::from(n))?);
        }
        NumberCommand::List => {
            for n in store::wa::all_numbers(&state.db, false).await? {
                let tenant = store::tenants::get(&state.db, n.tenant_id).await?;
                let mut row = serde_json::to_value(WaNumber::from(n))?;
                row["tenant"] = serde_json::Value::String(tenant.slug);
                println!("{}", serde_json::to_string(&row)?);
            }
        }
    }
    Ok(())
}

async fn invite(db: &store::Db, cmd: InviteCommand) -> anyhow::Result<()> {
    use engine::onboarding::{self, InviteError};
    let now = store::now();
    match cmd {
        InviteCommand::Create {
            plan,
            count,
            expires,
        } => {
            let plan = crate::api::operator::parse_plan(&plan)
                .map_err(|m| anyhow::anyhow!("--plan {m}"))?;
            anyhow::ensure!(
                (1..=crate::api::operator::MAX_COUNT).contains(&count),
                "--count must be 1 to {}",
                crate::api::operator::MAX_COUNT
            );
            let expires_at = crate::api::operator::parse_expiry(&expires, now)
                .map_err(|m| anyhow::anyhow!("--expires {m}"))?;
            for issued in onboarding::issue(db, plan, count, expires_at).await? {
                println!(
                    "{}",
                    serde_json::to_string(&crate::api::operator::InviteView::issued(&issued, now))?
                );
            }
        }
        InviteCommand::List => {
            for i in store::invites::list(db).await? {
                println!(
                    "{}",
                    serde_json::to_string(&crate::api::operator::InviteView::of(i, now))?
                );
            }
        }
        InviteCommand::Revoke { code } => {
            let found = onboarding::find_invite(db, &code)
                .await
                .map_err(|e| match e {
                    InviteError::NotFound => anyhow::anyhow!("no invite {code}"),
                    e => e.into(),
                })?;
            let revoked = onboarding::revoke(db, found.id)
                .await
                .map_err(|e| match e {
                    InviteError::NotRevocable => {
                        anyhow::anyhow!("invite {} was already used or revoked", found.id)
                    }
                    e => e.into(),
                })?;
            println!(
                "{}",
                serde_json::to_string(&crate::api::operator::InviteView::of(revoked, now))?
            );
        }
    }
    Ok(())
}

async fn jobs(db: &store::Db, cmd: JobsCommand) -> anyhow::Result<()> {
    match cmd {
        JobsCommand::List { status, limit } => {
            let status = status
                .map(|s| {
                    store::jobs::JobStatus::parse(&s).ok_or_else(|| {
                        anyhow::anyhow!("--status must be queued, running, done or dead")
                    })
                })
                .transpose()?;
            for j in store::jobs::list(db, status, limit.clamp(1, 10_000)).await? {
                println!("{}", serde_json::to_string(&j)?);
            }
        }
        JobsCommand::Retry { id } => {
            let id: domain::JobId = id
                .parse()
                .map_err(|_| anyhow::anyhow!("{id} is not a job id"))?;
            anyhow::ensure!(store::jobs::retry(db, id).await?, "no dead job {id}");
            println!("job {id} queued again");
        }
        JobsCommand::Purge {
            older_than_hours,
            dead,
        } => {
            let before = store::now() - chrono::Duration::hours(older_than_hours.max(0));
            let n = store::jobs::purge(db, before, dead).await?;
            println!("deleted {n} jobs");
        }
    }
    Ok(())
}

async fn tenant_create(
    state: &crate::state::AppState,
    t: TenantCreate,
) -> anyhow::Result<serde_json::Value> {
    use crate::api::auth::{BusinessInput, OwnerInput, RegisterRequest};
    let generated = t.owner_password.is_none();
    let password = t
        .owner_password
        .unwrap_or_else(|| crate::auth::tokens::random_token(12));
    let vertical = t
        .vertical
        .parse()
        .map_err(|_| anyhow::anyhow!("--vertical must be tailor, shop or restaurant"))?;
    let req = RegisterRequest {
        business: BusinessInput {
            name: t.name,
            slug: t.slug,
            phone: t.phone,
            vertical,
            currency: t.currency,
            timezone: t.timezone,
            locale: t.locale,
            country: t.country,
            order_prefix: None,
        },
        owner: OwnerInput {
            name: t.owner_name,
            email: t.owner_email,
            password: password.clone(),
            phone: t.owner_phone,
        },
    };
    let session = crate::api::auth::register_business(state, req)
        .await
        .map_err(describe)?;
    let mut out = serde_json::json!({ "tenant": session.tenant, "owner": session.user });
    if generated {
        out["owner_password"] = serde_json::Value::String(password);
    }
    Ok(out)
}

/// Turns an API error into a readable command-line error.
fn describe(e: crate::error::AppError) -> anyhow::Error {
    use crate::error::AppError;
    match e {
        AppError::Validation(fields) => {
            let lines: Vec<String> = fields.iter().map(|(f, m)| format!("  {f}: {m}")).collect();
            anyhow::anyhow!("invalid input:\n{}", lines.join("\n"))
        }
        AppError::Conflict { message, field, .. } => {
            anyhow::anyhow!(
                "{}{message}",
                field.map(|f| format!("{f}: ")).unwrap_or_default()
            )
        }
        AppError::Internal(e) => e.context("creating the business"),
        other => anyhow::anyhow!("{other:?}"),
    }
}

pub fn init_tracing(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SOKONI_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Entry point used by `main`.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let json_logs = std::env::var("SOKONI_LOG_FORMAT").is_ok_and(|v| v == "json");
    init_tracing(json_logs);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    rt.block_on(run(cli))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
