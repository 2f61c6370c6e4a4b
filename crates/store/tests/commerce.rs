//! The catalog, the stock ledger, order lines, delivery zones and business
//! settings on both backends: every stock change is a ledger row, an order
//! holds and gives back stock exactly once, and concurrent orders never sell
//! more than is on hand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use domain::commerce::StockStatus;
use domain::order::{PaymentMethod, Source, Stage};
use domain::tenant::{Role, Vertical};
use domain::{Currency, CustomerId, OrderId, ProductId, TenantId, UserId};
use store::business::{self, ConsumeOn, SettingsPatch};
use store::inventory::{self, Movement, StockError};
use store::orders::{self, NewItem, NewOrder};
use store::products::{self, NewProduct, ProductFilter, ProductPatch};
use store::zones::{self, NewZone, ZonePatch};
use store::{Db, StoreError, savepoint, testing};

async fn tenant(db: &Db, slug: &str) -> TenantId {
    store::testing::tenant(db, slug, Vertical::Shop).await
}

async fn user(db: &Db, tenant: TenantId) -> UserId {
    let u = store::users::NewUser {
        tenant_id: tenant,
        name: "Wanjiru",
        email: &format!("{}@example.com", uuid::Uuid::now_v7()),
        phone: None,
        password_hash: "x",
        role: Role::Owner,
    };
    store::users::insert(db, &u).await.unwrap().id
}

async fn customer(db: &Db, tenant: TenantId) -> CustomerId {
    let c = store::customers::NewCustomer {
        name: Some("Achieng".into()),
        ..Default::default()
    };
    store::customers::insert(db, tenant, &c).await.unwrap().id
}

fn product(sku: &str, stock: Option<i64>) -> NewProduct {
    NewProduct {
        sku: sku.into(),
        name: format!("Product {sku}"),
        price: 15000,
        currency: "KES".into(),
        track_stock: stock.is_some(),
        stock_on_hand: stock.unwrap_or(0),
        ..NewProduct::default()
    }
}

async fn add(db: &Db, tenant: TenantId, n: NewProduct) -> ProductId {
    let mut tx = db.begin().await.unwrap();
    let p = products::insert(&mut tx, tenant, &n, None).await.unwrap();
    tx.commit().await.unwrap();
    p.id
}

/// An order with one line per `(product, qty)`, stock not yet reserved.
async fn order_in(
    tx: &mut store::Tx,
    tenant: TenantId,
    customer: CustomerId,
    lines: &[(ProductId, i64)],
) -> OrderId {
    let o = orders::insert(
        &mut *tx,
        tenant,
        &NewOrder {
            customer_id: customer,
            currency: Currency::parse("KES").unwrap(),
            source: Source::Whatsapp,
            ..NewOrder::default()
        },
    )
    .await
    .unwrap();
    let mut items = Vec::new();
    for (p, q) in lines {
        let prod = products::get(&mut *tx, tenant, *p).await.unwrap();
        items.push(NewItem {
            product_id: Some(*p),
            sku: prod.sku,
            name: prod.name,
            quantity: *q,
            unit_price: prod.price,
        });
    }
    orders::add_items(&mut *tx, tenant, o.id, &items)
        .await
        .unwrap();
    o.id
}

/// An order placed and its stock reserved, committed.
async fn reserved_order(
    db: &Db,
    tenant: TenantId,
    customer: CustomerId,
    lines: &[(ProductId, i64)],
) -> OrderId {
    let mut tx = db.begin().await.unwrap();
    let o = order_in(&mut tx, tenant, customer, lines).await;
    inventory::reserve(&mut tx, tenant, o, None).await.unwrap();
    tx.commit().await.unwrap();
    o
}

async fn stock(db: &Db, tenant: TenantId, p: ProductId) -> (i64, i64, Option<i64>) {
    let p = products::get(db, tenant, p).await.unwrap();
    (p.stock_on_hand, p.reserved, p.saleable)
}

