//! Payments: what is owed and what came in, side by side. Unpaid balances
//! per order with one click to send a payment link or a reminder, a small
//! form to record cash or a transfer, recent payments, and the payments a
//! person must look at (flagged), with Confirm where the money may be
//! accepted. Every action is the engine's payments service, as the API's.
//!
//! Also the answer every one-click action here and on the stock pages
//! gives: JSON for a page script, else a redirect with a notice
//! ([`done`], [`refused`]).

use super::words::{Table, Words};
use super::{EditPage, Fault, Page, format, redirect_with, render, render_status};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use domain::money::Currency;
use domain::{OrderId, PaymentId};
use engine::payments::{Method, SalesPeriod};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

pub const WORDS: Table = &[
    ("pay.title", "Payments", "Pagos"),
    ("pay.owed", "Still owed", "Falta cobrar"),
    (
        "pay.owed_sub",
        "{n} orders with a balance",
        "{n} pedidos con saldo",
    ),
    ("pay.month", "Paid this month", "Cobrado este mes"),
    ("pay.month_sub", "{n} payments", "{n} pagos"),
    ("pay.unpaid", "Unpaid", "Sin pagar"),
    ("pay.paid", "Paid", "Pagado"),
    ("pay.flagged", "To resolve", "Para resolver"),
    (
        "pay.flagged_intro",
        "Payments the provider reported differently, or that no one confirmed yet. Check your account, then confirm.",
        "Pagos que el proveedor informó distinto, o que nadie confirmó todavía. Revisá tu cuenta y confirmá.",
    ),
    (
        "pay.unpaid_none",
        "Nothing is owed. Well done.",
        "No te deben nada. Bien ahí.",
    ),
    (
        "pay.paid_none",
        "No payments in the last 30 days.",
        "No hubo pagos en los últimos 30 días.",
    ),
    (
        "pay.paid_intro",
        "Money received in the last 30 days.",
        "Lo cobrado en los últimos 30 días.",
    ),
    ("pay.customer", "Customer", "Cliente"),
    ("pay.order", "Order", "Pedido"),
    ("pay.owes", "Owed", "Debe"),
    ("pay.age", "Age", "Antigüedad"),
    ("pay.amount", "Amount", "Monto"),
    ("pay.method", "Method", "Medio"),
    ("pay.when", "When", "Cuándo"),
    ("pay.status", "Status", "Estado"),
    ("pay.why", "Why", "Por qué"),
    ("pay.of_price", "of {price}", "de {price}"),
    ("pay.age_today", "today", "hoy"),
    ("pay.age_days", "{n} days", "{n} días"),
    ("pay.age_one", "1 day", "1 día"),
    ("pay.due_on", "due {day}", "vence {day}"),
    ("pay.overdue", "Overdue", "Vencido"),
    (
        "pay.link_open",
        "Link sent {when}",
        "Link enviado {when}",
    ),
    (
        "pay.link_waiting",
        "Link on its way",
        "Link en camino",
    ),
    ("pay.reminded", "reminded {n}×", "recordado {n}×"),
    ("pay.send_link", "Send payment link", "Mandar link de pago"),
    ("pay.remind", "Send reminder", "Mandar recordatorio"),
    ("pay.record", "Record cash or transfer", "Registrar efectivo o transferencia"),
    ("pay.record_short", "Record payment", "Registrar pago"),
    ("pay.confirm", "Confirm received", "Confirmar recibido"),
    ("pay.kind.deposit", "Deposit", "Seña"),
    ("pay.kind.balance", "Balance", "Saldo"),
    ("pay.kind.full", "Full", "Total"),
    ("pay.via.cash", "Cash", "Efectivo"),
    ("pay.via.transfer", "Transfer", "Transferencia"),
    ("pay.via.mpesa", "M-PESA", "M-PESA"),
    ("pay.via.paystack", "Paystack (card)", "Paystack (tarjeta)"),
    ("pay.via.flutterwave", "Flutterwave (card)", "Flutterwave (tarjeta)"),
    ("pay.via.stripe", "Stripe (card)", "Stripe (tarjeta)"),
    ("pay.via.sandbox", "Sandbox (test)", "Sandbox (prueba)"),
    ("pay.status.pending", "Waiting", "Esperando"),
    ("pay.status.paid", "Paid", "Pagado"),
    ("pay.status.failed", "Failed", "Falló"),
    ("pay.status.expired", "Expired", "Vencido"),
    ("pay.status.refunded", "Refunded", "Devuelto"),
    ("pay.record_title", "Record a payment", "Registrar un pago"),
    (
        "pay.record_intro",
        "Money you received yourself for {ref}: {owed} is owed.",
        "Plata que recibiste vos por {ref}: se deben {owed}.",
    ),
    (
        "pay.amount_hint",
        "In {currency}. It starts at what is owed; change it for a part payment.",
        "En {currency}. Empieza con lo que se debe; cambialo si es un pago parcial.",
    ),
    ("pay.record_submit", "Record as paid", "Registrar como pagado"),
    (
        "pay.err.amount_format",
        "Write the amount in numbers, like {example}.",
        "Escribí el monto en números, como {example}.",
    ),
    (
        "pay.err.amount",
        "Enter an amount above 0 and at most what is owed ({owed}).",
        "Poné un monto mayor que 0 y hasta lo que se debe ({owed}).",
    ),
    (
        "pay.err.method",
        "Choose cash or transfer.",
        "Elegí efectivo o transferencia.",
    ),
    (
        "pay.err.provider",
        "No payment provider is set up for this business yet: add one in Settings.",
        "Este negocio todavía no tiene un medio de cobro: agregalo en Ajustes.",
    ),
    (
        "pay.err.nothing_due",
        "Nothing is due on this order.",
        "Este pedido no tiene nada pendiente.",
    ),
    (
        "pay.done.recorded",
        "{amount} recorded for {ref}. Still owed: {owed}.",
        "{amount} registrado para {ref}. Falta: {owed}.",
    ),
    (
        "pay.done.link",
        "A link for {amount} is on its way to the customer for {ref}.",
        "Le llega al cliente un link por {amount} para {ref}.",
    ),
    (
        "pay.done.reminded",
        "Reminder on its way for {ref}.",
        "Le llega el recordatorio para {ref}.",
    ),
    (
        "pay.done.confirmed",
        "{amount} confirmed for {ref}.",
        "{amount} confirmado para {ref}.",
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/payments", get(show))
        .route(
            "/app/payments/orders/{order_id}/record",
            get(record_form).post(record),
        )
        .route("/app/payments/orders/{order_id}/link", post(send_link))
        .route("/app/payments/{payment_id}/remind", post(remind))
        .route("/app/payments/{payment_id}/confirm", post(confirm))
}

// ---- answers shared by one-click actions ------------------------------------

/// Whether a page script sent the request and wants JSON back.
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json"))
}

