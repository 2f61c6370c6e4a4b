//! Orders: the pipeline as a kanban (one column per stage of the business's
//! vertical, cards moved by drag and drop, a "move on" button or a stage
//! picker), an order's panel (what was ordered, the measurements it holds,
//! its stage history, payments and the WhatsApp thread), the quick order
//! form, and the kitchen view for restaurants.
//!
//! Every move goes through `engine::orders::change_stage`, as the API's
//! does; every read through `engine::dashboard` or the store's own reads.

use super::words::{Table, Words};
use super::{EditPage, Fault, Page, format, redirect_with, render, render_status};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use domain::order::{Source, Stage, pipeline};
use domain::tenant::Vertical;
use domain::{Currency, E164, OrderId};
use engine::dashboard::{BoardFilter, Card, Urgency};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

pub const WORDS: Table = &[
    ("orders.title", "Orders", "Pedidos"),
    ("orders.kitchen", "Kitchen", "Cocina"),
    ("orders.stage.received", "Received", "Recibido"),
    ("orders.stage.cutting", "Cutting", "Corte"),
    ("orders.stage.sewing", "Sewing", "Costura"),
    ("orders.stage.fitting", "Fitting", "Prueba"),
    ("orders.stage.preparing", "Preparing", "En preparación"),
    ("orders.stage.packed", "Packed", "Empacado"),
    ("orders.stage.ready", "Ready", "Listo"),
    ("orders.stage.out_for_delivery", "On its way", "En camino"),
    ("orders.stage.delivered", "Delivered", "Entregado"),
    ("orders.stage.cancelled", "Cancelled", "Cancelado"),
    ("orders.source.whatsapp", "WhatsApp", "WhatsApp"),
    ("orders.source.dashboard", "Dashboard", "Panel"),
    ("orders.source.walk_in", "Walk-in", "En el local"),
    ("orders.source.api", "API", "API"),
    ("orders.filter.stage", "Stage", "Etapa"),
    ("orders.filter.any_stage", "Any stage", "Cualquier etapa"),
    ("orders.filter.source", "Source", "Origen"),
    ("orders.filter.any_source", "Any source", "Cualquier origen"),
    ("orders.filter.due_from", "Due from", "Entrega desde"),
    ("orders.filter.due_to", "Due until", "Entrega hasta"),
    ("orders.filter.q", "Ref or customer", "Número o cliente"),
    (
        "orders.filter.q_hint",
        "SEW-0042, a name or a phone",
        "PED-0042, un nombre o un teléfono",
    ),
    (
        "orders.capped",
        "Showing the first {n} orders: narrow the filters to see the rest.",
        "Se muestran los primeros {n} pedidos: filtrá para ver el resto.",
    ),
    ("orders.count", "{n} orders", "{n} pedidos"),
    ("orders.empty_column", "None", "Ninguno"),
    ("orders.move_next", "Move to {stage}", "Pasar a {stage}"),
    ("orders.move_to", "Move to", "Pasar a"),
    ("orders.move", "Move", "Mover"),
    (
        "orders.moved",
        "{ref} moved to {stage}.",
        "{ref} pasó a {stage}.",
    ),
    ("orders.due", "Due {date}", "Entrega {date}"),
    ("orders.no_due", "No due date", "Sin fecha"),
    ("orders.overdue", "Overdue", "Atrasado"),
    ("orders.urgent", "Urgent", "Urgente"),
    ("orders.balance", "{amount} due", "Debe {amount}"),
    ("orders.paid_up", "Paid", "Pagado"),
    (
        "orders.deposit_missing",
        "Deposit not paid",
        "Seña sin pagar",
    ),
    ("orders.open", "Open {ref}", "Abrir {ref}"),
    ("orders.new", "New order", "Pedido nuevo"),
    ("orders.new.phone", "Customer's WhatsApp number", "WhatsApp del cliente"),
    (
        "orders.new.phone_hint",
        "Local or international, like 0803 123 4567",
        "Local o internacional, como 11 2345 6789",
    ),
    ("orders.new.name", "Customer's name", "Nombre del cliente"),
    (
        "orders.new.name_hint",
        "Kept when the customer is already known",
        "Si el cliente ya existe, se mantiene su nombre",
    ),
    ("orders.new.what_tailor", "Style", "Modelo"),
    ("orders.new.what_items", "What was ordered", "Qué pidió"),
    ("orders.new.price", "Price", "Precio"),
    ("orders.new.due", "Due date", "Fecha de entrega"),
    ("orders.new.submit", "Create order", "Crear pedido"),
    (
        "orders.new.created",
        "Order {ref} created.",
        "Pedido {ref} creado.",
    ),
    (
        "orders.new.bad_phone",
        "This is not a phone number we can reach. Write it like 0803 123 4567 or +234 803 123 4567.",
        "No es un número al que podamos escribir. Escribilo como 11 2345 6789 o +54 9 11 2345 6789.",
    ),
    ("orders.new.required", "Fill this in.", "Completá este campo."),
    (
        "orders.new.too_long",
        "That is too long.",
        "Es demasiado largo.",
    ),
    (
        "orders.new.bad_price",
        "Write the price as a number, like 45000.",
        "Escribí el precio como un número, por ejemplo 45000.",
    ),
    (
        "orders.new.bad_date",
        "Pick a date from the calendar.",
        "Elegí una fecha del calendario.",
    ),
    (
        "orders.new.past_date",
        "That day has already passed.",
        "Ese día ya pasó.",
    ),
    (
        "orders.new.fix",
        "Some fields need a look.",
        "Hay campos para revisar.",
    ),
    ("orders.detail.customer", "Customer", "Cliente"),
    ("orders.detail.what", "What", "Qué"),
    ("orders.detail.style", "Style", "Modelo"),
    ("orders.detail.fabric", "Fabric", "Tela"),
    ("orders.detail.details", "Details", "Detalles"),
    ("orders.detail.notes", "Notes", "Notas"),
    ("orders.detail.quantity", "Quantity", "Cantidad"),
    ("orders.detail.items", "Items", "Productos"),
    ("orders.detail.item", "Item", "Producto"),
    ("orders.detail.qty", "Qty", "Cant."),
    ("orders.detail.total", "Total", "Total"),
    ("orders.detail.price", "Price", "Precio"),
    ("orders.detail.paid", "Paid", "Pagado"),
    ("orders.detail.balance", "Balance", "Saldo"),
    ("orders.detail.deposit", "Deposit", "Seña"),
    ("orders.detail.delivery", "Delivery", "Envío"),
    ("orders.detail.pickup", "Pickup", "Retira"),
    ("orders.detail.address", "Address", "Dirección"),
    ("orders.detail.measurements", "Measurements", "Medidas"),
    (
        "orders.detail.measurements_version",
        "Version {n}, taken {date}, in {unit}",
        "Versión {n}, tomada el {date}, en {unit}",
    ),
    (
        "orders.detail.no_measurements",
        "This order holds no measurements.",
        "Este pedido no tiene medidas.",
    ),
    ("orders.detail.chest", "Chest", "Pecho"),
    ("orders.detail.waist", "Waist", "Cintura"),
    ("orders.detail.hip", "Hip", "Cadera"),
    ("orders.detail.shoulder", "Shoulder", "Hombros"),
    ("orders.detail.sleeve", "Sleeve", "Manga"),
    ("orders.detail.inseam", "Inseam", "Entrepierna"),
    ("orders.detail.neck", "Neck", "Cuello"),
    ("orders.detail.history", "Stage history", "Historial de etapas"),
    ("orders.detail.by", "by {name}", "por {name}"),
    ("orders.detail.by_system", "automatically", "automático"),
    ("orders.detail.payments", "Payments", "Pagos"),
    (
        "orders.detail.no_payments",
        "No payments yet.",
        "Todavía no hay pagos.",
    ),
    ("orders.detail.pay_status", "Status", "Estado"),
    ("orders.detail.amount", "Amount", "Monto"),
    ("orders.detail.method", "Method", "Medio"),
    ("orders.detail.paid_at", "Paid at", "Pagado el"),
    ("orders.detail.created_at", "Created", "Creado"),
    ("orders.detail.thread", "WhatsApp", "WhatsApp"),
    (
        "orders.detail.no_thread",
        "No WhatsApp messages with this customer yet.",
        "Todavía no hay mensajes de WhatsApp con este cliente.",
    ),
    (
        "orders.detail.reply",
        "Reply from the customer's page",
        "Responder desde la página del cliente",
    ),
    ("orders.detail.voice", "Voice note", "Nota de voz"),
    ("orders.detail.image", "Photo", "Foto"),
    ("orders.detail.full", "Open as a page", "Abrir como página"),
    ("orders.pay.pending", "Waiting", "Pendiente"),
    ("orders.pay.paid", "Paid", "Pagado"),
    ("orders.pay.failed", "Failed", "Falló"),
    ("orders.pay.expired", "Expired", "Vencido"),
    ("orders.pay.other", "Other", "Otro"),
    ("orders.kitchen.none", "No orders today yet.", "Todavía no hay pedidos hoy."),
    ("orders.kitchen.tap", "Tap to move on", "Tocá para avanzar"),
    ("orders.kitchen.placed", "Placed {time}", "Pedido a las {time}"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/orders", get(board).post(create))
        .route("/app/orders/{id}", get(detail))
        .route("/app/orders/{id}/stage", post(move_stage))
        .route("/app/kitchen", get(kitchen))
}

// ---- words for domain values ----------------------------------------------

/// Takes a stage or a reference to one (templates pass either).
pub fn stage_key(s: impl std::borrow::Borrow<Stage>) -> &'static str {
    match s.borrow() {
        Stage::Received => "orders.stage.received",
        Stage::Cutting => "orders.stage.cutting",
        Stage::Sewing => "orders.stage.sewing",
        Stage::Fitting => "orders.stage.fitting",
        Stage::Preparing => "orders.stage.preparing",
        Stage::Packed => "orders.stage.packed",
        Stage::Ready => "orders.stage.ready",
        Stage::OutForDelivery => "orders.stage.out_for_delivery",
        Stage::Delivered => "orders.stage.delivered",
        Stage::Cancelled => "orders.stage.cancelled",
    }
}

