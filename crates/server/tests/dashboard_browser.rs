//! The dashboard's journeys in a real headless Chromium, on the demo
//! server (its three businesses, the job workers on, the wall clock), on
//! SQLite and PostgreSQL: signing in and Today's figures, a chat order
//! arriving live, the kanban's deposit rule and the sandbox checkout, a
//! reply in a customer's thread, dark mode, and a phone's screen. Each
//! test leaves a screenshot in `target/dashboard-screens/<test>.png`.
//!
//! Skips, saying so, on a machine without Chromium and ChromeDriver,
//! except under `CI`. The tests take turns: one Chromium at a time keeps
//! the "within a few seconds" waits honest on a small machine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use common::browser::{Browser, DemoServer};
use domain::order::Stage;
use serde_json::{Value, json};
use server::dashboard::{Words, format};
use server::demo::{BUSINESSES, DEMO_PASSWORD, DemoBusiness};
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use store::tenants::Tenant;

const SECONDS_10: Duration = Duration::from_secs(10);
/// A chat message goes through the intake, the inbound job and the chat
/// engine before its order exists; generous for a loaded CI machine.
const CHAT_WITHIN: Duration = Duration::from_secs(30);
/// Live pages poll the change cursor every 2 s, then fetch again.
const LIVE_WITHIN: Duration = Duration::from_secs(8);

/// One browser at a time (see the module's docs).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn funmi() -> &'static DemoBusiness {
    &BUSINESSES[0]
}

async fn js(b: &Browser, script: &str) -> Value {
    b.execute(script, &[]).await.unwrap()
}

/// Where screenshots go: the workspace's `target/dashboard-screens`.
fn screens() -> PathBuf {
    let dir = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) => PathBuf::from(t),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
    .join("dashboard-screens");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(b: &Browser, name: &str) {
    let png = b.screenshot_png().await.unwrap();
    let path = screens().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
}

async fn tenant(server: &DemoServer, b: &DemoBusiness) -> Tenant {
    store::tenants::get_by_slug(&server.state.db, b.slug)
        .await
        .unwrap()
}

