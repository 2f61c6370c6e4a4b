//! Customers: the searchable list, and one customer's page (contact
//! details, lifetime value, order timeline, measurement history with what
//! changed between versions, and the WhatsApp thread with a reply box that
//! honours the 24-hour window). Writing to the customer, taking the
//! conversation over and handing it back go through `engine::inbox`, the
//! same services the API and the staff commands use.

use super::words::{Table, Words};
use super::{EditPage, Fault, Page, format, redirect_with, render, render_status};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Datelike, Utc};
use domain::CustomerId;
use domain::measurement::{STANDARD_FIELDS, Unit};
use engine::inbox::Compose;
use serde::Deserialize;
use store::measurements::Measurement;
use uuid::Uuid;

pub const WORDS: Table = &[
    ("cust.title", "Customers", "Clientes"),
    (
        "cust.search_label",
        "Search by name or phone",
        "Buscar por nombre o teléfono",
    ),
    (
        "cust.search_placeholder",
        "Name or phone",
        "Nombre o teléfono",
    ),
    ("cust.name", "Name", "Nombre"),
    ("cust.phone", "Phone", "Teléfono"),
    ("cust.orders", "Orders", "Pedidos"),
    ("cust.ltv", "Lifetime value", "Total gastado"),
    ("cust.last_activity", "Last activity", "Última actividad"),
    (
        "cust.none",
        "No customers yet. They appear here when they write on WhatsApp.",
        "Todavía no hay clientes. Aparecen acá cuando escriben por WhatsApp.",
    ),
    (
        "cust.no_match",
        "No customer matches “{q}”.",
        "Ningún cliente coincide con “{q}”.",
    ),
    ("cust.prev", "Previous", "Anteriores"),
    ("cust.next", "Next", "Siguientes"),
    ("cust.page", "Page {n}", "Página {n}"),
    ("cust.back", "All customers", "Todos los clientes"),
    ("cust.contact", "Contact", "Contacto"),
    ("cust.whatsapp_name", "WhatsApp name", "Nombre en WhatsApp"),
    ("cust.email", "Email", "Email"),
    ("cust.birthday", "Birthday", "Cumpleaños"),
    ("cust.notes", "Notes", "Notas"),
    ("cust.since", "Customer since", "Cliente desde"),
    ("cust.first_order", "First order", "Primer pedido"),
    ("cust.last_order", "Last order", "Último pedido"),
    (
        "cust.opted_out",
        "Asked not to get promotions or reminders",
        "Pidió no recibir promociones ni recordatorios",
    ),
    ("cust.timeline", "Orders", "Pedidos"),
    (
        "cust.no_orders",
        "No orders yet.",
        "Todavía no hizo pedidos.",
    ),
    (
        "cust.timeline_capped",
        "Showing the latest orders only.",
        "Se muestran solo los últimos pedidos.",
    ),
    ("cust.balance", "{amount} due", "Debe {amount}"),
    ("cust.paid_up", "Paid", "Pagado"),
    ("cust.measurements", "Measurements", "Medidas"),
    (
        "cust.no_measurements",
        "No measurements yet.",
        "Todavía no hay medidas.",
    ),
    (
        "cust.version",
        "Version {n} · {when}",
        "Versión {n} · {when}",
    ),
    ("cust.current", "Current", "Actual"),
    (
        "cust.changed",
        "What changed from version {n}",
        "Qué cambió desde la versión {n}",
    ),
    (
        "cust.unchanged",
        "Same as version {n}.",
        "Igual que la versión {n}.",
    ),
    ("cust.first_version", "First version", "Primera versión"),
    ("cust.added", "added", "nueva"),
    ("cust.removed", "removed", "quitada"),
    ("cust.unit_note.in", "In inches", "En pulgadas"),
    ("cust.unit_note.cm", "In centimetres", "En centímetros"),
    ("cust.unit.in", "in", "pulg."),
    ("cust.unit.cm", "cm", "cm"),
    ("cust.m.chest", "Chest", "Pecho"),
    ("cust.m.waist", "Waist", "Cintura"),
    ("cust.m.hip", "Hip", "Cadera"),
    ("cust.m.shoulder", "Shoulder", "Hombros"),
    ("cust.m.sleeve", "Sleeve", "Manga"),
    ("cust.m.inseam", "Inseam", "Entrepierna"),
    ("cust.m.neck", "Neck", "Cuello"),
    ("cust.thread", "WhatsApp", "WhatsApp"),
    (
        "cust.no_messages",
        "No messages yet.",
        "Todavía no hay mensajes.",
    ),
    (
        "cust.older",
        "Older messages are not shown.",
        "Los mensajes anteriores no se muestran.",
    ),
    ("cust.from_customer", "Customer", "Cliente"),
    ("cust.from_business", "You", "Vos"),
    ("cust.st.received", "received", "recibido"),
    ("cust.st.queued", "queued", "en cola"),
    ("cust.st.sent", "sent", "enviado"),
    ("cust.st.delivered", "delivered", "entregado"),
    ("cust.st.read", "read", "leído"),
    ("cust.st.failed", "failed", "falló"),
    ("cust.st.blocked", "not sent", "no enviado"),
    ("cust.kind.image", "Photo", "Foto"),
    ("cust.kind.audio", "Voice note", "Audio"),
    ("cust.kind.other", "Message ({kind})", "Mensaje ({kind})"),
    ("cust.heard", "Heard: {text}", "Se escuchó: {text}"),
    ("cust.reply", "Reply", "Responder"),
    ("cust.message", "Message", "Mensaje"),
    ("cust.send", "Send", "Enviar"),
    (
        "cust.window_open",
        "The customer wrote in the last 24 hours: you may write freely until {until}.",
        "El cliente escribió en las últimas 24 horas: podés escribir libremente hasta las {until}.",
    ),
    (
        "cust.no_whatsapp",
        "This customer has no WhatsApp number.",
        "Este cliente no tiene número de WhatsApp.",
    ),
    (
        "cust.templates",
        "Approved templates",
        "Plantillas aprobadas",
    ),
    (
        "cust.no_templates",
        "The business has no approved templates yet: the customer can be reached when they write again.",
        "El negocio todavía no tiene plantillas aprobadas: vas a poder escribirle cuando vuelva a escribir.",
    ),
    ("cust.param", "Parameter {n}", "Parámetro {n}"),
    ("cust.send_template", "Send template", "Enviar plantilla"),
    ("cust.sent", "Message queued.", "Mensaje en cola."),
    ("cust.err.text", "Write a message.", "Escribí un mensaje."),
    (
        "cust.err.template",
        "Pick one of the approved templates.",
        "Elegí una de las plantillas aprobadas.",
    ),
    (
        "cust.err.params",
        "Fill in every parameter.",
        "Completá todos los parámetros.",
    ),
    ("cust.bot", "The bot", "El bot"),
    (
        "cust.bot_on",
        "The bot answers this customer.",
        "El bot le responde a este cliente.",
    ),
    (
        "cust.bot_paused",
        "A person is answering: the bot is quiet until {until}.",
        "Está respondiendo una persona: el bot no contesta hasta las {until}.",
    ),
    ("cust.take_over", "Take over", "Tomar la conversación"),
    ("cust.hand_back", "Hand back to the bot", "Devolver al bot"),
    (
        "cust.taken_over",
        "You are answering {name}: the bot is quiet until {until}.",
        "Estás respondiendo a {name}: el bot no contesta hasta las {until}.",
    ),
    (
        "cust.handed_back",
        "The bot answers {name} again.",
        "El bot vuelve a responderle a {name}.",
    ),
    (
        "cust.waiting",
        "Waiting for a person: {why}",
        "Esperando a una persona: {why}",
    ),
    ("cust.stage.received", "Received", "Recibido"),
    ("cust.stage.cutting", "Cutting", "Corte"),
    ("cust.stage.sewing", "Sewing", "Costura"),
    ("cust.stage.fitting", "Fitting", "Prueba"),
    ("cust.stage.preparing", "Preparing", "Preparando"),
    ("cust.stage.packed", "Packed", "Empacado"),
    ("cust.stage.ready", "Ready", "Listo"),
    (
        "cust.stage.out_for_delivery",
        "Out for delivery",
        "En camino",
    ),
    ("cust.stage.delivered", "Delivered", "Entregado"),
    ("cust.stage.cancelled", "Cancelled", "Cancelado"),
];

