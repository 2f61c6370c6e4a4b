//! Customers and their versioned measurements.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, on_every_backend};
use serde_json::json;

#[tokio::test]
async fn a_lagos_number_and_its_whatsapp_id_are_one_customer() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("tailor-a", "tailor").await;
        let c = app.customer(&o, "Amaka Obi", "08031234567").await;
        assert_eq!(c["phone"], "+2348031234567");
        assert_eq!(c["wa_id"], "2348031234567");
        assert_eq!(c["total_orders"], 0);
        assert_eq!(c["currency"], "NGN");
        let id = c["id"].as_str().unwrap();

        let by_wa = app
            .get("/api/v1/customers/by-wa/2348031234567", &o.token)
            .await;
        assert_eq!(by_wa.status, StatusCode::OK);
        assert_eq!(by_wa.body["id"], id);
        assert_eq!(
            app.get("/api/v1/customers/by-wa/2348000000000", &o.token)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get("/api/v1/customers/by-wa/garbage", &o.token)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        let dup = app
            .post(
                "/api/v1/customers",
                &o.token,
                json!({"name": "Same Person", "phone": "+234 803 123 4567"}),
            )
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert_eq!(dup.code(), "customer_exists");
        assert!(dup.field("phone").is_some());

        let bad = app
            .post(
                "/api/v1/customers",
                &o.token,
                json!({"name": "", "phone": "12", "email": "x"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["name", "phone", "email"] {
            assert!(bad.field(f).is_some(), "{f}: {:?}", bad.body);
        }
        let unknown_field = app
            .post(
                "/api/v1/customers",
                &o.token,
                json!({"name": "X", "phonee": "1"}),
            )
            .await;
        assert_eq!(unknown_field.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Patch: absent keeps, null clears, a taken number conflicts.
        let other = app.customer(&o, "Ngozi Eze", "08059876543").await;
        let p = app
            .patch(
                &format!("/api/v1/customers/{id}"),
                &o.token,
                json!({"birthday": "1990-12-24", "notes": "likes wide sleeves"}),
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
        assert_eq!(p.body["birthday"], "1990-12-24");
        assert_eq!(p.body["phone"], "+2348031234567", "unchanged");
        let cleared = app
            .patch(
                &format!("/api/v1/customers/{id}"),
                &o.token,
                json!({"notes": null}),
            )
            .await;
        assert!(cleared.body["notes"].is_null());
        assert_eq!(cleared.body["birthday"], "1990-12-24");
        let taken = app
            .patch(
                &format!("/api/v1/customers/{}", other["id"].as_str().unwrap()),
                &o.token,
                json!({"phone": "08031234567"}),
            )
            .await;
        assert_eq!(taken.status, StatusCode::CONFLICT);
        let got = app
            .get(
                &format!("/api/v1/customers/{}", other["id"].as_str().unwrap()),
                &o.token,
            )
            .await;
        assert_eq!(
            got.body["phone"], "+2348059876543",
            "the failed patch changed nothing"
        );
    })
    .await;
}

#[tokio::test]
async fn search_and_pages() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("pages", "shop").await;
        for i in 0..7 {
            app.customer(&o, &format!("Wambui {i}"), &format!("07123456{:02}", i))
                .await;
        }
        app.customer(&o, "Otieno Odhiambo", "0723456789").await;
        let first = app.get("/api/v1/customers?limit=3", &o.token).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.body["items"].as_array().unwrap().len(), 3);
        assert_eq!(
            first.body["items"][0]["name"], "Otieno Odhiambo",
            "newest first"
        );
        let mut seen = Vec::new();
        let mut cursor = first.body["next_cursor"].as_str().map(str::to_string);
        seen.extend(
            first.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].to_string()),
        );
        while let Some(c) = cursor {
            let page = app
                .get(&format!("/api/v1/customers?limit=3&cursor={c}"), &o.token)
                .await;
            seen.extend(
                page.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["id"].to_string()),
            );
            cursor = page.body["next_cursor"].as_str().map(str::to_string);
        }
        assert_eq!(seen.len(), 8);
        seen.dedup();
        assert_eq!(seen.len(), 8, "no customer twice");

        let by_name = app.get("/api/v1/customers?q=wAmBuI", &o.token).await;
        assert_eq!(by_name.body["items"].as_array().unwrap().len(), 7);
        let by_phone = app.get("/api/v1/customers?q=0723456", &o.token).await;
        let names: Vec<_> = by_phone.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].clone())
            .collect();
        assert_eq!(names, vec![json!("Otieno Odhiambo")]);
        let wildcard = app.get("/api/v1/customers?q=%25", &o.token).await;
        assert_eq!(
            wildcard.body["items"].as_array().unwrap().len(),
            0,
            "% is literal"
        );

        let bad = app.get("/api/v1/customers?limit=0", &o.token).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.field("limit").is_some());
        let bad = app.get("/api/v1/customers?limit=abc", &o.token).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let bad = app.get("/api/v1/customers?cursor=nope", &o.token).await;
        assert!(bad.field("cursor").is_some());
    })
    .await;
}