pub fn source_key(s: impl std::borrow::Borrow<Source>) -> &'static str {
    match s.borrow() {
        Source::Whatsapp => "orders.source.whatsapp",
        Source::Dashboard => "orders.source.dashboard",
        Source::WalkIn => "orders.source.walk_in",
        Source::Api => "orders.source.api",
    }
}

fn pay_key(status: &str) -> &'static str {
    match status {
        "pending" | "initiated" => "orders.pay.pending",
        "paid" => "orders.pay.paid",
        "failed" => "orders.pay.failed",
        "expired" | "superseded" => "orders.pay.expired",
        _ => "orders.pay.other",
    }
}

const SOURCES: [Source; 4] = [Source::Whatsapp, Source::Dashboard, Source::WalkIn, Source::Api];

// ---- answers: JSON for scripts, a redirect for forms ---------------------

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json"))
}

/// A refusal as a script reads it: the API's status and code, the message
/// in the person's words.
fn json_refusal(w: Words, err: &AppError) -> Response {
    let (status, code, fields) = match err {
        AppError::Validation(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some(f.clone()),
        ),
        AppError::Conflict { code, field, .. } => (
            StatusCode::CONFLICT,
            *code,
            field
                .as_ref()
                .map(|f| BTreeMap::from([(f.clone(), explain(w, err))])),
        ),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not_found", None),
        AppError::Forbidden(_) | AppError::Unauthorized { .. } => {
            (StatusCode::FORBIDDEN, "forbidden", None)
        }
        AppError::BadRequest { status, code, .. } => (*status, *code, None),
        AppError::TooMany { code, .. } => (StatusCode::TOO_MANY_REQUESTS, *code, None),
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
    };
    let mut error = serde_json::json!({"code": code, "message": explain(w, err)});
    if let Some(f) = fields {
        error["fields"] = serde_json::json!(f);
    }
    (status, axum::Json(serde_json::json!({ "error": error }))).into_response()
}