/// Customers on one page of the list.
pub const PAGE_SIZE: i64 = 25;
/// Messages of the thread shown on the profile.
const THREAD_LIMIT: i64 = 60;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/customers", get(list))
        .route("/app/customers/{id}", get(profile))
        .route("/app/customers/{id}/reply", post(reply))
        .route("/app/customers/{id}/take-over", post(take_over))
        .route("/app/customers/{id}/hand-back", post(hand_back))
}

// ---- shared by the customer and inbox pages ----------------------------------

/// Whether a post came from a page script that wants JSON back.
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json"))
}

/// A post that worked: JSON for a script, else back to `to` with `notice`.
pub fn done(state: &AppState, json: bool, to: &str, notice: &str) -> Response {
    if json {
        axum::Json(serde_json::json!({"ok": true, "message": notice})).into_response()
    } else {
        redirect_with(state, to, notice)
    }
}

/// A refusal as JSON, in the person's words.
pub fn refused_json(w: Words, e: &AppError, fields: serde_json::Value) -> Response {
    let (status, code) = match e {
        AppError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        AppError::Conflict { code, .. } => (StatusCode::CONFLICT, *code),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::BadRequest { status, code, .. } => (*status, *code),
        AppError::TooMany { code, .. } => (StatusCode::TOO_MANY_REQUESTS, *code),
        AppError::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, *code),
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    };
    let body = serde_json::json!({"error": {
        "code": code,
        "message": super::explain(w, e),
        "fields": fields,
    }});
    (status, axum::Json(body)).into_response()
}