/// Polls `f` until it gives `Some`, for up to `within`.
async fn eventually<T, F, Fut>(what: &str, within: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Forgets every cookie: each backend's server is a new site to the
/// browser (cookies do not tell ports apart).
async fn forget_cookies(browser: &Browser) {
    browser
        .cdp("Network.clearBrowserCookies", json!({}))
        .await
        .unwrap();
}

/// Types the owner's email and password into `/login` and waits for the
/// page `next` (a path) to open.
async fn sign_in(browser: &Browser, server: &DemoServer, b: &DemoBusiness, next: &str) {
    browser
        .goto(&format!("{}/login?next={next}", server.url))
        .await
        .unwrap();
    let email = browser.wait_for("#email", SECONDS_10).await.unwrap();
    email.send_keys(b.email).await.unwrap();
    let password = browser.find("#password").await.unwrap();
    password.send_keys(DEMO_PASSWORD).await.unwrap();
    browser
        .find("form[action='/login'] button[type=submit]")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait_until(
            &format!("location.pathname === {next:?} && document.readyState === 'complete'"),
            SECONDS_10,
        )
        .await
        .unwrap();
}

/// A customer writes to `b`'s sandbox number, as the simulator does.
async fn say(server: &DemoServer, b: &DemoBusiness, wa_id: &str, name: &str, text: &str) {
    let res = reqwest::Client::new()
        .post(format!("{}/sandbox/api/inbound", server.url))
        .json(&json!({
            "phone_number_id": b.number.0,
            "from": wa_id,
            "profile_name": name,
            "message": {"type": "text", "text": {"body": text}},
        }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        res.text().await.unwrap()
    );
}

/// The customer with WhatsApp id `wa_id`, once the inbound job made them.
async fn customer(server: &DemoServer, t: &Tenant, wa_id: &str) -> store::customers::Customer {
    let db = server.state.db.clone();
    eventually("the customer", CHAT_WITHIN, || {
        let db = db.clone();
        async move {
            store::customers::find_by_wa_id(&db, t.id, wa_id)
                .await
                .unwrap()
        }
    })
    .await
}

/// The customer's first order, once the chat engine made it.
async fn order_of(
    server: &DemoServer,
    t: &Tenant,
    c: &store::customers::Customer,
) -> store::orders::Order {
    let db = server.state.db.clone();
    eventually("the chat order", CHAT_WITHIN, || {
        let db = db.clone();
        async move {
            let filter = store::orders::Filter {
                customer: Some(c.id),
                ..Default::default()
            };
            store::orders::list(
                &db,
                t.id,
                &filter,
                store::orders::Sort::Newest { before: None },
                10,
            )
            .await
            .unwrap()
            .into_iter()
            .next()
        }
    })
    .await
}

/// Waits until no job is due or running, then past one poll of the
/// live pages, so that no refresh is on its way.
async fn settle(server: &DemoServer) {
    let db = server.state.db.clone();
    eventually("the job queue drained", CHAT_WITHIN, || {
        let db = db.clone();
        async move {
            // Jobs due and not claimed yet, and jobs running (queued ones
            // due later, a reminder tomorrow, do not count).
            let waiting = store::jobs::oldest_due_age(&db).await.unwrap();
            let running = store::jobs::counts(&db)
                .await
                .unwrap()
                .into_iter()
                .filter(|(_, status, _)| status == "running")
                .map(|(_, _, n)| n)
                .sum::<i64>();
            (waiting.is_none() && running == 0).then_some(())
        }
    })
    .await;
    tokio::time::sleep(server::dashboard::live::POLL + Duration::from_millis(800)).await;
}

/// The text of a Today figure's value.
async fn stat(browser: &Browser, name: &str) -> String {
    let v = js(
        browser,
        &format!("return document.querySelector('[data-stat={name}] .value').textContent.trim()"),
    )
    .await;
    v.as_str().unwrap().to_string()
}

/// Today's figures as the page should show them, from the engine.
async fn expected_today(server: &DemoServer, t: &Tenant) -> (Vec<String>, usize) {
    let today = engine::dashboard::today(&server.state.services, t.id)
        .await
        .unwrap();
    let w = Words::for_lang("en");
    let m = |v: &domain::money::Money| format::money(v.minor, &v.currency, w);
    (
        vec![
            today.active_orders.to_string(),
            today.due_this_week.to_string(),
            m(&today.pending_amount),
            m(&today.revenue_this_month),
        ],
        today.cards.len(),
    )
}

async fn shown_today(browser: &Browser) -> (Vec<String>, usize) {
    let mut figures = Vec::new();
    for name in ["active", "week", "pending", "revenue"] {
        figures.push(stat(browser, name).await);
    }
    let cards = browser
        .find_all("#today-live .cards .order-card")
        .await
        .unwrap()
        .len();
    (figures, cards)
}

#[tokio::test]
async fn the_owner_signs_in_and_today_shows_the_databases_figures() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let b = funmi();
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let server = DemoServer::start(db).await.unwrap();
        forget_cookies(&browser).await;
        let t = tenant(&server, b).await;

        // A wrong password: the error is next to the field, still /login.
        browser.goto(&format!("{}/app", server.url)).await.unwrap();
        browser
            .wait_until("location.pathname === '/login'", SECONDS_10)
            .await
            .unwrap();
        browser
            .find("#email")
            .await
            .unwrap()
            .send_keys(b.email)
            .await
            .unwrap();
        browser
            .find("#password")
            .await
            .unwrap()
            .send_keys("not-the-password")
            .await
            .unwrap();
        browser
            .find("form[action='/login'] button[type=submit]")
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let err = browser.wait_for("#password-err", SECONDS_10).await.unwrap();
        assert!(err.is_displayed().await.unwrap());
        assert_eq!(
            browser
                .find("#password")
                .await
                .unwrap()
                .attr("aria-invalid")
                .await
                .unwrap()
                .as_deref(),
            Some("true")
        );
        assert!(browser.url().await.unwrap().ends_with("/login"));
        assert!(
            !browser
                .cookies()
                .await
                .unwrap()
                .iter()
                .any(|c| c.name == "sokoni_session"),
            "no session on a wrong password"
        );

        // The right one lands on Today.
        sign_in(&browser, &server, b, "/app").await;
        assert!(
            browser
                .cookies()
                .await
                .unwrap()
                .iter()
                .any(|c| c.name == "sokoni_session" && c.http_only)
        );
        let h1 = browser.find("main h1").await.unwrap().text().await.unwrap();
        assert_eq!(h1, "Hello, Funmi");
        assert!(browser.title().await.unwrap().ends_with("· Funmi Couture"));

        // The figures are the engine's; the workers may be changing the
        // database meanwhile, so the page must catch up with it.
        let deadline = Instant::now() + LIVE_WITHIN;
        let (expected, shown) = loop {
            let expected = expected_today(&server, &t).await;
            let shown = shown_today(&browser).await;
            if expected == shown || Instant::now() > deadline {
                break (expected, shown);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(shown, expected, "Today's figures against the engine's");
        // Not a match of empty pages: the demo tailor has work and debts.
        assert_ne!(expected.0[0], "0", "active orders");
        assert_ne!(
            expected.0[2],
            format::money(0, &t.currency, Words::for_lang("en"))
        );
        // The pending figure's count is the engine's too.
        let today = engine::dashboard::today(&server.state.services, t.id)
            .await
            .unwrap();
        let sub = js(
            &browser,
            "return document.querySelector('[data-stat=pending] .sub').textContent.trim()",
        )
        .await;
        assert_eq!(sub, format!("{} orders", today.pending_payments));

        screenshot(&browser, "sign_in_and_today").await;
        server.stop().await;
    }
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_chat_order_appears_on_today_without_a_reload() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let b = funmi();
    let wa_id = "2348039990042";
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let server = DemoServer::start(db).await.unwrap();
        forget_cookies(&browser).await;
        let t = tenant(&server, b).await;
        sign_in(&browser, &server, b, "/app").await;
        // Let the page's event stream connect and the start-up jobs end.
        settle(&server).await;
        let before: i64 = stat(&browser, "active").await.parse().unwrap();
        assert_eq!(
            before,
            engine::dashboard::today(&server.state.services, t.id)
                .await
                .unwrap()
                .active_orders
        );
        js(&browser, "window.__marker = 1; return null").await;

        say(
            &server,
            b,
            wa_id,
            "Bisi",
            "I want an ankara midi dress for Dec 12, chest 38 waist 32",
        )
        .await;
        let c = customer(&server, &t, wa_id).await;
        let order = order_of(&server, &t, &c).await;
        assert_eq!(order.current_stage, Stage::Received);

        // The page shows it: its card among today's, the figure one up.
        let card = format!("#today-live .order-card[data-order='{}']", order.id.0);
        browser.wait_for(&card, LIVE_WITHIN).await.unwrap();
        let text = browser.find(&card).await.unwrap().text().await.unwrap();
        assert!(text.contains(&order.order_ref), "{text}");
        assert!(text.contains("Bisi"), "{text}");
        browser
            .wait_until(
                &format!(
                    "document.querySelector('[data-stat=active] .value').textContent.trim() === '{}'",
                    before + 1
                ),
                LIVE_WITHIN,
            )
            .await
            .unwrap();
        assert_eq!(
            js(&browser, "return window.__marker === 1").await,
            true,
            "the page did not reload"
        );

        screenshot(&browser, "live_chat_order").await;
        server.stop().await;
    }
    browser.close().await.unwrap();
}

#[tokio::test]
async fn the_kanban_refuses_cutting_before_the_deposit_and_allows_it_once_paid() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let b = funmi();
    let wa_id = "2348039990043";
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let server = DemoServer::start(db).await.unwrap();
        forget_cookies(&browser).await;
        let t = tenant(&server, b).await;

        // A chat order: received, its deposit asked for with a link.
        say(
            &server,
            b,
            wa_id,
            "Tola",
            "I want an ankara midi dress for Dec 12, chest 38 waist 32",
        )
        .await;
        let c = customer(&server, &t, wa_id).await;
        let order = order_of(&server, &t, &c).await;
        assert_eq!(order.current_stage, Stage::Received);
        assert!(order.deposit_amount > 0 && order.amount_paid == 0);
        let db = server.state.db.clone();
        let link = eventually("the deposit link", CHAT_WITHIN, || {
            let db = db.clone();
            async move {
                store::payments::for_order(&db, t.id, order.id)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|p| p.kind == "deposit")
                    .and_then(|p| p.payment_link)
            }
        })
        .await;
        assert!(link.starts_with(&server.url), "{link}");

        sign_in(&browser, &server, b, "/app/orders").await;
        settle(&server).await;
        let id = order.id.0;
        let card = format!("#card-{id}");
        let in_received = format!(".col[data-stage=received] {card}");
        let in_cutting = format!(".col[data-stage=cutting] {card}");
        browser.wait_for(&in_received, SECONDS_10).await.unwrap();
        assert!(
            browser
                .find(&format!("{card} .badge.bad"))
                .await
                .unwrap()
                .is_displayed()
                .await
                .unwrap(),
            "the card says the deposit is missing"
        );

        // Dragged onto Cutting: refused, with the reason, back in Received.
        assert!(
            browser
                .html5_drag(&card, ".col[data-stage=cutting]")
                .await
                .unwrap(),
            "the Cutting column takes the drop"
        );
        browser
            .wait_until(
                &format!(
                    "(() => {{ const w = document.querySelector('{in_received} .why'); \
                     return w && !w.hidden && w.textContent.includes('deposit is not paid'); }})()"
                ),
                SECONDS_10,
            )
            .await
            .unwrap();
        assert!(browser.find_all(&in_cutting).await.unwrap().is_empty());
        let after = store::orders::get(&server.state.db, t.id, order.id)
            .await
            .unwrap();
        assert_eq!(after.current_stage, Stage::Received, "nothing moved");
        screenshot(&browser, "kanban_deposit_refused").await;

        // The customer pays the deposit on the sandbox checkout.
        browser.goto(&link).await.unwrap();
        browser
            .wait_for("button.pay", SECONDS_10)
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .wait_until("document.body.textContent.includes('Paid.')", SECONDS_10)
            .await
            .unwrap();
        eventually("the deposit recorded", CHAT_WITHIN, || {
            let db = db.clone();
            async move {
                let o = store::orders::get(&db, t.id, order.id).await.unwrap();
                (o.amount_paid >= o.deposit_amount).then_some(())
            }
        })
        .await;
        settle(&server).await;

        // Back on the board: no longer marked, and the drag lands.
        browser
            .goto(&format!("{}/app/orders", server.url))
            .await
            .unwrap();
        browser.wait_for(&in_received, SECONDS_10).await.unwrap();
        assert!(
            browser
                .find_all(&format!("{card} .badge.bad"))
                .await
                .unwrap()
                .is_empty(),
            "the deposit is no longer missing"
        );
        assert!(
            browser
                .html5_drag(&card, ".col[data-stage=cutting]")
                .await
                .unwrap()
        );
        // The page moves the card at once and the server answers after:
        // wait for the database, not the card.
        eventually("the order moved to cutting", SECONDS_10, || {
            let db = db.clone();
            async move {
                let o = store::orders::get(&db, t.id, order.id).await.unwrap();
                (o.current_stage == Stage::Cutting).then_some(())
            }
        })
        .await;
        browser.wait_for(&in_cutting, SECONDS_10).await.unwrap();
        // The server says so too: a reload keeps it there.
        browser.refresh().await.unwrap();
        browser.wait_for(&in_cutting, SECONDS_10).await.unwrap();
        let why = browser.find(&format!("{card} .why")).await.unwrap();
        assert!(!why.is_displayed().await.unwrap());

        screenshot(&browser, "kanban_deposit_paid_moved").await;
        server.stop().await;
    }
    browser.close().await.unwrap();
}

