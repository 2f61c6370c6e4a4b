//! A scripted WhatsApp customer for transcript tests: signed webhook
//! deliveries, the jobs run in the test, and the business's replies
//! rendered as the customer's phone shows them.

use super::{APP_SECRET, Owner, TestApp};
use axum::http::StatusCode;
use channels::outbound::OutMessage;
use chrono::Utc;
use domain::TenantId;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use store::Db;

static WAMID: AtomicU64 = AtomicU64::new(1);

/// One business on a sandbox number, with the demo catalog.
pub struct Biz {
    pub owner: Owner,
    pub tenant: TenantId,
    pub pnid: String,
}

pub async fn business(app: &TestApp, slug: &str, vertical: &str, locale: &str, pnid: &str) -> Biz {
    let (currency, tz) = match (vertical, locale) {
        ("shop", _) => ("KES", "Africa/Nairobi"),
        (_, l) if l.starts_with("es") => ("ARS", "America/Argentina/Buenos_Aires"),
        _ => ("NGN", "Africa/Lagos"),
    };
    let r = app
        .public_post(
            "/api/v1/auth/register",
            json!({
                "business": {"name": format!("Biz {slug}"), "slug": slug, "vertical": vertical,
                             "currency": currency, "timezone": tz, "locale": locale},
                "owner": {"name": "Owner", "email": format!("{slug}@example.com"),
                          "password": "password123", "phone": format!("+23480{}", &pnid[pnid.len() - 8..])}
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let owner = super::session(&r.body);
    let r = app
        .post(
            "/api/v1/whatsapp/numbers",
            &owner.token,
            json!({"phone_number_id": pnid, "display_phone_number": "+1 555 000 0000", "sandbox": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let tenant = TenantId(owner.tenant_id.parse().unwrap());
    let t = store::tenants::get(&app.state.db, tenant).await.unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    server::demo_catalog::seed(&mut tx, tenant, t.vertical, t.currency)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Biz {
        owner,
        tenant,
        pnid: pnid.to_string(),
    }
}

/// A customer writing to one business, and the transcript so far.
pub struct Customer<'a> {
    biz: &'a Biz,
    wa_id: String,
    name: String,
    /// Outbound messages already in the transcript.
    seen: usize,
    pub log: String,
    /// The last bot message with buttons or rows, to tap by title.
    last_choices: Vec<(String, String)>,
}

impl<'a> Customer<'a> {
    pub fn new(biz: &'a Biz, wa_id: &str, name: &str) -> Self {
        Customer {
            biz,
            wa_id: wa_id.into(),
            name: name.into(),
            seen: 0,
            log: String::new(),
            last_choices: Vec::new(),
        }
    }

    pub fn message(&self, kind: &str, body: Value) -> Value {
        let n = WAMID.fetch_add(1, Ordering::SeqCst);
        let mut m = json!({
            "from": self.wa_id,
            "id": format!("wamid.chat{n}"),
            "timestamp": Utc::now().timestamp().to_string(),
            "type": kind,
        });
        m[kind] = body;
        m
    }

    /// Posts the message through the signed webhook (not yet processed).
    pub async fn post(&mut self, app: &TestApp, message: Value, shown: String) {
        self.log.push_str(&format!("> {shown}\n"));
        let env = channels::inbound::envelope(
            &self.biz.pnid,
            "15550000000",
            json!({
                "contacts": [{"profile": {"name": self.name}, "wa_id": self.wa_id}],
                "messages": [message],
            }),
        )
        .to_string();
        let sig = channels::signature::sign(APP_SECRET.as_bytes(), env.as_bytes());
        let r = app.webhook(&env, &sig).await;
        assert_eq!(r, StatusCode::OK);
    }

    pub async fn say(&mut self, app: &TestApp, text: &str) {
        let m = self.message("text", json!({"body": text}));
        self.post(app, m, text.to_string()).await;
        self.replies(app).await;
    }

    /// Taps the button or list row titled `title` in the last choices.
    pub async fn tap(&mut self, app: &TestApp, title: &str) {
        let id = self
            .last_choices
            .iter()
            .find(|(_, t)| t == title)
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| {
                panic!(
                    "no choice {title:?} in {:?}\n{}",
                    self.last_choices, self.log
                )
            });
        let m = if id.starts_with("ful:") || id.starts_with("pay:") || self.is_button(&id) {
            self.message(
                "interactive",
                json!({"type": "button_reply", "button_reply": {"id": id, "title": title}}),
            )
        } else {
            self.message(
                "interactive",
                json!({"type": "list_reply", "list_reply": {"id": id, "title": title}}),
            )
        };
        self.post(app, m, format!("[{title}]")).await;
        self.replies(app).await;
    }

    pub fn wa_id(&self) -> &str {
        &self.wa_id
    }

    /// Presses a reply button by its id (the staff's questions, which are
    /// not in a customer's transcript).
    pub async fn press(&mut self, app: &TestApp, id: &str, title: &str) {
        let m = self.message(
            "interactive",
            json!({"type": "button_reply", "button_reply": {"id": id, "title": title}}),
        );
        self.post(app, m, format!("[{title}]")).await;
        self.replies(app).await;
    }

    /// Replies to the business's message `wamid` (WhatsApp's reply-to).
    pub async fn reply_to(&mut self, app: &TestApp, wamid: &str, text: &str) {
        let mut m = self.message("text", json!({"body": text}));
        m["context"] = json!({"from": "15550000000", "id": wamid});
        self.post(app, m, format!("(replying) {text}")).await;
        self.replies(app).await;
    }

    fn is_button(&self, id: &str) -> bool {
        !id.starts_with("cat:")
            && !id.starts_with("add:")
            && !id.starts_with("zone:")
            && !id.starts_with("rm:")
    }

    pub async fn location(&mut self, app: &TestApp, lat: f64, lng: f64, name: &str) {
        let m = self.message(
            "location",
            json!({"latitude": lat, "longitude": lng, "name": name}),
        );
        self.post(app, m, format!("📍 {name}")).await;
        self.replies(app).await;
    }

    pub async fn catalog_order(&mut self, app: &TestApp, items: &[(&str, i64)]) {
        let items: Vec<Value> = items
            .iter()
            .map(|(sku, q)| json!({"product_retailer_id": sku, "quantity": q, "item_price": 1200.0, "currency": "ARS"}))
            .collect();
        let m = self.message(
            "order",
            json!({"catalog_id": "CAT1", "product_items": items}),
        );
        self.post(app, m, "(cart from the catalog)".into()).await;
        self.replies(app).await;
    }

    /// Runs the jobs, then appends the business's new messages.
    pub async fn replies(&mut self, app: &TestApp) {
        drain(app).await;
        self.collect(&app.state.db).await;
    }

    pub async fn collect(&mut self, db: &Db) {
        let all = outbound(db, self.biz.tenant, &self.wa_id).await;
        for m in &all[self.seen..] {
            let (text, choices) = render(m);
            if !choices.is_empty() {
                self.last_choices = choices;
            }
            for line in text.lines() {
                self.log.push_str(&format!("  {line}\n"));
            }
        }
        self.seen = all.len();
    }
}

impl TestApp {
    pub async fn webhook(&self, body: &str, sig: &str) -> StatusCode {
        use axum::body::Body;
        use axum::http::{Method, Request};
        use tower::ServiceExt;
        let req = Request::builder()
            .method(Method::POST)
            .uri("/webhook/whatsapp")
            .header("content-type", "application/json")
            .header("x-hub-signature-256", sig)
            .body(Body::from(body.to_string()))
            .unwrap();
        self.router.clone().oneshot(req).await.unwrap().status()
    }
}

pub async fn drain(app: &TestApp) {
    let registry = engine::registry(app.state.services.clone());
    engine::worker::run_due(&app.state.db, &registry, "test-worker")
        .await
        .unwrap();
}

/// The business's messages to `wa_id`, oldest first, as sent.
pub async fn outbound(db: &Db, tenant: TenantId, wa_id: &str) -> Vec<OutMessage> {
    let sql = "SELECT m.content FROM wa_messages m JOIN customers c ON c.id = m.customer_id \
               WHERE m.tenant_id = $1 AND c.wa_id = $2 AND m.direction = 'outbound' \
               ORDER BY m.created_at, m.id";
    let rows: Vec<String> = match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(tenant.0)
            .bind(wa_id)
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar::<_, sqlx::types::Json<Value>>(
            "SELECT m.content FROM wa_messages m JOIN customers c ON c.id = m.customer_id \
             WHERE m.tenant_id = $1 AND c.wa_id = $2 AND m.direction = 'outbound' \
             ORDER BY m.created_at, m.id",
        )
        .bind(tenant.0)
        .bind(wa_id)
        .fetch_all(p)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.0.to_string())
        .collect(),
    };
    rows.iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect()
}

/// A message as the customer's phone shows it, and its tappable choices
/// (id, title). Every message must be within Meta's limits.
pub fn render(m: &OutMessage) -> (String, Vec<(String, String)>) {
    m.validate()
        .unwrap_or_else(|e| panic!("{m:?} breaks a limit: {e:?}"));
    match m {
        OutMessage::Text { body, .. } => (body.clone(), Vec::new()),
        OutMessage::Buttons { body, buttons, .. } => {
            let row = buttons
                .iter()
                .map(|b| format!("[{}]", b.title))
                .collect::<Vec<_>>()
                .join(" ");
            (
                format!("{body}\n{row}"),
                buttons
                    .iter()
                    .map(|b| (b.id.clone(), b.title.clone()))
                    .collect(),
            )
        }
        OutMessage::List {
            body,
            button,
            sections,
            ..
        } => {
            let mut out = format!("{body}\n≡ {button}");
            let mut choices = Vec::new();
            for s in sections {
                if let Some(t) = &s.title {
                    out.push_str(&format!("\n  # {t}"));
                }
                for r in &s.rows {
                    out.push_str(&format!("\n  - {}", r.title));
                    if let Some(d) = &r.description {
                        out.push_str(&format!(" ({d})"));
                    }
                    choices.push((r.id.clone(), r.title.clone()));
                }
            }
            (out, choices)
        }
        other => (format!("{other:?}"), Vec::new()),
    }
}

pub async fn count(db: &Db, sql: &str, tenant: TenantId) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(tenant.0)
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql)
            .bind(tenant.0)
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

pub async fn stock(db: &Db, tenant: TenantId, sku: &str) -> (i64, i64) {
    let p = store::products::by_sku(db, tenant, sku)
        .await
        .unwrap()
        .unwrap();
    (p.stock_on_hand, p.reserved)
}

/// What the business sent a staff phone (not a customer's thread), oldest
/// first.
/// What the business sent a staff phone, as sent, oldest first.
pub async fn outbound_to_staff(db: &Db, tenant: TenantId, wa: &str) -> Vec<OutMessage> {
    let sql = "SELECT content FROM wa_messages WHERE tenant_id = $1 AND customer_id IS NULL \
               AND direction = 'outbound' AND to_number = $2 ORDER BY created_at, id";
    let rows: Vec<String> = match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(tenant.0)
            .bind(wa)
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar::<_, sqlx::types::Json<Value>>(sql)
            .bind(tenant.0)
            .bind(wa)
            .fetch_all(p)
            .await
            .unwrap()
            .into_iter()
            .map(|j| j.0.to_string())
            .collect(),
    };
    rows.iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect()
}