/// A customer id from the path: a malformed one is a 404, like another
/// business's.
pub fn customer_id(raw: &str) -> Result<CustomerId, Fault> {
    Uuid::parse_str(raw)
        .map(CustomerId)
        .map_err(|_| Fault::NOT_FOUND)
}

/// The page a post goes back to: one of ours, else `fallback`.
pub fn back_to(next: Option<&str>, fallback: String) -> String {
    match next {
        Some(n) if super::session::safe_next(n) == n => n.to_string(),
        _ => fallback,
    }
}

/// A stage in the person's words.
pub fn stage_key(stage: domain::order::Stage) -> &'static str {
    use domain::order::Stage;
    match stage {
        Stage::Received => "cust.stage.received",
        Stage::Cutting => "cust.stage.cutting",
        Stage::Sewing => "cust.stage.sewing",
        Stage::Fitting => "cust.stage.fitting",
        Stage::Preparing => "cust.stage.preparing",
        Stage::Packed => "cust.stage.packed",
        Stage::Ready => "cust.stage.ready",
        Stage::OutForDelivery => "cust.stage.out_for_delivery",
        Stage::Delivered => "cust.stage.delivered",
        Stage::Cancelled => "cust.stage.cancelled",
    }
}

// ---- the list ------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct ListQuery {
    q: Option<String>,
    page: Option<String>,
}

struct Row {
    id: CustomerId,
    name: String,
    phone: String,
    orders: i64,
    ltv: String,
    last: String,
}

#[derive(Template)]
#[template(path = "dashboard/customers.html")]
struct ListPage {
    p: Page,
    q: String,
    rows: Vec<Row>,
    no_match: String,
    page_label: String,
    prev: Option<String>,
    next: Option<String>,
}

fn list_url(q: &str, page: i64) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        s.append_pair("q", q);
    }
    if page > 1 {
        s.append_pair("page", &page.to_string());
    }
    let qs = s.finish();
    if qs.is_empty() {
        "/app/customers".into()
    } else {
        format!("/app/customers?{qs}")
    }
}

async fn list(
    State(state): State<AppState>,
    p: Page,
    Query(lq): Query<ListQuery>,
) -> Result<Response, Fault> {
    let q: String = lq.q.unwrap_or_default().trim().chars().take(100).collect();
    let page = lq
        .page
        .and_then(|n| n.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 10_000);
    let found = engine::dashboard::customers(
        &state.services,
        p.tenant.id,
        Some(q.as_str()).filter(|q| !q.is_empty()),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    let more = found.len() as i64 > PAGE_SIZE;
    let now = state.services.clock.now();
    let tz = p.tenant.tz();
    let rows = found
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|c| Row {
            id: c.id,
            name: c.name,
            phone: c.phone.unwrap_or_default(),
            orders: c.order_count,
            ltv: format::money(c.lifetime_value.minor, &c.lifetime_value.currency, p.w),
            last: format::when(p.w, c.last_activity, tz, now),
        })
        .collect();
    Ok(render(&ListPage {
        prev: (page > 1).then(|| list_url(&q, page - 1)),
        next: more.then(|| list_url(&q, page + 1)),
        no_match: p.w.f("cust.no_match", &[("q", &q)]),
        page_label: p.w.f("cust.page", &[("n", &page.to_string())]),
        q,
        rows,
        p,
    }))
}

