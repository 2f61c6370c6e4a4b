//! Drives the real router in process against a real database.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

pub mod browser;
pub mod chat;
pub mod dashboard;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use engine::clock::ManualClock;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use server::config::Config;
use server::state::AppState;
use std::net::SocketAddr;
use store::Db;
use tower::ServiceExt;

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    /// The time every service and the chat engine read; tests move it.
    pub clock: ManualClock,
}

/// A response: status and JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
}

impl Resp {
    /// The field errors of an error envelope.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.body["error"]["fields"][name].as_str()
    }
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

/// A logged-in owner of a new business.
#[derive(Debug, Clone)]
pub struct Owner {
    pub token: String,
    pub refresh: String,
    pub tenant_id: String,
    pub user_id: String,
}

/// The app secret test webhooks are signed with (protocols.md §1.2).
pub const APP_SECRET: &str = "test_app_secret";
pub const VERIFY_TOKEN: &str = "test-verify-token";
/// The operator API's bearer token in tests.
pub const OPERATOR_TOKEN: &str = "test-operator-token";
/// Signs the sandbox payment provider's webhooks in tests.
pub const SANDBOX_PAY_SECRET: &str = "test-sandbox-pay-secret";

impl TestApp {
    pub fn new(db: Db) -> Self {
        Self::with_config(db, Config::default())
    }

    /// With WhatsApp configured: the test app secret and verify token, and
    /// Graph API calls to `api_base` (a mock server). No conversation
    /// engine: the channel's own tests see only what they send.
    pub fn whatsapp(db: Db, api_base: &str) -> Self {
        Self::whatsapp_with(db, whatsapp_config(api_base))
    }

    /// [`TestApp::whatsapp`] with a configuration the test changed.
    pub fn whatsapp_with(db: Db, config: Config) -> Self {
        Self::build(db, config, None, ManualClock::starting_now())
    }

    /// WhatsApp with the chat engine answering, its clock fixed at `now`.
    pub fn chat(db: Db, api_base: &str, now: chrono::DateTime<chrono::Utc>) -> Self {
        let understand = std::sync::Arc::new(understand::BuiltIn);
        let clock = ManualClock::at(now);
        let engine = engine::chat::ChatEngine::new(understand)
            .with_clock(std::sync::Arc::new(clock.clone()));
        Self::build(
            db,
            whatsapp_config(api_base),
            Some(std::sync::Arc::new(engine)),
            clock,
        )
    }

    /// WhatsApp with the chat engine (clock at `now`) and the platform's
    /// onboarding number `onboarding_pnid` configured, with the operator
    /// API's token [`OPERATOR_TOKEN`].
    pub fn onboarding(db: Db, onboarding_pnid: &str, now: chrono::DateTime<chrono::Utc>) -> Self {
        let config = Config {
            onboarding_phone_number_id: Some(onboarding_pnid.to_string()),
            operator_token: Some(OPERATOR_TOKEN.to_string().into()),
            public_url: Some("https://sokoni.example".into()),
            ..whatsapp_config("http://127.0.0.1:9")
        };
        let clock = ManualClock::at(now);
        let engine = engine::chat::ChatEngine::new(std::sync::Arc::new(understand::BuiltIn))
            .with_clock(std::sync::Arc::new(clock.clone()));
        Self::build(db, config, Some(std::sync::Arc::new(engine)), clock)
    }

    /// WhatsApp and payments: the chat engine (clock at `now`) sends
    /// deposit links, the sandbox provider is on, and customers and
    /// providers reach the server at `public_url` (a listener the test
    /// serves `router` on).
    pub fn payments(db: Db, public_url: &str, now: chrono::DateTime<chrono::Utc>) -> Self {
        let config = Config {
            public_url: Some(public_url.to_string()),
            sandbox_payments_secret: Some(SANDBOX_PAY_SECRET.to_string().into()),
            mpesa_query_after_secs: 1,
            ..whatsapp_config("http://127.0.0.1:9")
        };
        let clock = ManualClock::at(now);
        let engine = engine::chat::ChatEngine::new(std::sync::Arc::new(understand::BuiltIn))
            .with_clock(std::sync::Arc::new(clock.clone()))
            .with_payments(server::pay_settings(&config));
        Self::build(db, config, Some(std::sync::Arc::new(engine)), clock)
    }

    /// WhatsApp with a conversation engine of the test's own.
    pub fn with_engine(
        db: Db,
        engine: std::sync::Arc<dyn engine::conversation::ConversationEngine>,
    ) -> Self {
        Self::build(
            db,
            whatsapp_config("http://127.0.0.1:9"),
            Some(engine),
            ManualClock::starting_now(),
        )
    }

    pub fn with_config(db: Db, config: Config) -> Self {
        let clock = ManualClock::starting_now();
        let engine = engine::chat::ChatEngine::new(std::sync::Arc::new(understand::BuiltIn))
            .with_clock(std::sync::Arc::new(clock.clone()));
        Self::build(db, config, Some(std::sync::Arc::new(engine)), clock)
    }

