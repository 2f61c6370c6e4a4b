//! `engine::dashboard` on both backends, with the services' clock: the day
//! at a glance counts this business's unfinished, urgent and overdue orders,
//! what is owed and the money of this month and the last (in its timezone);
//! the board, the kitchen, customers and payments show what they say and
//! nothing of another business; the cursor moves with each write; and every
//! read stays cheap with ten thousand orders.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::order::{Source, Stage};
use domain::payment::PaymentStatus;
use domain::tenant::Vertical;
use domain::{CustomerId, Money, TenantId};
use engine::Services;
use engine::clock::ManualClock;
use engine::dashboard::{self, BoardFilter, Calendar, Urgency, local_start};
use engine::error::ServiceError;
use std::sync::Arc;
use store::orders::{NewOrder, Order};
use store::payments::NewPayment;
use store::{Db, testing};

fn services(db: &Db, clock: &ManualClock) -> Services {
    let cloud = Arc::new(channels::CloudApi::new(
        "http://127.0.0.1:9",
        std::time::Duration::from_secs(1),
    ));
    Services {
        db: db.clone(),
        cloud: cloud.clone(),
        sandbox: Arc::new(channels::SandboxChannel),
        templates: cloud,
        sealer: engine::seal::Sealer::new(b"dashboard tests"),
        conversation: None,
        settings: engine::ChannelSettings::default(),
        outbound_wake: Arc::new(tokio::sync::Notify::new()),
        pay: engine::pay::PaySettings::default(),
        clock: Arc::new(clock.clone()),
        models: engine::models::Models::builtin(),
        onboarding: None,
    }
}

async fn customer(db: &Db, t: TenantId, name: &str, phone: &str) -> CustomerId {
    let c = store::customers::NewCustomer {
        name: Some(name.into()),
        phone: Some(phone.into()),
        wa_id: Some(phone.trim_start_matches('+').into()),
        ..Default::default()
    };
    store::customers::insert(db, t, &c).await.unwrap().id
}

/// A business's order, created by the orders service and moved to `stage`.
struct Spec {
    stage: Stage,
    price: i64,
    deposit: i64,
    deadline: Option<DateTime<Utc>>,
    source: Source,
}

fn spec(stage: Stage, price: i64, deadline: Option<DateTime<Utc>>) -> Spec {
    Spec {
        stage,
        price,
        deposit: 0,
        deadline,
        source: Source::Whatsapp,
    }
}

async fn order(svc: &Services, t: TenantId, c: CustomerId, s: Spec) -> Order {
    let tenant = store::tenants::get(&svc.db, t).await.unwrap();
    let o = engine::orders::create(
        svc,
        t,
        engine::orders::Create {
            order: NewOrder {
                customer_id: c,
                currency: tenant.currency,
                price: s.price,
                deposit_amount: s.deposit,
                deadline: s.deadline,
                source: s.source,
                style_name: Some("Agbada".into()),
                ..Default::default()
            },
            measurement: Some(None),
        },
    )
    .await
    .unwrap();
    if s.stage != Stage::Received {
        // Fixtures jump straight to the stage they need.
        assert!(
            store::orders::change_stage(&svc.db, t, &o, s.stage, None, None)
                .await
                .unwrap()
        );
    }
    store::orders::get(&svc.db, t, o.id).await.unwrap()
}