// ---- the profile -----------------------------------------------------------------

struct OrderLine {
    id: String,
    order_ref: String,
    summary: String,
    stage: &'static str,
    when: String,
    price: String,
    due: Option<String>,
    cancelled: bool,
}

struct Value {
    label: String,
    value: String,
}

struct Diff {
    label: String,
    before: Option<String>,
    after: Option<String>,
    delta: Option<String>,
}

struct Version {
    title: String,
    current: bool,
    notes: Option<String>,
    values: Vec<Value>,
    /// "What changed from version n" (or "same as version n"); None for
    /// the first version.
    compared: Option<String>,
    changes: Vec<Diff>,
}

struct Bubble {
    inbound: bool,
    text: String,
    heard: Option<String>,
    when: String,
    status: Option<(&'static str, &'static str)>,
    error: Option<String>,
}

struct Tpl {
    name: String,
    language: String,
    body: String,
    /// Each parameter's label and what the person typed (kept when the
    /// send was refused).
    params: Vec<(String, String)>,
    open: bool,
}

/// What the reply box shows after a refused send.
#[derive(Default)]
struct Draft {
    text: String,
    template: Option<(String, String)>,
    params: Vec<String>,
    /// The field the refusal is about (`text`, `template`, `params`, or
    /// empty for the whole box) and the sentence.
    error: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "dashboard/customer.html")]
struct ProfilePage {
    p: Page,
    c: store::customers::Customer,
    name: String,
    ltv: String,
    order_count: i64,
    since: String,
    first_order: Option<String>,
    last_order: Option<String>,
    birthday: Option<String>,
    orders: Vec<OrderLine>,
    capped: bool,
    unit_note: String,
    versions: Vec<Version>,
    thread: Vec<Bubble>,
    older: bool,
    reachable: bool,
    /// Inside the window: until when free text may go.
    window_note: Option<String>,
    /// The bot's pause, when a person is answering.
    paused_note: Option<String>,
    waiting: Option<String>,
    templates: Vec<Tpl>,
    draft: Draft,
}

impl ProfilePage {
    fn text_error(&self) -> Option<&str> {
        self.error_for("text")
    }
    fn box_error(&self) -> Option<&str> {
        self.error_for("")
    }
    fn template_error(&self) -> Option<&str> {
        self.error_for("template")
            .or_else(|| self.error_for("params"))
    }
    /// A template refusal that names no template on the page.
    fn picker_error(&self) -> Option<&str> {
        if self.templates.iter().any(|t| t.open) {
            None
        } else {
            self.template_error()
        }
    }
    fn error_for(&self, field: &str) -> Option<&str> {
        match &self.draft.error {
            Some((f, m)) if f == field => Some(m.as_str()),
            _ => None,
        }
    }
    /// The free-text box shows inside the window, or to keep what was
    /// typed next to the reason it was refused.
    fn show_text_box(&self) -> bool {
        self.reachable && (self.window_note.is_some() || self.text_error().is_some())
    }
}

/// `32`, `24.5`, `33.25`: at most two decimals, no trailing zeros.
pub fn number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn field_label(w: Words, field: &str) -> String {
    match field {
        "chest" => w.t("cust.m.chest").to_string(),
        "waist" => w.t("cust.m.waist").to_string(),
        "hip" => w.t("cust.m.hip").to_string(),
        "shoulder" => w.t("cust.m.shoulder").to_string(),
        "sleeve" => w.t("cust.m.sleeve").to_string(),
        "inseam" => w.t("cust.m.inseam").to_string(),
        "neck" => w.t("cust.m.neck").to_string(),
        other => {
            let mut s = other.replace('_', " ");
            if let Some(first) = s.get(..1) {
                s = first.to_uppercase() + &s[1..];
            }
            s
        }
    }
}

/// Every value of a version, standard fields first, then its own.
fn fields_of(m: &Measurement) -> Vec<(String, f64)> {
    let standard = [
        m.chest, m.waist, m.hip, m.shoulder, m.sleeve, m.inseam, m.neck,
    ];
    STANDARD_FIELDS
        .iter()
        .zip(standard)
        .filter_map(|(n, v)| v.map(|v| (n.to_string(), v)))
        .chain(m.custom_fields.0.iter().map(|(n, v)| (n.clone(), *v)))
        .collect()
}

