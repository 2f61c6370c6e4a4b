//! Stock: what each product has on hand, what open orders hold and what
//! can still be sold, with low and out-of-stock badges at the product's own
//! threshold; receiving stock and adjusting a count with a reason
//! (`engine::catalog::record`, as the API's); and each product's ledger,
//! newest first. Products that track no stock (made to order) are listed
//! apart, on the menu or snoozed.

use super::payments::{done, path_id};
use super::words::{Table, Words};
use super::{EditPage, Fault, Page, format, render, render_status};
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::ProductId;
use engine::catalog::Movement;
use engine::error::ServiceError;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use store::inventory::Movement as Kind;
use store::products::Product;

pub const WORDS: Table = &[
    ("stock.title", "Stock", "Stock"),
    ("stock.product", "Product", "Producto"),
    ("stock.on_hand", "On hand", "En depósito"),
    ("stock.reserved", "Held by orders", "Reservado"),
    ("stock.saleable", "Can sell", "Para vender"),
    ("stock.threshold", "Alert at", "Aviso en"),
    ("stock.low", "Low", "Poco stock"),
    ("stock.out", "Out of stock", "Sin stock"),
    ("stock.snoozed", "Snoozed", "Pausado"),
    ("stock.on_menu", "On the menu", "En el menú"),
    ("stock.tracked_none", "No product counts its stock yet.", "Ningún producto lleva stock todavía."),
    ("stock.untracked", "Made to order (no stock count)", "A pedido (sin stock)"),
    (
        "stock.untracked_intro",
        "These products are not counted; they sell while they are on the menu.",
        "Estos productos no se cuentan; se venden mientras están en el menú.",
    ),
    ("stock.summary_low", "{n} low", "{n} con poco stock"),
    ("stock.summary_out", "{n} out of stock", "{n} sin stock"),
    ("stock.open", "Ledger and counts", "Movimientos y conteo"),
    ("stock.back", "All stock", "Todo el stock"),
    ("stock.ledger", "Ledger", "Movimientos"),
    (
        "stock.ledger_none",
        "No movements yet.",
        "Todavía no hay movimientos.",
    ),
    ("stock.when", "When", "Cuándo"),
    ("stock.kind", "What", "Qué"),
    ("stock.change", "Change", "Cambio"),
    ("stock.after", "On hand after", "Queda"),
    ("stock.who", "Who", "Quién"),
    ("stock.reason", "Reason", "Motivo"),
    ("stock.by_system", "Automatic", "Automático"),
    ("stock.kind.receipt", "Received", "Ingreso"),
    ("stock.kind.sale", "Sold", "Venta"),
    ("stock.kind.adjustment", "Adjusted", "Ajuste"),
    ("stock.kind.reservation", "Held", "Reserva"),
    ("stock.kind.release", "Let go", "Liberado"),
    ("stock.receive", "Receive stock", "Ingresar stock"),
    ("stock.receive_qty", "How many arrived", "Cuántos llegaron"),
    ("stock.receive_note", "Note (optional)", "Nota (opcional)"),
    (
        "stock.receive_note_hint",
        "Supplier, delivery note…",
        "Proveedor, remito…",
    ),
    ("stock.receive_submit", "Add to stock", "Sumar al stock"),
    ("stock.adjust", "Adjust the count", "Corregir el conteo"),
    ("stock.adjust_qty", "Change", "Cambio"),
    (
        "stock.adjust_hint",
        "Minus to take off (-3), plus to add (5).",
        "Con menos para restar (-3), sin signo para sumar (5).",
    ),
    ("stock.adjust_reason", "Reason", "Motivo"),
    (
        "stock.adjust_reason_hint",
        "Damaged, stock count, found…",
        "Roto, conteo, apareció…",
    ),
    ("stock.adjust_submit", "Save the change", "Guardar el cambio"),
    (
        "stock.not_tracked",
        "This product is made to order: it has no stock count.",
        "Este producto es a pedido: no lleva stock.",
    ),
    (
        "stock.err.number",
        "Write a whole number, like 20.",
        "Escribí un número entero, como 20.",
    ),
    (
        "stock.err.receive",
        "A receipt adds 1 or more.",
        "Un ingreso suma 1 o más.",
    ),
    (
        "stock.err.zero",
        "The change cannot be 0.",
        "El cambio no puede ser 0.",
    ),
    (
        "stock.err.too_many",
        "That is more units than any shop counts.",
        "Son más unidades de las que cualquier negocio cuenta.",
    ),
    (
        "stock.err.held",
        "Open orders hold the rest: at most {n} can be taken off.",
        "Los pedidos abiertos reservan el resto: se pueden restar hasta {n}.",
    ),
    (
        "stock.err.reason",
        "Say why the count changes.",
        "Decí por qué cambia el conteo.",
    ),
    (
        "stock.err.reason_long",
        "Keep the reason under 500 characters.",
        "El motivo tiene que tener menos de 500 caracteres.",
    ),
    (
        "stock.done.received",
        "{n} of {name} received. On hand: {on_hand}.",
        "Ingresaron {n} de {name}. En depósito: {on_hand}.",
    ),
    (
        "stock.done.adjusted",
        "{name} adjusted by {n}. On hand: {on_hand}.",
        "{name} corregido en {n}. En depósito: {on_hand}.",
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/stock", get(list))
        .route("/app/stock/{product_id}", get(ledger))
        .route("/app/stock/{product_id}/receive", post(receive))
        .route("/app/stock/{product_id}/adjust", post(adjust))
}

/// A product's figures as the pages show them.
struct Level {
    id: ProductId,
    name: String,
    sku: String,
    category: Option<String>,
    price: String,
    tracked: bool,
    on_hand: i64,
    reserved: i64,
    saleable: i64,
    threshold: Option<i64>,
    low: bool,
    out: bool,
    snoozed: bool,
}

fn level(w: Words, p: &Product) -> Level {
    let saleable = p.saleable.unwrap_or_default();
    let cur = domain::money::Currency::parse(&p.currency).unwrap_or(domain::money::Currency::USD);
    Level {
        id: p.id,
        name: p.name.clone(),
        sku: p.sku.clone(),
        category: p.category.clone(),
        price: format::money(p.price, &cur, w),
        tracked: p.track_stock,
        on_hand: p.stock_on_hand,
        reserved: p.reserved,
        saleable,
        threshold: p.low_stock_threshold,
        out: p.track_stock && saleable <= 0,
        low: p.is_low() && saleable > 0,
        snoozed: !p.is_available,
    }
}

#[derive(Template)]
#[template(path = "dashboard/stock.html")]
struct StockPage {
    p: Page,
    tracked: Vec<Level>,
    untracked: Vec<Level>,
    summary: Vec<String>,
}

async fn list(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    let all = store::products::list(&state.db, p.tenant.id, &Default::default()).await?;
    let (tracked, untracked): (Vec<_>, Vec<_>) = all
        .iter()
        .map(|x| level(p.w, x))
        .partition(|l| l.tracked);
    let low = tracked.iter().filter(|l| l.low).count();
    let out = tracked.iter().filter(|l| l.out).count();
    let mut summary = Vec::new();
    if out > 0 {
        summary.push(p.w.f("stock.summary_out", &[("n", &out.to_string())]));
    }
    if low > 0 {
        summary.push(p.w.f("stock.summary_low", &[("n", &low.to_string())]));
    }
    Ok(render(&StockPage {
        tracked,
        untracked,
        summary,
        p,
    }))
}

/// A ledger row as the page shows it.
struct Line {
    when: String,
    kind: &'static str,
    change: String,
    on_hand_after: i64,
    who: String,
    reason: String,
    order: Option<(uuid::Uuid, String)>,
}

fn kind_key(k: Kind) -> &'static str {
    match k {
        Kind::Receipt => "stock.kind.receipt",
        Kind::Sale => "stock.kind.sale",
        Kind::Adjustment => "stock.kind.adjustment",
        Kind::Reservation => "stock.kind.reservation",
        Kind::Release => "stock.kind.release",
    }
}

