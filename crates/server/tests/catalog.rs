//! The catalog, stock, delivery zones, opening hours and ordering settings
//! through the API: what a shop owner sets up before the bot takes orders.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Owner, TestApp, on_every_backend};
use domain::order::Source;
use domain::{CustomerId, OrderId, ProductId, TenantId};
use serde_json::{Value, json};
use store::orders::{NewItem, NewOrder};

async fn product(app: &TestApp, o: &Owner, body: Value) -> Value {
    let r = app.post("/api/v1/products", &o.token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

fn skus(r: &common::Resp) -> Vec<&str> {
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect()
}

/// A WhatsApp order for `qty` of the product, its stock reserved, placed
/// straight in the store as the chat engine would.
async fn whatsapp_order(
    app: &TestApp,
    o: &Owner,
    customer: &str,
    product: &Value,
    qty: i64,
) -> String {
    let tenant: TenantId = o.tenant_id.parse().unwrap();
    let db = &app.state.db;
    let mut tx = db.begin().await.unwrap();
    let order = store::orders::insert(
        &mut tx,
        tenant,
        &NewOrder {
            customer_id: customer.parse::<CustomerId>().unwrap(),
            currency: domain::Currency::parse("KES").unwrap(),
            source: Source::Whatsapp,
            price: product["price"].as_i64().unwrap() * qty,
            payment_method: Some("mpesa".into()),
            ..NewOrder::default()
        },
    )
    .await
    .unwrap();
    let line = NewItem {
        product_id: Some(id(product).parse::<ProductId>().unwrap()),
        sku: product["sku"].as_str().unwrap().into(),
        name: product["name"].as_str().unwrap().into(),
        quantity: qty,
        unit_price: product["price"].as_i64().unwrap(),
    };
    store::orders::add_items(&mut tx, tenant, order.id, &[line])
        .await
        .unwrap();
    store::inventory::reserve(&mut tx, tenant, order.id, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    order.id.to_string()
}

async fn stock_of(app: &TestApp, o: &Owner, product: &str) -> (i64, i64, i64) {
    let p = app
        .get(&format!("/api/v1/products/{product}"), &o.token)
        .await;
    (
        p.body["stock_on_hand"].as_i64().unwrap(),
        p.body["reserved"].as_i64().unwrap(),
        p.body["saleable"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn products_are_listed_in_menu_order_searched_and_snoozed() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("duka", "shop").await;
        let rice = product(
            &app,
            &o,
            json!({"sku": "RICE-2KG", "name": "Pishori rice 2kg", "aliases": ["mchele"], "category": "Food",
                   "price": 45000, "track_stock": true, "stock_on_hand": 20, "low_stock_threshold": 5}),
        )
        .await;
        assert_eq!(rice["currency"], "KES", "the business currency by default");
        assert_eq!(rice["saleable"], 20);
        assert_eq!(rice["is_available"], true);
        assert_eq!(rice["aliases"], json!(["mchele"]));
        let kanga = product(
            &app,
            &o,
            json!({"sku": "KANGA", "name": "Kanga", "category": "Clothes", "price": 80000, "currency": "KES"}),
        )
        .await;
        assert!(kanga["saleable"].is_null(), "made to order: no stock figures");
        product(&app, &o, json!({"sku": "BAG", "name": "Shopping bag", "price": 0})).await;

        let all = app.get("/api/v1/products", &o.token).await;
        assert_eq!(skus(&all), ["KANGA", "RICE-2KG", "BAG"]);
        let food = app.get("/api/v1/products?category=Food", &o.token).await;
        assert_eq!(skus(&food), ["RICE-2KG"]);
        let found = app.get("/api/v1/products?q=pishori", &o.token).await;
        assert_eq!(skus(&found), ["RICE-2KG"]);
        let got = app.get(&format!("/api/v1/products/{}", id(&rice)), &o.token).await;
        assert_eq!(got.body, rice);

        // Snooze: off the menu until it is back.
        let snoozed = app
            .patch(&format!("/api/v1/products/{}", id(&kanga)), &o.token, json!({"is_available": false, "price": 90000}))
            .await;
        assert_eq!(snoozed.status, StatusCode::OK, "{:?}", snoozed.body);
        assert_eq!(snoozed.body["is_available"], false);
        assert_eq!(snoozed.body["price"], 90000);
        assert_eq!(snoozed.body["category"], "Clothes", "absent fields stay");
        let on_offer = app.get("/api/v1/products?available=true", &o.token).await;
        assert_eq!(skus(&on_offer), ["RICE-2KG", "BAG"]);
        let off = app.get("/api/v1/products?available=false", &o.token).await;
        assert_eq!(skus(&off), ["KANGA"]);
        // `null` clears; stock is not a product field.
        let cleared = app
            .patch(&format!("/api/v1/products/{}", id(&rice)), &o.token, json!({"category": null, "low_stock_threshold": null}))
            .await;
        assert!(cleared.body["category"].is_null() && cleared.body["low_stock_threshold"].is_null());
        let stock = app
            .patch(&format!("/api/v1/products/{}", id(&rice)), &o.token, json!({"stock_on_hand": 99}))
            .await;
        assert_eq!(stock.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(stock_of(&app, &o, id(&rice)).await, (20, 0, 20));
    })
    .await;
}

#[tokio::test]
async fn bad_products_are_refused_whole_and_skus_are_unique() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("strict-duka", "shop").await;
        let aliases: Vec<String> = (0..21).map(|i| format!("alias {i}")).collect();
        let bad = app
            .post(
                "/api/v1/products",
                &o.token,
                json!({"sku": "bad sku!", "name": " ", "aliases": aliases, "price": -1, "currency": "USD",
                       "stock_on_hand": 5, "low_stock_threshold": -1}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["sku", "name", "aliases", "price", "currency", "stock_on_hand", "low_stock_threshold"] {
            assert!(bad.field(f).is_some(), "{f}: {:?}", bad.body);
        }
        let empty_alias = app
            .post("/api/v1/products", &o.token, json!({"sku": "A", "name": "A", "price": 1, "aliases": ["ok", ""]}))
            .await;
        assert!(empty_alias.field("aliases[1]").is_some(), "{:?}", empty_alias.body);
        let long_sku = app
            .post("/api/v1/products", &o.token, json!({"sku": "X".repeat(65), "name": "A", "price": 1}))
            .await;
        assert!(long_sku.field("sku").is_some());
        let missing = app.post("/api/v1/products", &o.token, json!({"sku": "A", "name": "A"})).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(app.get("/api/v1/products", &o.token).await.body["items"].as_array().unwrap().is_empty());

        let first = product(&app, &o, json!({"sku": "SODA", "name": "Soda", "price": 5000})).await;
        let dup = app.post("/api/v1/products", &o.token, json!({"sku": "SODA", "name": "Other", "price": 1})).await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(dup.field("sku").is_some(), "{:?}", dup.body);
        // Another business may use the same sku.
        let other = app.register("other-duka", "shop").await;
        product(&app, &other, json!({"sku": "SODA", "name": "Soda", "price": 6000})).await;

        let bad_patch = app
            .patch(&format!("/api/v1/products/{}", id(&first)), &o.token, json!({"name": "", "price": -5}))
            .await;
        assert_eq!(bad_patch.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_patch.field("name").is_some() && bad_patch.field("price").is_some());
        let after = app.get(&format!("/api/v1/products/{}", id(&first)), &o.token).await;
        assert_eq!(after.body, first, "nothing was written");
    })
    .await;
}

#[tokio::test]
async fn receipts_and_adjustments_are_recorded_in_the_ledger() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("stock", "shop").await;
        let soap = product(
            &app,
            &o,
            json!({"sku": "SOAP", "name": "Soap", "price": 10000, "track_stock": true, "stock_on_hand": 5, "low_stock_threshold": 4}),
        )
        .await;
        let made = product(&app, &o, json!({"sku": "MADE", "name": "Tailored", "price": 1})).await;
        let path = format!("/api/v1/inventory/{}/movements", id(&soap));

        let received = app.post(&path, &o.token, json!({"kind": "receipt", "quantity": 10, "reason": "from Bidco"})).await;
        assert_eq!(received.status, StatusCode::CREATED, "{:?}", received.body);
        assert_eq!(received.body["movement"]["kind"], "receipt");
        assert_eq!(received.body["movement"]["quantity"], 10);
        assert_eq!(received.body["movement"]["on_hand_after"], 15);
        assert_eq!(received.body["movement"]["user_id"], o.user_id.as_str());
        assert_eq!(received.body["product"]["saleable"], 15);
        let adjusted = app.post(&path, &o.token, json!({"kind": "adjustment", "quantity": -12, "reason": "stock count"})).await;
        assert_eq!(adjusted.status, StatusCode::CREATED, "{:?}", adjusted.body);
        assert_eq!(adjusted.body["product"]["stock_on_hand"], 3);
        assert_eq!(adjusted.body["product"]["low"], true);

        // Refusals name the field and write nothing.
        for (body, field) in [
            (json!({"kind": "receipt", "quantity": 0}), "quantity"),
            (json!({"kind": "adjustment", "quantity": 0, "reason": "x"}), "quantity"),
            (json!({"kind": "adjustment", "quantity": 2}), "reason"),
            (json!({"kind": "adjustment", "quantity": -4, "reason": "lost"}), "quantity"),
            (json!({"kind": "sale", "quantity": 1}), "kind"),
        ] {
            let r = app.post(&path, &o.token, body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {:?}", r.body);
            assert!(r.field(field).is_some(), "{body}: {:?}", r.body);
        }
        let untracked = app
            .post(&format!("/api/v1/inventory/{}/movements", id(&made)), &o.token, json!({"kind": "receipt", "quantity": 1}))
            .await;
        assert_eq!(untracked.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(untracked.field("productId").is_some(), "{:?}", untracked.body);

        let levels = app.get("/api/v1/inventory", &o.token).await;
        let items = levels.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "only products that track stock");
        assert_eq!(items[0]["sku"], "SOAP");
        assert_eq!(
            (&items[0]["stock_on_hand"], &items[0]["reserved"], &items[0]["saleable"], &items[0]["low"]),
            (&json!(3), &json!(0), &json!(3), &json!(true))
        );

        let ledger = app.get(&path, &o.token).await;
        let kinds: Vec<(&str, i64, Option<&str>)> = ledger.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["kind"].as_str().unwrap(), m["quantity"].as_i64().unwrap(), m["reason"].as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("adjustment", -12, Some("stock count")),
                ("receipt", 10, Some("from Bidco")),
                ("receipt", 5, Some("initial stock")),
            ]
        );
        let two = app.get(&format!("{path}?limit=2"), &o.token).await;
        assert_eq!(two.body["items"].as_array().unwrap().len(), 2);
        let too_many = app.get(&format!("{path}?limit=500"), &o.token).await;
        assert!(too_many.field("limit").is_some());
    })
    .await;
}

