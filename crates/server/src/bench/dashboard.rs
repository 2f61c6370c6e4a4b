//! `sokoni bench dashboard`: one business of realistic size (a tailor with
//! 10,000 orders, 5,000 customers and a year of payments, from
//! [`store::dashboard::bench::seed`], and a restaurant of the same size for
//! the kitchen), every dashboard page requested through the real router in
//! process with a signed-in browser session, then each `engine::dashboard`
//! read alone. Prints p50, p95 and max over `requests` requests after a
//! warm-up, and each page's size. A page that answers 404 is "missing"
//! (not built yet) and skipped.

use crate::config::Config;
use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use domain::tenant::Vertical;
use domain::{CustomerId, OrderId, TenantId, UserId};
use engine::dashboard::BoardFilter;
use secrecy::SecretString;
use std::future::Future;
use std::time::Instant;
use tower::ServiceExt;

/// Which seeded business a page is requested as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum As {
    Tailor,
    Restaurant,
}

/// Every page measured: a label, the business, the path (`{order}` and
/// `{customer}` are filled with one of the business's own). A new page is
/// one line here.
const PAGES: &[(&str, As, &str)] = &[
    ("today", As::Tailor, "/app"),
    ("orders", As::Tailor, "/app/orders"),
    ("orders search", As::Tailor, "/app/orders?q=customer+42"),
    ("order", As::Tailor, "/app/orders/{order}"),
    ("kitchen", As::Restaurant, "/app/kitchen"),
    ("customers", As::Tailor, "/app/customers"),
    (
        "customers search",
        As::Tailor,
        "/app/customers?q=Customer+42",
    ),
    ("customer", As::Tailor, "/app/customers/{customer}"),
    ("payments", As::Tailor, "/app/payments"),
    ("stock", As::Tailor, "/app/stock"),
    ("inbox", As::Tailor, "/app/inbox"),
    ("automation", As::Tailor, "/app/automation"),
    ("settings", As::Tailor, "/app/settings/business"),
];

const WARM_UP: usize = 3;

/// The server time a page may take at p95: beyond it the line says so.
const BUDGET_MS: f64 = 50.0;

/// A seeded business and a browser signed in to it.
struct Business {
    tenant: TenantId,
    cookie: String,
    order: OrderId,
    customer: CustomerId,
}

/// Timings of one thing measured, in milliseconds.
struct Stats {
    p50: f64,
    p95: f64,
    max: f64,
}

impl Stats {
    fn verdict(&self) -> &'static str {
        if self.p95 < BUDGET_MS {
            ""
        } else {
            "  over budget"
        }
    }

    fn of(mut ms: Vec<f64>) -> Stats {
        Stats {
            p50: super::percentile(&mut ms, 0.50),
            p95: super::percentile(&mut ms, 0.95),
            max: ms.iter().copied().fold(0.0, f64::max),
        }
    }
}

/// Runs on SQLite (a temp file), then on PostgreSQL when `database_url`
/// names one.
pub async fn dashboard(
    requests: usize,
    orders: usize,
    customers: usize,
    database_url: Option<String>,
) -> anyhow::Result<()> {
    anyhow::ensure!(requests > 0, "--requests must be positive");
    let mut targets = vec![None];
    if database_url.is_some() {
        targets.push(database_url);
    }
    for target in targets {
        let tmp = std::env::temp_dir().join(format!(
            "sokoni-bench-dash-{}",
            uuid::Uuid::now_v7().simple()
        ));
        std::fs::create_dir_all(&tmp)?;
        let (url, schema) = super::scratch(&target, &tmp).await?;
        let result = run(&url, &tmp, requests, orders, customers).await;
        if std::env::var_os("SOKONI_BENCH_KEEP").is_some() {
            println!("  kept:        {url}");
        } else {
            if let Some((pg, schema)) = schema {
                let admin = store::Db::connect(&pg).await?;
                admin.scratch_schema(&schema, false).await?;
                admin.close().await;
            }
            let _ = std::fs::remove_dir_all(&tmp);
        }
        result?;
    }
    Ok(())
}

