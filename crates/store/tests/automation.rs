//! The automation ledger on both backends: a claim exists only with the
//! transaction that made it (a crash before the commit leaves nothing to
//! stop the next cycle, and nothing sent twice), a sent or skipped key is
//! never claimed again, and a deferred one is taken over once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use chrono::{NaiveDate, Utc};
use domain::TenantId;
use domain::tenant::Vertical;
use store::automation::{Entry, claim};
use store::testing;
use uuid::Uuid;

async fn tenant(db: &store::Db) -> TenantId {
    store::testing::tenant(db, "ledger-test", Vertical::Tailor).await
}

fn entry(tenant: TenantId, target: Uuid, day: NaiveDate, outcome: &str) -> Entry<'_> {
    Entry {
        tenant,
        trigger_id: None,
        run_id: None,
        kind: "unpaid_balance",
        target_id: target,
        step: "gentle",
        day,
        customer_id: None,
        order_id: None,
        outcome,
        reason: None,
        until: None,
        body: None,
    }
}

#[tokio::test]
async fn a_claim_lives_and_dies_with_its_transaction_and_is_made_once() {
    for db in testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let t = tenant(&db).await;
        let target = Uuid::now_v7();
        let day: NaiveDate = "2027-03-03".parse().unwrap();
        // A cycle claims, then dies before its commit: nothing remains.
        {
            let mut tx = db.begin().await.unwrap();
            assert!(
                claim(&mut tx, &entry(t, target, day, "sent"), Utc::now())
                    .await
                    .unwrap()
                    .is_some()
            );
        }
        // The next cycle claims it, once.
        let mut tx = db.begin().await.unwrap();
        let first = claim(&mut tx, &entry(t, target, day, "sent"), Utc::now())
            .await
            .unwrap();
        assert!(first.is_some(), "the rolled-back claim left nothing behind");
        tx.commit().await.unwrap();
        let again = claim(&db, &entry(t, target, day, "sent"), Utc::now())
            .await
            .unwrap();
        assert_eq!(again, None, "a sent key is never claimed again");
        // A deferred key is taken over by the send that follows it, once.
        let next: NaiveDate = "2027-03-04".parse().unwrap();
        let deferred = claim(&db, &entry(t, target, next, "deferred"), Utc::now())
            .await
            .unwrap();
        assert!(deferred.is_some());
        let sent = claim(&db, &entry(t, target, next, "sent"), Utc::now())
            .await
            .unwrap();
        assert_eq!(sent, deferred, "the same line, now sent");
        assert_eq!(
            claim(&db, &entry(t, target, next, "sent"), Utc::now())
                .await
                .unwrap(),
            None
        );
    }
}
