//! Today, the landing page: a greeting with the business's local date, the
//! figures that matter this week and month, and today's active orders.

use super::words::Table;
use super::{Fault, Page, format, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

pub const WORDS: Table = &[
    ("today.title", "Today", "Hoy"),
    ("today.greeting", "Hello, {name}", "Hola, {name}"),
    ("today.due_today", "Due today", "Para hoy"),
    (
        "today.none",
        "Nothing is due today.",
        "No hay nada para hoy.",
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/app", get(show))
}

#[derive(Template)]
#[template(path = "dashboard/today.html")]
struct TodayPage {
    p: Page,
    greeting: String,
    date: String,
    due: Vec<store::orders::Order>,
}

async fn show(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    let now = state.services.clock.now();
    let local = now.with_timezone(&p.tenant.tz()).date_naive();
    let due = engine::orders::due_today(&state.services, p.tenant.id)
        .await
        .map_err(crate::error::AppError::from)?;
    let first = p
        .user
        .name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    Ok(render(&TodayPage {
        greeting: p.w.f("today.greeting", &[("name", &first)]),
        date: format::long_day(p.w, local),
        due,
        p,
    }))
}
