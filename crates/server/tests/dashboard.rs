//! The dashboard's shell: signing in and out, sessions that end, CSRF on
//! every form, roles, the installable app's files, faults as pages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::dashboard::encode;
use common::{TestApp, on_every_backend};

/// The pre-sign-in token the login page sets and repeats in its form.
fn pre_token(page: &common::dashboard::Html) -> (String, String) {
    let cookie = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("sokoni_pre="))
        .expect("the login page sets its CSRF cookie");
    let value = cookie["sokoni_pre=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(
        page.body.contains(&format!("value=\"{value}\"")),
        "the form repeats the cookie's token"
    );
    (format!("sokoni_pre={value}"), value)
}

fn session_cookie(set: &[String]) -> Option<String> {
    set.iter()
        .find(|c| c.starts_with("sokoni_session=") && !c.starts_with("sokoni_session=;"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

#[tokio::test]
async fn signing_in_with_a_password_opens_today_and_signing_out_ends_the_session() {
    on_every_backend(|app| async move {
        app.register("amaka", "tailor").await;
        let root = app.web_request(Method::GET, "/", None, &[], None).await;
        assert_eq!(root.location.as_deref(), Some("/app"));
        let today = app.web_request(Method::GET, "/app", None, &[], None).await;
        assert_eq!(today.status, StatusCode::SEE_OTHER);
        assert_eq!(today.location.as_deref(), Some("/login?next=%2Fapp"));

        let login = app
            .web_request(Method::GET, "/login", None, &[], None)
            .await;
        assert_eq!(login.status, StatusCode::OK);
        let (pre, token) = pre_token(&login);

        // A wrong password: the error next to the field, no session.
        let bad = app
            .web_request(
                Method::POST,
                "/login",
                None,
                &[("cookie", &pre)],
                Some(encode(&[
                    ("_csrf", &token),
                    ("email", "amaka@example.com"),
                    ("password", "nope"),
                ])),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.shows("The email or the password is wrong."),
            "{}",
            bad.body
        );
        assert!(bad.body.contains("id=\"password-err\""));
        assert!(session_cookie(&bad.set_cookies).is_none());

        // Without the form's token the post is refused, whatever it says.
        let forged = app
            .web_request(
                Method::POST,
                "/login",
                None,
                &[("cookie", &pre)],
                Some(encode(&[
                    ("email", "amaka@example.com"),
                    ("password", "password123"),
                ])),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(forged.body.contains("This form expired"));
        assert!(session_cookie(&forged.set_cookies).is_none());

        let ok = app
            .web_request(
                Method::POST,
                "/login",
                None,
                &[("cookie", &pre)],
                Some(encode(&[
                    ("_csrf", &token),
                    ("email", "Amaka@Example.com"),
                    ("password", "password123"),
                    ("next", "/app?x=1"),
                ])),
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location.as_deref(), Some("/app?x=1"));
        let cookie = session_cookie(&ok.set_cookies).expect("a session cookie");
        let set = ok
            .set_cookies
            .iter()
            .find(|c| c.starts_with("sokoni_session="))
            .unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );

        let today = app
            .web_request(Method::GET, "/app", None, &[("cookie", &cookie)], None)
            .await;
        assert_eq!(today.status, StatusCode::OK);
        assert!(
            today.shows("Business amaka"),
            "the business's name is on the page"
        );
        let csrf = today
            .body
            .split("name=\"csrf-token\" content=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();

        // Signing out needs the session's token too, then ends it for good.
        let refused = app
            .web_request(
                Method::POST,
                "/logout",
                None,
                &[("cookie", &cookie)],
                Some(encode(&[("_csrf", "x")])),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let out = app
            .web_request(
                Method::POST,
                "/logout",
                None,
                &[("cookie", &cookie)],
                Some(encode(&[("_csrf", &csrf)])),
            )
            .await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(out.location.as_deref(), Some("/login?notice=signed_out"));
        let after = app
            .web_request(Method::GET, "/app", None, &[("cookie", &cookie)], None)
            .await;
        assert_eq!(
            after.status,
            StatusCode::SEE_OTHER,
            "the old cookie no longer signs in"
        );
    })
    .await;
}

#[tokio::test]
async fn an_idle_session_ends_and_a_deactivated_user_is_signed_out() {
    on_every_backend(|app| async move {
        let owner = app.register("idle", "shop").await;
        let staff = app.add_user(&owner, "staff@idle.example", "staff").await;
        let web = app.web(&owner).await;
        assert_eq!(app.page(&web, "/app").await.status, StatusCode::OK);
        // Nine hours without a request (the default limit is eight).
        store::testing::idle_web_sessions(&app.state.db, 9).await;
        let stale = app.page(&web, "/app").await;
        assert_eq!(stale.status, StatusCode::SEE_OTHER);
        // Signing out of it just goes to the sign-in page.
        let out = app.form(&web, "/logout", &[]).await;
        assert_eq!(out.location.as_deref(), Some("/login?notice=signed_out"));

        let sweb = app.web(&staff).await;
        assert_eq!(app.page(&sweb, "/app").await.status, StatusCode::OK);
        let r = app
            .patch(
                &format!("/api/v1/users/{}", staff.user_id),
                &owner.token,
                serde_json::json!({"is_active": false}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(app.page(&sweb, "/app").await.status, StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test]
async fn a_viewer_is_signed_in_read_only() {
    on_every_backend(|app| async move {
        let owner = app.register("viewer", "tailor").await;
        let viewer = app.add_user(&owner, "v@viewer.example", "viewer").await;
        let web = app.web(&viewer).await;
        let today = app.page(&web, "/app").await;
        assert_eq!(today.status, StatusCode::OK);
        assert!(today.shows("Viewer (read only)"));
    })
    .await;
}

#[tokio::test]
async fn the_installable_app_has_a_manifest_icons_a_worker_and_an_offline_page() {
    let app = TestApp::new(store::testing::sqlite().await);
    let m = app
        .web_request(Method::GET, "/app/manifest.webmanifest", None, &[], None)
        .await;
    assert_eq!(m.status, StatusCode::OK);
    let manifest: serde_json::Value = serde_json::from_str(&m.body).unwrap();
    assert_eq!(manifest["start_url"], "/app");
    assert_eq!(manifest["display"], "standalone");
    for icon in manifest["icons"].as_array().unwrap() {
        let src = icon["src"].as_str().unwrap();
        let r = app.web_request(Method::GET, src, None, &[], None).await;
        assert_eq!(r.status, StatusCode::OK, "{src}");
    }
    let sw = app
        .web_request(Method::GET, "/app/sw.js", None, &[], None)
        .await;
    assert!(sw.body.contains("/app/offline") && !sw.body.contains("__VERSION__"));
    let offline = app
        .web_request(Method::GET, "/app/offline", None, &[], None)
        .await;
    assert!(offline.shows("You are offline") && offline.shows("Estás sin conexión"));
    let missing = app
        .web_request(Method::GET, "/app/static/nope.js", None, &[], None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("<html"),
        "a fault is a page, not a JSON envelope"
    );
}

#[tokio::test]
async fn pages_speak_the_business_language() {
    let app = TestApp::new(store::testing::sqlite().await);
    let owner = app.register("empanadas", "restaurant").await;
    let web = app.web(&owner).await;
    let today = app.page(&web, "/app").await;
    assert!(today.body.contains("lang=\"es\""));
    assert!(
        today.shows("Pedidos") && today.shows("Cocina"),
        "the restaurant's menu, in Spanish"
    );
    let login = app
        .web_request(
            Method::GET,
            "/login",
            None,
            &[("accept-language", "es-AR,es;q=0.9")],
            None,
        )
        .await;
    assert!(login.shows("Ingresar"));
}

#[tokio::test]
async fn today_shows_the_businesss_figures_and_todays_orders_and_not_another_businesss() {
    on_every_backend(|app| async move {
        let owner = app.register("figures", "tailor").await;
        let other = app.register("elsewhere", "tailor").await;
        let ada = app.customer(&owner, "Ada Obi", "+2348030000101").await;
        let ada_id = ada["id"].as_str().unwrap();
        // Due in two hours (Lagos time still today unless it is late evening;
        // the deadline is the clock's now, so the card is always today's).
        let due = engine::clock::Clock::now(&app.clock).to_rfc3339();
        let first = app
            .order(&owner, ada_id, serde_json::json!({"deadline": due}))
            .await;
        app.order(&owner, ada_id, serde_json::json!({})).await;
        let paid = app
            .post(
                "/api/v1/payments/manual",
                &owner.token,
                serde_json::json!({"order_id": first["id"], "amount": 1_500_000, "method": "cash", "type": "deposit"}),
            )
            .await;
        assert_eq!(paid.status, StatusCode::CREATED, "{:?}", paid.body);
        let stranger = app.customer(&other, "Stranger", "+2348030000102").await;
        app.order(&other, stranger["id"].as_str().unwrap(), serde_json::json!({"deadline": due}))
            .await;

        let web = app.web(&owner).await;
        let today = app.page(&web, "/app").await;
        assert_eq!(today.status, StatusCode::OK);
        let stat = |name: &str| {
            today
                .body
                .split(&format!("data-stat=\"{name}\""))
                .nth(1)
                .and_then(|s| s.split("class=\"value\">").nth(1))
                .and_then(|s| s.split('<').next())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(stat("active"), "2", "two active orders of this business only");
        // ₦45,000 + ₦45,000 ordered, ₦15,000 paid: ₦75,000 still owed.
        assert_eq!(stat("pending"), "₦75,000");
        assert_eq!(stat("revenue"), "₦15,000");
        assert!(today.shows(first["order_ref"].as_str().unwrap()), "today's order is a card");
        assert!(today.shows("Ada Obi"));
        assert!(!today.shows("Stranger"));
    })
    .await;
}

#[tokio::test]
async fn signing_in_with_a_whatsapp_code_through_the_pages() {
    on_every_backend(|app| async move {
        let owner = app.register("phonein", "shop").await;
        let r = app
            .post(
                "/api/v1/users",
                &owner.token,
                serde_json::json!({"name": "Wanjiru", "email": "w@phonein.ke", "password": "password123", "role": "staff", "phone": "+254711000111"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let login = app
            .web_request(Method::GET, "/login?phone=%2B", None, &[], None)
            .await;
        let (pre, token) = pre_token(&login);
        let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
            let pre = pre.clone();
            let token = token.clone();
            let app = &app;
            async move {
                let mut all = vec![("_csrf", token)];
                all.extend(fields);
                let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.web_request(
                    Method::POST,
                    path,
                    None,
                    &[("cookie", &pre)],
                    Some(encode(&refs)),
                )
                .await
            }
        };
        let bad = post("/login/code", vec![("phone", "12".into())]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("id=\"phone-err\""), "{}", bad.body);

        let sent = post("/login/code", vec![("phone", "+254 711 000111".into())]).await;
        assert_eq!(sent.status, StatusCode::OK);
        assert!(sent.shows("a code is on its way"));
        assert!(
            sent.body.contains("action=\"/login/verify\""),
            "asks for the code next"
        );
        let msgs = store::outbox::for_recipient(&app.state.db, "+254711000111")
            .await
            .unwrap();
        let code = msgs
            .first()
            .expect("the code went to the outbox")
            .body
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();

        let wrong = post(
            "/login/verify",
            vec![("phone", "+254711000111".into()), ("code", "000000".into())],
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.shows("The code is wrong or has expired."));
        assert!(session_cookie(&wrong.set_cookies).is_none());

        let ok = post(
            "/login/verify",
            vec![("phone", "+254711000111".into()), ("code", code.clone())],
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert!(session_cookie(&ok.set_cookies).is_some());
        let again = post(
            "/login/verify",
            vec![("phone", "+254711000111".into()), ("code", code)],
        )
        .await;
        assert_eq!(
            again.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a code works once"
        );
    })
    .await;
}