/// An action done: `{"ok": true, "message"}` for a script, else back to
/// `to` with the message as a notice.
pub fn done(state: &AppState, headers: &HeaderMap, to: &str, message: &str) -> Response {
    if wants_json(headers) {
        Json(serde_json::json!({"ok": true, "message": message})).into_response()
    } else {
        redirect_with(state, to, message)
    }
}

/// An action a service refused. Not found (or another business's) is a
/// 404 either way; otherwise a script gets the error envelope in the
/// person's words and a page goes back to `to` with them as a notice.
pub fn refused(
    state: &AppState,
    headers: &HeaderMap,
    w: Words,
    to: &str,
    e: AppError,
    fields: BTreeMap<String, String>,
) -> Result<Response, Fault> {
    let (status, code) = match &e {
        AppError::NotFound => return Err(Fault::NOT_FOUND),
        AppError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
        AppError::Conflict { code, .. } => (StatusCode::CONFLICT, *code),
        AppError::Forbidden(_) => return Err(Fault::FORBIDDEN),
        AppError::Internal(_) => return Err(Fault::from(e)),
        AppError::BadRequest { code, .. } | AppError::TooMany { code, .. } => {
            (StatusCode::BAD_REQUEST, *code)
        }
        AppError::Unauthorized { .. } => return Err(Fault::FORBIDDEN),
    };
    let message = if fields.is_empty() {
        super::explain(w, &e)
    } else {
        fields.values().cloned().collect::<Vec<_>>().join(" ")
    };
    if wants_json(headers) {
        let body = serde_json::json!({"error": {"code": code, "message": message, "fields": fields}});
        return Ok((status, Json(body)).into_response());
    }
    Ok(redirect_with(state, to, &message))
}

/// A uuid from the path; anything else is a page that does not exist.
pub fn path_id(raw: &str) -> Result<Uuid, Fault> {
    Uuid::parse_str(raw).map_err(|_| Fault::NOT_FOUND)
}

// ---- amounts as people type them ----------------------------------------------

