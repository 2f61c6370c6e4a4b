//! The dashboard's aggregate reads on both backends: the counts of a
//! business's orders within given bounds, what is still owed (the same
//! orders as the debts list), money received per period, card rows with
//! their customer, payments and lines, searches by part of a ref, name or
//! phone, and the change cursor — never counting another business's rows.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use chrono::{DateTime, Duration, Utc};
use domain::order::{Source, Stage};
use domain::payment::PaymentStatus;
use domain::tenant::Vertical;
use domain::{Currency, CustomerId, TenantId};
use store::dashboard::{self, CardQuery, CardSort, TodayBounds};
use store::orders::{NewItem, NewOrder, Order};
use store::payments::NewPayment;
use store::{Db, testing};

fn ngn() -> Currency {
    Currency::parse("NGN").unwrap()
}

async fn customer(db: &Db, t: TenantId, name: Option<&str>, phone: &str) -> CustomerId {
    let c = store::customers::NewCustomer {
        name: name.map(str::to_string),
        phone: Some(phone.into()),
        wa_id: Some(phone.trim_start_matches('+').into()),
        ..Default::default()
    };
    store::customers::insert(db, t, &c).await.unwrap().id
}

/// A tailoring order of the business, moved to `stage`.
struct OrderSpec {
    stage: Stage,
    price: i64,
    deposit: i64,
    deadline: Option<DateTime<Utc>>,
    style: Option<&'static str>,
}

fn spec(stage: Stage, price: i64, deadline: Option<DateTime<Utc>>) -> OrderSpec {
    OrderSpec {
        stage,
        price,
        deposit: 0,
        deadline,
        style: None,
    }
}