#[tokio::test]
async fn measurements_are_versioned_and_never_rewritten() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("measures", "tailor").await;
        let c = app.customer(&o, "Amaka", "08031234567").await;
        let base = format!("/api/v1/customers/{}/measurements", c["id"].as_str().unwrap());
        assert_eq!(app.get(&format!("{base}/current"), &o.token).await.status, StatusCode::NOT_FOUND);

        let v1 = app
            .post(&base, &o.token, json!({"chest": 38, "waist": 32, "hip": 42, "custom_fields": {"gown_length": 56}}))
            .await;
        assert_eq!(v1.status, StatusCode::CREATED, "{:?}", v1.body);
        assert_eq!(v1.body["version"], 1);
        assert_eq!(v1.body["unit"], "in");
        assert_eq!(v1.body["is_current"], true);

        let v2 = app.post(&format!("{base}/new-version"), &o.token, json!({"waist": 31, "notes": "after the wedding"})).await;
        assert_eq!(v2.status, StatusCode::CREATED, "{:?}", v2.body);
        assert_eq!(v2.body["version"], 2);
        assert_eq!(v2.body["waist"], 31.0);
        assert_eq!(v2.body["chest"], 38.0, "carried over");
        assert_eq!(v2.body["custom_fields"]["gown_length"], 56.0);

        // A new version in cm converts the carried-over values.
        let v3 = app.post(&format!("{base}/new-version"), &o.token, json!({"unit": "cm", "hip": 107})).await;
        assert_eq!(v3.body["version"], 3);
        assert_eq!(v3.body["unit"], "cm");
        assert_eq!(v3.body["chest"], 96.52);
        assert_eq!(v3.body["hip"], 107.0);

        let history = app.get(&base, &o.token).await;
        let items = history.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items.iter().map(|m| m["version"].as_i64().unwrap()).collect::<Vec<_>>(), vec![3, 2, 1]);
        assert_eq!(items.iter().filter(|m| m["is_current"] == true).count(), 1);
        assert_eq!(items[2]["waist"], 32.0, "version 1 is untouched");
        assert_eq!(items[2]["chest"], 38.0);

        let current_in = app.get(&format!("{base}/current?unit=in"), &o.token).await;
        assert_eq!(current_in.body["version"], 3);
        assert_eq!(current_in.body["hip"], 42.13);
        assert_eq!(current_in.body["unit"], "in");
        let bad_unit = app.get(&format!("{base}/current?unit=yards"), &o.token).await;
        assert_eq!(bad_unit.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_unit.field("unit").is_some());

        let bad = app
            .post(&base, &o.token, json!({"chest": -3, "custom_fields": {"Arm Hole": 5, "chest": 3}, "taken_at": "2099-01-01T00:00:00Z"}))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["chest", "custom_fields.Arm Hole", "custom_fields.chest", "taken_at"] {
            assert!(bad.field(f).is_some(), "{f}: {:?}", bad.body);
        }
        let empty = app.post(&base, &o.token, json!({})).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.get(&base, &o.token).await.body["items"].as_array().unwrap().len(), 3, "bad input stored nothing");
    })
    .await;
}

#[tokio::test]
async fn concurrent_versions_stay_a_clean_sequence() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("race-m", "tailor").await;
        let c = app.customer(&o, "Racer", "08031234567").await;
        let base = format!(
            "/api/v1/customers/{}/measurements",
            c["id"].as_str().unwrap()
        );
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (app, token, base) = (app.clone(), o.token.clone(), base.clone());
            tasks.push(tokio::spawn(async move {
                app.post(&base, &token, json!({"chest": 30 + i}))
                    .await
                    .status
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), StatusCode::CREATED);
        }
        let items = app.get(&base, &o.token).await.body["items"]
            .as_array()
            .unwrap()
            .clone();
        let versions: Vec<i64> = items
            .iter()
            .map(|m| m["version"].as_i64().unwrap())
            .collect();
        assert_eq!(versions, (1..=8).rev().collect::<Vec<_>>());
        assert_eq!(items.iter().filter(|m| m["is_current"] == true).count(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_nul_character_is_a_422_naming_the_field_and_trailing_input_a_400() {
    on_every_backend(|app: TestApp| async move {
        let owner = app.register("nul", "tailor").await;
        let raw = r#"{"name":"a\u0000b","phone":"08031234567"}"#;
        let r = app
            .post(
                "/api/v1/customers",
                &owner.token,
                serde_json::from_str(raw).unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.field("name").is_some(), "{:?}", r.body);
        let list = app.get("/api/v1/customers", &owner.token).await;
        assert_eq!(
            list.body["items"].as_array().map(Vec::len),
            Some(0),
            "nothing written"
        );
        // Even before logging in.
        let r = app
            .public_post(
                "/api/v1/auth/login",
                serde_json::from_str(r#"{"email":"nul\u0000@example.com","password":"x"}"#)
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.field("email").is_some(), "{:?}", r.body);
        // A body with something after the JSON is not JSON.
        let body = r#"{"email":"nul@example.com","password":"password123"}}}garbage"#;
        let r = app
            .raw(
                axum::http::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(("application/json", body.to_string())),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
        assert_eq!(r.code(), "malformed_json");
    })
    .await;
}