    fn build(
        db: Db,
        config: Config,
        engine: Option<std::sync::Arc<dyn engine::conversation::ConversationEngine>>,
        clock: ManualClock,
    ) -> Self {
        let secret =
            secrecy::SecretString::from("test-secret-key-that-is-long-enough-1234".to_string());
        let state = server::state_with_clock(
            db,
            &secret,
            config,
            engine,
            std::sync::Arc::new(clock.clone()),
        );
        let router = server::app::router(state.clone())
            .layer(MockConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5555))));
        TestApp {
            state,
            router,
            clock,
        }
    }
}

pub fn whatsapp_config(api_base: &str) -> Config {
    Config {
        wa_app_secret: Some(APP_SECRET.to_string().into()),
        wa_verify_token: Some(VERIFY_TOKEN.to_string().into()),
        wa_api_base: api_base.to_string(),
        wa_timeout_secs: 2,
        data_dir: std::env::temp_dir().join(format!("sokoni-test-data-{}", uuid::Uuid::now_v7())),
        // The simulator and the sandbox checkout, without logins, as in `demo`.
        demo: true,
        ..Config::default()
    }
}

impl TestApp {
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        self.raw(
            method,
            path,
            token,
            body.map(|b| ("application/json", b.to_string())),
        )
        .await
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, String)>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some((ct, b)) => req.header(header::CONTENT_TYPE, ct).body(Body::from(b)),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp { status, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.request(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Resp {
        self.request(Method::PATCH, path, Some(token), Some(body))
            .await
    }
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Resp {
        self.request(Method::PUT, path, Some(token), Some(body))
            .await
    }
    pub async fn public_post(&self, path: &str, body: Value) -> Resp {
        self.request(Method::POST, path, None, Some(body)).await
    }

    /// Registers a business of `vertical` with an owner `<slug>@example.com`.
    pub async fn register(&self, slug: &str, vertical: &str) -> Owner {
        let (currency, tz, locale) = match vertical {
            "shop" => ("KES", "Africa/Nairobi", "en-KE"),
            "restaurant" => ("ARS", "America/Argentina/Buenos_Aires", "es-AR"),
            _ => ("NGN", "Africa/Lagos", "en-NG"),
        };
        let r = self
            .public_post(
                "/api/v1/auth/register",
                json!({
                    "business": {"name": format!("Business {slug}"), "slug": slug, "vertical": vertical,
                                 "currency": currency, "timezone": tz, "locale": locale},
                    "owner": {"name": "Owner", "email": format!("{slug}@example.com"), "password": "password123"}
                }),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "register {slug}: {:?}",
            r.body
        );
        session(&r.body)
    }

    /// Adds a user of `role` to the owner's business and logs them in.
    pub async fn add_user(&self, owner: &Owner, email: &str, role: &str) -> Owner {
        let r = self
            .post(
                "/api/v1/users",
                &owner.token,
                json!({"name": role, "email": email, "password": "password123", "role": role}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        self.login(email, "password123").await
    }

    pub async fn login(&self, email: &str, password: &str) -> Owner {
        let r = self
            .public_post(
                "/api/v1/auth/login",
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        session(&r.body)
    }

    /// Marks templates (name, language) approved for the owner's business,
    /// as Meta would: a send outside the window may then name them.
    pub async fn approve(&self, owner: &Owner, templates: &[(&str, &str)]) {
        let tenant = domain::TenantId(owner.tenant_id.parse().unwrap());
        for (name, language) in templates {
            store::templates::upsert(
                &self.state.db,
                tenant,
                &store::templates::Upsert {
                    waba_id: "test-waba",
                    name,
                    language,
                    category: "utility",
                    status: "approved",
                    reason: None,
                    meta_id: None,
                    body: "",
                    params: 0,
                    components: &json!([]),
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        }
    }

    pub async fn customer(&self, owner: &Owner, name: &str, phone: &str) -> Value {
        let r = self
            .post(
                "/api/v1/customers",
                &owner.token,
                json!({"name": name, "phone": phone}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }

    pub async fn order(&self, owner: &Owner, customer_id: &str, extra: Value) -> Value {
        let mut body = json!({"customer_id": customer_id, "style_name": "Senator", "price": 4_500_000, "deposit_amount": 1_500_000});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = self.post("/api/v1/orders", &owner.token, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }
}

pub fn session(body: &Value) -> Owner {
    Owner {
        token: body["access_token"].as_str().unwrap().to_string(),
        refresh: body["refresh_token"].as_str().unwrap().to_string(),
        tenant_id: body["tenant"]["id"].as_str().unwrap().to_string(),
        user_id: body["user"]["id"].as_str().unwrap().to_string(),
    }
}

/// Runs `scenario` on SQLite, and on PostgreSQL when configured.
pub async fn on_every_backend<F, Fut>(scenario: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        scenario(TestApp::new(db)).await;
    }
}