async fn pay(db: &Db, t: TenantId, o: &Order, amount: i64, status: PaymentStatus) {
    let mut tx = db.begin().await.unwrap();
    store::payments::insert(
        &mut tx,
        t,
        &NewPayment {
            order_id: o.id,
            customer_id: o.customer_id,
            amount,
            currency: o.currency,
            kind: "deposit",
            provider: "cash",
            provider_ref: None,
            status,
            confirmed_by: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// 18:00 on the second day of the month after `now`'s, in `tz`.
fn next_month(now: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let cal = Calendar::at(now, tz);
    let day = cal.next_month_start + Duration::days(1);
    tz.from_local_datetime(&day.and_hms_opt(18, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn the_day_at_a_glance_counts_this_business_and_follows_the_clock() {
    for db in testing::backends().await {
        let now = store::now();
        let clock = ManualClock::at(now);
        let svc = services(&db, &clock);
        let t = testing::tenant(&db, "glance", Vertical::Tailor).await;
        let other = testing::tenant(&db, "glance-other", Vertical::Tailor).await;
        let ada = customer(&db, t, "Ada Obi", "+2348031234567").await;
        let twin = customer(&db, other, "Ada Obi", "+2348031234567").await;
        let h = |hours: i64| Some(now + Duration::hours(hours));

        let mut late = spec(Stage::Cutting, 50_000, h(-2));
        late.deposit = 20_000;
        let late = order(&svc, t, ada, late).await;
        pay(&db, t, &late, 20_000, PaymentStatus::Paid).await;
        let mut soon = spec(Stage::Sewing, 30_000, h(30));
        soon.deposit = 10_000;
        let soon = order(&svc, t, ada, soon).await;
        pay(&db, t, &soon, 10_000, PaymentStatus::Pending).await;
        let fresh = order(&svc, t, ada, spec(Stage::Received, 40_000, h(36))).await;
        let open = order(&svc, t, ada, spec(Stage::Received, 0, None)).await;
        let done = order(&svc, t, ada, spec(Stage::Delivered, 10_000, h(-5))).await;
        pay(&db, t, &done, 10_000, PaymentStatus::Paid).await;
        order(&svc, t, ada, spec(Stage::Cancelled, 9_000, h(-5))).await;
        let theirs = order(&svc, other, twin, spec(Stage::Cutting, 70_000, h(-3))).await;
        pay(&db, other, &theirs, 70_000, PaymentStatus::Paid).await;

        let day = dashboard::today(&svc, t).await.unwrap();
        let ngn = |m: i64| Money::new(m, domain::Currency::parse("NGN").unwrap());
        let backend = db.backend();
        assert_eq!(day.active_orders, 4, "{backend}");
        assert_eq!(day.overdue, 1);
        assert_eq!(
            (day.pending_payments, day.pending_amount),
            (3, ngn(30_000 + 30_000 + 40_000))
        );
        assert_eq!(day.revenue_this_month, ngn(30_000));
        assert_eq!(day.revenue_last_month, ngn(0));
        assert_eq!(day.revenue_change_percent, None);
        // This Monday to Sunday, in Lagos.
        let tz: chrono_tz::Tz = "Africa/Lagos".parse().unwrap();
        let cal = Calendar::at(now, tz);
        assert_eq!(day.date, cal.today);
        assert_eq!(day.week.0, cal.week_start);
        assert_eq!(day.week.1 - day.week.0, Duration::days(6));
        let (from, to) = (
            local_start(cal.week_start, tz),
            local_start(day.week.1 + Duration::days(1), tz),
        );
        let in_week = |o: &Order| o.deadline.is_some_and(|d| d >= from && d < to);
        let active = [&late, &soon, &fresh, &open];
        assert_eq!(
            day.due_this_week,
            active.iter().filter(|o| in_week(o)).count() as i64
        );
        // Every active order with a deadline is urgent (late, or due
        // within 48 hours).
        assert_eq!(day.due_this_week_urgent, day.due_this_week);

        // Today's cards: the late one, and everything created today that
        // is not finished, by deadline.
        let refs: Vec<&str> = day.cards.iter().map(|c| c.order_ref.as_str()).collect();
        assert_eq!(
            refs,
            [&late, &soon, &fresh, &open].map(|o| o.order_ref.as_str())
        );
        assert!(!day.cards_capped);
        let c = &day.cards[0];
        assert_eq!(c.urgency, Urgency::Overdue);
        assert_eq!((c.price, c.paid, c.balance_due), (50_000, 20_000, 30_000));
        assert!(c.deposit_met);
        assert_eq!(c.customer_name, "Ada Obi");
        assert_eq!(c.customer_phone.as_deref(), Some("+2348031234567"));
        assert_eq!(c.summary.as_deref(), Some("Agbada"));
        assert_eq!(c.stage, Stage::Cutting);
        let s = &day.cards[1];
        assert_eq!(s.urgency, Urgency::Urgent);
        assert!(!s.deposit_met, "a pending link is not a deposit");
        assert_eq!(s.balance_due, 30_000);
        assert_eq!(day.cards[3].urgency, Urgency::Normal);

        // The next month: this month's money is last month's.
        clock.set(next_month(now, tz));
        let later = dashboard::today(&svc, t).await.unwrap();
        assert_eq!(later.revenue_this_month, ngn(0));
        assert_eq!(later.revenue_last_month, ngn(30_000));
        assert_eq!(later.revenue_change_percent, Some(-100.0));
        assert_eq!(later.overdue, 3);
        // Nothing was created that day: only the overdue orders are shown.
        assert_eq!(later.cards.len(), 3);
        assert!(later.cards.iter().all(|c| c.urgency == Urgency::Overdue));
    }
}

#[tokio::test]
async fn the_board_and_the_kitchen_show_this_businesss_orders() {
    for db in testing::backends().await {
        let now = store::now();
        let clock = ManualClock::at(now);
        let svc = services(&db, &clock);
        let t = testing::tenant(&db, "board", Vertical::Restaurant).await;
        let other = testing::tenant(&db, "board-other", Vertical::Restaurant).await;
        let lucia = customer(&db, t, "Lucía Pérez", "+5491122334455").await;
        let mateo = customer(&db, t, "Mateo Díaz", "+5491166778899").await;
        let twin = customer(&db, other, "Lucía Pérez", "+5491122334455").await;
        let tz: chrono_tz::Tz = "America/Argentina/Buenos_Aires".parse().unwrap();
        let today = Calendar::at(now, tz).today;
        let noon = |d: NaiveDate| local_start(d, tz) + Duration::hours(12);

        let cooking = order(&svc, t, lucia, spec(Stage::Preparing, 1_000, None)).await;
        let ready = order(&svc, t, mateo, spec(Stage::Ready, 1_000, None)).await;
        let served = order(&svc, t, lucia, spec(Stage::Delivered, 1_000, None)).await;
        let mut booked = spec(
            Stage::Received,
            1_000,
            Some(noon(today + Duration::days(3))),
        );
        booked.source = Source::Dashboard;
        let booked = order(&svc, t, mateo, booked).await;
        order(&svc, other, twin, spec(Stage::Preparing, 1_000, None)).await;
        let refs = |cards: &[dashboard::Card]| -> Vec<String> {
            cards.iter().map(|c| c.order_ref.clone()).collect()
        };
        let board = |f: BoardFilter| {
            let svc = &svc;
            async move { dashboard::board(svc, t, &f).await.unwrap() }
        };

        let all = board(BoardFilter::default()).await;
        assert_eq!(
            refs(&all.cards),
            [&booked, &cooking, &ready, &served].map(|o| o.order_ref.clone()),
            "{}",
            db.backend()
        );
        assert!(!all.capped);
        let f = BoardFilter {
            stage: Some(Stage::Preparing),
            ..Default::default()
        };
        assert_eq!(refs(&board(f).await.cards), [cooking.order_ref.clone()]);
        let f = BoardFilter {
            source: Some(Source::Dashboard),
            ..Default::default()
        };
        assert_eq!(refs(&board(f).await.cards), [booked.order_ref.clone()]);
        let day = today + Duration::days(3);
        let f = BoardFilter {
            due_from: Some(day),
            due_to: Some(day),
            ..Default::default()
        };
        assert_eq!(refs(&board(f).await.cards), [booked.order_ref.clone()]);
        let f = BoardFilter {
            due_to: Some(today + Duration::days(2)),
            ..Default::default()
        };
        assert!(board(f).await.cards.is_empty());
        // Part of a name, any case; part of a local phone number.
        let f = BoardFilter {
            q: Some("LUCÍ".into()),
            ..Default::default()
        };
        assert_eq!(
            refs(&board(f).await.cards),
            [&cooking, &served].map(|o| o.order_ref.clone())
        );
        let f = BoardFilter {
            q: Some("011 6677".into()),
            ..Default::default()
        };
        assert_eq!(
            refs(&board(f).await.cards),
            [&booked, &ready].map(|o| o.order_ref.clone())
        );

        // The kitchen: today's unfinished orders, newest first.
        let kitchen = dashboard::kitchen(&svc, t).await.unwrap();
        assert_eq!(
            refs(&kitchen),
            [&booked, &ready, &cooking].map(|o| o.order_ref.clone())
        );

        // Eight days on, the served order has left the board, and the
        // kitchen has nothing of that day.
        clock.set(now + Duration::days(8));
        let later = board(BoardFilter::default()).await;
        assert_eq!(
            refs(&later.cards),
            [&booked, &cooking, &ready].map(|o| o.order_ref.clone())
        );
        assert_eq!(later.cards[0].urgency, Urgency::Overdue);
        assert!(dashboard::kitchen(&svc, t).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn customers_are_searched_and_summed_and_another_businesss_are_not_found() {
    for db in testing::backends().await {
        let now = store::now();
        let clock = ManualClock::at(now);
        let svc = services(&db, &clock);
        let t = testing::tenant(&db, "regulars", Vertical::Shop).await;
        let other = testing::tenant(&db, "regulars-other", Vertical::Shop).await;
        let achieng = customer(&db, t, "Achieng Otieno", "+254711000001").await;
        let wanjiru = customer(&db, t, "Wanjiru Kamau", "+254722333444").await;
        let stranger = customer(&db, other, "Achieng Otieno", "+254711000001").await;
        let first = order(&svc, t, achieng, spec(Stage::Delivered, 5_000, None)).await;
        pay(&db, t, &first, 5_000, PaymentStatus::Paid).await;
        let cancelled = order(&svc, t, achieng, spec(Stage::Cancelled, 7_000, None)).await;
        let last = order(&svc, t, achieng, spec(Stage::Packed, 8_000, None)).await;
        pay(&db, t, &last, 3_000, PaymentStatus::Paid).await;
        pay(&db, t, &last, 5_000, PaymentStatus::Pending).await;
        let theirs = order(&svc, other, stranger, spec(Stage::Packed, 9_000, None)).await;
        pay(&db, other, &theirs, 9_000, PaymentStatus::Paid).await;

        let kes = |m: i64| Money::new(m, domain::Currency::parse("KES").unwrap());
        let all = dashboard::customers(&svc, t, None, 50, 0).await.unwrap();
        let ids: Vec<CustomerId> = all.iter().map(|c| c.id).collect();
        assert_eq!(ids, [achieng, wanjiru], "{}", db.backend());
        assert_eq!(all[0].name, "Achieng Otieno");
        assert_eq!(all[0].order_count, 2, "the cancelled order does not count");
        assert_eq!(all[0].lifetime_value, kes(8_000));
        assert_eq!(all[0].last_order_at, Some(last.created_at));
        assert_eq!(all[1].lifetime_value, kes(0));
        let found = dashboard::customers(&svc, t, Some("0722333"), 50, 0)
            .await
            .unwrap();
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [wanjiru]);
        let found = dashboard::customers(&svc, t, Some("ACHI"), 50, 0)
            .await
            .unwrap();
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [achieng]);

        let page = dashboard::customer_summary(&svc, t, achieng).await.unwrap();
        assert_eq!(page.name, "Achieng Otieno");
        assert_eq!(page.lifetime_value, kes(8_000));
        assert_eq!(page.order_count, 2);
        assert_eq!(page.first_order_at, Some(first.created_at));
        assert_eq!(page.last_order_at, Some(last.created_at));
        let timeline: Vec<_> = page.timeline.iter().map(|c| c.id).collect();
        assert_eq!(timeline, [last.id, cancelled.id, first.id]);
        assert_eq!(page.timeline[0].paid, 3_000);
        assert_eq!(page.timeline[0].balance_due, 5_000);
        assert!(matches!(
            dashboard::customer_summary(&svc, t, stranger).await,
            Err(ServiceError::NotFound)
        ));
    }
}

#[tokio::test]
async fn the_payments_board_lists_money_in_money_due_and_flags() {
    for db in testing::backends().await {
        let now = store::now();
        let clock = ManualClock::at(now);
        let svc = services(&db, &clock);
        let t = testing::tenant(&db, "money", Vertical::Tailor).await;
        let other = testing::tenant(&db, "money-other", Vertical::Tailor).await;
        let ada = customer(&db, t, "Ada Obi", "+2348031234567").await;
        let twin = customer(&db, other, "Ada Obi", "+2348031234567").await;
        let o = order(&svc, t, ada, spec(Stage::Sewing, 50_000, None)).await;
        pay(&db, t, &o, 20_000, PaymentStatus::Paid).await;
        pay(&db, t, &o, 30_000, PaymentStatus::Pending).await;
        let theirs = order(&svc, other, twin, spec(Stage::Sewing, 50_000, None)).await;
        pay(&db, other, &theirs, 50_000, PaymentStatus::Paid).await;
        let open = store::payments::unpaid(&db, t).await.unwrap();
        store::payments::flag(&db, t, open[0].id, "paid ₦200.00 of ₦300.00")
            .await
            .unwrap();

        let board = dashboard::payments_board(&svc, t).await.unwrap();
        assert_eq!(board.recent.len(), 1, "{}", db.backend());
        let r = &board.recent[0];
        assert_eq!(r.order_ref, o.order_ref);
        assert_eq!(r.customer_name, "Ada Obi");
        assert_eq!(r.amount.minor, 20_000);
        assert_eq!(board.unpaid.len(), 1);
        assert_eq!(board.unpaid[0].balance_due, 30_000);
        assert_eq!(
            board.unpaid[0].request.as_ref().map(|p| p.id),
            Some(open[0].id)
        );
        assert_eq!(board.flagged.len(), 1);
        assert_eq!(board.flagged[0].id, open[0].id);
        assert_eq!(
            board.flagged[0].flag.as_deref(),
            Some("paid ₦200.00 of ₦300.00")
        );

        // A month on, nothing was received in the last 30 days.
        clock.set(now + Duration::days(31));
        let later = dashboard::payments_board(&svc, t).await.unwrap();
        assert!(later.recent.is_empty());
        assert_eq!(later.unpaid.len(), 1);
    }
}

#[tokio::test]
async fn the_change_token_moves_when_this_business_writes() {
    for db in testing::backends().await {
        let clock = ManualClock::at(store::now());
        let svc = services(&db, &clock);
        let t = testing::tenant(&db, "token", Vertical::Shop).await;
        let other = testing::tenant(&db, "token-other", Vertical::Shop).await;
        let c = customer(&db, t, "Achieng", "+254711000001").await;
        let oc = customer(&db, other, "Achieng", "+254711000001").await;
        let o = order(&svc, t, c, spec(Stage::Received, 1_000, None)).await;
        let first = dashboard::changes(&db, t).await.unwrap();
        assert_eq!(first, dashboard::changes(&db, t).await.unwrap());

        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        order(&svc, other, oc, spec(Stage::Received, 1_000, None)).await;
        assert_eq!(dashboard::changes(&db, t).await.unwrap(), first);

        engine::orders::update(
            &svc,
            t,
            o.id,
            &store::orders::OrderPatch {
                notes: Some(Some("no onions".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let second = dashboard::changes(&db, t).await.unwrap();
        assert_ne!(second, first, "{}", db.backend());

        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        pay(&db, t, &o, 1_000, PaymentStatus::Paid).await;
        let third = dashboard::changes(&db, t).await.unwrap();
        assert_ne!(third, second);
    }
}

/// Ten thousand orders and five thousand customers: every read is a few
/// queries on indexes. The bound asserted is loose (a debug build on a
/// shared machine); the timings are printed (`--nocapture`).
#[tokio::test]
async fn every_read_stays_cheap_with_ten_thousand_orders() {
    for db in testing::backends().await {
        let now = store::now();
        let clock = ManualClock::at(now);
        let svc = services(&db, &clock);
        let t = testing::tenant(&db, "busy", Vertical::Tailor).await;
        let seeded = store::dashboard::bench::seed(
            &db,
            t,
            &store::dashboard::bench::Plan {
                customers: 5_000,
                orders: 10_000,
                now,
            },
        )
        .await
        .unwrap();
        assert_eq!((seeded.orders, seeded.customers), (10_000, 5_000));
        if let Db::Postgres(pool) = &db {
            sqlx::query("ANALYZE").execute(pool).await.unwrap();
        }
        let backend = db.backend();
        let some_customer = dashboard::customers(&svc, t, None, 1, 0).await.unwrap()[0].id;

        macro_rules! timed {
            ($name:expr, $call:expr) => {{
                let mut best = std::time::Duration::MAX;
                let mut out = None;
                for _ in 0..3 {
                    let start = std::time::Instant::now();
                    out = Some($call.await.unwrap());
                    best = best.min(start.elapsed());
                }
                println!(
                    "{backend} {:<18} {:>8.2} ms",
                    $name,
                    best.as_secs_f64() * 1e3
                );
                assert!(
                    best < std::time::Duration::from_millis(400),
                    "{backend} {}: {best:?}",
                    $name
                );
                out.unwrap()
            }};
        }
        let day = timed!("today", dashboard::today(&svc, t));
        assert_eq!(day.active_orders, seeded.active_orders as i64, "{backend}");
        assert!(day.overdue > 0 && day.pending_payments > 0);
        let board = timed!("board", dashboard::board(&svc, t, &BoardFilter::default()));
        assert!(board.cards.len() >= seeded.active_orders.min(500));
        let q = BoardFilter {
            q: Some("customer 42".into()),
            ..Default::default()
        };
        timed!("board search", dashboard::board(&svc, t, &q));
        timed!("kitchen", dashboard::kitchen(&svc, t));
        let page = timed!("customers", dashboard::customers(&svc, t, None, 50, 0));
        assert_eq!(page.len(), 50);
        timed!(
            "customers search",
            dashboard::customers(&svc, t, Some("0700004"), 50, 0)
        );
        timed!(
            "customer summary",
            dashboard::customer_summary(&svc, t, some_customer)
        );
        let money = timed!("payments board", dashboard::payments_board(&svc, t));
        assert!(!money.recent.is_empty() && !money.unpaid.is_empty());
        timed!("changes", dashboard::changes(&db, t));

        if let Db::Postgres(pool) = &db {
            // With statistics, the cursor is three index seeks.
            let plan: Vec<String> = sqlx::query_scalar(
                "EXPLAIN SELECT \
                   (SELECT updated_at FROM orders WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT 1), \
                   (SELECT updated_at FROM payments WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT 1), \
                   (SELECT updated_at FROM wa_messages WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT 1)",
            )
            .bind(t.0)
            .fetch_all(pool)
            .await
            .unwrap();
            let plan = plan.join("\n");
            println!("{plan}");
            assert!(plan.contains("orders_updated_idx"), "{plan}");
            assert!(plan.contains("payments_updated_idx"), "{plan}");
            assert!(!plan.contains("Seq Scan on orders"), "{plan}");
        }
    }
}
