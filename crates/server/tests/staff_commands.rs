//! Staff run the business from WhatsApp: commands written to their own
//! business's number go through the same services as the API and are
//! answered in the catalog's words, on both databases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::TestApp;
use common::chat::{Customer, business, drain, outbound, render, to_staff};
use serde_json::json;

#[tokio::test]
async fn the_owner_lists_moves_and_records_money_from_whatsapp() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", Utc::now());
        let biz = business(&app, "cmd-tailor", "tailor", "en-NG", "100000000101").await;
        let owner_wa = "2348000000101";
        let c = app.customer(&biz.owner, "Ada", "+2348030000101").await;
        let order = app
            .order(
                &biz.owner,
                c["id"].as_str().unwrap(),
                json!({"deadline": (Utc::now() + Duration::hours(20)).to_rfc3339()}),
            )
            .await;
        let r#ref = order["order_ref"].as_str().unwrap().to_string();
        let mut me = Customer::new(&biz, owner_wa, "Owner");
        let mut said = 0;
        let mut say = async |text: &str| -> String {
            me.say(&app, text).await;
            drain(&app).await;
            let all = to_staff(&app.state.db, biz.tenant, owner_wa).await;
            let new = all[said..].join("\n");
            said = all.len();
            new
        };

        let a = say("orders urgent").await;
        assert!(a.contains(&r#ref) && a.contains("Ada"), "{a}");
        let a = say(&format!("{} ", r#ref.to_lowercase())).await;
        assert!(a.contains("Senator") && a.contains("₦45,000"), "{a}");
        // The deposit rule holds over WhatsApp as in the API.
        let a = say(&format!("stage {} cutting", r#ref)).await;
        assert!(a.starts_with("Not done") && a.contains("deposit"), "{a}");
        let a = say(&format!("paid {} 15,000 cash", r#ref)).await;
        assert!(
            a.contains("Recorded ₦15,000") && a.contains("₦30,000"),
            "{a}"
        );
        for stage in ["cutting", "sewing"] {
            let a = say(&format!("stage {} {stage}", r#ref)).await;
            assert!(a.contains(&format!("is now {stage}")), "{a}");
        }
        let a = say(&format!("ready {}", r#ref)).await;
        assert!(a.contains("is now ready"), "{a}");
        // The customer heard it from the business.
        let told: Vec<String> = outbound(&app.state.db, biz.tenant, "2348030000101")
            .await
            .iter()
            .map(|m| render(m).0)
            .collect();
        assert!(
            told.iter()
                .any(|t| t.contains(&r#ref) && t.to_lowercase().contains("ready")),
            "{told:#?}"
        );
        let o = app
            .get(
                &format!("/api/v1/orders/{}", order["id"].as_str().unwrap()),
                &biz.owner.token,
            )
            .await;
        assert_eq!(o.body["current_stage"], "ready");
        assert_eq!(o.body["amount_paid"], 1_500_000);
        // The day's money, a customer, and the bot paused for them.
        let a = say("sales today").await;
        assert!(
            a.contains("₦15,000") && a.contains("payments received: 1"),
            "{a}"
        );
        let a = say("customer 0803 000 0101").await;
        assert!(a.starts_with("Ada (+2348030000101)"), "{a}");
        let paused = || async {
            store::customers::find_by_wa_id(&app.state.db, biz.tenant, "2348030000101")
                .await
                .unwrap()
                .unwrap()
                .bot_paused_until
        };
        let a = say("pause 08030000101").await;
        assert!(a.contains("quiet for Ada"), "{a}");
        assert!(paused().await.is_some());
        let a = say("resume 08030000101").await;
        assert!(a.contains("answers Ada again"), "{a}");
        assert!(paused().await.is_none());
        // Small typos are forgiven; a command without what it needs gets
        // the closest commands, never a customer's menu.
        let a = say("oders tday").await;
        assert!(a.starts_with("Due today or overdue"), "{a}");
        let a = say("remnd").await;
        assert!(a.contains("Did you mean: remind"), "{a}");
        let a = say("SEW-9999").await;
        assert!(a.contains("no order SEW-9999"), "{a}");
    }
}

#[tokio::test]
async fn a_viewer_reads_but_cannot_change_anything() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", Utc::now());
        let biz = business(&app, "cmd-viewer", "tailor", "en-NG", "100000000102").await;
        let r = app
            .post(
                "/api/v1/users",
                &biz.owner.token,
                json!({"name": "Vee", "email": "vee@example.com", "password": "password123",
                       "role": "viewer", "phone": "+2348030000199"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let c = app.customer(&biz.owner, "Ada", "+2348030000102").await;
        let order = app
            .order(&biz.owner, c["id"].as_str().unwrap(), json!({}))
            .await;
        let r#ref = order["order_ref"].as_str().unwrap();
        let mut vee = Customer::new(&biz, "2348030000199", "Vee");
        vee.say(&app, &format!("paid {ref} 15000")).await;
        drain(&app).await;
        vee.say(&app, "help").await;
        drain(&app).await;
        let a = to_staff(&app.state.db, biz.tenant, "2348030000199").await;
        assert!(a[0].contains("can look but not change"), "{a:#?}");
        assert!(
            a[1].contains("orders today") && !a[1].contains("remind"),
            "a viewer's help lists only what they may do: {}",
            a[1]
        );
        let o = app
            .get(
                &format!("/api/v1/orders/{}", order["id"].as_str().unwrap()),
                &biz.owner.token,
            )
            .await;
        assert_eq!(o.body["amount_paid"], 0, "nothing recorded");
    }
}