#[tokio::test]
async fn products_are_created_listed_patched_and_skus_are_unique() {
    for db in testing::backends().await {
        let t = tenant(&db, "catalog").await;
        let other = tenant(&db, "other").await;
        let by = user(&db, t).await;
        let mut tx = db.begin().await.unwrap();
        let rice = products::insert(
            &mut tx,
            t,
            &NewProduct {
                aliases: vec!["pilau".into(), "rice 2kg".into()],
                category: Some("Food".into()),
                low_stock_threshold: Some(3),
                sort_order: 2,
                ..product("RICE-2KG", Some(10))
            },
            Some(by),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(rice.aliases.0, vec!["pilau", "rice 2kg"]);
        assert_eq!(rice.saleable, Some(10));
        assert!(rice.is_available && rice.track_stock);
        // The initial count is a receipt in the ledger, by who created it.
        let ledger = inventory::movements(&db, t, rice.id, 10).await.unwrap();
        assert_eq!(ledger.len(), 1);
        assert_eq!(ledger[0].kind, Movement::Receipt);
        assert_eq!(ledger[0].quantity, 10);
        assert_eq!(ledger[0].reason.as_deref(), Some("initial stock"));
        assert_eq!(ledger[0].user_id, Some(by.0));

        let suit = add(
            &db,
            t,
            NewProduct {
                category: Some("Clothes".into()),
                ..product("SUIT", None)
            },
        )
        .await;
        let misc = add(&db, t, product("misc_1", None)).await;
        let made = products::get(&db, t, suit).await.unwrap();
        assert_eq!(made.saleable, None, "made to order: no stock figures");
        assert!(
            inventory::movements(&db, t, suit, 10)
                .await
                .unwrap()
                .is_empty()
        );

        // Menu order: categories by name, uncategorised last.
        let all = products::list(&db, t, &ProductFilter::default())
            .await
            .unwrap();
        let skus: Vec<_> = all.iter().map(|p| p.sku.as_str()).collect();
        assert_eq!(skus, ["SUIT", "RICE-2KG", "misc_1"]);
        let food = products::list(
            &db,
            t,
            &ProductFilter {
                category: Some("Food".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(food.len(), 1);
        // Search matches name or sku, case-insensitively, wildcards literal.
        for (q, n) in [
            ("rice", 1),
            ("PRODUCT", 3),
            ("misc_", 1),
            ("%", 0),
            ("_", 1),
        ] {
            let found = products::list(
                &db,
                t,
                &ProductFilter {
                    search: Some(q.into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(found.len(), n, "search {q:?}");
        }
        let by_skus = products::by_skus(&db, t, &["SUIT".into(), "NOPE".into(), "misc_1".into()])
            .await
            .unwrap();
        assert_eq!(by_skus.len(), 2);
        assert!(
            products::by_sku(&db, t, "RICE-2KG")
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            products::by_sku(&db, other, "RICE-2KG")
                .await
                .unwrap()
                .is_none()
        );

        // A taken sku is a named conflict; another tenant may use it.
        let mut tx = db.begin().await.unwrap();
        let dup = products::insert(&mut tx, t, &product("RICE-2KG", None), None).await;
        assert!(
            matches!(dup, Err(StoreError::Unique("products_tenant_sku_key"))),
            "{dup:?}"
        );
        drop(tx);
        add(&db, other, product("RICE-2KG", None)).await;

        // Patch: snooze, reprice, clear a category; stock is untouched.
        let patched = products::update(
            &db,
            t,
            rice.id,
            &ProductPatch {
                is_available: Some(false),
                price: Some(20000),
                category: Some(None),
                low_stock_threshold: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(!patched.is_available);
        assert_eq!(patched.price, 20000);
        assert_eq!(patched.category, None);
        assert_eq!(patched.low_stock_threshold, None);
        assert_eq!(patched.stock_on_hand, 10);
        assert_eq!(patched.aliases.0.len(), 2, "absent fields stay");
        let available = products::list(
            &db,
            t,
            &ProductFilter {
                available_only: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(available.iter().all(|p| p.id != rice.id));
        // Another tenant's product is not found.
        assert!(matches!(
            products::get(&db, other, misc).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            products::update(&db, other, misc, &ProductPatch::default()).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn categories_count_what_can_be_sold_now_in_menu_order() {
    for db in testing::backends().await {
        let t = tenant(&db, "menu").await;
        let c = customer(&db, t).await;
        let cat = |name: &str, sort: i32| NewProduct {
            category: Some(name.into()),
            sort_order: sort,
            ..product(&format!("{name}-{sort}"), None)
        };
        add(&db, t, cat("Mains", 1)).await;
        add(&db, t, cat("Mains", 2)).await;
        add(&db, t, cat("Drinks", 5)).await;
        add(&db, t, cat("Starters", 0)).await;
        add(&db, t, product("loose", None)).await;
        // Snoozed, and sold out (all reserved): not counted.
        let snoozed = add(&db, t, cat("Drinks", 6)).await;
        products::update(
            &db,
            t,
            snoozed,
            &ProductPatch {
                is_available: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let last = add(
            &db,
            t,
            NewProduct {
                category: Some("Desserts".into()),
                ..product("CAKE", Some(1))
            },
        )
        .await;
        assert!(
            products::categories(&db, t)
                .await
                .unwrap()
                .contains(&("Desserts".to_string(), 1))
        );
        reserved_order(&db, t, c, &[(last, 1)]).await;
        let cats = products::categories(&db, t).await.unwrap();
        assert_eq!(
            cats,
            vec![
                ("".to_string(), 1),
                ("Starters".to_string(), 1),
                ("Mains".to_string(), 2),
                ("Drinks".to_string(), 1),
            ]
        );
    }
}

#[tokio::test]
async fn receipts_and_adjustments_are_ledger_rows_with_who_and_why() {
    for db in testing::backends().await {
        let t = tenant(&db, "ledger").await;
        let by = user(&db, t).await;
        let c = customer(&db, t).await;
        let p = add(
            &db,
            t,
            NewProduct {
                low_stock_threshold: Some(4),
                ..product("SOAP", Some(5))
            },
        )
        .await;
        let made = add(&db, t, product("MADE", None)).await;

        let after = inventory::receive(&db, t, p, 7, Some(by), Some("delivery from Bidco"))
            .await
            .unwrap();
        assert_eq!((after.stock_on_hand, after.saleable), (12, Some(12)));
        let after = inventory::adjust(&db, t, p, -2, Some(by), "two damaged")
            .await
            .unwrap();
        assert_eq!(after.stock_on_hand, 10);

        // Reserve 8: an adjustment cannot take on hand below that.
        reserved_order(&db, t, c, &[(p, 8)]).await;
        let refused = inventory::adjust(&db, t, p, -3, Some(by), "count").await;
        assert!(
            matches!(&refused, Err(StockError::Insufficient { sku, saleable: 2 }) if sku == "SOAP"),
            "{refused:?}"
        );
        let ok = inventory::adjust(&db, t, p, -2, Some(by), "count")
            .await
            .unwrap();
        assert_eq!(
            (ok.stock_on_hand, ok.reserved, ok.saleable),
            (8, 8, Some(0))
        );
        assert!(ok.is_low());
        assert_eq!(
            inventory::low_stock(&db, t)
                .await
                .unwrap()
                .iter()
                .map(|p| p.id)
                .collect::<Vec<_>>(),
            vec![p]
        );

        // Bad quantities and untracked products are refused, nothing written.
        assert!(matches!(
            inventory::receive(&db, t, p, 0, None, None).await,
            Err(StockError::InvalidQuantity)
        ));
        assert!(matches!(
            inventory::adjust(&db, t, p, 0, None, "x").await,
            Err(StockError::InvalidQuantity)
        ));
        assert!(matches!(
            inventory::receive(&db, t, made, 3, None, None).await,
            Err(StockError::NotTracked)
        ));
        let other = tenant(&db, "ledger-other").await;
        assert!(matches!(
            inventory::receive(&db, other, p, 3, None, None).await,
            Err(StockError::Store(StoreError::NotFound))
        ));

        let ledger = inventory::movements(&db, t, p, 50).await.unwrap();
        let rows: Vec<_> = ledger
            .iter()
            .map(|m| {
                (
                    m.kind,
                    m.quantity,
                    m.on_hand_after,
                    m.reserved_after,
                    m.reason.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (Movement::Adjustment, -2, 8, 8, Some("count")),
                (Movement::Reservation, 8, 10, 8, None),
                (Movement::Adjustment, -2, 10, 0, Some("two damaged")),
                (Movement::Receipt, 7, 12, 0, Some("delivery from Bidco")),
                (Movement::Receipt, 5, 5, 0, Some("initial stock")),
            ],
            "newest first"
        );
        assert_eq!(ledger[0].user_id, Some(by.0));
        assert!(
            ledger[1]
                .order_ref
                .as_deref()
                .is_some_and(|r| r.starts_with("SHP-"))
        );
        assert_eq!(inventory::movements(&db, t, p, 2).await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn an_order_holds_its_stock_once_and_gives_it_back_or_sells_it_once() {
    for db in testing::backends().await {
        let t = tenant(&db, "hold").await;
        let c = customer(&db, t).await;
        let by = user(&db, t).await;
        let a = add(&db, t, product("A", Some(10))).await;
        let b = add(&db, t, product("B", Some(4))).await;
        let made = add(&db, t, product("MADE", None)).await;

        // Two lines of A add up; the made-to-order line holds nothing.
        let o = reserved_order(&db, t, c, &[(a, 2), (b, 3), (a, 1), (made, 5)]).await;
        assert_eq!(stock(&db, t, a).await, (10, 3, Some(7)));
        assert_eq!(stock(&db, t, b).await, (4, 3, Some(1)));
        let order = orders::get(&db, t, o).await.unwrap();
        assert_eq!(order.stock_status, StockStatus::Reserved);
        let items = orders::items(&db, t, o).await.unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(items[1].line_total, 3 * 15000);
        // Reserving again does nothing.
        inventory::reserve(&db, t, o, None).await.unwrap();
        assert_eq!(stock(&db, t, a).await, (10, 3, Some(7)));

        // Released once, however often asked.
        assert!(inventory::release(&db, t, o, Some(by)).await.unwrap());
        assert!(!inventory::release(&db, t, o, Some(by)).await.unwrap());
        assert!(!inventory::consume(&db, t, o, Some(by)).await.unwrap());
        assert_eq!(stock(&db, t, a).await, (10, 0, Some(10)));
        assert_eq!(stock(&db, t, b).await, (4, 0, Some(4)));
        assert_eq!(
            orders::get(&db, t, o).await.unwrap().stock_status,
            StockStatus::Released
        );
        let releases = inventory::movements(&db, t, a, 10)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == Movement::Release)
            .collect::<Vec<_>>();
        assert_eq!(releases.len(), 1);
        assert_eq!(releases[0].quantity, -3);
        assert_eq!(releases[0].user_id, Some(by.0));

        // Consumed once: on hand and reserved both drop.
        let sold = reserved_order(&db, t, c, &[(a, 4)]).await;
        assert_eq!(stock(&db, t, a).await, (10, 4, Some(6)));
        assert!(inventory::consume(&db, t, sold, None).await.unwrap());
        assert!(!inventory::consume(&db, t, sold, None).await.unwrap());
        assert!(!inventory::release(&db, t, sold, None).await.unwrap());
        assert_eq!(stock(&db, t, a).await, (6, 0, Some(6)));
        let last = &inventory::movements(&db, t, a, 1).await.unwrap()[0];
        assert_eq!(
            (
                last.kind,
                last.quantity,
                last.on_hand_after,
                last.reserved_after
            ),
            (Movement::Sale, -4, 6, 0)
        );

        // An order of only made-to-order lines holds nothing.
        let none = reserved_order(&db, t, c, &[(made, 1)]).await;
        assert_eq!(
            orders::get(&db, t, none).await.unwrap().stock_status,
            StockStatus::None
        );

        // Asking for more than is saleable is refused; the caller rolls back.
        let mut tx = db.begin().await.unwrap();
        let greedy = order_in(&mut tx, t, c, &[(a, 2), (b, 5)]).await;
        let refused = inventory::reserve(&mut tx, t, greedy, None).await;
        assert!(
            matches!(&refused, Err(StockError::Insufficient { sku, saleable: 4 }) if sku == "B"),
            "{refused:?}"
        );
        drop(tx);
        assert_eq!(
            stock(&db, t, a).await,
            (6, 0, Some(6)),
            "A's hold was rolled back"
        );
    }
}

#[tokio::test]
async fn a_stage_change_is_persistence_only_and_stock_moves_by_inventory() {
    for db in testing::backends().await {
        let t = tenant(&db, "stages").await;
        let c = customer(&db, t).await;
        let p = add(&db, t, product("P", Some(5))).await;
        let move_to = |o: OrderId, to: Stage| {
            let db = db.clone();
            async move {
                let order = orders::get(&db, t, o).await.unwrap();
                let mut tx = db.begin().await.unwrap();
                assert!(
                    orders::change_stage(&mut tx, t, &order, to, None, None)
                        .await
                        .unwrap()
                );
                tx.commit().await.unwrap();
            }
        };
        let cancelled = reserved_order(&db, t, c, &[(p, 2)]).await;
        let delivered = reserved_order(&db, t, c, &[(p, 1)]).await;
        assert_eq!(stock(&db, t, p).await, (5, 3, Some(2)));
        // The stage row alone decides nothing about stock: the orders
        // service applies the effects (tested through the API).
        move_to(cancelled, Stage::Cancelled).await;
        assert_eq!(stock(&db, t, p).await, (5, 3, Some(2)));
        inventory::release(&db, t, cancelled, None).await.unwrap();
        assert_eq!(stock(&db, t, p).await, (5, 1, Some(4)));
        move_to(delivered, Stage::Delivered).await;
        inventory::consume(&db, t, delivered, None).await.unwrap();
        assert_eq!(stock(&db, t, p).await, (4, 0, Some(4)));
    }
}

#[tokio::test]
async fn concurrent_orders_never_take_more_than_is_on_hand() {
    for db in testing::backends().await {
        let t = tenant(&db, "rush").await;
        let c = customer(&db, t).await;
        let p = add(&db, t, product("LAST5", Some(5))).await;
        // The orders exist first: taking an order number locks the tenant's
        // row, which would queue the racers before they reach the stock.
        let mut ids = Vec::new();
        for _ in 0..12 {
            let mut tx = db.begin().await.unwrap();
            ids.push(order_in(&mut tx, t, c, &[]).await);
            tx.commit().await.unwrap();
        }
        let mut tasks = Vec::new();
        for o in ids {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let line = NewItem {
                    product_id: Some(p),
                    sku: "LAST5".into(),
                    name: "Last five".into(),
                    quantity: 1,
                    unit_price: 15000,
                };
                orders::add_items(&mut tx, t, o, &[line]).await.unwrap();
                match inventory::reserve(&mut tx, t, o, None).await {
                    Ok(()) => {
                        tx.commit().await.unwrap();
                        true
                    }
                    // Rolled back with the line that asked.
                    Err(StockError::Insufficient { saleable, .. }) => {
                        assert_eq!(saleable, 0);
                        false
                    }
                    Err(e) => panic!("{e}"),
                }
            }));
        }
        let mut committed = 0;
        for task in tasks {
            if task.await.unwrap() {
                committed += 1;
            }
        }
        assert_eq!(committed, 5, "on {}", db.backend());
        assert_eq!(stock(&db, t, p).await, (5, 5, Some(0)));
        let held: i64 = inventory::movements(&db, t, p, 100)
            .await
            .unwrap()
            .iter()
            .filter(|m| m.kind == Movement::Reservation)
            .inspect(|m| assert!(m.on_hand_after >= m.reserved_after))
            .map(|m| m.quantity)
            .sum();
        assert_eq!(held, 5);
        let orders = orders::list(&db, t, &Default::default(), orders::Sort::Deadline, 100)
            .await
            .unwrap();
        let reserved = orders
            .iter()
            .filter(|o| o.stock_status == StockStatus::Reserved)
            .count();
        assert_eq!(reserved, 5);
        let mut lines = 0;
        for o in &orders {
            lines += orders::items(&db, t, o.id).await.unwrap().len();
        }
        assert_eq!(lines, 5, "the refused lines were rolled back");
    }
}

#[tokio::test]
async fn a_snoozed_product_cannot_be_reserved() {
    for db in testing::backends().await {
        let t = tenant(&db, "snooze").await;
        let c = customer(&db, t).await;
        let tracked = add(&db, t, product("FISH", Some(10))).await;
        let dish = add(&db, t, product("STEW", None)).await;
        for p in [tracked, dish] {
            products::update(
                &db,
                t,
                p,
                &ProductPatch {
                    is_available: Some(false),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            let mut tx = db.begin().await.unwrap();
            let o = order_in(&mut tx, t, c, &[(p, 1)]).await;
            let refused = inventory::reserve(&mut tx, t, o, None).await;
            assert!(
                matches!(refused, Err(StockError::Insufficient { saleable: 0, .. })),
                "{refused:?}"
            );
        }
        assert_eq!(stock(&db, t, tracked).await, (10, 0, Some(10)));
    }
}

#[tokio::test]
async fn order_lines_belong_to_the_tenant() {
    for db in testing::backends().await {
        let t = tenant(&db, "lines").await;
        let other = tenant(&db, "lines-other").await;
        let c = customer(&db, t).await;
        let theirs = add(&db, other, product("X", Some(3))).await;
        let mut tx = db.begin().await.unwrap();
        let o = order_in(&mut tx, t, c, &[]).await;
        let line = |p| NewItem {
            product_id: Some(p),
            sku: "X".into(),
            name: "X".into(),
            quantity: 1,
            unit_price: 1,
        };
        assert!(matches!(
            orders::add_items(&mut tx, t, o, &[line(theirs)]).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            orders::add_items(&mut tx, other, o, &[line(theirs)]).await,
            Err(StoreError::NotFound)
        ));
        assert!(orders::items(&mut tx, other, o).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn settings_start_at_the_defaults_and_patches_change_only_their_fields() {
    for db in testing::backends().await {
        let t = tenant(&db, "settings").await;
        let defaults = business::get(&db, t).await.unwrap();
        assert_eq!(defaults, business::Settings::default());
        assert_eq!(
            defaults.payment_methods,
            vec![PaymentMethod::Transfer, PaymentMethod::Cash]
        );
        assert_eq!((defaults.deposit_percent, defaults.handoff_hours), (50, 12));
        assert!(defaults.updated_at.is_none());

        let hours: domain::hours::OpeningHours = serde_json::from_value(serde_json::json!({
            "weekly": {"mon": [{"opens": "11:00", "closes": "15:00"}, {"opens": "19:00", "closes": "23:30"}]},
            "last_order_minutes": 30
        }))
        .unwrap();
        let first = business::update(
            &db,
            t,
            &SettingsPatch {
                hours: Some(hours.clone()),
                bank_details: Some(Some("Paybill 123456".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(first.hours, hours);
        assert_eq!(first.bank_details.as_deref(), Some("Paybill 123456"));
        assert_eq!(first.deposit_percent, 50, "created from the defaults");
        assert!(first.updated_at.is_some());

        let mut texts = domain::text::Overrides::new();
        texts
            .entry("en".into())
            .or_default()
            .insert("greeting".into(), "Karibu!".into());
        let second = business::update(
            &db,
            t,
            &SettingsPatch {
                deposit_percent: Some(100),
                payment_methods: Some(vec![PaymentMethod::Mpesa]),
                consume_stock_on: Some(ConsumeOn::Payment),
                offers_pickup: Some(false),
                texts: Some(texts.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(second.hours, hours, "absent fields stay");
        assert_eq!(second.bank_details.as_deref(), Some("Paybill 123456"));
        assert_eq!(second.deposit_percent, 100);
        assert_eq!(second.payment_methods, vec![PaymentMethod::Mpesa]);
        assert_eq!(second.consume_stock_on, ConsumeOn::Payment);
        assert!(!second.offers_pickup && second.offers_delivery);
        assert_eq!(second.texts, texts);
        let cleared = business::update(
            &db,
            t,
            &SettingsPatch {
                bank_details: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(cleared.bank_details, None);
        assert_eq!(business::get(&db, t).await.unwrap(), cleared);
        // Another tenant still has the defaults.
        let other = tenant(&db, "settings-other").await;
        assert_eq!(
            business::get(&db, other).await.unwrap(),
            business::Settings::default()
        );
    }
}

#[tokio::test]
async fn zones_have_unique_names_per_business() {
    for db in testing::backends().await {
        let t = tenant(&db, "zones").await;
        let other = tenant(&db, "zones-other").await;
        let zone = |name: &str, sort| NewZone {
            name: name.into(),
            fee: 20000,
            min_order: 0,
            is_active: true,
            sort_order: sort,
        };
        let west = zones::insert(&db, t, &zone("Westlands", 2)).await.unwrap();
        let cbd = zones::insert(&db, t, &zone("CBD", 1)).await.unwrap();
        zones::insert(&db, t, &zone("Karen", 2)).await.unwrap();
        let dup = zones::insert(&db, t, &zone("CBD", 3)).await;
        assert!(
            matches!(
                dup,
                Err(StoreError::Unique("delivery_zones_tenant_name_key"))
            ),
            "{dup:?}"
        );
        zones::insert(&db, other, &zone("CBD", 0)).await.unwrap();

        let names = |zs: Vec<zones::Zone>| zs.into_iter().map(|z| z.name).collect::<Vec<_>>();
        assert_eq!(
            names(zones::list(&db, t, false).await.unwrap()),
            ["CBD", "Karen", "Westlands"]
        );
        let changed = zones::update(
            &db,
            t,
            west.id,
            &ZonePatch {
                is_active: Some(false),
                fee: Some(0),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            (changed.is_active, changed.fee, changed.name.as_str()),
            (false, 0, "Westlands")
        );
        assert_eq!(
            names(zones::list(&db, t, true).await.unwrap()),
            ["CBD", "Karen"]
        );
        let renamed = zones::update(
            &db,
            t,
            west.id,
            &ZonePatch {
                name: Some("Karen".into()),
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(
            renamed,
            Err(StoreError::Unique("delivery_zones_tenant_name_key"))
        ));

        assert!(matches!(
            zones::delete(&db, other, cbd.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            zones::get(&db, other, cbd.id).await,
            Err(StoreError::NotFound)
        ));
        zones::delete(&db, t, cbd.id).await.unwrap();
        assert!(matches!(
            zones::get(&db, t, cbd.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            zones::delete(&db, t, cbd.id).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_savepoint_undoes_only_what_follows_it() {
    for db in testing::backends().await {
        let t = tenant(&db, "savepoint").await;
        let mut tx = db.begin().await.unwrap();
        let kept = products::insert(&mut tx, t, &product("KEPT", None), None)
            .await
            .unwrap();
        savepoint::savepoint(&mut tx, "before_b").await.unwrap();
        products::insert(&mut tx, t, &product("UNDONE", None), None)
            .await
            .unwrap();
        savepoint::rollback_to(&mut tx, "before_b").await.unwrap();
        savepoint::release_savepoint(&mut tx, "before_b")
            .await
            .unwrap();
        savepoint::savepoint(&mut tx, "after").await.unwrap();
        products::insert(&mut tx, t, &product("ALSO_KEPT", None), None)
            .await
            .unwrap();
        savepoint::release_savepoint(&mut tx, "after")
            .await
            .unwrap();
        assert!(matches!(
            savepoint::savepoint(&mut tx, "Bad-Name; DROP").await,
            Err(StoreError::Unsupported(_))
        ));
        tx.commit().await.unwrap();
        let skus: Vec<_> = products::list(&db, t, &ProductFilter::default())
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.sku)
            .collect();
        assert_eq!(skus, ["ALSO_KEPT", "KEPT"]);
        assert!(products::get(&db, t, kept.id).await.is_ok());
    }
}