/// What the forms hold and the errors next to their fields.
#[derive(Default)]
struct Forms {
    receive_qty: String,
    receive_note: String,
    adjust_qty: String,
    adjust_reason: String,
    errors: BTreeMap<&'static str, String>,
}

#[derive(Template)]
#[template(path = "dashboard/stock_product.html")]
struct ProductPage {
    p: Page,
    product: Level,
    lines: Vec<Line>,
    f: Forms,
}

impl ProductPage {
    fn err(&self, field: &str) -> Option<&String> {
        self.f.errors.get(field)
    }
}

const LEDGER_ROWS: i64 = 200;

async fn product_page(state: &AppState, p: Page, raw: &str, f: Forms) -> Result<ProductPage, Fault> {
    let id = ProductId(path_id(raw)?);
    let product = store::products::get(&state.db, p.tenant.id, id).await?;
    let movements =
        store::inventory::movements(&state.db, p.tenant.id, product.id, LEDGER_ROWS).await?;
    let names: HashMap<uuid::Uuid, String> = store::users::list(&state.db, p.tenant.id)
        .await?
        .into_iter()
        .map(|u| (u.id.0, u.name))
        .collect();
    let now = state.services.clock.now();
    let tz = p.tenant.tz();
    let w = p.w;
    let lines = movements
        .into_iter()
        .map(|m| {
            Line {
                when: format::when(w, m.created_at, tz, now),
                kind: w.t(kind_key(m.kind)),
                change: if m.quantity > 0 {
                    format!("+{}", m.quantity)
                } else {
                    m.quantity.to_string()
                },
                on_hand_after: m.on_hand_after,
                who: m
                    .user_id
                    .and_then(|u| names.get(&u).cloned())
                    .unwrap_or_else(|| w.t("stock.by_system").to_string()),
                reason: m.reason.unwrap_or_default(),
                order: m.order_id.zip(m.order_ref),
            }
        })
        .collect();
    Ok(ProductPage {
        product: level(w, &product),
        lines,
        f,
        p,
    })
}

