//! Staff chat sessions on both backends: the undo and the question waiting
//! for a yes are taken once (of two takers racing, one gets it), each slot
//! on its own. (Answering a customer by hand is played in the server's
//! staff-command tests.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use chrono::Duration;
use domain::tenant::{Role, Vertical};
use domain::{TenantId, UserId};
use serde_json::json;
use store::testing;

async fn tenant_and_user(db: &store::Db, slug: &str) -> (TenantId, UserId) {
    let tenant = store::testing::tenant(db, slug, Vertical::Shop).await;
    let user = store::users::insert(
        db,
        &store::users::NewUser {
            tenant_id: tenant,
            name: "Njeri",
            email: &format!("{slug}@example.com"),
            phone: None,
            password_hash: "x",
            role: Role::Owner,
        },
    )
    .await
    .unwrap();
    (tenant, user.id)
}

#[tokio::test]
async fn undo_and_questions_are_taken_once() {
    for db in testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let (t, u) = tenant_and_user(&db, "staff-undo").await;
        assert_eq!(
            store::staff::session(&db, t, u).await.unwrap(),
            Default::default()
        );
        assert!(store::staff::take_undo(&db, t, u).await.unwrap().is_none());
        let until = store::now() + Duration::minutes(1);
        let undo = json!({"undo": "day", "close": true});
        store::staff::set_undo(&db, t, u, Some((&undo, until)))
            .await
            .unwrap();
        let ask = json!({"ask": "cancel"});
        store::staff::set_pending(&db, t, u, Some((&ask, until)))
            .await
            .unwrap();
        let s = store::staff::session(&db, t, u).await.unwrap();
        assert_eq!(s.undo, Some((undo.clone(), until)));
        assert_eq!(s.pending, Some((ask.clone(), until)));
        // Two takers at once: exactly one gets it.
        let (a, b) = tokio::join!(
            store::staff::take_undo(&db, t, u),
            store::staff::take_undo(&db, t, u)
        );
        let got: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
        assert_eq!(got, vec![(undo, until)]);
        // Taking one slot leaves the other.
        assert_eq!(
            store::staff::session(&db, t, u).await.unwrap().pending,
            Some((ask.clone(), until))
        );
        assert_eq!(
            store::staff::take_pending(&db, t, u).await.unwrap(),
            Some((ask, until))
        );
        assert!(
            store::staff::take_pending(&db, t, u)
                .await
                .unwrap()
                .is_none()
        );
    }
}
