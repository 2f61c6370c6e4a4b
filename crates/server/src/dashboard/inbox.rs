//! The inbox: conversations waiting for a person (`engine::inbox`), each
//! with the customer, why and since when; a person takes it over (the bot
//! pauses), hands it back to the bot, or marks it resolved, and replies in
//! the customer's thread.

use super::customers::{back_to, done, wants_json};
use super::words::Table;
use super::{EditPage, Fault, Page, format, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use domain::messages::Attention;
use store::inbox::EntryId;

pub const WORDS: Table = &[
    ("inbox.title", "Inbox", "Bandeja"),
    (
        "inbox.intro",
        "Customers the bot handed to a person.",
        "Clientes que el bot pasó a una persona.",
    ),
    (
        "inbox.empty",
        "Nobody is waiting for a person.",
        "Nadie está esperando a una persona.",
    ),
    (
        "inbox.since",
        "Waiting since {when}",
        "Esperando desde {when}",
    ),
    (
        "inbox.last",
        "Last message, {when}:",
        "Último mensaje, {when}:",
    ),
    (
        "inbox.open_thread",
        "Open the thread",
        "Abrir la conversación",
    ),
    ("inbox.resolve", "Resolved", "Resuelto"),
    (
        "inbox.resolved",
        "Marked resolved: the bot answers {name} again.",
        "Marcado como resuelto: el bot vuelve a responderle a {name}.",
    ),
    (
        "inbox.with_person",
        "A person is answering until {until}.",
        "Está respondiendo una persona hasta las {until}.",
    ),
    ("inbox.count", "{n} waiting", "{n} esperando"),
    (
        "reason.asked_for_person",
        "Asked for a person",
        "Pidió hablar con una persona",
    ),
    (
        "reason.not_understood",
        "The bot did not understand",
        "El bot no entendió",
    ),
    (
        "reason.media",
        "Sent a voice note, photo or file",
        "Mandó un audio, foto o archivo",
    ),
    (
        "reason.payment_claimed",
        "Says they paid: check it",
        "Dice que pagó: hay que verificarlo",
    ),
    (
        "reason.transfer_details",
        "Wants to pay by transfer: send the account details",
        "Quiere pagar por transferencia: mandale los datos de la cuenta",
    ),
    (
        "reason.cancel_request",
        "Wants to cancel an order in progress",
        "Quiere cancelar un pedido en curso",
    ),
    (
        "reason.payment_declined",
        "A payment was declined",
        "Un pago fue rechazado",
    ),
    (
        "reason.bot_failed",
        "The bot could not answer a message",
        "El bot no pudo responder un mensaje",
    ),
];

/// The most entries the inbox lists.
const LIMIT: i64 = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/inbox", get(show))
        .route("/app/inbox/{id}/resolve", post(resolve))
}

/// Why a customer waits, in the person's words.
pub fn reason_key(reason: Attention) -> &'static str {
    match reason {
        Attention::AskedForPerson => "reason.asked_for_person",
        Attention::NotUnderstood => "reason.not_understood",
        Attention::Media => "reason.media",
        Attention::PaymentClaimed => "reason.payment_claimed",
        Attention::TransferDetails => "reason.transfer_details",
        Attention::CancelRequest => "reason.cancel_request",
        Attention::PaymentDeclined => "reason.payment_declined",
        Attention::BotFailed => "reason.bot_failed",
    }
}

struct Item {
    id: String,
    customer_id: String,
    name: String,
    phone: String,
    why: &'static str,
    detail: Option<String>,
    since: String,
    last: Option<String>,
    paused_until: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard/inbox.html")]
struct InboxPage {
    p: Page,
    items: Vec<Item>,
    count: String,
}

async fn show(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    let entries = engine::inbox::open_entries(&state.db, p.tenant.id, LIMIT).await?;
    let ids: Vec<uuid::Uuid> = entries.iter().map(|e| e.customer_id.0).collect();
    // The bot's pause, for every customer listed, in one query.
    let customers = store::customers::by_ids(&state.db, &ids).await?;
    let now = state.services.clock.now();
    let tz = p.tenant.tz();
    let w = p.w;
    let items = entries
        .into_iter()
        .map(|e| {
            let paused = customers
                .iter()
                .find(|c| c.id == e.customer_id && c.tenant_id == p.tenant.id)
                .and_then(|c| c.bot_paused_until)
                .filter(|u| *u > now);
            Item {
                id: e.id.to_string(),
                customer_id: e.customer_id.0.to_string(),
                name: e
                    .customer_name
                    .clone()
                    .or_else(|| e.customer_phone.clone())
                    .unwrap_or_default(),
                phone: e.customer_phone.unwrap_or_default(),
                why: reason_key(e.reason),
                detail: e.detail.clone().filter(|d| !d.trim().is_empty()),
                since: w.f(
                    "inbox.since",
                    &[("when", &format::when(w, e.opened_at, tz, now))],
                ),
                // The latest message, unless it is what the detail says.
                last: match (e.last_body, e.last_at) {
                    (Some(b), Some(at))
                        if !b.trim().is_empty() && e.detail.as_deref() != Some(b.as_str()) =>
                    {
                        let when = format::when(w, at, tz, now);
                        Some(format!("{} {b}", w.f("inbox.last", &[("when", &when)])))
                    }
                    _ => None,
                },
                paused_until: paused.map(|u| {
                    w.f(
                        "inbox.with_person",
                        &[("until", &format::when(w, u, tz, now))],
                    )
                }),
            }
        })
        .collect::<Vec<_>>();
    Ok(render(&InboxPage {
        count: w.f("inbox.count", &[("n", &items.len().to_string())]),
        items,
        p,
    }))
}

#[derive(Debug, serde::Deserialize)]
struct Next {
    next: Option<String>,
}

async fn resolve(
    State(state): State<AppState>,
    p: EditPage,
    Path(raw): Path<String>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<Next>,
) -> Result<Response, Fault> {
    let id: EntryId = raw.parse().map_err(|_| Fault::NOT_FOUND)?;
    let entry = engine::inbox::resolve(&state.db, p.tenant.id, id, p.user.id).await?;
    let name = entry
        .customer_name
        .or(entry.customer_phone)
        .unwrap_or_default();
    let notice = p.w.f("inbox.resolved", &[("name", &name)]);
    let to = back_to(f.next.as_deref(), "/app/inbox".into());
    Ok(done(&state, wants_json(&headers), &to, &notice))
}