fn explain(w: Words, err: &AppError) -> String {
    super::explain(w, err)
}

fn json_ok(message: &str, extra: serde_json::Value) -> Response {
    let mut body = serde_json::json!({"ok": true, "message": message});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    axum::Json(body).into_response()
}

/// Where a form may send the person back to: one of our pages.
fn back_to(raw: &str, fallback: &str) -> String {
    let raw = raw.trim();
    if raw.starts_with("/app") && !raw.starts_with("//") && !raw.contains('\\') {
        raw.to_string()
    } else {
        fallback.to_string()
    }
}

/// `url` with `key=value` added to its query.
fn with_param(url: &str, key: &str, value: &str) -> String {
    let (path, frag) = url.split_once('#').unwrap_or((url, ""));
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = format!("{path}{sep}{key}={value}");
    if !frag.is_empty() {
        out.push('#');
        out.push_str(frag);
    }
    out
}

fn parse_id(raw: &str) -> Result<OrderId, Fault> {
    Uuid::parse_str(raw).map(OrderId).map_err(|_| Fault::NOT_FOUND)
}

// ---- cards ------------------------------------------------------------------

/// A card as a column shows it.
pub struct CardView {
    pub c: Card,
    pub due: Option<String>,
    pub price: String,
    pub balance: Option<String>,
    /// The one-tap move.
    pub next: Option<Stage>,
    /// Every stage the order may move to (the picker).
    pub moves: Vec<Stage>,
    /// Why the last move of this card was refused.
    pub why: Option<String>,
    pub placed: String,
}