#[tokio::test]
async fn orders_show_their_lines_and_give_back_or_use_up_stock() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("orders-stock", "shop").await;
        let c = app.customer(&o, "Achieng", "0712345678").await;
        let cid = id(&c);
        let oil = product(
            &app,
            &o,
            json!({"sku": "OIL", "name": "Cooking oil 1L", "price": 35000, "track_stock": true, "stock_on_hand": 5}),
        )
        .await;
        let oid = id(&oil);

        let cancelled = whatsapp_order(&app, &o, cid, &oil, 3).await;
        assert_eq!(stock_of(&app, &o, oid).await, (5, 3, 2));
        let detail = app.get(&format!("/api/v1/orders/{cancelled}"), &o.token).await;
        assert_eq!(detail.status, StatusCode::OK);
        assert_eq!(detail.body["stock_status"], "reserved");
        assert_eq!(detail.body["source"], "whatsapp");
        assert_eq!(detail.body["payment_method"], "mpesa");
        assert_eq!(detail.body["delivery_fee"], 0);
        assert_eq!(detail.body["thread_url"], format!("/api/v1/whatsapp/messages/{cid}"));
        let items = detail.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!((&items[0]["sku"], &items[0]["quantity"], &items[0]["line_total"]), (&json!("OIL"), &json!(3), &json!(105000)));
        let listed = app.get("/api/v1/orders", &o.token).await;
        assert_eq!(listed.body["items"][0]["stock_status"], "reserved");

        // The count cannot drop below what orders hold.
        let below = app
            .post(&format!("/api/v1/inventory/{oid}/movements"), &o.token, json!({"kind": "adjustment", "quantity": -3, "reason": "count"}))
            .await;
        assert_eq!(below.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(below.field("quantity").unwrap().contains('2'), "{:?}", below.body);
        assert_eq!(stock_of(&app, &o, oid).await, (5, 3, 2));
        // Nor can tracking be switched off under a reservation.
        let untrack = app.patch(&format!("/api/v1/products/{oid}"), &o.token, json!({"track_stock": false})).await;
        assert!(untrack.field("track_stock").is_some());

        // Cancelling gives the stock back.
        let r = app
            .patch(&format!("/api/v1/orders/{cancelled}/stage"), &o.token, json!({"stage": "cancelled"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["stock_status"], "released");
        assert_eq!(stock_of(&app, &o, oid).await, (5, 0, 5));

        // Delivering takes it off the shelf.
        let delivered = whatsapp_order(&app, &o, cid, &oil, 2).await;
        assert_eq!(stock_of(&app, &o, oid).await, (5, 2, 3));
        // Cash on delivery, not recorded yet: staff hand it over anyway.
        for stage in ["ready", "delivered"] {
            let r = app
                .patch(
                    &format!("/api/v1/orders/{delivered}/stage"),
                    &o.token,
                    json!({"stage": stage, "override_balance": true}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{stage}: {:?}", r.body);
        }
        assert_eq!(stock_of(&app, &o, oid).await, (3, 0, 3));
        let ledger = app.get(&format!("/api/v1/inventory/{oid}/movements"), &o.token).await;
        let kinds: Vec<&str> = ledger.body["items"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["sale", "reservation", "release", "reservation", "receipt"]);
        assert_eq!(ledger.body["items"][0]["user_id"], o.user_id.as_str(), "who delivered it");
        let placed = app.get(&format!("/api/v1/orders/{delivered}"), &o.token).await;
        assert_eq!(ledger.body["items"][0]["order_ref"], placed.body["order_ref"]);

        // A dashboard order has no lines and no thread.
        let plain = app.order(&o, cid, json!({})).await;
        assert_eq!(plain["items"], json!([]));
        assert!(plain.get("thread_url").is_none());
        assert_eq!(plain["stock_status"], "none");
        let _: OrderId = id(&plain).parse().unwrap();
    })
    .await;
}

#[tokio::test]
async fn zones_are_managed_by_the_owner_with_unique_names() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("zones", "restaurant").await;
        let r = app
            .post(
                "/api/v1/zones",
                &o.token,
                json!({"name": "Palermo", "fee": 150000, "min_order": 500000}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["is_active"], true);
        let palermo = r.body;
        let belgrano = app
            .post(
                "/api/v1/zones",
                &o.token,
                json!({"name": "Belgrano", "fee": 200000, "sort_order": -1}),
            )
            .await
            .body;
        let dup = app
            .post(
                "/api/v1/zones",
                &o.token,
                json!({"name": "Palermo", "fee": 1}),
            )
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(dup.field("name").is_some(), "{:?}", dup.body);
        let bad = app
            .post(
                "/api/v1/zones",
                &o.token,
                json!({"name": "x".repeat(61), "fee": -1, "min_order": -1}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["name", "fee", "min_order"] {
            assert!(bad.field(f).is_some(), "{f}: {:?}", bad.body);
        }

        let list = app.get("/api/v1/zones", &o.token).await;
        let names: Vec<&str> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| z["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Belgrano", "Palermo"]);

        let patched = app
            .patch(
                &format!("/api/v1/zones/{}", id(&palermo)),
                &o.token,
                json!({"fee": 0, "is_active": false}),
            )
            .await;
        assert_eq!(patched.status, StatusCode::OK);
        assert_eq!(
            (
                &patched.body["fee"],
                &patched.body["is_active"],
                &patched.body["name"]
            ),
            (&json!(0), &json!(false), &json!("Palermo"))
        );
        let clash = app
            .patch(
                &format!("/api/v1/zones/{}", id(&palermo)),
                &o.token,
                json!({"name": "Belgrano"}),
            )
            .await;
        assert_eq!(clash.status, StatusCode::CONFLICT);

        let gone = app
            .request(
                Method::DELETE,
                &format!("/api/v1/zones/{}", id(&belgrano)),
                Some(&o.token),
                None,
            )
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let again = app
            .request(
                Method::DELETE,
                &format!("/api/v1/zones/{}", id(&belgrano)),
                Some(&o.token),
                None,
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get("/api/v1/zones", &o.token).await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn opening_hours_take_split_shifts_and_name_what_is_wrong() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("parrilla", "restaurant").await;
        let unset = app.get("/api/v1/hours", &o.token).await;
        assert_eq!(unset.status, StatusCode::OK);
        assert_eq!(unset.body["availability"]["status"], "always_open");

        let week = json!({
            "weekly": {
                "tue": [{"opens": "12:00", "closes": "15:30"}, {"opens": "20:00", "closes": "00:30"}],
                "sat": [{"opens": "20:00", "closes": "02:00"}]
            },
            "last_order_minutes": 30,
            "closed_dates": ["2026-12-25"]
        });
        let put = app.request(Method::PUT, "/api/v1/hours", Some(&o.token), Some(week.clone())).await;
        assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
        let got = app.get("/api/v1/hours", &o.token).await;
        assert_eq!(got.body["weekly"], week["weekly"]);
        assert_eq!(got.body["last_order_minutes"], 30);
        assert_eq!(got.body["closed_dates"], week["closed_dates"]);
        assert!(got.body["availability"]["status"].is_string());

        // Overlapping shifts and impossible times are refused, field named.
        let overlap = json!({"weekly": {"mon": [{"opens": "10:00", "closes": "14:00"}, {"opens": "13:00", "closes": "18:00"}]}});
        let r = app.request(Method::PUT, "/api/v1/hours", Some(&o.token), Some(overlap)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        let fields = r.body["error"]["fields"].as_object().unwrap();
        assert!(fields.keys().all(|k| k.starts_with("weekly.mon")), "{fields:?}");
        let bad_time = json!({"weekly": {"mon": [{"opens": "25:00", "closes": "14:00"}]}});
        let r = app.request(Method::PUT, "/api/v1/hours", Some(&o.token), Some(bad_time)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.field("weekly.mon[0]").is_some_and(|m| m.contains("25:00")), "{:?}", r.body);
        let bad_day = json!({"weekly": {"monday": [{"opens": "10:00", "closes": "14:00"}]}});
        let r = app.request(Method::PUT, "/api/v1/hours", Some(&o.token), Some(bad_day)).await;
        assert!(r.field("weekly.monday").is_some(), "{:?}", r.body);
        // A misspelt key is refused, not read as an empty week.
        let typo = json!({"weeekly": {"mon": [{"opens": "10:00", "closes": "14:00"}]}});
        let r = app.request(Method::PUT, "/api/v1/hours", Some(&o.token), Some(typo)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        // Nothing was written.
        assert_eq!(app.get("/api/v1/hours", &o.token).await.body["weekly"], week["weekly"]);
    })
    .await;
}

#[tokio::test]
async fn ordering_settings_are_checked_field_by_field() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("settings-shop", "shop").await;
        let defaults = app.get("/api/v1/settings/ordering", &o.token).await;
        assert_eq!(defaults.status, StatusCode::OK);
        assert_eq!(defaults.body["payment_methods"], json!(["transfer", "cash"]));
        assert_eq!(defaults.body["consume_stock_on"], "delivery");
        assert_eq!((&defaults.body["deposit_percent"], &defaults.body["handoff_hours"]), (&json!(50), &json!(12)));
        assert!(defaults.body["updated_at"].is_null());

        let bad = app
            .patch(
                "/api/v1/settings/ordering",
                &o.token,
                json!({"offers_delivery": false, "offers_pickup": false, "payment_methods": ["mpesa", "bitcoin", "mpesa"],
                       "deposit_percent": 101, "handoff_hours": 0, "bank_details": "x".repeat(501),
                       "texts": {"en": {"hello": "Hi {nickname}", "no_such_text": "Hi"}, "fr": {"hello": "Salut"}}}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in [
            "offers_pickup",
            "payment_methods[1]",
            "payment_methods[2]",
            "deposit_percent",
            "handoff_hours",
            "bank_details",
            "texts.en.hello",
            "texts.en.no_such_text",
            "texts.fr.hello",
        ] {
            assert!(bad.field(f).is_some(), "{f}: {:?}", bad.body);
        }
        let empty = app.patch("/api/v1/settings/ordering", &o.token, json!({"payment_methods": []})).await;
        assert!(empty.field("payment_methods").is_some());
        let unchanged = app.get("/api/v1/settings/ordering", &o.token).await;
        assert_eq!(unchanged.body, defaults.body, "nothing was written");

        let ok = app
            .patch(
                "/api/v1/settings/ordering",
                &o.token,
                json!({"offers_delivery": false, "payment_methods": ["mpesa", "cash"], "consume_stock_on": "payment",
                       "deposit_percent": 0, "handoff_hours": 48, "bank_details": "Paybill 247247", "accepts_scheduled": true,
                       "texts": {"sw": {"hello": "Karibu {name}"}}}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
        assert_eq!(ok.body["offers_delivery"], false);
        assert_eq!(ok.body["offers_pickup"], true);
        assert_eq!(ok.body["payment_methods"], json!(["mpesa", "cash"]));
        assert_eq!(ok.body["texts"]["sw"]["hello"], "Karibu {name}");
        // Pickup is the only way left: it cannot be switched off too.
        let none = app.patch("/api/v1/settings/ordering", &o.token, json!({"offers_pickup": false})).await;
        assert!(none.field("offers_pickup").is_some());
        let cleared = app.patch("/api/v1/settings/ordering", &o.token, json!({"bank_details": null})).await;
        assert!(cleared.body["bank_details"].is_null());
        assert_eq!(cleared.body["consume_stock_on"], "payment", "absent fields stay");
        // The hours are their own resource and untouched.
        let hours = app.get("/api/v1/hours", &o.token).await;
        assert_eq!(hours.body["weekly"], json!({}));
    })
    .await;
}

#[tokio::test]
async fn roles_decide_who_changes_the_catalog_and_the_settings() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("roles-shop", "shop").await;
        let staff = app.add_user(&o, "staff@duka.ke", "staff").await;
        let viewer = app.add_user(&o, "viewer@duka.ke", "viewer").await;
        let zone = app
            .post(
                "/api/v1/zones",
                &o.token,
                json!({"name": "CBD", "fee": 10000}),
            )
            .await
            .body;

        // Staff run the shop floor: products and stock, not the settings.
        let p = product(
            &app,
            &staff,
            json!({"sku": "TEA", "name": "Tea", "price": 5000, "track_stock": true}),
        )
        .await;
        let moved = app
            .post(
                &format!("/api/v1/inventory/{}/movements", id(&p)),
                &staff.token,
                json!({"kind": "receipt", "quantity": 3}),
            )
            .await;
        assert_eq!(moved.status, StatusCode::CREATED);
        let owner_only: Vec<(Method, String, Option<Value>)> = vec![
            (
                Method::POST,
                "/api/v1/zones".into(),
                Some(json!({"name": "Westlands", "fee": 1})),
            ),
            (
                Method::PATCH,
                format!("/api/v1/zones/{}", id(&zone)),
                Some(json!({"fee": 1})),
            ),
            (Method::DELETE, format!("/api/v1/zones/{}", id(&zone)), None),
            (
                Method::PUT,
                "/api/v1/hours".into(),
                Some(json!({"weekly": {}})),
            ),
            (
                Method::PATCH,
                "/api/v1/settings/ordering".into(),
                Some(json!({"deposit_percent": 10})),
            ),
        ];
        for (method, path, body) in &owner_only {
            for who in [&staff, &viewer] {
                let r = app
                    .request(method.clone(), path, Some(&who.token), body.clone())
                    .await;
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{method} {path}: {:?}",
                    r.body
                );
            }
        }
        let writes: Vec<(Method, String, Value)> = vec![
            (
                Method::POST,
                "/api/v1/products".into(),
                json!({"sku": "X", "name": "X", "price": 1}),
            ),
            (
                Method::PATCH,
                format!("/api/v1/products/{}", id(&p)),
                json!({"is_available": false}),
            ),
            (
                Method::POST,
                format!("/api/v1/inventory/{}/movements", id(&p)),
                json!({"kind": "receipt", "quantity": 1}),
            ),
        ];
        for (method, path, body) in writes {
            let r = app
                .request(method.clone(), &path, Some(&viewer.token), Some(body))
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "viewer {method} {path}");
        }
        // Everyone reads.
        for path in [
            "/api/v1/products",
            "/api/v1/inventory",
            "/api/v1/zones",
            "/api/v1/hours",
            "/api/v1/settings/ordering",
        ] {
            assert_eq!(
                app.get(path, &viewer.token).await.status,
                StatusCode::OK,
                "{path}"
            );
        }
        assert_eq!(stock_of(&app, &o, id(&p)).await, (3, 0, 3));
        assert_eq!(
            app.get("/api/v1/zones", &o.token).await.body["items"][0]["fee"],
            10000
        );
    })
    .await;
}