#[tokio::test]
async fn a_reply_typed_in_the_thread_shows_there_and_goes_to_whatsapp() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let b = funmi();
    let wa_id = "2348039990044";
    let reply = "Your fitting is on Friday at 10, Kunle.";
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let server = DemoServer::start(db).await.unwrap();
        forget_cookies(&browser).await;
        let t = tenant(&server, b).await;
        say(&server, b, wa_id, "Kunle", "Good morning ma").await;
        let c = customer(&server, &t, wa_id).await;
        settle(&server).await;

        sign_in(&browser, &server, b, "/app").await;
        browser
            .goto(&format!("{}/app/customers/{}", server.url, c.id.0))
            .await
            .unwrap();
        // The thread shows what the customer wrote.
        browser
            .wait_until(
                "[...document.querySelectorAll('#thread-live .bubble:not(.out) .txt')]\
                 .some(e => e.textContent.includes('Good morning ma'))",
                SECONDS_10,
            )
            .await
            .unwrap();
        let before = count(&browser, "#thread-live .bubble.out").await;
        // The reply box, typed into and sent.
        let text = browser.find("#reply-text").await.unwrap();
        text.send_keys(reply).await.unwrap();
        browser
            .find("#reply form button[type=submit]")
            .await
            .unwrap()
            .click()
            .await
            .unwrap();

        // It shows in the thread as the business's, whether the form went
        // in the background or as a post and a redirect.
        browser
            .wait_until(
                &format!(
                    "document.readyState === 'complete' && \
                     [...document.querySelectorAll('#thread-live .bubble.out .txt')]\
                     .some(e => e.textContent.trim() === {reply:?})"
                ),
                SECONDS_10,
            )
            .await
            .unwrap();
        assert_eq!(
            count(&browser, "#thread-live .bubble.out").await,
            before + 1
        );
        assert_eq!(
            browser
                .find("#reply-text")
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap(),
            "",
            "the box is empty again"
        );

        // And it is queued to WhatsApp, to this customer, once.
        let thread = store::wa::thread(&server.state.db, t.id, c.id, None, 100)
            .await
            .unwrap();
        let sent: Vec<_> = thread
            .iter()
            .filter(|m| m.direction == "outbound" && m.body.as_deref() == Some(reply))
            .collect();
        assert_eq!(sent.len(), 1, "{thread:#?}");
        assert_eq!(sent[0].to_number, wa_id);

        screenshot(&browser, "reply_in_thread").await;
        server.stop().await;
    }
    browser.close().await.unwrap();
}