/// What the business sent a staff phone, oldest first: its WhatsApp id
/// (once sent) and its text.
async fn staff_rows(db: &Db, tenant: TenantId, wa: &str) -> Vec<(Option<String>, String)> {
    let sql = "SELECT wa_message_id, body FROM wa_messages WHERE tenant_id = $1 AND customer_id IS NULL \
               AND direction = 'outbound' AND to_number = $2 ORDER BY created_at, id";
    match db {
        Db::Sqlite(p) => {
            sqlx::query_as(sql)
                .bind(tenant.0)
                .bind(wa)
                .fetch_all(p)
                .await
        }
        Db::Postgres(p) => {
            sqlx::query_as(sql)
                .bind(tenant.0)
                .bind(wa)
                .fetch_all(p)
                .await
        }
    }
    .unwrap()
}

/// The sent ones of [`staff_rows`], with their WhatsApp ids (to reply to).
pub async fn to_staff_sent(db: &Db, tenant: TenantId, wa: &str) -> Vec<(String, String)> {
    staff_rows(db, tenant, wa)
        .await
        .into_iter()
        .filter_map(|(id, body)| id.map(|id| (id, body)))
        .collect()
}

/// The texts of [`staff_rows`].
pub async fn to_staff(db: &Db, tenant: TenantId, wa: &str) -> Vec<String> {
    staff_rows(db, tenant, wa)
        .await
        .into_iter()
        .map(|(_, body)| body)
        .collect()
}
