//! `engine::inbox` and its rows on both backends: a conversation needing a
//! person is one open entry per customer whatever the reasons, each reason
//! alerts every staff member with a phone (and nobody else), resolving
//! hands the conversation back to the bot once, and another business can
//! neither see nor resolve the entry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use domain::messages::Attention;
use domain::tenant::{Role, Vertical};
use domain::{Currency, CustomerId, TenantId, UserId};
use store::tenants::NewTenant;
use store::{Db, StoreError, testing};

async fn tenant(db: &Db, slug: &str) -> TenantId {
    let t = NewTenant {
        business_name: format!("Shop {slug}"),
        slug: slug.into(),
        phone: None,
        vertical: Vertical::Shop,
        currency: Currency::parse("KES").unwrap(),
        timezone: "Africa/Nairobi".into(),
        locale: "en-KE".to_string().try_into().unwrap(),
        country: "KE".into(),
        order_prefix: "SHP".into(),
    };
    store::tenants::insert(db, &t).await.unwrap().id
}

async fn user(db: &Db, tenant: TenantId, role: Role, phone: Option<&str>) -> UserId {
    let u = store::users::NewUser {
        tenant_id: tenant,
        name: "Wanjiru",
        email: &format!("{}@example.com", uuid::Uuid::now_v7()),
        phone,
        password_hash: "x",
        role,
    };
    store::users::insert(db, &u).await.unwrap().id
}

async fn customer(db: &Db, tenant: TenantId, phone: &str) -> CustomerId {
    let c = store::customers::NewCustomer {
        name: Some("Achieng Otieno".into()),
        phone: Some(phone.into()),
        wa_id: Some(phone.trim_start_matches('+').into()),
        ..Default::default()
    };
    store::customers::insert(db, tenant, &c).await.unwrap().id
}

async fn needs(db: &Db, t: TenantId, c: CustomerId, why: Attention, detail: &str) {
    let mut tx = db.begin().await.unwrap();
    engine::inbox::needs_person(&mut tx, t, c, why, detail)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn outbox_to(db: &Db, phone: &str) -> Vec<store::outbox::OutboxMessage> {
    store::outbox::for_recipient(db, phone).await.unwrap()
}

#[tokio::test]
async fn one_open_entry_per_customer_and_every_staff_phone_is_alerted() {
    for db in testing::backends().await {
        let t = tenant(&db, "inbox-engine").await;
        user(&db, t, Role::Owner, Some("+254722000001")).await;
        user(&db, t, Role::Staff, Some("+254722000002")).await;
        user(&db, t, Role::Viewer, Some("+254722000003")).await;
        user(&db, t, Role::Staff, None).await;
        let c = customer(&db, t, "+254711000001").await;

        needs(&db, t, c, Attention::Media, "(image) the receipt").await;
        let first = store::inbox::open_for(&db, t, c).await.unwrap().unwrap();
        assert_eq!(first.reason, Attention::Media);
        assert_eq!(first.detail.as_deref(), Some("(image) the receipt"));
        assert_eq!(first.customer_name.as_deref(), Some("Achieng Otieno"));

        // A new reason moves the same entry on; "since" stays.
        needs(&db, t, c, Attention::PaymentDeclined, "SHP-0001").await;
        let open = store::inbox::list_open(&db, t, 50).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].id, first.id);
        assert_eq!(open[0].reason, Attention::PaymentDeclined);
        assert_eq!(open[0].opened_at, first.opened_at);
        assert!(open[0].updated_at >= first.updated_at);
        assert_eq!(open[0].last_kind, None, "no message in the thread yet");

        // Owner and staff with a phone, twice each; not the viewer.
        for phone in ["+254722000001", "+254722000002"] {
            let sent = outbox_to(&db, phone).await;
            assert_eq!(sent.len(), 2, "{phone}: {sent:?}");
            assert!(sent.iter().all(|m| m.kind == "needs_person"));
            assert!(
                sent[0].body.contains("had a payment declined")
                    && sent[0].body.contains("+254711000001"),
                "{}",
                sent[0].body
            );
            let template = sent[0].template.as_ref().unwrap();
            assert_eq!(template.0["name"], "staff_needs_person");
        }
        assert!(outbox_to(&db, "+254722000003").await.is_empty());

        // Another customer has an entry of their own; newest first.
        let c2 = customer(&db, t, "+254711000002").await;
        needs(&db, t, c2, Attention::AskedForPerson, "").await;
        let open = store::inbox::list_open(&db, t, 50).await.unwrap();
        assert_eq!(
            open.iter().map(|e| e.customer_id).collect::<Vec<_>>(),
            [c2, c]
        );
        assert_eq!(open[0].detail, None, "an empty detail is not stored");
        assert_eq!(store::inbox::list_open(&db, t, 1).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn resolving_ends_the_pause_once_and_only_in_its_own_business() {
    for db in testing::backends().await {
        let t = tenant(&db, "inbox-resolve").await;
        let other = tenant(&db, "inbox-resolve-other").await;
        let staff = user(&db, t, Role::Staff, None).await;
        let intruder = user(&db, other, Role::Owner, None).await;
        let c = customer(&db, t, "+254711000003").await;
        let until = store::now() + chrono::Duration::hours(12);
        store::chat::set_paused_until(&db, t, c, Some(until))
            .await
            .unwrap();
        needs(&db, t, c, Attention::AskedForPerson, "a person please").await;
        let entry = store::inbox::open_for(&db, t, c).await.unwrap().unwrap();

        let err = engine::inbox::resolve(&db, other, entry.id, intruder).await;
        assert!(matches!(err, Err(StoreError::NotFound)), "{err:?}");
        assert!(
            store::chat::flags(&db, t, c)
                .await
                .unwrap()
                .bot_paused_until
                .is_some(),
            "another business changed nothing"
        );
        assert!(
            store::inbox::list_open(&db, other, 50)
                .await
                .unwrap()
                .is_empty()
        );

        let done = engine::inbox::resolve(&db, t, entry.id, staff)
            .await
            .unwrap();
        assert!(done.resolved_at.is_some());
        assert_eq!(done.resolved_by, Some(staff));
        assert_eq!(
            store::chat::flags(&db, t, c)
                .await
                .unwrap()
                .bot_paused_until,
            None
        );
        assert!(store::inbox::open_for(&db, t, c).await.unwrap().is_none());
        // Again: nothing changes, and a pause set since is left alone.
        store::chat::set_paused_until(&db, t, c, Some(until))
            .await
            .unwrap();
        let again = engine::inbox::resolve(&db, t, entry.id, staff)
            .await
            .unwrap();
        assert_eq!(again.resolved_at, done.resolved_at);
        assert!(
            store::chat::flags(&db, t, c)
                .await
                .unwrap()
                .bot_paused_until
                .is_some()
        );

        // The next promise opens a new entry.
        needs(&db, t, c, Attention::PaymentClaimed, "I have paid").await;
        let next = store::inbox::open_for(&db, t, c).await.unwrap().unwrap();
        assert_ne!(next.id, entry.id);
        assert_eq!(next.reason, Attention::PaymentClaimed);
    }
}