/// The page's background as `[r, g, b]`.
async fn background(browser: &Browser) -> [u64; 3] {
    let v = js(
        browser,
        "const m = getComputedStyle(document.body).backgroundColor.match(/\\d+/g); \
         return m.slice(0, 3).map(Number)",
    )
    .await;
    let n: Vec<u64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    [n[0], n[1], n[2]]
}

fn is_dark(rgb: [u64; 3]) -> bool {
    rgb.iter().sum::<u64>() < 3 * 64
}

#[tokio::test]
async fn the_theme_toggle_turns_the_page_dark_and_it_stays_dark() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let b = funmi();
    browser.set_dark_mode(false).await.unwrap();
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let server = DemoServer::start(db).await.unwrap();
        forget_cookies(&browser).await;
        sign_in(&browser, &server, b, "/app").await;
        let light = background(&browser).await;
        assert!(
            !is_dark(light),
            "a light phone sees a light page: {light:?}"
        );

        let toggle = browser.find("[data-theme-toggle]").await.unwrap();
        let mut clicks = 0;
        while js(
            &browser,
            "return document.documentElement.dataset.theme || ''",
        )
        .await
            != "dark"
        {
            assert!(clicks < 3, "three clicks and still not dark");
            toggle.click().await.unwrap();
            clicks += 1;
        }
        let dark = background(&browser).await;
        assert!(is_dark(dark), "the page turned dark: {dark:?}");

        // The choice is a cookie the server renders: dark after a reload.
        browser.refresh().await.unwrap();
        browser
            .wait_until("document.readyState === 'complete'", SECONDS_10)
            .await
            .unwrap();
        assert_eq!(
            js(
                &browser,
                "return document.documentElement.getAttribute('data-theme')"
            )
            .await,
            "dark"
        );
        let again = background(&browser).await;
        assert!(is_dark(again), "still dark after a reload: {again:?}");
        assert!(
            browser
                .cookies()
                .await
                .unwrap()
                .iter()
                .any(|c| c.name == "sokoni_theme" && c.value == "dark")
        );
        // And on the next page.
        browser
            .goto(&format!("{}/app/orders", server.url))
            .await
            .unwrap();
        assert!(is_dark(background(&browser).await));

        screenshot(&browser, "dark_mode").await;
        server.stop().await;
    }
    browser.close().await.unwrap();
}

