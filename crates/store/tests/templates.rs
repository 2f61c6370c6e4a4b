//! The template rows on both backends: upsert by (business, account, name,
//! language), approval lookups, and status reports that never go back in
//! time nor change anything when redelivered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use chrono::{Duration, Utc};
use domain::TenantId;
use domain::tenant::Vertical;
use serde_json::json;
use store::templates::{self, Upsert};
use store::testing;

async fn tenant(db: &store::Db, slug: &str) -> TenantId {
    store::testing::tenant(db, slug, Vertical::Tailor).await
}

fn row<'a>(
    name: &'a str,
    language: &'a str,
    status: &'a str,
    c: &'a serde_json::Value,
) -> Upsert<'a> {
    Upsert {
        waba_id: "W1",
        name,
        language,
        category: "utility",
        status,
        reason: None,
        meta_id: Some("M1"),
        body: "Hi {{1}}",
        params: 1,
        components: c,
    }
}

#[tokio::test]
async fn rows_upsert_and_approval_is_per_language_and_business() {
    for db in testing::backends().await {
        let a = tenant(&db, "tpl-a").await;
        let b = tenant(&db, "tpl-b").await;
        let c = json!([{"type": "BODY", "text": "Hi {{1}}"}]);
        let t0 = Utc::now();
        templates::upsert(&db, a, &row("order_update", "en", "pending", &c), t0)
            .await
            .unwrap();
        templates::upsert(&db, a, &row("order_update", "es", "approved", &c), t0)
            .await
            .unwrap();
        templates::upsert(&db, a, &row("order_update", "en", "approved", &c), t0)
            .await
            .unwrap();
        let listed = templates::list(&db, a).await.unwrap();
        assert_eq!(listed.len(), 2, "the second en upsert updated the row");
        assert!(
            templates::approved(&db, a, "order_update", "en")
                .await
                .unwrap()
        );
        assert!(
            !templates::approved(&db, a, "order_update", "sw")
                .await
                .unwrap()
        );
        assert!(
            !templates::approved(&db, b, "order_update", "en")
                .await
                .unwrap()
        );
        assert!(templates::list(&db, b).await.unwrap().is_empty());
        let set = templates::approved_set(&db, a).await.unwrap();
        assert!(set.contains(&("order_update".to_string(), "es".to_string())));
        assert_eq!(set.len(), 2);
        assert!(templates::approved_set(&db, b).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn status_reports_apply_forward_once() {
    for db in testing::backends().await {
        let a = tenant(&db, "tpl-s").await;
        let c = json!([]);
        let t0 = Utc::now() - Duration::minutes(10);
        templates::upsert(&db, a, &row("payment_reminder", "en", "pending", &c), t0)
            .await
            .unwrap();
        let at1 = t0 + Duration::minutes(1);
        let set = |status: &'static str, reason: Option<&'static str>, at| {
            let db = db.clone();
            async move {
                templates::set_status(&db, "W1", "payment_reminder", "en", status, reason, at)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(set("approved", None, at1).await, 1);
        assert_eq!(
            set("approved", None, at1).await,
            0,
            "a redelivery changes nothing"
        );
        let at2 = at1 + Duration::minutes(1);
        assert_eq!(set("rejected", Some("INCORRECT_CATEGORY"), at2).await, 1);
        assert_eq!(set("rejected", Some("INCORRECT_CATEGORY"), at2).await, 0);
        assert_eq!(
            set("approved", None, at1).await,
            0,
            "an older report is late news"
        );
        let t = &templates::list(&db, a).await.unwrap()[0];
        assert_eq!(t.status, "rejected");
        assert_eq!(t.reason.as_deref(), Some("INCORRECT_CATEGORY"));
        assert_eq!(
            templates::set_status_by_meta_id(
                &db,
                "W1",
                "M1",
                "approved",
                None,
                at2 + Duration::minutes(1)
            )
            .await
            .unwrap(),
            1
        );
        assert_eq!(
            templates::set_status_by_meta_id(
                &db,
                "OTHER",
                "M1",
                "paused",
                None,
                at2 + Duration::minutes(2)
            )
            .await
            .unwrap(),
            0,
            "another account's template is another template"
        );
        assert!(
            templates::approved(&db, a, "payment_reminder", "en")
                .await
                .unwrap()
        );
    }
}
