//! The WhatsApp tables on both backends: the intake's unique keys, the
//! forward-only status rule and the shared per-number send windows.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use domain::TenantId;
use domain::tenant::Vertical;
use serde_json::json;
use store::testing;
use store::wa::{self, EventKind, NewEvent, NewNumber, StatusChange, StatusOutcome};

async fn tenant(db: &store::Db) -> TenantId {
    store::testing::tenant(db, "wa-test", Vertical::Tailor).await
}

#[tokio::test]
async fn events_are_stored_once_and_routable_ones_get_a_job() {
    for db in testing::backends().await {
        let t = tenant(&db).await;
        let payload = json!({"x": 1});
        let e = |tenant, key| NewEvent {
            tenant_id: tenant,
            phone_number_id: "1",
            kind: EventKind::Message,
            provider_key: key,
            payload: &payload,
        };
        assert!(
            wa::record_event(&db, &e(Some(t), "wamid.A"))
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            wa::record_event(&db, &e(Some(t), "wamid.A"))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            wa::record_event(&db, &e(None, "wamid.B"))
                .await
                .unwrap()
                .is_some()
        );
        // Persistence only: the engine enqueues the processing.
        assert_eq!(store::jobs::list(&db, None, 10).await.unwrap().len(), 0);
        let counts = wa::event_counts(&db).await.unwrap();
        assert!(
            counts.contains(&("message".into(), "pending".into(), 1)),
            "{counts:?}"
        );
        assert!(
            counts.contains(&("message".into(), "unroutable".into(), 1)),
            "{counts:?}"
        );
    }
}

#[tokio::test]
async fn send_windows_hold_the_limit_per_number_and_second() {
    for db in testing::backends().await {
        let t = tenant(&db).await;
        let n = |pnid: &str| NewNumber {
            phone_number_id: pnid.into(),
            display_phone_number: "+2348030000001".into(),
            waba_id: None,
            access_token_sealed: None,
            sandbox: true,
        };
        let a = wa::insert_number(&db, t, &n("11")).await.unwrap().id;
        let b = wa::insert_number(&db, t, &n("12")).await.unwrap().id;
        assert!(wa::take_send_slot(&db, a, 1000, 2).await.unwrap());
        assert!(wa::take_send_slot(&db, a, 1000, 2).await.unwrap());
        assert!(
            !wa::take_send_slot(&db, a, 1000, 2).await.unwrap(),
            "third in one second"
        );
        assert!(
            wa::take_send_slot(&db, b, 1000, 2).await.unwrap(),
            "another number has its own window"
        );
        assert!(
            wa::take_send_slot(&db, a, 1001, 2).await.unwrap(),
            "the next second starts afresh"
        );
        // Concurrent takers never exceed the limit together.
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let db = db.clone();
            set.spawn(async move { wa::take_send_slot(&db, b, 2000, 5).await.unwrap() });
        }
        let granted = set.join_all().await.into_iter().filter(|g| *g).count();
        assert_eq!(granted, 5, "{}", db.backend());
    }
}

#[tokio::test]
async fn statuses_only_move_forward_and_informational_ones_are_ignored() {
    for db in testing::backends().await {
        let t = tenant(&db).await;
        let number = wa::insert_number(
            &db,
            t,
            &NewNumber {
                phone_number_id: "21".into(),
                display_phone_number: "+2348030000001".into(),
                waba_id: None,
                access_token_sealed: None,
                sandbox: true,
            },
        )
        .await
        .unwrap();
        let content = json!({"type": "text", "body": "hi"});
        let id = wa::queue_outbound(
            &db,
            &wa::NewOutbound {
                tenant_id: t,
                number_id: number.id,
                customer_id: None,
                order_id: None,
                from_number: "2348030000001",
                to_number: "2348031234567",
                kind: "text",
                body: "hi",
                payload: &content,
                content: &content,
                fallback: None,
            },
        )
        .await
        .unwrap();
        assert!(
            wa::mark_sent(&db, id, "wamid.S", &content, "text")
                .await
                .unwrap()
        );
        assert!(
            !wa::mark_sent(&db, id, "wamid.S", &content, "text")
                .await
                .unwrap(),
            "only once"
        );
        let change = |status| StatusChange {
            wamid: "wamid.S",
            status,
            at: store::now(),
            error_code: None,
            error_title: None,
            error_details: None,
        };
        let apply = |status| {
            let db = db.clone();
            async move { wa::apply_status(&db, &change(status)).await.unwrap() }
        };
        assert_eq!(apply("read").await, StatusOutcome::Applied);
        assert_eq!(apply("delivered").await, StatusOutcome::Stale);
        assert_eq!(apply("sent").await, StatusOutcome::Stale);
        assert_eq!(apply("warning").await, StatusOutcome::Ignored);
        assert_eq!(apply("deleted").await, StatusOutcome::Ignored);
        assert_eq!(
            wa::message(&db, id).await.unwrap().status,
            domain::outbound::MessageStatus::Read
        );
        let unknown = StatusChange {
            wamid: "wamid.nobody",
            ..change("sent")
        };
        assert_eq!(
            wa::apply_status(&db, &unknown).await.unwrap(),
            StatusOutcome::Unknown
        );
    }
}

#[tokio::test]
async fn a_later_message_waits_only_for_an_earlier_queued_one_to_the_same_person() {
    for db in testing::backends().await {
        let t = tenant(&db).await;
        let number = wa::insert_number(
            &db,
            t,
            &NewNumber {
                phone_number_id: "31".into(),
                display_phone_number: "+2348030000002".into(),
                waba_id: None,
                access_token_sealed: None,
                sandbox: true,
            },
        )
        .await
        .unwrap();
        let content = json!({"type": "text", "body": "hi"});
        let queue = |to: &'static str| {
            let db = db.clone();
            let content = content.clone();
            async move {
                let id = wa::queue_outbound(
                    &db,
                    &wa::NewOutbound {
                        tenant_id: t,
                        number_id: number.id,
                        customer_id: None,
                        order_id: None,
                        from_number: "2348030000002",
                        to_number: to,
                        kind: "text",
                        body: "hi",
                        payload: &content,
                        content: &content,
                        fallback: None,
                    },
                )
                .await
                .unwrap();
                wa::message(&db, id).await.unwrap()
            }
        };
        let first = queue("2348031234567").await;
        let second = queue("2348031234567").await;
        let someone_else = queue("2348039999999").await;
        let since = store::now() - chrono::Duration::seconds(60);
        let waits = |m| {
            let db = db.clone();
            async move { wa::earlier_queued(&db, &m, since).await.unwrap() }
        };
        assert!(!waits(first.clone()).await, "the first goes at once");
        assert!(
            waits(second.clone()).await,
            "the second waits for it on {}",
            db.backend()
        );
        assert!(
            !waits(someone_else).await,
            "another person's reply never waits"
        );
        // Long-stuck earlier messages do not hold the conversation forever.
        let later = store::now() + chrono::Duration::seconds(1);
        assert!(!wa::earlier_queued(&db, &second, later).await.unwrap());
        assert!(
            wa::mark_sent(&db, first.id, "wamid.F", &content, "text")
                .await
                .unwrap()
        );
        assert!(
            !waits(second).await,
            "once the first is sent, the second goes"
        );
    }
}