#[tokio::test]
async fn another_businesss_products_and_zones_are_not_found() {
    on_every_backend(|app: TestApp| async move {
        let a = app.register("iso-a", "shop").await;
        let b = app.register("iso-b", "shop").await;
        let p = product(&app, &a, json!({"sku": "A1", "name": "A's", "price": 1, "track_stock": true, "stock_on_hand": 2})).await;
        let z = app.post("/api/v1/zones", &a.token, json!({"name": "A zone", "fee": 1})).await.body;
        let (pid, zid) = (id(&p), id(&z));
        let matrix: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, format!("/api/v1/products/{pid}"), None),
            (Method::PATCH, format!("/api/v1/products/{pid}"), Some(json!({"is_available": false}))),
            (Method::GET, format!("/api/v1/inventory/{pid}/movements"), None),
            (Method::POST, format!("/api/v1/inventory/{pid}/movements"), Some(json!({"kind": "receipt", "quantity": 5}))),
            (Method::POST, format!("/api/v1/inventory/{pid}/movements"), Some(json!({"kind": "adjustment", "quantity": -1, "reason": "x"}))),
            (Method::PATCH, format!("/api/v1/zones/{zid}"), Some(json!({"fee": 0}))),
            (Method::DELETE, format!("/api/v1/zones/{zid}"), None),
            (Method::GET, "/api/v1/products/not-an-id".into(), None),
        ];
        for (method, path, body) in matrix {
            let r = app.request(method.clone(), &path, Some(&b.token), body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}: {:?}", r.body);
            assert_eq!(r.code(), "not_found");
        }
        for path in ["/api/v1/products", "/api/v1/inventory", "/api/v1/zones"] {
            let text = app.get(path, &b.token).await.body.to_string();
            assert!(!text.contains(pid) && !text.contains(zid), "{path} leaks A");
        }
        // A's product and zone are as they were.
        let after = app.get(&format!("/api/v1/products/{pid}"), &a.token).await;
        assert_eq!(after.body, p);
        assert_eq!(app.get("/api/v1/zones", &a.token).await.body["items"][0], z);
    })
    .await;
}