/// An amount typed in major units (`15000`, `15,000`, `1,250.50`; in
/// Spanish `15.000` and `1.250,50`) in minor units of `currency`; a sign
/// is kept so that the service, not this parser, refuses what is not
/// above zero. None when it is not a number.
pub fn parse_amount(text: &str, currency: &Currency, w: Words) -> Option<i64> {
    let digits = currency.minor_digits();
    let mut s: String = text
        .trim()
        .replace(currency.symbol(), "")
        .replace(currency.code(), "")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let negative = s.starts_with('-');
    if negative || s.starts_with('+') {
        s.remove(0);
    }
    let (thousands, decimal) = if w.lang() == "es" {
        ('.', ',')
    } else {
        (',', '.')
    };
    let (int, frac) = match s.rsplit_once(decimal) {
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => {
            // A lone separator of the other kind with 1-2 digits after it
            // is a decimal point typed the other way ("150.50" in Spanish).
            match s.rsplit_once(thousands) {
                Some((i, f)) if !i.contains(thousands) && !f.is_empty() && f.len() < 3 => {
                    (i.to_string(), f.to_string())
                }
                _ => (s.clone(), String::new()),
            }
        }
    };
    let groups: Vec<&str> = int.split(thousands).collect();
    let grouped_ok = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    let int: String = groups.concat();
    if int.is_empty()
        || !grouped_ok
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > digits as usize
    {
        return None;
    }
    let scale = 10i64.checked_pow(digits)?;
    let major: i64 = int.parse().ok()?;
    let frac_minor: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<width$}", width = digits as usize)
            .parse()
            .ok()?
    };
    let minor = major.checked_mul(scale)?.checked_add(frac_minor)?;
    Some(if negative { -minor } else { minor })
}

/// An amount as the form shows it for editing: no symbol, no grouping,
/// the fraction only when there is one (`30000`, `1250.50`, `1250,50`).
pub fn input_amount(minor: i64, currency: &Currency, w: Words) -> String {
    let digits = currency.minor_digits();
    let scale = 10i64.pow(digits);
    let major = minor / scale;
    let frac = (minor % scale).abs();
    if frac == 0 {
        major.to_string()
    } else {
        let sep = if w.lang() == "es" { ',' } else { '.' };
        format!("{major}{sep}{frac:0width$}", width = digits as usize)
    }
}

fn method_key(provider: &str) -> Option<&'static str> {
    Some(match provider {
        "cash" => "pay.via.cash",
        "transfer" => "pay.via.transfer",
        "mpesa" => "pay.via.mpesa",
        "paystack" => "pay.via.paystack",
        "flutterwave" => "pay.via.flutterwave",
        "stripe" => "pay.via.stripe",
        "sandbox" => "pay.via.sandbox",
        _ => return None,
    })
}

fn method_label(w: Words, provider: &str) -> String {
    method_key(provider).map_or_else(|| provider.to_string(), |k| w.t(k).to_string())
}

fn kind_label(w: Words, kind: &str) -> &'static str {
    w.t(match kind {
        "deposit" => "pay.kind.deposit",
        "full" => "pay.kind.full",
        _ => "pay.kind.balance",
    })
}

fn status_label(w: Words, status: &str) -> &'static str {
    w.t(match status {
        "paid" => "pay.status.paid",
        "failed" => "pay.status.failed",
        "expired" => "pay.status.expired",
        "refunded" => "pay.status.refunded",
        _ => "pay.status.pending",
    })
}

/// How long ago, in whole days.
fn age(w: Words, since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match (now - since).num_days() {
        d if d <= 0 => w.t("pay.age_today").to_string(),
        1 => w.t("pay.age_one").to_string(),
        d => w.f("pay.age_days", &[("n", &d.to_string())]),
    }
}

// ---- the board ----------------------------------------------------------------

struct UnpaidRow {
    order_id: OrderId,
    order_ref: String,
    customer: String,
    owed: String,
    of_price: String,
    age: String,
    due: Option<String>,
    overdue: bool,
    /// The open request a reminder can name, and what it says.
    request: Option<(PaymentId, String)>,
}

struct PaidRow {
    order_id: OrderId,
    order_ref: String,
    customer: String,
    amount: String,
    kind: &'static str,
    method: String,
    when: String,
}

struct FlagRow {
    id: PaymentId,
    order_id: OrderId,
    order_ref: String,
    customer: String,
    amount: String,
    method: String,
    status: &'static str,
    settled: bool,
    why: String,
    when: String,
}