impl CardView {
    fn new(
        c: Card,
        vertical: Vertical,
        w: Words,
        tz: chrono_tz::Tz,
        now: DateTime<Utc>,
    ) -> Self {
        let today = now.with_timezone(&tz).date_naive();
        let due = c
            .deadline
            .map(|d| format::due(w, d.with_timezone(&tz).date_naive(), today));
        let balance = (c.balance_due > 0).then(|| format::money(c.balance_due, &c.currency, w));
        CardView {
            due,
            price: format::money(c.price, &c.currency, w),
            balance,
            next: engine::orders::next_stage(vertical, c.stage, c.fulfilment),
            moves: pipeline(vertical).next_stages(c.stage),
            why: None,
            placed: format::when(w, c.created_at, tz, now),
            c,
        }
    }

    pub fn moves_attr(&self) -> String {
        self.moves
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn overdue(&self) -> bool {
        self.c.urgency == Urgency::Overdue
    }

    pub fn urgent(&self) -> bool {
        self.c.urgency == Urgency::Urgent
    }

    pub fn deposit_missing(&self) -> bool {
        self.c.stage == Stage::Received && !self.c.deposit_met
    }
}

pub struct Column {
    pub stage: Stage,
    pub cards: Vec<CardView>,
}

// ---- the board --------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    due_from: String,
    #[serde(default)]
    due_to: String,
    #[serde(default)]
    q: String,
    /// The card a refused move came back to.
    #[serde(default)]
    refused: String,
}

/// The quick form's fields as typed, and what is wrong with them.
#[derive(Default, Deserialize)]
pub struct QuickForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    what: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    due: String,
    #[serde(skip)]
    errors: BTreeMap<&'static str, String>,
}

impl QuickForm {
    pub fn err(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "dashboard/orders.html")]
struct BoardPage {
    p: Page,
    columns: Vec<Column>,
    stages: Vec<Stage>,
    sources: [Source; 4],
    f: BoardQuery,
    total: usize,
    capped: bool,
    limit: i64,
    form: QuickForm,
    filtered: bool,
}

impl BoardPage {
    fn stage_selected(&self, s: &Stage) -> bool {
        self.f.stage == s.as_str()
    }
    fn source_selected(&self, s: &Source) -> bool {
        self.f.source == s.as_str()
    }
}

fn board_filter(q: &BoardQuery) -> BoardFilter {
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    BoardFilter {
        stage: q.stage.parse::<Stage>().ok(),
        due_from: date(&q.due_from),
        due_to: date(&q.due_to),
        source: q.source.parse::<Source>().ok(),
        q: Some(q.q.trim().to_string()).filter(|s| !s.is_empty()),
    }
}

async fn board_page(
    state: &AppState,
    p: Page,
    f: BoardQuery,
    form: QuickForm,
) -> Result<BoardPage, Fault> {
    let filter = board_filter(&f);
    let board = engine::dashboard::board(&state.services, p.tenant.id, &filter)
        .await
        .map_err(AppError::from)?;
    let now = state.services.clock.now();
    let tz = p.tenant.tz();
    let vertical = p.tenant.vertical;
    let mut stages: Vec<Stage> = pipeline(vertical).stages.to_vec();
    let has_cancelled = board.cards.iter().any(|c| c.stage == Stage::Cancelled);
    if has_cancelled {
        stages.push(Stage::Cancelled);
    }
    let refused = Uuid::parse_str(&f.refused).ok();
    let total = board.cards.len();
    let mut columns: Vec<Column> = stages
        .iter()
        .map(|s| Column {
            stage: *s,
            cards: Vec::new(),
        })
        .collect();
    for c in board.cards {
        let mut v = CardView::new(c, vertical, p.w, tz, now);
        if refused == Some(v.c.id.0) {
            v.why = p.flash.clone();
        }
        if let Some(col) = columns.iter_mut().find(|col| col.stage == v.c.stage) {
            col.cards.push(v);
        }
    }
    let filtered = filter.stage.is_some()
        || filter.source.is_some()
        || filter.due_from.is_some()
        || filter.due_to.is_some()
        || filter.q.is_some();
    let mut all = pipeline(vertical).stages.to_vec();
    all.push(Stage::Cancelled);
    Ok(BoardPage {
        p,
        columns,
        stages: all,
        sources: SOURCES,
        f,
        total,
        capped: board.capped,
        limit: engine::dashboard::CARD_LIMIT,
        form,
        filtered,
    })
}