async fn ledger(
    State(state): State<AppState>,
    p: Page,
    Path(raw): Path<String>,
) -> Result<Response, Fault> {
    let page = product_page(&state, p, &raw, Forms::default()).await?;
    Ok(render(&page))
}

/// A whole number as typed (`20`, `+5`, `-3`, `1,000`, `1.000`); None
/// otherwise (a fraction is not a count).
fn parse_count(text: &str) -> Option<i64> {
    let s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    let groups: Vec<&str> = digits.split([',', '.']).collect();
    let grouped = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let joined = groups.concat();
    if !grouped || joined.is_empty() || !joined.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: i64 = joined.parse().ok()?;
    Some(if negative { -n } else { n })
}

#[derive(Deserialize)]
struct ReceiveForm {
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
struct AdjustForm {
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    reason: String,
}

/// Words for what the catalog service refused, next to the field it named.
fn explain(w: Words, e: &ServiceError, m: &Movement, saleable: i64) -> Option<(&'static str, String)> {
    let ServiceError::Invalid { field, .. } = e else {
        return None;
    };
    let (qty, reason) = match m {
        Movement::Receipt { quantity, .. } => (*quantity, None),
        Movement::Adjustment { delta, reason } => (*delta, Some(reason)),
    };
    Some(match field.as_ref() {
        "quantity" if qty.abs() > engine::catalog::MAX_STOCK => {
            ("quantity", w.t("stock.err.too_many").to_string())
        }
        "quantity" if matches!(m, Movement::Receipt { .. }) => {
            ("quantity", w.t("stock.err.receive").to_string())
        }
        "quantity" if qty == 0 => ("quantity", w.t("stock.err.zero").to_string()),
        "quantity" => (
            "quantity",
            w.f("stock.err.held", &[("n", &saleable.max(0).to_string())]),
        ),
        "reason" if reason.is_some_and(|r| !r.trim().is_empty()) => {
            ("reason", w.t("stock.err.reason_long").to_string())
        }
        "reason" => ("reason", w.t("stock.err.reason").to_string()),
        _ => ("form", w.t("stock.not_tracked").to_string()),
    })
}

/// Which of the product page's forms was sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Receive,
    Adjust,
}