async fn run(
    url: &str,
    dir: &std::path::Path,
    requests: usize,
    orders: usize,
    customers: usize,
) -> anyhow::Result<()> {
    let db = store::Db::connect(url).await?;
    db.migrate().await?;
    let backend = db.backend();
    let config = Config {
        database_url: Some(url.to_string()),
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    let secret = SecretString::from("bench-secret-key-that-is-long-enough-123".to_string());
    let state = crate::state_with(db.clone(), &secret, config);
    let plan = store::dashboard::bench::Plan {
        customers,
        orders,
        now: store::now(),
    };
    println!(
        "dashboard on {backend}: {orders} orders, {customers} customers, a year of payments \
         (a tailor; a restaurant of the same size for the kitchen); {requests} requests each after {WARM_UP} warm-up"
    );
    let started = Instant::now();
    let tailor = business(&state, Vertical::Tailor, &plan).await?;
    let restaurant = business(&state, Vertical::Restaurant, &plan).await?;
    println!("  seed:        {:.2} s", started.elapsed().as_secs_f64());
    if let store::Db::Postgres(pool) = &db {
        sqlx::query("ANALYZE").execute(pool).await?;
    }

    let router = crate::app::router(state.clone()).layer(MockConnectInfo(
        std::net::SocketAddr::from(([127, 0, 0, 1], 1)),
    ));
    println!(
        "  {:<18} {:<34} {:>9} {:>9} {:>9} {:>10}",
        "page", "path", "p50 ms", "p95 ms", "max ms", "bytes"
    );
    for (label, who, path) in PAGES {
        let b = match who {
            As::Tailor => &tailor,
            As::Restaurant => &restaurant,
        };
        let path = path
            .replace("{order}", &b.order.0.to_string())
            .replace("{customer}", &b.customer.0.to_string());
        let (status, bytes) = get(&router, &path, &b.cookie).await?;
        if status == StatusCode::NOT_FOUND {
            println!("  {label:<18} {path:<34} missing");
            continue;
        }
        anyhow::ensure!(
            status == StatusCode::OK,
            "{backend} {path} answered {status}"
        );
        let mut ms = Vec::with_capacity(requests);
        for i in 0..WARM_UP + requests {
            let t = Instant::now();
            get(&router, &path, &b.cookie).await?;
            if i >= WARM_UP {
                ms.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        let s = Stats::of(ms);
        println!(
            "  {label:<18} {path:<34} {:>9.2} {:>9.2} {:>9.2} {bytes:>10}{}",
            s.p50,
            s.p95,
            s.max,
            s.verdict()
        );
    }

    println!(
        "  {:<53} {:>9} {:>9} {:>9}",
        "engine read", "p50 ms", "p95 ms", "max ms"
    );
    let svc = &state.services;
    let (t, r) = (tailor.tenant, restaurant.tenant);
    let all = BoardFilter::default();
    let search = BoardFilter {
        q: Some("customer 42".into()),
        ..BoardFilter::default()
    };
    read(requests, "dashboard::today", || {
        engine::dashboard::today(svc, t)
    })
    .await?;
    read(requests, "dashboard::board", || {
        engine::dashboard::board(svc, t, &all)
    })
    .await?;
    read(requests, "dashboard::board (search)", || {
        engine::dashboard::board(svc, t, &search)
    })
    .await?;
    read(requests, "dashboard::kitchen (restaurant)", || {
        engine::dashboard::kitchen(svc, r)
    })
    .await?;
    read(requests, "dashboard::customers", || {
        engine::dashboard::customers(svc, t, None, 50, 0)
    })
    .await?;
    read(requests, "dashboard::customers (search)", || {
        engine::dashboard::customers(svc, t, Some("Customer 42"), 50, 0)
    })
    .await?;
    read(requests, "dashboard::customer_summary", || {
        engine::dashboard::customer_summary(svc, t, tailor.customer)
    })
    .await?;
    read(requests, "dashboard::payments_board", || {
        engine::dashboard::payments_board(svc, t)
    })
    .await?;
    read(requests, "payments::unpaid", || {
        engine::payments::unpaid(svc, t)
    })
    .await?;
    read(requests, "dashboard::changes", || {
        engine::dashboard::changes(&svc.db, t)
    })
    .await?;
    db.close().await;
    Ok(())
}

/// Registers a business of `vertical` with an owner, seeds it with `plan`
/// and signs a browser in as the owner.
async fn business(
    state: &crate::state::AppState,
    vertical: Vertical,
    plan: &store::dashboard::bench::Plan,
) -> anyhow::Result<Business> {
    let (slug, currency, tz, locale) = match vertical {
        Vertical::Restaurant => (
            "bench-kitchen",
            "ARS",
            "America/Argentina/Buenos_Aires",
            "es-AR",
        ),
        _ => ("bench-tailor", "NGN", "Africa/Lagos", "en-NG"),
    };
    let session = crate::api::auth::register_business(
        state,
        crate::api::auth::RegisterRequest {
            business: crate::api::auth::BusinessInput {
                name: format!("Bench {}", vertical.as_str()),
                slug: slug.into(),
                phone: None,
                vertical,
                currency: currency.into(),
                timezone: tz.into(),
                locale: locale.into(),
                country: None,
                order_prefix: None,
            },
            owner: crate::api::auth::OwnerInput {
                name: "Bench Owner".into(),
                email: format!("{slug}@example.com"),
                password: crate::demo::DEMO_PASSWORD.into(),
                phone: None,
            },
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("registering the bench business: {e:?}"))?;
    let tenant = session.tenant.id;
    let user: UserId = session.user.id;
    store::dashboard::bench::seed(&state.db, tenant, plan).await?;

    let token = crate::auth::tokens::random_token(32);
    let csrf = crate::auth::tokens::random_token(24);
    store::web_sessions::insert(
        &state.db,
        tenant,
        user,
        &crate::auth::tokens::hash_refresh(&token),
        &csrf,
        chrono::Duration::days(1),
    )
    .await?;
    let svc = &state.services;
    let order = engine::dashboard::board(svc, tenant, &BoardFilter::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .cards
        .first()
        .map(|c| c.id)
        .ok_or_else(|| anyhow::anyhow!("the seeded board is empty"))?;
    let customer = engine::dashboard::customers(svc, tenant, None, 1, 0)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .first()
        .map(|c| c.id)
        .ok_or_else(|| anyhow::anyhow!("no seeded customer"))?;
    Ok(Business {
        tenant,
        cookie: format!("{}={token}", crate::dashboard::session::SESSION_COOKIE),
        order,
        customer,
    })
}

/// One GET with the browser's cookie, the whole body read: its status and
/// size.
async fn get(router: &Router, path: &str, cookie: &str) -> anyhow::Result<(StatusCode, usize)> {
    let req = Request::builder()
        .uri(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())?;
    let res = router.clone().oneshot(req).await?;
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
    Ok((status, body.len()))
}

/// Times `call` `requests` times after the warm-up and prints the figures.
async fn read<F, Fut, T, E>(requests: usize, label: &str, call: F) -> anyhow::Result<()>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    let mut ms = Vec::with_capacity(requests);
    for i in 0..WARM_UP + requests {
        let t = Instant::now();
        call()
            .await
            .map_err(|e| anyhow::anyhow!("{label}: {e:?}"))?;
        if i >= WARM_UP {
            ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let s = Stats::of(ms);
    println!(
        "  {label:<53} {:>9.2} {:>9.2} {:>9.2}{}",
        s.p50,
        s.p95,
        s.max,
        s.verdict()
    );
    Ok(())
}