async fn board(
    State(state): State<AppState>,
    p: Page,
    Query(f): Query<BoardQuery>,
) -> Result<Response, Fault> {
    let page = board_page(&state, p, f, QuickForm::default()).await?;
    Ok(render(&page))
}

// ---- the quick order form ---------------------------------------------------

/// A price typed in major units (`45000`, `45,000`, `9.500`, `12.50`) in
/// minor units of `currency`. A separator followed by exactly the
/// currency's decimal digits at the end is the decimal point; any other
/// is a thousands separator.
pub fn parse_price(raw: &str, currency: &Currency) -> Option<i64> {
    let digits = currency.minor_digits();
    if raw.contains('-') {
        return None;
    }
    let s: String = raw
        .trim()
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
        return None;
    }
    let (whole, frac) = match s.rfind([',', '.']) {
        Some(i) if digits > 0 && (1..=digits as usize).contains(&(s.len() - i - 1)) => {
            (&s[..i], &s[i + 1..])
        }
        _ => (s.as_str(), ""),
    };
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    // "12.5" is 12.50.
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        let scale = 10_i64.checked_pow(digits - u32::try_from(frac.len()).ok()?)?;
        frac.parse::<i64>().ok()?.checked_mul(scale)?
    };
    whole
        .checked_mul(10_i64.checked_pow(digits)?)?
        .checked_add(frac)
}

struct Quick {
    phone: E164,
    name: Option<String>,
    what: String,
    price: i64,
    deadline: Option<DateTime<Utc>>,
}

fn check_quick(
    f: &mut QuickForm,
    tenant: &store::tenants::Tenant,
    w: Words,
    now: DateTime<Utc>,
) -> Option<Quick> {
    let mut errors = BTreeMap::new();
    let phone = match E164::parse(f.phone.trim(), &tenant.country) {
        Ok(p) => Some(p),
        Err(_) => {
            errors.insert("phone", w.t("orders.new.bad_phone").to_string());
            None
        }
    };
    let name = Some(f.name.trim().to_string()).filter(|n| !n.is_empty());
    if name.as_ref().is_some_and(|n| n.chars().count() > 150) {
        errors.insert("name", w.t("orders.new.too_long").to_string());
    }
    let what = f.what.trim().to_string();
    if what.is_empty() {
        errors.insert("what", w.t("orders.new.required").to_string());
    } else if what.chars().count() > 200 {
        errors.insert("what", w.t("orders.new.too_long").to_string());
    }
    let price = match parse_price(&f.price, &tenant.currency) {
        Some(p) if (1..=1_000_000_000_000).contains(&p) => Some(p),
        _ => {
            errors.insert("price", w.t("orders.new.bad_price").to_string());
            None
        }
    };
    let tz = tenant.tz();
    let today = now.with_timezone(&tz).date_naive();
    let deadline = if f.due.trim().is_empty() {
        Some(None)
    } else {
        match NaiveDate::parse_from_str(f.due.trim(), "%Y-%m-%d") {
            Ok(d) if d < today => {
                errors.insert("due", w.t("orders.new.past_date").to_string());
                None
            }
            Ok(d) => {
                // The end of that day, business time, as the API reads a date.
                let end = d.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN));
                match tz.from_local_datetime(&end).earliest() {
                    Some(t) => Some(Some(t.with_timezone(&Utc))),
                    None => {
                        errors.insert("due", w.t("orders.new.bad_date").to_string());
                        None
                    }
                }
            }
            Err(_) => {
                errors.insert("due", w.t("orders.new.bad_date").to_string());
                None
            }
        }
    };
    f.errors = errors;
    match (phone, price, deadline) {
        (Some(phone), Some(price), Some(deadline)) if f.errors.is_empty() => Some(Quick {
            phone,
            name,
            what,
            price,
            deadline,
        }),
        _ => None,
    }
}