/// Records `m` and answers: back to the product with a notice, or its
/// page again (422) with the error next to the field, nothing written.
async fn apply(
    state: &AppState,
    p: &EditPage,
    headers: &HeaderMap,
    raw: &str,
    m: Option<Movement>,
    mut f: Forms,
    which: Which,
) -> Result<Response, Fault> {
    let w = p.w;
    let id = ProductId(path_id(raw)?);
    let product = store::products::get(&state.db, p.tenant.id, id).await?;
    let back = format!("/app/stock/{}", product.id);
    if let Some(m) = m {
        match engine::catalog::record(&state.db, p.tenant.id, product.id, &m, Some(p.user.id))
            .await
        {
            Ok((moved, after)) => {
                let (key, n) = match which {
                    Which::Receive => ("stock.done.received", moved.quantity.to_string()),
                    Which::Adjust if moved.quantity > 0 => {
                        ("stock.done.adjusted", format!("+{}", moved.quantity))
                    }
                    Which::Adjust => ("stock.done.adjusted", moved.quantity.to_string()),
                };
                let text = w.f(
                    key,
                    &[
                        ("n", &n),
                        ("name", &after.name),
                        ("on_hand", &after.stock_on_hand.to_string()),
                    ],
                );
                return Ok(done(state, headers, &back, &text));
            }
            Err(e) => match explain(w, &e, &m, product.saleable.unwrap_or_default()) {
                Some((field, text)) => {
                    f.errors.insert(field_key(which, field), text);
                }
                None => return Err(e.into()),
            },
        }
    }
    if super::payments::wants_json(headers) {
        let message = f.errors.values().cloned().collect::<Vec<_>>().join(" ");
        let body = serde_json::json!({"error": {"code": "validation", "message": message, "fields": f.errors}});
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response());
    }
    let page = product_page(state, p.0.clone(), raw, f).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The form field an error belongs to: `receive_quantity`, `adjust_reason`…
fn field_key(which: Which, field: &str) -> &'static str {
    match (which, field) {
        (Which::Receive, "quantity") => "receive_quantity",
        (Which::Receive, "reason") => "receive_note",
        (Which::Adjust, "quantity") => "adjust_quantity",
        (Which::Adjust, "reason") => "adjust_reason",
        _ => "form",
    }
}

async fn receive(
    State(state): State<AppState>,
    p: EditPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<ReceiveForm>,
) -> Result<Response, Fault> {
    let mut f = Forms {
        receive_qty: form.quantity.clone(),
        receive_note: form.note.clone(),
        ..Default::default()
    };
    let note = Some(form.note.trim().to_string()).filter(|n| !n.is_empty());
    let m = match parse_count(&form.quantity) {
        Some(quantity) => Some(Movement::Receipt {
            quantity,
            reason: note,
        }),
        None => {
            f.errors
                .insert("receive_quantity", p.w.t("stock.err.number").to_string());
            None
        }
    };
    apply(&state, &p, &headers, &raw, m, f, Which::Receive).await
}

async fn adjust(
    State(state): State<AppState>,
    p: EditPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<AdjustForm>,
) -> Result<Response, Fault> {
    let mut f = Forms {
        adjust_qty: form.quantity.clone(),
        adjust_reason: form.reason.clone(),
        ..Default::default()
    };
    let m = match parse_count(&form.quantity) {
        Some(delta) => Some(Movement::Adjustment {
            delta,
            reason: form.reason.trim().to_string(),
        }),
        None => {
            f.errors
                .insert("adjust_quantity", p.w.t("stock.err.number").to_string());
            None
        }
    };
    apply(&state, &p, &headers, &raw, m, f, Which::Adjust).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_whole_numbers_with_a_sign() {
        assert_eq!(parse_count("20"), Some(20));
        assert_eq!(parse_count(" +5 "), Some(5));
        assert_eq!(parse_count("-3"), Some(-3));
        assert_eq!(parse_count("1,000"), Some(1000));
        assert_eq!(parse_count("0"), Some(0));
        assert_eq!(parse_count("abc"), None);
        assert_eq!(parse_count(""), None);
        assert_eq!(parse_count("--3"), None);
        assert_eq!(parse_count("3-"), None);
        assert_eq!(parse_count("1.5"), None);
        assert_eq!(parse_count("2.000"), Some(2000));
    }
}