fn unit_word(w: Words, u: Unit) -> &'static str {
    match u {
        Unit::In => w.t("cust.unit.in"),
        Unit::Cm => w.t("cust.unit.cm"),
    }
}

/// The history, newest first, every version in the unit of the current
/// one (the unit the business measures in), each with what changed from
/// the version before it.
fn versions(
    w: Words,
    history: Vec<Measurement>,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> (Vec<Version>, String) {
    let unit = history.first().map(|m| m.unit).unwrap_or_default();
    let u = unit_word(w, unit);
    let history: Vec<Measurement> = history.into_iter().map(|m| m.in_unit(unit)).collect();
    let out = history
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let fields = fields_of(m);
            let before = history.get(i + 1);
            let changes: Vec<Diff> = before
                .map(|b| domain::measurement::changes(&fields_of(b), &fields))
                .unwrap_or_default()
                .into_iter()
                .map(|c| Diff {
                    label: field_label(w, &c.field),
                    delta: c.delta().map(|d| {
                        let sign = if d > 0.0 { "+" } else { "" };
                        format!("{sign}{}", number(d))
                    }),
                    before: c.before.map(|v| format!("{} {u}", number(v))),
                    after: c.after.map(|v| format!("{} {u}", number(v))),
                })
                .collect();
            Version {
                title: w.f(
                    "cust.version",
                    &[
                        ("n", &m.version.to_string()),
                        ("when", &format::when(w, m.taken_at, tz, now)),
                    ],
                ),
                current: m.is_current,
                notes: m.notes.clone(),
                values: fields
                    .iter()
                    .map(|(n, v)| Value {
                        label: field_label(w, n),
                        value: format!("{} {u}", number(*v)),
                    })
                    .collect(),
                compared: before.map(|b| {
                    let n = b.version.to_string();
                    if changes.is_empty() {
                        w.f("cust.unchanged", &[("n", &n)])
                    } else {
                        w.f("cust.changed", &[("n", &n)])
                    }
                }),
                changes,
            }
        })
        .collect();
    let note = match unit {
        Unit::In => w.t("cust.unit_note.in"),
        Unit::Cm => w.t("cust.unit_note.cm"),
    };
    (out, note.to_string())
}

fn status_of(s: domain::outbound::MessageStatus) -> Option<(&'static str, &'static str)> {
    use domain::outbound::MessageStatus as S;
    Some(match s {
        S::Received => return None,
        S::Queued => ("cust.st.queued", "info"),
        S::Sent => ("cust.st.sent", "info"),
        S::Delivered => ("cust.st.delivered", "ok"),
        S::Read => ("cust.st.read", "ok"),
        S::Failed => ("cust.st.failed", "bad"),
        S::Blocked => ("cust.st.blocked", "warn"),
    })
}

fn bubble(w: Words, m: store::wa::Message, tz: chrono_tz::Tz, now: DateTime<Utc>) -> Bubble {
    let inbound = m.direction == "inbound";
    let text = match m.body.filter(|b| !b.trim().is_empty()) {
        Some(b) => b,
        None => match m.kind.as_str() {
            "image" => w.t("cust.kind.image").to_string(),
            "audio" | "voice" => w.t("cust.kind.audio").to_string(),
            k => w.f("cust.kind.other", &[("kind", k)]),
        },
    };
    Bubble {
        inbound,
        heard: m
            .transcript
            .filter(|t| !t.trim().is_empty())
            .map(|t| w.f("cust.heard", &[("text", &t)])),
        when: format::when(w, m.created_at, tz, now),
        status: if inbound { None } else { status_of(m.status) },
        error: m.error_title,
        text,
    }
}

async fn profile(
    State(state): State<AppState>,
    p: Page,
    Path(raw): Path<String>,
) -> Result<Response, Fault> {
    let id = customer_id(&raw)?;
    let page = profile_page(&state, p, id, Draft::default()).await?;
    Ok(render(&page))
}