async fn create(
    State(state): State<AppState>,
    p: EditPage,
    headers: HeaderMap,
    Form(mut form): Form<QuickForm>,
) -> Result<Response, Fault> {
    let json = wants_json(&headers);
    let now = state.services.clock.now();
    let Some(q) = check_quick(&mut form, &p.tenant, p.w, now) else {
        if json {
            let fields: BTreeMap<String, String> = form
                .errors
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect();
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(serde_json::json!({"error": {
                    "code": "validation_failed",
                    "message": p.w.t("orders.new.fix"),
                    "fields": fields,
                }})),
            )
                .into_response());
        }
        let page = board_page(&state, p.0, BoardQuery::default(), form).await?;
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let result = async {
        let customer = engine::orders::customer_for_phone(
            &state.services,
            p.tenant.id,
            &q.phone,
            q.name.as_deref(),
        )
        .await?;
        let order = store::orders::NewOrder {
            customer_id: customer,
            style_name: Some(q.what.clone()),
            quantity: 1,
            price: q.price,
            deposit_amount: 0,
            currency: p.tenant.currency,
            deadline: q.deadline,
            source: Source::Dashboard,
            created_by: Some(p.user.id),
            ..store::orders::NewOrder::default()
        };
        engine::orders::create(
            &state.services,
            p.tenant.id,
            engine::orders::Create {
                order,
                measurement: None,
            },
        )
        .await
    }
    .await
    .map_err(AppError::from);
    match result {
        Ok(order) => {
            let text = p
                .w
                .f("orders.new.created", &[("ref", &order.order_ref)]);
            if json {
                Ok(json_ok(
                    &text,
                    serde_json::json!({"id": order.id.to_string(), "order_ref": order.order_ref}),
                ))
            } else {
                Ok(redirect_with(&state, "/app/orders", &text))
            }
        }
        Err(e) if json => Ok(json_refusal(p.w, &e)),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            form.errors.insert("what", explain(p.w, &e));
            let page = board_page(&state, p.0, BoardQuery::default(), form).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- moving an order ---------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    stage: String,
    /// The page to go back to.
    #[serde(default)]
    back: String,
}

async fn move_stage(
    State(state): State<AppState>,
    p: EditPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(f): Form<MoveForm>,
) -> Result<Response, Fault> {
    let json = wants_json(&headers);
    let id = parse_id(&raw)?;
    let back = back_to(&f.back, "/app/orders");
    let to = match f.stage.parse::<Stage>() {
        Ok(s) => s,
        Err(_) => {
            let e = AppError::conflict("invalid_stage", "no such stage", Some("stage"));
            if json {
                return Ok(json_refusal(p.w, &e));
            }
            return Ok(redirect_with(&state, &back, &explain(p.w, &e)));
        }
    };
    let result = engine::orders::change_stage(
        &state.services,
        p.tenant.id,
        id,
        &engine::orders::StageChange {
            to,
            note: None,
            by: Some(p.user.id),
            override_deposit: false,
            override_balance: false,
        },
    )
    .await
    .map_err(AppError::from);
    match result {
        Ok(order) => {
            let text = p.w.f(
                "orders.moved",
                &[
                    ("ref", &order.order_ref),
                    ("stage", p.w.t(stage_key(order.current_stage))),
                ],
            );
            if json {
                let next = engine::orders::next_stage(
                    p.tenant.vertical,
                    order.current_stage,
                    order.fulfilment,
                );
                Ok(json_ok(
                    &text,
                    serde_json::json!({
                        "stage": order.current_stage.as_str(),
                        "next": next.map(|s| s.as_str()),
                        "moves": pipeline(p.tenant.vertical).next_stages(order.current_stage)
                            .iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                    }),
                ))
            } else {
                Ok(redirect_with(&state, &back, &text))
            }
        }
        Err(e) if json => Ok(json_refusal(p.w, &e)),
        Err(AppError::NotFound) => Err(Fault::NOT_FOUND),
        Err(e) => {
            // Back to the card, which shows why.
            let to = with_param(&back, "refused", &id.0.to_string());
            Ok(redirect_with(&state, &to, &explain(p.w, &e)))
        }
    }
}

// ---- the order's panel ---------------------------------------------------------

pub struct Entry {
    pub stage: Stage,
    pub at: String,
    pub by: Option<String>,
    pub note: Option<String>,
}

pub struct PaymentRow {
    pub status_key: &'static str,
    pub paid: bool,
    pub amount: String,
    pub method: String,
    pub at: String,
}

pub struct MessageRow {
    pub inbound: bool,
    pub text: String,
    pub at: String,
    pub kind: String,
}

pub struct ItemRow {
    pub name: String,
    pub quantity: i64,
    pub total: String,
}