#[derive(Template)]
#[template(path = "dashboard/payments.html")]
struct PaymentsPage {
    p: Page,
    tab: &'static str,
    owed: String,
    owed_count: String,
    month: String,
    month_count: String,
    unpaid: Vec<UnpaidRow>,
    paid: Vec<PaidRow>,
    flagged: Vec<FlagRow>,
}

#[derive(Deserialize, Default)]
struct Tab {
    #[serde(default)]
    tab: String,
}

async fn show(
    State(state): State<AppState>,
    p: Page,
    Query(q): Query<Tab>,
) -> Result<Response, Fault> {
    let svc = &state.services;
    let tenant = p.tenant.id;
    let board = engine::dashboard::payments_board(svc, tenant).await?;
    let (month_n, month_sum) = engine::payments::sales(svc, tenant, SalesPeriod::Month).await?;
    let now = svc.clock.now();
    let tz = p.tenant.tz();
    let w = p.w;
    let cur = p.tenant.currency;
    let today = now.with_timezone(&tz).date_naive();
    let owed_sum: i64 = board.unpaid.iter().map(|d| d.balance_due).sum();
    let unpaid = board
        .unpaid
        .iter()
        .map(|d| {
            let c = Currency::parse(&d.currency).unwrap_or(cur);
            let request = d.request.as_ref().map(|r| {
                let mut said = match r.link_sent_at {
                    Some(at) => w.f("pay.link_open", &[("when", &format::when(w, at, tz, now))]),
                    None => w.t("pay.link_waiting").to_string(),
                };
                if r.reminders_sent > 0 {
                    said.push_str(" · ");
                    said.push_str(&w.f("pay.reminded", &[("n", &r.reminders_sent.to_string())]));
                }
                (r.id, said)
            });
            UnpaidRow {
                order_id: d.order_id,
                order_ref: d.order_ref.clone(),
                customer: d.customer_name.clone().unwrap_or_default(),
                owed: format::money(d.balance_due, &c, w),
                of_price: w.f("pay.of_price", &[("price", &format::money(d.price, &c, w))]),
                age: age(w, d.created_at, now),
                due: d.deadline.map(|at| {
                    let day = format::due(w, at.with_timezone(&tz).date_naive(), today);
                    w.f("pay.due_on", &[("day", &day)])
                }),
                overdue: d.deadline.is_some_and(|at| at < now),
                request,
            }
        })
        .collect();
    let paid = board
        .recent
        .iter()
        .map(|e| PaidRow {
            order_id: e.order_id,
            order_ref: e.order_ref.clone(),
            customer: e.customer_name.clone(),
            amount: format::money(e.amount.minor, &e.amount.currency, w),
            kind: kind_label(w, &e.kind),
            method: method_label(w, &e.provider),
            when: format::when(w, e.paid_at.unwrap_or(e.updated_at), tz, now),
        })
        .collect();
    let flagged = board
        .flagged
        .iter()
        .map(|e| FlagRow {
            id: e.id,
            order_id: e.order_id,
            order_ref: e.order_ref.clone(),
            customer: e.customer_name.clone(),
            amount: format::money(e.amount.minor, &e.amount.currency, w),
            method: method_label(w, &e.provider),
            status: status_label(w, &e.status),
            settled: matches!(e.status.as_str(), "paid" | "refunded"),
            why: e.flag.clone().unwrap_or_default(),
            when: format::when(w, e.updated_at, tz, now),
        })
        .collect();
    Ok(render(&PaymentsPage {
        tab: if q.tab == "paid" { "paid" } else { "unpaid" },
        owed: format::money(owed_sum, &cur, w),
        owed_count: w.f("pay.owed_sub", &[("n", &board.unpaid.len().to_string())]),
        month: format::money(month_sum, &cur, w),
        month_count: w.f("pay.month_sub", &[("n", &month_n.to_string())]),
        unpaid,
        paid,
        flagged,
        p,
    }))
}

// ---- recording cash or a transfer ----------------------------------------------

/// The record form's figures, values and errors.
struct RecordPage {
    order_id: OrderId,
    intro: String,
    hint: String,
    amount: String,
    method: String,
    errors: BTreeMap<&'static str, String>,
}

impl RecordPage {
    fn err(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

#[derive(Template)]
#[template(path = "dashboard/payments_record.html")]
struct RecordFull<'a> {
    p: &'a Page,
    r: &'a RecordPage,
}

#[derive(Template)]
#[template(path = "dashboard/payments_record_fragment.html")]
struct RecordFragment<'a> {
    p: &'a Page,
    r: &'a RecordPage,
}