async fn profile_page(
    state: &AppState,
    p: Page,
    id: CustomerId,
    draft: Draft,
) -> Result<ProfilePage, Fault> {
    let tenant = p.tenant.id;
    let summary = engine::dashboard::customer_summary(&state.services, tenant, id).await?;
    let db = &state.db;
    let c = store::customers::get(db, tenant, id).await?;
    let history = store::measurements::history(db, tenant, id).await?;
    let messages = store::wa::thread(db, tenant, id, None, THREAD_LIMIT).await?;
    let waiting = store::inbox::open_for(db, tenant, id).await?;
    let approved: Vec<store::templates::Template> = store::templates::list(db, tenant)
        .await?
        .into_iter()
        .filter(|t| t.status == "approved")
        .collect();
    let now = state.services.clock.now();
    let tz = p.tenant.tz();
    let w = p.w;
    let this_year = now.with_timezone(&tz).year();
    let local_day = |t: DateTime<Utc>| format::day(w, t.with_timezone(&tz).date_naive(), this_year);
    let orders = summary
        .timeline
        .iter()
        .map(|o| OrderLine {
            id: o.id.0.to_string(),
            order_ref: o.order_ref.clone(),
            summary: o.summary.clone().unwrap_or_default(),
            stage: stage_key(o.stage),
            when: local_day(o.created_at),
            price: format::money(o.price, &o.currency, w),
            due: (o.balance_due > 0 && o.stage != domain::order::Stage::Cancelled).then(|| {
                w.f(
                    "cust.balance",
                    &[("amount", &format::money(o.balance_due, &o.currency, w))],
                )
            }),
            cancelled: o.stage == domain::order::Stage::Cancelled,
        })
        .collect();
    let (versions, unit_note) = versions(w, history, tz, now);
    let older = messages.len() as i64 == THREAD_LIMIT;
    // Newest first: the box shows them bottom up (see the template).
    let thread = messages
        .into_iter()
        .rev()
        .map(|m| bubble(w, m, tz, now))
        .collect();
    let window_note = c
        .last_inbound_at
        .filter(|_| engine::delivery::window_open(c.last_inbound_at, now))
        .map(|t| {
            let until = format::when(w, t + engine::delivery::WINDOW, tz, now);
            w.f("cust.window_open", &[("until", &until)])
        });
    let paused_note = c.bot_paused_until.filter(|u| *u > now).map(|u| {
        w.f(
            "cust.bot_paused",
            &[("until", &format::when(w, u, tz, now))],
        )
    });
    // The business's own language first: the template a person most
    // likely wants.
    let lang = domain::text::language_of(&p.tenant.locale.to_string());
    let mut templates: Vec<Tpl> = approved
        .into_iter()
        .map(|t| {
            let n = usize::try_from(t.params).unwrap_or(0);
            let chosen = draft
                .template
                .as_ref()
                .is_some_and(|(name, l)| *name == t.name && *l == t.language);
            Tpl {
                params: (0..n)
                    .map(|i| {
                        let typed = if chosen {
                            draft.params.get(i).cloned().unwrap_or_default()
                        } else {
                            String::new()
                        };
                        (w.f("cust.param", &[("n", &(i + 1).to_string())]), typed)
                    })
                    .collect(),
                open: chosen,
                name: t.name,
                language: t.language,
                body: t.body,
            }
        })
        .collect();
    templates.sort_by_key(|t| (t.language != lang, t.name.clone()));
    Ok(ProfilePage {
        name: summary.name,
        ltv: format::money(
            summary.lifetime_value.minor,
            &summary.lifetime_value.currency,
            w,
        ),
        order_count: summary.order_count,
        since: local_day(c.created_at),
        first_order: summary.first_order_at.map(local_day),
        last_order: summary.last_order_at.map(local_day),
        birthday: c.birthday.map(|b| format::day(w, b, b.year())),
        orders,
        capped: summary.timeline_capped,
        unit_note,
        versions,
        thread,
        older,
        reachable: c.wa_id.is_some(),
        window_note,
        paused_note,
        waiting: waiting.map(|e| {
            w.f(
                "cust.waiting",
                &[("why", w.t(super::inbox::reason_key(e.reason)))],
            )
        }),
        templates,
        draft,
        c,
        p,
    })
}