pub struct MeasureView {
    pub version: i32,
    pub taken: String,
    pub unit: &'static str,
    pub rows: Vec<(&'static str, String)>,
    pub custom: Vec<(String, String)>,
    pub notes: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard/order.html")]
struct DetailPage {
    p: Page,
    d: Detail,
}

#[derive(Template)]
#[template(path = "dashboard/order_panel.html")]
struct DetailFragment {
    p: Page,
    d: Detail,
}

pub struct Detail {
    pub next: Option<Stage>,
    pub moves: Vec<Stage>,
    pub due: Option<String>,
    pub overdue: bool,
    pub urgent: bool,
    pub price: String,
    pub balance: Option<String>,
    pub order: store::orders::Order,
    pub customer: String,
    pub phone: Option<String>,
    pub is_tailor: bool,
    pub items: Vec<ItemRow>,
    pub measure: Option<MeasureView>,
    pub history: Vec<Entry>,
    pub payments: Vec<PaymentRow>,
    pub thread: Vec<MessageRow>,
    pub paid: String,
    pub deposit: String,
    pub back: String,
}

fn number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

const THREAD_LIMIT: i64 = 30;

async fn load_detail(state: &AppState, p: &Page, id: OrderId) -> Result<Detail, Fault> {
    let tenant = p.tenant.id;
    let db = &state.db;
    let order = store::orders::get(db, tenant, id).await?;
    let customer = store::customers::get(db, tenant, order.customer_id).await?;
    let now = state.services.clock.now();
    let tz = p.tenant.tz();
    let w = p.w;
    let today = now.with_timezone(&tz).date_naive();
    let vertical = p.tenant.vertical;
    let next = engine::orders::next_stage(vertical, order.current_stage, order.fulfilment);
    let moves = pipeline(vertical).next_stages(order.current_stage);
    let due = order
        .deadline
        .map(|d| format::due(w, d.with_timezone(&tz).date_naive(), today));
    let urgency = engine::dashboard::urgency(order.current_stage, order.deadline, now);
    let items = store::orders::items(db, tenant, id)
        .await?
        .into_iter()
        .map(|i| ItemRow {
            total: format::money(i.line_total, &order.currency, w),
            name: i.name,
            quantity: i.quantity,
        })
        .collect();
    let measure = match order.measurement_id {
        Some(m) => {
            let m = store::measurements::get(db, tenant, domain::MeasurementId(m)).await?;
            let rows = [
                ("orders.detail.chest", m.chest),
                ("orders.detail.waist", m.waist),
                ("orders.detail.hip", m.hip),
                ("orders.detail.shoulder", m.shoulder),
                ("orders.detail.sleeve", m.sleeve),
                ("orders.detail.inseam", m.inseam),
                ("orders.detail.neck", m.neck),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, number(v))))
            .collect();
            Some(MeasureView {
                version: m.version,
                taken: format::day(
                    w,
                    m.taken_at.with_timezone(&tz).date_naive(),
                    today.year(),
                ),
                unit: m.unit.as_str(),
                custom: m
                    .custom_fields
                    .0
                    .iter()
                    .map(|(k, v)| (k.replace('_', " "), number(*v)))
                    .collect(),
                notes: m.notes.clone(),
                rows,
            })
        }
        None => None,
    };
    let users: BTreeMap<Uuid, String> = store::users::list(db, tenant)
        .await?
        .into_iter()
        .map(|u| (u.id.0, u.name))
        .collect();
    let history = store::orders::stages(db, tenant, id)
        .await?
        .into_iter()
        .map(|s| Entry {
            stage: s.stage,
            at: format::when(w, s.entered_at, tz, now),
            by: s.changed_by.and_then(|u| users.get(&u).cloned()),
            note: s.note,
        })
        .collect();
    let payments = store::payments::for_order(db, tenant, id)
        .await?
        .into_iter()
        .map(|pm| PaymentRow {
            status_key: pay_key(pm.status.as_str()),
            paid: pm.status.as_str() == "paid",
            amount: format::money(pm.amount, &pm.currency, w),
            method: pm.provider.clone(),
            at: pm
                .paid_at
                .map(|t| format::when(w, t, tz, now))
                .unwrap_or_default(),
        })
        .collect();
    let thread = store::wa::thread(db, tenant, order.customer_id, None, THREAD_LIMIT)
        .await?
        .into_iter()
        .map(|m| MessageRow {
            inbound: m.direction == "inbound",
            text: m
                .transcript
                .clone()
                .filter(|t| !t.is_empty())
                .or(m.body.clone())
                .unwrap_or_default(),
            at: format::when(w, m.received_at, tz, now),
            kind: m.kind.clone(),
        })
        .collect();
    Ok(Detail {
        next,
        moves,
        due,
        overdue: urgency == Urgency::Overdue,
        urgent: urgency == Urgency::Urgent,
        price: format::money(order.price, &order.currency, w),
        balance: (order.balance_due > 0)
            .then(|| format::money(order.balance_due, &order.currency, w)),
        paid: format::money(order.amount_paid, &order.currency, w),
        deposit: format::money(order.deposit_amount, &order.currency, w),
        customer: engine::inbox::display_name(&customer),
        phone: customer.phone.clone(),
        is_tailor: p.tenant.vertical == Vertical::Tailor,
        back: format!("/app/orders/{}", order.id),
        order,
        items,
        measure,
        history,
        payments,
        thread,
    })
}