/// The form alone inside the slide-in panel, else the whole page.
fn render_record(p: &Page, r: &RecordPage, headers: &HeaderMap, status: StatusCode) -> Response {
    if is_fragment(headers) {
        render_status(status, &RecordFragment { p, r })
    } else {
        render_status(status, &RecordFull { p, r })
    }
}

pub fn is_fragment(headers: &HeaderMap) -> bool {
    headers.get("x-fragment").is_some_and(|v| v == "1")
}

fn record_page(w: Words, order: &store::orders::Order) -> RecordPage {
    let owed = format::money(order.balance_due, &order.currency, w);
    RecordPage {
        order_id: order.id,
        intro: w.f(
            "pay.record_intro",
            &[("ref", &order.order_ref), ("owed", &owed)],
        ),
        hint: w.f("pay.amount_hint", &[("currency", order.currency.code())]),
        amount: input_amount(order.balance_due, &order.currency, w),
        method: "cash".into(),
        errors: BTreeMap::new(),
    }
}

async fn record_form(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, Fault> {
    let id = OrderId(path_id(&raw)?);
    let order = store::orders::get(&state.db, p.tenant.id, id).await?;
    let page = record_page(p.w, &order);
    Ok(render_record(&p, &page, &headers, StatusCode::OK))
}

#[derive(Deserialize)]
struct RecordForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    method: String,
}