// ---- the posts ---------------------------------------------------------------------

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The sentence for a refused send, and the field it goes next to.
fn refusal(w: Words, e: &AppError) -> (String, String) {
    match e {
        AppError::Validation(fields) => {
            let f = fields.keys().next().cloned().unwrap_or_default();
            let text = match f.as_str() {
                "text" => w.t("cust.err.text").to_string(),
                "template" => w.t("cust.err.template").to_string(),
                "params" => w.t("cust.err.params").to_string(),
                _ => super::explain(w, e),
            };
            let f = if ["text", "template", "params"].contains(&f.as_str()) {
                f
            } else {
                String::new()
            };
            (f, text)
        }
        AppError::Conflict { field, .. } => (
            field.clone().filter(|f| f == "text").unwrap_or_default(),
            super::explain(w, e),
        ),
        other => (String::new(), super::explain(w, other)),
    }
}

async fn reply(
    State(state): State<AppState>,
    p: EditPage,
    Path(raw): Path<String>,
    headers: HeaderMap,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, Fault> {
    let id = customer_id(&raw)?;
    let json = wants_json(&headers);
    let compose = if field(&fields, "mode") == Some("template") {
        Compose::Template {
            name: field(&fields, "template").unwrap_or_default().to_string(),
            language: field(&fields, "language").unwrap_or_default().to_string(),
            params: fields
                .iter()
                .filter(|(k, _)| k == "param")
                .map(|(_, v)| v.clone())
                .collect(),
        }
    } else {
        Compose::Text(field(&fields, "text").unwrap_or_default().to_string())
    };
    match engine::inbox::answer(&state.services, p.tenant.id, id, compose.clone()).await {
        Ok(_) => Ok(done(
            &state,
            json,
            &format!("/app/customers/{}#thread", id.0),
            p.w.t("cust.sent"),
        )),
        Err(e) => {
            let e = AppError::from(e);
            if matches!(e, AppError::NotFound | AppError::Internal(_)) {
                return Err(e.into());
            }
            let (f, text) = refusal(p.w, &e);
            if json {
                let key = if f.is_empty() {
                    "message".to_string()
                } else {
                    f
                };
                return Ok(refused_json(p.w, &e, serde_json::json!({ key: text })));
            }
            let draft = match compose {
                Compose::Text(t) => Draft {
                    text: t,
                    error: Some((f, text)),
                    ..Draft::default()
                },
                Compose::Template {
                    name,
                    language,
                    params,
                } => Draft {
                    template: Some((name, language)),
                    params,
                    error: Some((if f.is_empty() { "template".into() } else { f }, text)),
                    ..Draft::default()
                },
            };
            let page = profile_page(&state, p.0, id, draft).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

#[derive(Debug, Deserialize)]
struct Next {
    next: Option<String>,
}

async fn take_over(
    State(state): State<AppState>,
    p: EditPage,
    Path(raw): Path<String>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<Next>,
) -> Result<Response, Fault> {
    let id = customer_id(&raw)?;
    let now = state.services.clock.now();
    let until = engine::inbox::take_over(&state.db, p.tenant.id, id, p.user.id, now).await?;
    let c = store::customers::get(&state.db, p.tenant.id, id).await?;
    let notice = p.w.f(
        "cust.taken_over",
        &[
            ("name", &engine::inbox::display_name(&c)),
            ("until", &format::when(p.w, until, p.tenant.tz(), now)),
        ],
    );
    let to = back_to(f.next.as_deref(), format!("/app/customers/{}", id.0));
    Ok(done(&state, wants_json(&headers), &to, &notice))
}

async fn hand_back(
    State(state): State<AppState>,
    p: EditPage,
    Path(raw): Path<String>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<Next>,
) -> Result<Response, Fault> {
    let id = customer_id(&raw)?;
    let now = state.services.clock.now();
    engine::inbox::hand_back(&state.db, p.tenant.id, id, p.user.id, now).await?;
    let c = store::customers::get(&state.db, p.tenant.id, id).await?;
    let notice = p.w.f(
        "cust.handed_back",
        &[("name", &engine::inbox::display_name(&c))],
    );
    let to = back_to(f.next.as_deref(), format!("/app/customers/{}", id.0));
    Ok(done(&state, wants_json(&headers), &to, &notice))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(32.0), "32");
        assert_eq!(number(24.5), "24.5");
        assert_eq!(number(33.25), "33.25");
        assert_eq!(number(-1.0), "-1");
    }

    #[test]
    fn only_our_pages_are_gone_back_to() {
        assert_eq!(back_to(Some("/app/inbox"), "/x".into()), "/app/inbox");
        assert_eq!(back_to(Some("https://evil.example"), "/x".into()), "/x");
        assert_eq!(back_to(None, "/x".into()), "/x");
    }
}