async fn detail(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, Fault> {
    let id = parse_id(&raw)?;
    let d = load_detail(&state, &p, id).await?;
    let fragment = headers
        .get("x-fragment")
        .is_some_and(|v| v.as_bytes() == b"1");
    if fragment {
        Ok(render(&DetailFragment { p, d }))
    } else {
        Ok(render(&DetailPage { p, d }))
    }
}

// ---- the kitchen ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "dashboard/kitchen.html")]
struct KitchenPage {
    p: Page,
    columns: Vec<Column>,
    total: usize,
}

#[derive(Deserialize, Default)]
pub struct KitchenQuery {
    #[serde(default)]
    refused: String,
}

async fn kitchen(
    State(state): State<AppState>,
    p: Page,
    Query(q): Query<KitchenQuery>,
) -> Result<Response, Fault> {
    if p.tenant.vertical != Vertical::Restaurant {
        return Err(Fault::NOT_FOUND);
    }
    let cards = engine::dashboard::kitchen(&state.services, p.tenant.id)
        .await
        .map_err(AppError::from)?;
    let now = state.services.clock.now();
    let tz = p.tenant.tz();
    let total = cards.len();
    let refused = Uuid::parse_str(&q.refused).ok();
    let mut columns: Vec<Column> = pipeline(p.tenant.vertical)
        .stages
        .iter()
        .filter(|s| !s.is_terminal())
        .map(|s| Column {
            stage: *s,
            cards: Vec::new(),
        })
        .collect();
    // Newest first, as the service gives them, within each stage.
    for c in cards {
        let mut v = CardView::new(c, p.tenant.vertical, p.w, tz, now);
        if refused == Some(v.c.id.0) {
            v.why = p.flash.clone();
        }
        if let Some(col) = columns.iter_mut().find(|col| col.stage == v.c.stage) {
            col.cards.push(v);
        }
    }
    Ok(render(&KitchenPage { p, columns, total }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_in_major_units_with_either_separator() {
        let ngn = Currency::parse("NGN").unwrap_or_else(|_| unreachable!());
        let ars = Currency::parse("ARS").unwrap_or_else(|_| unreachable!());
        assert_eq!(parse_price("45000", &ngn), Some(4_500_000));
        assert_eq!(parse_price("45,000", &ngn), Some(4_500_000));
        assert_eq!(parse_price("₦45,000.50", &ngn), Some(4_500_050));
        assert_eq!(parse_price("9.500", &ars), Some(950_000));
        assert_eq!(parse_price("9.500,25", &ars), Some(950_025));
        assert_eq!(parse_price("12.5", &ngn), Some(1_250));
        assert_eq!(parse_price("1,500", &ngn), Some(150_000), "three digits: thousands");
        assert_eq!(parse_price("abc", &ngn), None);
        assert_eq!(parse_price("", &ngn), None);
        assert_eq!(parse_price("-5", &ngn), None);
        assert_eq!(parse_price("99999999999999999999", &ngn), None);
    }

    #[test]
    fn a_refused_card_is_named_in_the_page_it_goes_back_to() {
        assert_eq!(
            with_param("/app/orders?stage=received", "refused", "x"),
            "/app/orders?stage=received&refused=x"
        );
        assert_eq!(back_to("https://evil.example", "/app/orders"), "/app/orders");
        assert_eq!(back_to("//evil", "/app/orders"), "/app/orders");
        assert_eq!(back_to("/app/kitchen", "/app/orders"), "/app/kitchen");
    }
}