async fn order(db: &Db, t: TenantId, c: CustomerId, s: OrderSpec) -> Order {
    let mut tx = db.begin().await.unwrap();
    let o = store::orders::insert(
        &mut tx,
        t,
        &NewOrder {
            customer_id: c,
            currency: ngn(),
            price: s.price,
            deposit_amount: s.deposit,
            deadline: s.deadline,
            style_name: s.style.map(str::to_string),
            source: Source::Whatsapp,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    if s.stage != Stage::Received {
        assert!(
            store::orders::change_stage(&mut tx, t, &o, s.stage, None, None)
                .await
                .unwrap()
        );
    }
    tx.commit().await.unwrap();
    store::orders::get(db, t, o.id).await.unwrap()
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

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Timestamps are stored to the microsecond: a pause makes the next write's
/// time differ from the last.
async fn tick() {
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
}

#[tokio::test]
async fn the_counts_cover_unfinished_orders_of_this_business_within_the_bounds() {
    // A Wednesday; the week is Monday 10 June to Monday 17 June.
    let now = at("2030-06-12T10:00:00Z");
    let bounds = TodayBounds {
        now,
        week_from: at("2030-06-10T00:00:00Z"),
        week_to: at("2030-06-17T00:00:00Z"),
        urgent_before: domain::order::urgent_due_before(now),
    };
    for db in testing::backends().await {
        let t = testing::tenant(&db, "counts", Vertical::Tailor).await;
        let other = testing::tenant(&db, "counts-other", Vertical::Tailor).await;
        let c = customer(&db, t, Some("Ada"), "+2348031234567").await;
        let oc = customer(&db, other, Some("Ada"), "+2348031234567").await;
        let h = |hours: i64| Some(now + Duration::hours(hours));
        order(&db, t, c, spec(Stage::Cutting, 100, h(-2))).await; // overdue, urgent
        order(&db, t, c, spec(Stage::Sewing, 100, h(24))).await; // urgent
        order(&db, t, c, spec(Stage::Received, 100, h(96))).await; // this week
        order(&db, t, c, spec(Stage::Ready, 100, h(-1))).await; // work done
        order(&db, t, c, spec(Stage::Received, 100, h(240))).await; // next week
        order(&db, t, c, spec(Stage::Received, 100, None)).await;
        order(&db, t, c, spec(Stage::Delivered, 100, h(1))).await;
        order(&db, t, c, spec(Stage::Cancelled, 100, h(1))).await;
        // Last week's overdue order is overdue but not due this week.
        order(&db, t, c, spec(Stage::Fitting, 100, h(-60))).await;
        order(&db, other, oc, spec(Stage::Cutting, 100, h(-2))).await;

        let counts = dashboard::order_counts(&db, t, &bounds).await.unwrap();
        assert_eq!(
            counts,
            dashboard::OrderCounts {
                active: 7,
                due_week: 4,
                due_week_urgent: 2,
                overdue: 2,
            },
            "{}",
            db.backend()
        );
    }
}

#[tokio::test]
async fn what_is_owed_is_the_debts_list_summed() {
    for db in testing::backends().await {
        let t = testing::tenant(&db, "owed", Vertical::Tailor).await;
        let other = testing::tenant(&db, "owed-other", Vertical::Tailor).await;
        let c = customer(&db, t, Some("Ada"), "+2348031234567").await;
        let oc = customer(&db, other, Some("Bola"), "+2348030000000").await;
        let part = order(&db, t, c, spec(Stage::Cutting, 50_000, None)).await;
        pay(&db, t, &part, 20_000, PaymentStatus::Paid).await;
        // A link still open is not money received.
        pay(&db, t, &part, 30_000, PaymentStatus::Pending).await;
        order(&db, t, c, spec(Stage::Sewing, 30_000, None)).await;
        // Handed over with money due (staff overrode): still owed.
        let handed = order(&db, t, c, spec(Stage::Delivered, 10_000, None)).await;
        pay(&db, t, &handed, 4_000, PaymentStatus::Paid).await;
        let settled = order(&db, t, c, spec(Stage::Delivered, 10_000, None)).await;
        pay(&db, t, &settled, 10_000, PaymentStatus::Paid).await;
        let over = order(&db, t, c, spec(Stage::Ready, 1_000, None)).await;
        pay(&db, t, &over, 1_500, PaymentStatus::Paid).await;
        order(&db, t, c, spec(Stage::Cancelled, 9_999, None)).await;
        order(&db, t, c, spec(Stage::Received, 0, None)).await;
        order(&db, other, oc, spec(Stage::Cutting, 77_000, None)).await;

        let (n, sum) = dashboard::owed(&db, t).await.unwrap();
        assert_eq!((n, sum), (3, 30_000 + 30_000 + 6_000), "{}", db.backend());
        let debts = store::payments::debts(&db, t, 500).await.unwrap();
        assert_eq!(debts.len() as i64, n);
        assert_eq!(debts.iter().map(|d| d.balance_due).sum::<i64>(), sum);
    }
}

#[tokio::test]
async fn money_received_is_split_at_the_given_instant_by_paid_time() {
    for db in testing::backends().await {
        let t = testing::tenant(&db, "split", Vertical::Shop).await;
        let other = testing::tenant(&db, "split-other", Vertical::Shop).await;
        let c = customer(&db, t, Some("Achieng"), "+254711000001").await;
        let oc = customer(&db, other, Some("Achieng"), "+254711000001").await;
        let o = order(&db, t, c, spec(Stage::Received, 100_000, None)).await;
        let oo = order(&db, other, oc, spec(Stage::Received, 100_000, None)).await;
        let before_all = store::now();
        tick().await;
        pay(&db, t, &o, 1_000, PaymentStatus::Paid).await;
        tick().await;
        let split = store::now();
        tick().await;
        pay(&db, t, &o, 2_000, PaymentStatus::Paid).await;
        pay(&db, t, &o, 4_000, PaymentStatus::Paid).await;
        pay(&db, t, &o, 8_000, PaymentStatus::Pending).await;
        pay(&db, other, &oo, 16_000, PaymentStatus::Paid).await;
        tick().await;
        let end = store::now();

        assert_eq!(
            dashboard::received_split(&db, t, before_all, split, end)
                .await
                .unwrap(),
            (1_000, 6_000),
            "{}",
            db.backend()
        );
        // Nothing before the window, nothing after it.
        assert_eq!(
            dashboard::received_split(&db, t, split, split, end)
                .await
                .unwrap(),
            (0, 6_000)
        );
        assert_eq!(
            dashboard::received_split(&db, t, end, end, end + Duration::hours(1))
                .await
                .unwrap(),
            (0, 0)
        );
    }
}

#[tokio::test]
async fn a_card_row_carries_its_customer_payments_and_lines() {
    for db in testing::backends().await {
        let t = testing::tenant(&db, "cards", Vertical::Shop).await;
        let c = customer(&db, t, None, "+254722111222").await;
        // The customer has only a WhatsApp profile name.
        store::customers::touch_from_whatsapp(
            &db,
            t,
            "+254722111222",
            "254722111222",
            Some("Mama Njeri"),
            store::now(),
        )
        .await
        .unwrap();
        let mut s = spec(Stage::Packed, 12_000, Some(at("2030-01-02T09:00:00Z")));
        s.deposit = 5_000;
        let o = order(&db, t, c, s).await;
        let mut tx = db.begin().await.unwrap();
        let item = |sku: &str, name: &str| NewItem {
            product_id: None,
            sku: sku.into(),
            name: name.into(),
            quantity: 1,
            unit_price: 4_000,
        };
        store::orders::add_items(
            &mut tx,
            t,
            o.id,
            &[
                item("A", "Sukuma"),
                item("B", "Ugali flour"),
                item("C", "Milk"),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        pay(&db, t, &o, 3_000, PaymentStatus::Paid).await;
        pay(&db, t, &o, 2_500, PaymentStatus::Paid).await;
        pay(&db, t, &o, 6_500, PaymentStatus::Failed).await;

        let rows = dashboard::cards(
            &db,
            t,
            &CardQuery {
                active: true,
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 1, "{}", db.backend());
        let r = &rows[0];
        assert_eq!(r.id, o.id);
        assert_eq!(r.order_ref, "SHP-0001");
        // Staff never named her: the profile name fills the name.
        assert_eq!(r.customer_name.as_deref(), Some("Mama Njeri"));
        assert_eq!(r.customer_profile_name.as_deref(), Some("Mama Njeri"));
        assert_eq!(r.customer_phone.as_deref(), Some("+254722111222"));
        assert_eq!(r.stage, Stage::Packed);
        assert_eq!((r.price, r.deposit_amount, r.paid), (12_000, 5_000, 5_500));
        assert_eq!(r.currency, ngn());
        assert_eq!(r.source, Source::Whatsapp);
        assert_eq!(r.first_item.as_deref(), Some("Sukuma"));
        assert_eq!(r.second_item.as_deref(), Some("Ugali flour"));
        assert_eq!(r.item_count, 3);
        assert_eq!(r.deadline, Some(at("2030-01-02T09:00:00Z")));
    }
}

async fn refs(db: &Db, t: TenantId, q: &CardQuery) -> Vec<String> {
    dashboard::cards(db, t, q)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.order_ref)
        .collect()
}

#[tokio::test]
async fn card_lists_filter_search_and_sort_within_the_business() {
    for db in testing::backends().await {
        let t = testing::tenant(&db, "lists", Vertical::Tailor).await;
        let other = testing::tenant(&db, "lists-other", Vertical::Tailor).await;
        let ada = customer(&db, t, Some("Adaeze Okafor"), "+2348031234567").await;
        let bola = customer(&db, t, Some("Bola Ade"), "+2348059876543").await;
        let twin = customer(&db, other, Some("Adaeze Okafor"), "+2348031234567").await;
        let d = |s: &str| Some(at(s));
        order(
            &db,
            t,
            ada,
            spec(Stage::Cutting, 1, d("2030-03-05T10:00:00Z")),
        )
        .await; // SEW-0001
        order(
            &db,
            t,
            bola,
            spec(Stage::Sewing, 1, d("2030-03-02T10:00:00Z")),
        )
        .await; // SEW-0002
        order(&db, t, ada, spec(Stage::Received, 1, None)).await; // SEW-0003
        order(
            &db,
            t,
            bola,
            spec(Stage::Delivered, 1, d("2030-03-01T10:00:00Z")),
        )
        .await; // SEW-0004
        order(
            &db,
            t,
            ada,
            spec(Stage::Cancelled, 1, d("2030-03-01T10:00:00Z")),
        )
        .await; // SEW-0005
        order(
            &db,
            other,
            twin,
            spec(Stage::Cutting, 1, d("2030-03-05T10:00:00Z")),
        )
        .await;
        let base = CardQuery {
            active: true,
            limit: 100,
            ..Default::default()
        };

        // Active only, earliest deadline first, none last.
        assert_eq!(
            refs(&db, t, &base).await,
            ["SEW-0002", "SEW-0001", "SEW-0003"],
            "{}",
            db.backend()
        );
        // Finished since a minute ago: both just finished orders join.
        let recent = CardQuery {
            finished_since: Some(store::now() - Duration::minutes(1)),
            ..base.clone()
        };
        assert_eq!(
            refs(&db, t, &recent).await,
            ["SEW-0004", "SEW-0005", "SEW-0002", "SEW-0001", "SEW-0003"]
        );
        // Finished before the window: not on the board.
        let later = CardQuery {
            finished_since: Some(store::now() + Duration::minutes(1)),
            ..base.clone()
        };
        assert_eq!(refs(&db, t, &later).await.len(), 3);
        // A finished stage as filter shows only the recently finished.
        let delivered = CardQuery {
            stage: Some(Stage::Delivered),
            ..recent.clone()
        };
        assert_eq!(refs(&db, t, &delivered).await, ["SEW-0004"]);
        // Due within [from, to).
        let due = CardQuery {
            due_from: Some(at("2030-03-02T00:00:00Z")),
            due_to: Some(at("2030-03-05T10:00:00Z")),
            ..base.clone()
        };
        assert_eq!(refs(&db, t, &due).await, ["SEW-0002"]);
        // Searches: part of a name in another case, a local phone form,
        // part of a ref.
        let search = |q: &str| CardQuery {
            search: dashboard::search(q),
            ..recent.clone()
        };
        assert_eq!(
            refs(&db, t, &search("OKAF")).await,
            ["SEW-0005", "SEW-0001", "SEW-0003"]
        );
        assert_eq!(
            refs(&db, t, &search("0805 987")).await,
            ["SEW-0004", "SEW-0002"]
        );
        assert_eq!(refs(&db, t, &search("sew-0003")).await, ["SEW-0003"]);
        assert!(refs(&db, t, &search("nobody")).await.is_empty());
        // A search of "%" is literal, not a wildcard.
        assert!(refs(&db, t, &search("%")).await.is_empty());
        assert!(dashboard::search("  ").is_none());
        // Newest first, one customer.
        let mine = CardQuery {
            active: false,
            customer: Some(ada),
            sort: CardSort::Newest,
            ..base.clone()
        };
        assert_eq!(
            refs(&db, t, &mine).await,
            ["SEW-0005", "SEW-0003", "SEW-0001"]
        );
        // The limit holds.
        let two = CardQuery { limit: 2, ..base };
        assert_eq!(refs(&db, t, &two).await.len(), 2);
    }
}

#[tokio::test]
async fn customers_are_found_by_part_of_name_or_phone_most_recently_active_first() {
    for db in testing::backends().await {
        let t = testing::tenant(&db, "people", Vertical::Shop).await;
        let other = testing::tenant(&db, "people-other", Vertical::Shop).await;
        let achieng = customer(&db, t, Some("Achieng Otieno"), "+254711000001").await;
        tick().await;
        let wanjiru = customer(&db, t, Some("Wanjiru Kamau"), "+254722333444").await;
        tick().await;
        let otieno = customer(&db, t, Some("Baraka Otieno"), "+254733555666").await;
        customer(&db, other, Some("Achieng Otieno"), "+254711000001").await;
        tick().await;
        // Achieng orders and pays: the most recent activity, and figures.
        let o = order(&db, t, achieng, spec(Stage::Received, 9_000, None)).await;
        pay(&db, t, &o, 4_000, PaymentStatus::Paid).await;
        pay(&db, t, &o, 1_000, PaymentStatus::Pending).await;

        let all = dashboard::customers(&db, t, None, 10, 0).await.unwrap();
        let ids: Vec<CustomerId> = all.iter().map(|r| r.id).collect();
        assert_eq!(ids, [achieng, otieno, wanjiru], "{}", db.backend());
        let a = &all[0];
        assert_eq!((a.total_orders, a.total_spent), (1, 4_000));
        assert_eq!(a.last_order_at, Some(o.created_at));
        assert_eq!(a.last_activity, o.created_at);
        assert_eq!(all[2].last_activity, all[2].created_at);

        let names = |rows: Vec<dashboard::CustomerRow>| -> Vec<Option<String>> {
            rows.into_iter().map(|r| r.name).collect()
        };
        let found = dashboard::customers(&db, t, Some("otIEno"), 10, 0)
            .await
            .unwrap();
        assert_eq!(
            names(found),
            [Some("Achieng Otieno".into()), Some("Baraka Otieno".into())]
        );
        let by_phone = dashboard::customers(&db, t, Some("0722 333"), 10, 0)
            .await
            .unwrap();
        assert_eq!(names(by_phone), [Some("Wanjiru Kamau".into())]);
        let page = dashboard::customers(&db, t, None, 1, 1).await.unwrap();
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].id, otieno);
    }
}

#[tokio::test]
async fn the_payment_lists_show_received_and_flagged_payments_of_this_business() {
    for db in testing::backends().await {
        let t = testing::tenant(&db, "paylist", Vertical::Restaurant).await;
        let other = testing::tenant(&db, "paylist-other", Vertical::Restaurant).await;
        let c = customer(&db, t, Some("Lucía"), "+5491122334455").await;
        let oc = customer(&db, other, Some("Lucía"), "+5491122334455").await;
        let o = order(&db, t, c, spec(Stage::Preparing, 50_000, None)).await;
        let oo = order(&db, other, oc, spec(Stage::Preparing, 50_000, None)).await;
        let since = store::now();
        pay(&db, t, &o, 1_000, PaymentStatus::Paid).await;
        tick().await;
        pay(&db, t, &o, 2_000, PaymentStatus::Paid).await;
        pay(&db, t, &o, 3_000, PaymentStatus::Pending).await;
        pay(&db, other, &oo, 4_000, PaymentStatus::Paid).await;

        let paid = dashboard::paid_payments(&db, t, since, 10).await.unwrap();
        let amounts: Vec<i64> = paid.iter().map(|p| p.amount).collect();
        assert_eq!(amounts, [2_000, 1_000], "{}", db.backend());
        assert_eq!(paid[0].order_ref, "PED-0001");
        assert_eq!(paid[0].customer_name.as_deref(), Some("Lucía"));
        assert!(
            dashboard::paid_payments(&db, t, store::now(), 10)
                .await
                .unwrap()
                .is_empty()
        );

        assert!(
            dashboard::flagged_payments(&db, t, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let pending = store::payments::unpaid(&db, t).await.unwrap();
        store::payments::flag(&db, t, pending[0].id, "paid 3.000 of 30.00")
            .await
            .unwrap();
        let other_pay = store::payments::for_order(&db, other, oo.id).await.unwrap();
        store::payments::flag(&db, other, other_pay[0].id, "not ours")
            .await
            .unwrap();
        let flagged = dashboard::flagged_payments(&db, t, 10).await.unwrap();
        assert_eq!(flagged.len(), 1);
        assert_eq!(flagged[0].id, pending[0].id);
        assert_eq!(flagged[0].status, "pending");
        assert_eq!(flagged[0].flag.as_deref(), Some("paid 3.000 of 30.00"));
    }
}

async fn message(db: &Db, t: TenantId, number: domain::WaNumberId, c: CustomerId) {
    let payload = serde_json::json!({"text": {"body": "hola"}});
    store::wa::insert_inbound(
        db,
        &store::wa::NewInbound {
            tenant_id: t,
            number_id: number,
            customer_id: Some(c),
            wamid: &format!("wamid.{}", uuid::Uuid::now_v7()),
            from_number: "5491122334455",
            to_number: "5491100000000",
            kind: "text",
            body: Some("hola"),
            payload: &payload,
            parsed: None,
            media_id: None,
            media_mime: None,
            received_at: store::now(),
        },
    )
    .await
    .unwrap()
    .unwrap();
}

#[tokio::test]
async fn the_cursor_moves_with_each_write_of_this_business_only() {
    for db in testing::backends().await {
        let t = testing::tenant(&db, "cursor", Vertical::Restaurant).await;
        let other = testing::tenant(&db, "cursor-other", Vertical::Restaurant).await;
        let empty = dashboard::changes(&db, t).await.unwrap();
        assert_eq!(
            empty,
            dashboard::Changes {
                orders: None,
                payments: None,
                messages: None
            }
        );
        let c = customer(&db, t, Some("Lucía"), "+5491122334455").await;
        let oc = customer(&db, other, Some("Lucía"), "+5491122334455").await;
        let o = order(&db, t, c, spec(Stage::Received, 50_000, None)).await;
        let after_order = dashboard::changes(&db, t).await.unwrap();
        assert_eq!(after_order.orders, Some(o.updated_at), "{}", db.backend());

        tick().await;
        let moved = order(&db, other, oc, spec(Stage::Preparing, 1, None)).await;
        pay(&db, other, &moved, 1, PaymentStatus::Paid).await;
        assert_eq!(dashboard::changes(&db, t).await.unwrap(), after_order);

        tick().await;
        assert!(
            store::orders::change_stage(&db, t, &o, Stage::Preparing, None, None)
                .await
                .unwrap()
        );
        let after_stage = dashboard::changes(&db, t).await.unwrap();
        assert!(after_stage.orders > after_order.orders);

        tick().await;
        pay(&db, t, &o, 10_000, PaymentStatus::Pending).await;
        let after_pay = dashboard::changes(&db, t).await.unwrap();
        assert!(after_pay.payments.is_some());
        assert_eq!(after_pay.orders, after_stage.orders);

        tick().await;
        let pending = store::payments::unpaid(&db, t).await.unwrap();
        assert!(
            store::payments::mark_paid(&db, t, &pending[0], None, None)
                .await
                .unwrap()
        );
        let after_paid = dashboard::changes(&db, t).await.unwrap();
        assert!(after_paid.payments > after_pay.payments);

        let number = store::wa::insert_number(
            &db,
            t,
            &store::wa::NewNumber {
                phone_number_id: format!("pn-{}", uuid::Uuid::now_v7()),
                display_phone_number: "+54 9 11 0000-0000".into(),
                waba_id: None,
                access_token_sealed: None,
                sandbox: true,
            },
        )
        .await
        .unwrap();
        message(&db, t, number.id, c).await;
        let after_message = dashboard::changes(&db, t).await.unwrap();
        assert!(after_message.messages.is_some());
        assert_eq!(after_message.payments, after_paid.payments);
    }
}

/// The plans the indexes of 0010 are for, on SQLite (PostgreSQL's planner
/// picks by table statistics; see the bench test in the engine).
#[tokio::test]
async fn the_cursor_and_money_reads_use_their_indexes_on_sqlite() {
    let Db::Sqlite(pool) = testing::sqlite().await else {
        panic!("sqlite")
    };
    let plan = |sql: &'static str, with_time: bool| {
        let pool = pool.clone();
        async move {
            let q = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(format!(
                "EXPLAIN QUERY PLAN {sql}"
            )))
            .bind(uuid::Uuid::nil());
            let q = if with_time { q.bind(store::now()) } else { q };
            let rows = q.fetch_all(&pool).await.unwrap();
            rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
        }
    };
    let cursor = plan(
        "SELECT (SELECT updated_at FROM orders WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT 1), \
         (SELECT updated_at FROM payments WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT 1), \
         (SELECT updated_at FROM wa_messages WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT 1)",
        false,
    )
    .await;
    for index in [
        "orders_updated_idx",
        "payments_updated_idx",
        "wa_messages_updated_idx",
    ] {
        assert!(cursor.contains(index), "{index} in\n{cursor}");
    }
    assert!(!cursor.contains("TEMP B-TREE"), "no sort:\n{cursor}");
    let revenue = plan(
        "SELECT SUM(amount) FROM payments WHERE tenant_id = $1 AND status = 'paid' AND paid_at >= $2",
        true,
    )
    .await;
    assert!(revenue.contains("payments_paid_idx"), "{revenue}");
    let flagged = plan(
        "SELECT id FROM payments WHERE tenant_id = $1 AND flag IS NOT NULL ORDER BY updated_at DESC LIMIT 10",
        false,
    )
    .await;
    assert!(flagged.contains("payments_flagged_idx"), "{flagged}");
}