async fn record(
    State(state): State<AppState>,
    p: EditPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(f): Form<RecordForm>,
) -> Result<Response, Fault> {
    let id = OrderId(path_id(&raw)?);
    let order = store::orders::get(&state.db, p.tenant.id, id).await?;
    let w = p.w;
    let mut page = record_page(w, &order);
    page.amount = f.amount.clone();
    page.method = f.method.clone();
    let owed = format::money(order.balance_due, &order.currency, w);
    let amount = parse_amount(&f.amount, &order.currency, w);
    if amount.is_none() {
        let example = format::money(order.balance_due.max(100), &order.currency, w);
        page.errors.insert(
            "amount",
            w.f("pay.err.amount_format", &[("example", &example)]),
        );
    }
    let method = Method::parse(&f.method);
    if method.is_none() {
        page.errors.insert("method", w.t("pay.err.method").to_string());
    }
    let (Some(amount), Some(method)) = (amount, method) else {
        return form_refused(&p.0, &headers, &page);
    };
    let m = engine::payments::ManualPayment {
        order: order.id,
        amount,
        method,
        kind: engine::payments::next_kind(order.amount_paid, order.deposit_amount),
        by: p.user.id,
    };
    match engine::payments::record_manual(&state.services, p.tenant.id, &m).await {
        Ok(paid) => {
            let after = store::orders::get(&state.db, p.tenant.id, order.id).await?;
            let text = w.f(
                "pay.done.recorded",
                &[
                    ("amount", &format::money(paid.amount, &paid.currency, w)),
                    ("ref", &after.order_ref),
                    ("owed", &format::money(after.balance_due, &after.currency, w)),
                ],
            );
            Ok(done(&state, &headers, "/app/payments", &text))
        }
        Err(engine::error::ServiceError::Invalid { field, .. }) if field == "amount" => {
            page.errors
                .insert("amount", w.f("pay.err.amount", &[("owed", &owed)]));
            form_refused(&p.0, &headers, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// The form again with its errors (422), or the same as JSON.
fn form_refused(p: &Page, headers: &HeaderMap, page: &RecordPage) -> Result<Response, Fault> {
    if wants_json(headers) {
        let message = page.errors.values().cloned().collect::<Vec<_>>().join(" ");
        let body = serde_json::json!({"error": {"code": "validation", "message": message, "fields": page.errors}});
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response());
    }
    Ok(render_record(p, page, headers, StatusCode::UNPROCESSABLE_ENTITY))
}

// ---- one-click actions ----------------------------------------------------------

/// The words for a link the service refused, by the field it named.
fn link_refusal(w: Words, e: &engine::error::ServiceError) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    if let engine::error::ServiceError::Invalid { field, .. } = e {
        let key = if field == "provider" {
            "pay.err.provider"
        } else {
            "pay.err.nothing_due"
        };
        fields.insert(field.to_string(), w.t(key).to_string());
    }
    fields
}

async fn send_link(
    State(state): State<AppState>,
    p: EditPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, Fault> {
    let id = OrderId(path_id(&raw)?);
    let order = store::orders::get(&state.db, p.tenant.id, id).await?;
    let r = engine::payments::LinkRequest {
        order: order.id,
        kind: engine::payments::next_kind(order.amount_paid, order.deposit_amount),
        amount: None,
        provider: None,
    };
    match engine::payments::request_link(&state.services, p.tenant.id, &r).await {
        Ok(pay) => {
            let text = p.w.f(
                "pay.done.link",
                &[
                    ("amount", &format::money(pay.amount, &pay.currency, p.w)),
                    ("ref", &order.order_ref),
                ],
            );
            Ok(done(&state, &headers, "/app/payments", &text))
        }
        Err(e) => {
            let fields = link_refusal(p.w, &e);
            refused(&state, &headers, p.w, "/app/payments", e.into(), fields)
        }
    }
}

async fn remind(
    State(state): State<AppState>,
    p: EditPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, Fault> {
    let id = PaymentId(path_id(&raw)?);
    match engine::payments::remind(&state.services, p.tenant.id, id).await {
        Ok(pay) => {
            let order = store::orders::get(&state.db, p.tenant.id, pay.order_id).await?;
            let text = p.w.f("pay.done.reminded", &[("ref", &order.order_ref)]);
            Ok(done(&state, &headers, "/app/payments", &text))
        }
        Err(e) => refused(
            &state,
            &headers,
            p.w,
            "/app/payments",
            e.into(),
            BTreeMap::new(),
        ),
    }
}

async fn confirm(
    State(state): State<AppState>,
    p: EditPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, Fault> {
    let id = PaymentId(path_id(&raw)?);
    match engine::payments::confirm(&state.services, p.tenant.id, id, p.user.id).await {
        Ok(pay) => {
            let order = store::orders::get(&state.db, p.tenant.id, pay.order_id).await?;
            let text = p.w.f(
                "pay.done.confirmed",
                &[
                    ("amount", &format::money(pay.amount, &pay.currency, p.w)),
                    ("ref", &order.order_ref),
                ],
            );
            Ok(done(&state, &headers, "/app/payments", &text))
        }
        Err(e) => refused(
            &state,
            &headers,
            p.w,
            "/app/payments",
            e.into(),
            BTreeMap::new(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap_or(Currency::USD)
    }

    #[test]
    fn amounts_are_read_as_people_type_them() {
        let en = Words::for_lang("en");
        let es = Words::for_lang("es");
        let ngn = cur("NGN");
        assert_eq!(parse_amount("15000", &ngn, en), Some(1_500_000));
        assert_eq!(parse_amount(" ₦15,000 ", &ngn, en), Some(1_500_000));
        assert_eq!(parse_amount("1,250.5", &ngn, en), Some(125_050));
        assert_eq!(parse_amount("-5", &ngn, en), Some(-500));
        assert_eq!(parse_amount("0", &ngn, en), Some(0));
        assert_eq!(parse_amount("abc", &ngn, en), None);
        assert_eq!(parse_amount("", &ngn, en), None);
        assert_eq!(parse_amount("1.234", &ngn, en), None, "three decimals");
        assert_eq!(parse_amount("15,00", &ngn, en), Some(1_500), "a decimal comma");
        assert_eq!(parse_amount("1,50,000", &ngn, en), None);
        assert_eq!(parse_amount("99999999999999999999", &ngn, en), None);
        let ars = cur("ARS");
        assert_eq!(parse_amount("$9.500", &ars, es), Some(950_000));
        assert_eq!(parse_amount("1.250,50", &ars, es), Some(125_050));
        assert_eq!(parse_amount("150.50", &ars, es), Some(15_050));
        let ugx = cur("UGX");
        assert_eq!(parse_amount("5000", &ugx, en), Some(5000));
        assert_eq!(parse_amount("5000.5", &ugx, en), None, "no minor unit");
    }

    #[test]
    fn a_form_shows_an_amount_it_can_read_back() {
        let en = Words::for_lang("en");
        let es = Words::for_lang("es");
        let ngn = cur("NGN");
        assert_eq!(input_amount(3_000_000, &ngn, en), "30000");
        assert_eq!(input_amount(125_050, &ngn, en), "1250.50");
        assert_eq!(input_amount(125_050, &ngn, es), "1250,50");
        for minor in [1, 99, 100, 125_050, 3_000_000] {
            for w in [en, es] {
                assert_eq!(parse_amount(&input_amount(minor, &ngn, w), &ngn, w), Some(minor));
            }
        }
    }
}