/// Every visible element matching `css` whose box is smaller than 44 px
/// either way, described.
async fn small_targets(browser: &Browser, css: &str) -> Vec<String> {
    let v = browser
        .execute(
            "return [...document.querySelectorAll(arguments[0])]\
             .filter(e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')\
             .map(e => [e, e.getBoundingClientRect()])\
             .filter(([e, r]) => r.width < 44 || r.height < 44)\
             .map(([e, r]) => `${e.tagName.toLowerCase()}.${e.className} \"${e.textContent.trim().slice(0, 30)}\" ${Math.round(r.width)}x${Math.round(r.height)}`)",
            &[json!(css)],
        )
        .await
        .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

async fn count(browser: &Browser, css: &str) -> usize {
    browser.find_all(css).await.unwrap().len()
}

#[tokio::test]
async fn on_a_phone_today_and_orders_fit_and_their_buttons_are_big_enough() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(browser) = Browser::start().await else {
        return;
    };
    let b = funmi();
    browser.set_window_size(390, 844).await.unwrap();
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let server = DemoServer::start(db).await.unwrap();
        forget_cookies(&browser).await;
        sign_in(&browser, &server, b, "/app").await;

        for (path, shot) in [("/app", "phone_today"), ("/app/orders", "phone_orders")] {
            browser
                .goto(&format!("{}{path}", server.url))
                .await
                .unwrap();
            browser
                .wait_until("document.readyState === 'complete'", SECONDS_10)
                .await
                .unwrap();
            assert_eq!(js(&browser, "return innerWidth").await, 390);
            let width = js(&browser, "return document.documentElement.scrollWidth").await;
            assert!(
                width.as_u64().unwrap() <= 390,
                "{path} overflows sideways: {width} px wide"
            );

            // The menu: on screen, every entry a thumb's size.
            let nav = browser.find("nav.side").await.unwrap();
            assert!(nav.is_displayed().await.unwrap());
            let rect = js(
                &browser,
                "const r = document.querySelector('nav.side').getBoundingClientRect(); \
                 return [r.top, r.bottom]",
            )
            .await;
            assert!(
                rect[0].as_f64().unwrap() >= 0.0 && rect[1].as_f64().unwrap() <= 844.0,
                "the menu is on screen: {rect}"
            );
            assert!(count(&browser, "nav.side a").await >= 5);
            let mut main = vec!["nav.side a", "[data-theme-toggle]", "form.logout button"];
            if path == "/app" {
                main.push("#today-live .order-card");
                assert!(count(&browser, "#today-live .order-card").await > 0);
            } else {
                main.extend([
                    ".quick > summary",
                    ".filters button",
                    ".kcard .ref",
                    ".kcard .moves button",
                ]);
                assert!(count(&browser, ".kcard .moves button").await > 0);
            }
            for css in main {
                let small = small_targets(&browser, css).await;
                assert!(small.is_empty(), "{path}: below 44 px: {small:#?}");
            }
            screenshot(&browser, shot).await;
        }

        // The menu's last entry is reachable with a thumb: it scrolls into
        // view in the bar and opens its page.
        let links = browser.find_all("nav.side a").await.unwrap();
        let last = links.last().unwrap();
        let href = last.attr("href").await.unwrap().unwrap();
        last.click().await.unwrap();
        browser
            // A section page may send on to its first part (Settings does).
            .wait_until(
                &format!("location.pathname.startsWith({href:?})"),
                SECONDS_10,
            )
            .await
            .unwrap();
        let width = js(&browser, "return document.documentElement.scrollWidth").await;
        assert!(width.as_u64().unwrap() <= 390, "{href}: {width} px wide");

        server.stop().await;
    }
    browser.close().await.unwrap();
}
