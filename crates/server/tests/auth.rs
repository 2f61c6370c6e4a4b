//! Registering, logging in, refreshing, phone codes.
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
async fn register_login_me_and_validation() {
    on_every_backend(|app: TestApp| async move {
        let owner = app.register("funmi", "tailor").await;
        let me = app.get("/api/v1/auth/me", &owner.token).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["user"]["role"], "owner");
        assert_eq!(me.body["tenant"]["slug"], "funmi");
        assert_eq!(me.body["tenant"]["country"], "NG", "country from the locale");
        assert_eq!(me.body["tenant"]["order_prefix"], "SEW");
        assert!(me.body["user"].get("password_hash").is_none(), "hash never leaves the server");

        // Every wrong field is named.
        let bad = app
            .public_post(
                "/api/v1/auth/register",
                json!({"business": {"name": " ", "slug": "Bad Slug", "vertical": "tailor", "currency": "XYZ",
                                    "timezone": "Mars/Base", "locale": "fr-FR"},
                       "owner": {"name": "A", "email": "not-an-email", "password": "short"}}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.code(), "validation_failed");
        for f in ["business.name", "business.slug", "business.currency", "business.timezone", "business.locale",
                  "owner.email", "owner.password"] {
            assert!(bad.field(f).is_some(), "{f} missing in {:?}", bad.body);
        }
        let wrong_enum = app
            .public_post("/api/v1/auth/register", json!({"business": {"vertical": "bakery"}, "owner": {}}))
            .await;
        assert_eq!(wrong_enum.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong_enum.field("business.vertical").is_some() || wrong_enum.field("business").is_some(), "{:?}", wrong_enum.body);

        // Duplicates are conflicts naming the field.
        let dup_slug = app
            .public_post(
                "/api/v1/auth/register",
                json!({"business": {"name": "X", "slug": "funmi", "vertical": "tailor", "currency": "NGN",
                                    "timezone": "Africa/Lagos", "locale": "en-NG"},
                       "owner": {"name": "B", "email": "other@example.com", "password": "password123"}}),
            )
            .await;
        assert_eq!(dup_slug.status, StatusCode::CONFLICT);
        assert!(dup_slug.field("business.slug").is_some());
        let dup_email = app
            .public_post(
                "/api/v1/auth/register",
                json!({"business": {"name": "X", "slug": "other", "vertical": "shop", "currency": "KES",
                                    "timezone": "Africa/Nairobi", "locale": "en-KE"},
                       "owner": {"name": "B", "email": "FUNMI@example.com", "password": "password123"}}),
            )
            .await;
        assert_eq!(dup_email.status, StatusCode::CONFLICT);
        assert!(dup_email.field("owner.email").is_some());
        // The failed registration left no tenant behind.
        let again = app
            .public_post(
                "/api/v1/auth/register",
                json!({"business": {"name": "X", "slug": "other", "vertical": "shop", "currency": "KES",
                                    "timezone": "Africa/Nairobi", "locale": "en-KE"},
                       "owner": {"name": "B", "email": "other@example.com", "password": "password123"}}),
            )
            .await;
        assert_eq!(again.status, StatusCode::CREATED, "slug 'other' was not half-written: {:?}", again.body);

        let ok = app.public_post("/api/v1/auth/login", json!({"email": "Funmi@Example.com", "password": "password123"})).await;
        assert_eq!(ok.status, StatusCode::OK);
        assert_eq!(ok.body["token_type"], "Bearer");
        let wrong = app.public_post("/api/v1/auth/login", json!({"email": "funmi@example.com", "password": "nope-nope"})).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.code(), "invalid_credentials");
        let nobody = app.public_post("/api/v1/auth/login", json!({"email": "ghost@example.com", "password": "password123"})).await;
        assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
        assert_eq!(nobody.code(), "invalid_credentials", "same answer for unknown emails");

        let no_token = app.request(axum::http::Method::GET, "/api/v1/auth/me", None, None).await;
        assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
        let garbage = app.get("/api/v1/auth/me", "not.a.jwt").await;
        assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    on_every_backend(|app: TestApp| async move {
        let owner = app.register("rotate", "shop").await;
        let first = app
            .public_post(
                "/api/v1/auth/refresh",
                json!({"refresh_token": owner.refresh}),
            )
            .await;
        assert_eq!(first.status, StatusCode::OK);
        let second_token = first.body["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(second_token, owner.refresh);
        assert!(
            app.get(
                "/api/v1/auth/me",
                first.body["access_token"].as_str().unwrap()
            )
            .await
            .status
            .is_success()
        );

        // The old token again: rejected, and the whole family dies with it.
        let reuse = app
            .public_post(
                "/api/v1/auth/refresh",
                json!({"refresh_token": owner.refresh}),
            )
            .await;
        assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reuse.code(), "invalid_refresh_token");
        let after = app
            .public_post(
                "/api/v1/auth/refresh",
                json!({"refresh_token": second_token}),
            )
            .await;
        assert_eq!(
            after.status,
            StatusCode::UNAUTHORIZED,
            "the newer token was revoked too"
        );

        // A fresh login is a new family, unaffected.
        let fresh = app.login("rotate@example.com", "password123").await;
        let ok = app
            .public_post(
                "/api/v1/auth/refresh",
                json!({"refresh_token": fresh.refresh}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        // Logout ends it.
        let next = ok.body["refresh_token"].as_str().unwrap().to_string();
        let out = app
            .public_post("/api/v1/auth/logout", json!({"refresh_token": next}))
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        let dead = app
            .public_post("/api/v1/auth/refresh", json!({"refresh_token": next}))
            .await;
        assert_eq!(dead.status, StatusCode::UNAUTHORIZED);
        let junk = app
            .public_post("/api/v1/auth/refresh", json!({"refresh_token": "made-up"}))
            .await;
        assert_eq!(junk.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

async fn staff_with_phone(app: &TestApp, slug: &str, phone: &str) -> common::Owner {
    let owner = app.register(slug, "tailor").await;
    let r = app
        .post(
            "/api/v1/users",
            &owner.token,
            json!({"name": "Tunde", "email": format!("tunde@{slug}.ng"), "password": "password123", "role": "staff", "phone": phone}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["phone"], "+2348031112222", "stored as E.164");
    owner
}

/// The code the notifier put in the outbox for this phone.
async fn code_sent_to(app: &TestApp, phone: &str) -> String {
    let msgs = store::outbox::for_recipient(&app.state.db, phone)
        .await
        .unwrap();
    let body = &msgs.first().expect("a message in the outbox").body;
    body.split_whitespace().next().unwrap().to_string()
}

#[tokio::test]
async fn otp_login_delivers_through_the_outbox_and_works_once() {
    on_every_backend(|app: TestApp| async move {
        staff_with_phone(&app, "otp", "0803 111 2222").await;
        let sent = app
            .public_post(
                "/api/v1/auth/otp/send",
                json!({"phone": "08031112222", "country": "NG"}),
            )
            .await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{:?}", sent.body);
        let msgs = store::outbox::for_recipient(&app.state.db, "+2348031112222")
            .await
            .unwrap();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].kind, "otp_code");
        assert!(
            msgs[0].body.contains("login code"),
            "English catalog text: {}",
            msgs[0].body
        );
        // This business has no WhatsApp number yet: the code is kept, not
        // sent (a business with one sends it: see the WhatsApp tests).
        assert_eq!(msgs[0].status, "blocked");
        assert_eq!(
            store::jobs::count_queued(&app.state.db, "send_message")
                .await
                .unwrap(),
            0
        );
        let code = code_sent_to(&app, "+2348031112222").await;
        assert_eq!(code.len(), 6);

        let wrong = if code == "000000" { "111111" } else { "000000" };
        let bad = app
            .public_post(
                "/api/v1/auth/otp/verify",
                json!({"phone": "+2348031112222", "code": wrong}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        let ok = app
            .public_post(
                "/api/v1/auth/otp/verify",
                json!({"phone": "+234 803 111 2222", "code": code}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
        assert_eq!(ok.body["user"]["role"], "staff");
        let twice = app
            .public_post(
                "/api/v1/auth/otp/verify",
                json!({"phone": "+2348031112222", "code": code}),
            )
            .await;
        assert_eq!(twice.status, StatusCode::UNAUTHORIZED, "a code works once");

        // An unknown phone gets the same answer and no message.
        let unknown = app
            .public_post("/api/v1/auth/otp/send", json!({"phone": "+2348039998888"}))
            .await;
        assert_eq!(unknown.status, StatusCode::ACCEPTED);
        assert!(
            store::outbox::for_recipient(&app.state.db, "+2348039998888")
                .await
                .unwrap()
                .is_empty()
        );
        let bad_phone = app
            .public_post("/api/v1/auth/otp/send", json!({"phone": "hello"}))
            .await;
        assert_eq!(bad_phone.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_phone.field("phone").is_some());
    })
    .await;
}

#[tokio::test]
async fn five_wrong_codes_lock_the_code() {
    on_every_backend(|app: TestApp| async move {
        staff_with_phone(&app, "lock", "08031112222").await;
        app.public_post("/api/v1/auth/otp/send", json!({"phone": "+2348031112222"}))
            .await;
        let code = code_sent_to(&app, "+2348031112222").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for i in 1..=5 {
            let r = app
                .public_post(
                    "/api/v1/auth/otp/verify",
                    json!({"phone": "+2348031112222", "code": wrong}),
                )
                .await;
            let expected = if i < 5 {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::TOO_MANY_REQUESTS
            };
            assert_eq!(r.status, expected, "attempt {i}");
        }
        let right = app
            .public_post(
                "/api/v1/auth/otp/verify",
                json!({"phone": "+2348031112222", "code": code}),
            )
            .await;
        assert_eq!(
            right.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the right code no longer works"
        );
        assert_eq!(right.code(), "otp_locked");
    })
    .await;
}

#[tokio::test]
async fn forty_concurrent_wrong_guesses_get_five_attempts_in_all() {
    on_every_backend(|app: TestApp| async move {
        staff_with_phone(&app, "race", "08031112222").await;
        app.public_post("/api/v1/auth/otp/send", json!({"phone": "+2348031112222"}))
            .await;
        let code = code_sent_to(&app, "+2348031112222").await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let guesses = (0..40).map(|_| {
            app.public_post(
                "/api/v1/auth/otp/verify",
                json!({"phone": "+2348031112222", "code": wrong}),
            )
        });
        let answers = futures_join_all(guesses).await;
        let refused_unseen = answers
            .iter()
            .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert!(refused_unseen >= 35, "at most five guesses were compared");
        let attempts: i32 = store::run!(&app.state.db, c => sqlx::query_scalar(
            "SELECT attempts FROM otp_codes ORDER BY id DESC LIMIT 1")
            .fetch_one(c)
            .await)
        .unwrap();
        assert_eq!(attempts, 5);
        let right = app
            .public_post(
                "/api/v1/auth/otp/verify",
                json!({"phone": "+2348031112222", "code": code}),
            )
            .await;
        assert_eq!(right.code(), "otp_locked");
    })
    .await;
}

/// Runs the futures at once on this task and waits for all.
async fn futures_join_all<F: std::future::Future>(fs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set: Vec<std::pin::Pin<Box<F>>> = fs.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

#[tokio::test]
async fn codes_are_rate_limited_per_phone_and_ip() {
    on_every_backend(|app: TestApp| async move {
        staff_with_phone(&app, "limit", "08031112222").await;
        for _ in 0..5 {
            let r = app
                .public_post("/api/v1/auth/otp/send", json!({"phone": "+2348031112222"}))
                .await;
            assert_eq!(r.status, StatusCode::ACCEPTED);
        }
        let sixth = app
            .public_post("/api/v1/auth/otp/send", json!({"phone": "+2348031112222"}))
            .await;
        assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            store::outbox::for_recipient(&app.state.db, "+2348031112222")
                .await
                .unwrap()
                .len(),
            5
        );
        // Same IP, other phones: 20 an hour in all.
        let mut last = StatusCode::OK;
        for i in 0..20 {
            last = app
                .public_post(
                    "/api/v1/auth/otp/send",
                    json!({"phone": format!("+23480311{:05}", 30000 + i)}),
                )
                .await
                .status;
        }
        assert_eq!(
            last,
            StatusCode::TOO_MANY_REQUESTS,
            "the IP's hourly allowance ran out"
        );
    })
    .await;
}

#[tokio::test]
async fn unreadable_requests_get_the_envelope() {
    on_every_backend(|app: TestApp| async move {
        let r = app
            .raw(
                axum::http::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(("application/json", "{not json".into())),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.code(), "malformed_json");
        let r = app
            .raw(
                axum::http::Method::POST,
                "/api/v1/auth/login",
                None,
                Some(("text/plain", "hi".into())),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let r = app
            .public_post("/api/v1/auth/login", json!({"email": "a@b.co"}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body["error"]["fields"]
                .as_object()
                .is_some_and(|f| !f.is_empty()),
            "{:?}",
            r.body
        );
        let r = app
            .request(axum::http::Method::GET, "/api/v1/nowhere", None, None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.code(), "not_found");
    })
    .await;
}

#[tokio::test]
async fn racing_refreshes_of_one_token_end_the_session() {
    on_every_backend(|app: TestApp| async move {
        let owner = app.register("race", "shop").await;
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (app, token) = (app.clone(), owner.refresh.clone());
            tasks.push(tokio::spawn(async move {
                app.public_post("/api/v1/auth/refresh", json!({"refresh_token": token}))
                    .await
            }));
        }
        let mut winners = Vec::new();
        for t in tasks {
            let r = t.await.unwrap();
            if r.status == StatusCode::OK {
                winners.push(r.body["refresh_token"].as_str().unwrap().to_string());
            } else {
                assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            }
        }
        assert!(winners.len() <= 1, "one token, at most one new session");
        // However the transactions interleaved, the reuse ended the family:
        // the winner's new token is dead too.
        for w in winners {
            let r = app
                .public_post("/api/v1/auth/refresh", json!({"refresh_token": w}))
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
    })
    .await;
}

#[tokio::test]
async fn expired_codes_and_refresh_tokens_are_refused() {
    on_every_backend(|app: TestApp| async move {
        let owner = app.register("expiry", "tailor").await;
        app.post(
            "/api/v1/users",
            &owner.token,
            json!({"name": "T", "email": "t@expiry.ng", "password": "password123", "role": "staff", "phone": "08031112222"}),
        )
        .await;
        app.public_post("/api/v1/auth/otp/send", json!({"phone": "+2348031112222"})).await;
        let code = code_sent_to(&app, "+2348031112222").await;
        let past = store::now() - chrono::Duration::minutes(1);
        store::run!(&app.state.db, c => sqlx::query("UPDATE otp_codes SET expires_at = $1").bind(past).execute(c).await.map(|_| ()))
            .unwrap();
        let late = app.public_post("/api/v1/auth/otp/verify", json!({"phone": "+2348031112222", "code": code})).await;
        assert_eq!(late.status, StatusCode::UNAUTHORIZED);
        assert_eq!(late.code(), "otp_invalid");

        store::run!(&app.state.db, c => sqlx::query("UPDATE refresh_tokens SET expires_at = $1").bind(past).execute(c).await.map(|_| ()))
            .unwrap();
        let r = app.public_post("/api/v1/auth/refresh", json!({"refresh_token": owner.refresh})).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn a_token_committed_after_its_family_was_revoked_is_dead() {
    on_every_backend(|app: TestApp| async move {
        let owner = app.register("late", "shop").await;
        let hash = server::auth::tokens::hash_refresh(&owner.refresh);
        let old = store::users::refresh_token_by_hash(&app.state.db, &hash)
            .await
            .unwrap()
            .unwrap();
        // The interleaving of two racing refreshes: the loser revokes the
        // family, then the winner's transaction commits its new token.
        store::users::revoke_family(&app.state.db, old.family_id)
            .await
            .unwrap();
        let late = server::auth::tokens::random_token(32);
        store::users::insert_refresh_token(
            &app.state.db,
            old.tenant_id,
            old.user_id,
            old.family_id,
            &server::auth::tokens::hash_refresh(&late),
            chrono::Duration::days(1),
        )
        .await
        .unwrap();
        let r = app
            .public_post("/api/v1/auth/refresh", json!({"refresh_token": late}))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    })
    .await;
}
