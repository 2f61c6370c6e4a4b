//! Voice-note transcripts on both backends: stored once (a second store
//! changes nothing and says so), read back per business only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use domain::TenantId;
use domain::tenant::Vertical;
use serde_json::json;
use store::testing;
use store::wa::{self, NewInbound, NewNumber};

async fn tenant(db: &store::Db, slug: &str) -> TenantId {
    store::testing::tenant(db, slug, Vertical::Shop).await
}

#[tokio::test]
async fn a_transcript_is_stored_once_and_read_by_its_business() {
    for db in testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let t = tenant(&db, "stt-a").await;
        let other = tenant(&db, "stt-b").await;
        let number = wa::insert_number(
            &db,
            t,
            &NewNumber {
                phone_number_id: "700001".into(),
                display_phone_number: "+254 700 000 001".into(),
                waba_id: None,
                access_token_sealed: None,
                sandbox: true,
            },
        )
        .await
        .unwrap();
        let payload = json!({"id": "wamid.VOICE", "type": "audio"});
        let id = wa::insert_inbound(
            &db,
            &NewInbound {
                tenant_id: t,
                number_id: number.id,
                customer_id: None,
                wamid: "wamid.VOICE",
                from_number: "254711000001",
                to_number: "254700000001",
                kind: "audio",
                body: None,
                payload: &payload,
                parsed: None,
                media_id: Some("media-1"),
                media_mime: Some("audio/ogg"),
                received_at: chrono::Utc::now(),
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            wa::transcript(&db, t, id).await.unwrap(),
            None,
            "not tried yet"
        );
        let mut tx = db.begin().await.unwrap();
        assert!(
            wa::set_transcript(&mut tx, t, id, "nataka unga mbili")
                .await
                .unwrap()
        );
        assert!(
            !wa::set_transcript(&mut tx, t, id, "something else")
                .await
                .unwrap(),
            "a second store changes nothing"
        );
        tx.commit().await.unwrap();
        assert_eq!(
            wa::transcript(&db, t, id).await.unwrap().as_deref(),
            Some("nataka unga mbili")
        );
        assert_eq!(wa::transcript(&db, other, id).await.unwrap(), None);
        assert!(!wa::set_transcript(&db, other, id, "x").await.unwrap());
    }
}
