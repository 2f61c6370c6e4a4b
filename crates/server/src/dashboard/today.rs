//! Today, the landing page: a greeting with the business's local date, the
//! week's and month's figures, and today's active orders as cards. The
//! figures are `engine::dashboard::today`'s.

use super::words::Table;
use super::{Fault, Page, format, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use engine::dashboard::{Card, Today, Urgency};

pub const WORDS: Table = &[
    ("today.title", "Today", "Hoy"),
    ("today.greeting", "Hello, {name}", "Hola, {name}"),
    ("today.active", "Active orders", "Pedidos activos"),
    ("today.overdue", "{count} overdue", "{count} atrasados"),
    ("today.due_week", "Due this week", "Para esta semana"),
    ("today.urgent", "{count} urgent", "{count} urgentes"),
    ("today.pending", "Pending payments", "Pagos pendientes"),
    ("today.pending_count", "{count} orders", "{count} pedidos"),
    ("today.revenue", "Paid this month", "Cobrado este mes"),
    (
        "today.vs_last",
        "{change} vs last month ({last})",
        "{change} contra el mes pasado ({last})",
    ),
    (
        "today.no_last",
        "Last month: {last}",
        "El mes pasado: {last}",
    ),
    ("today.orders_today", "Today's orders", "Pedidos de hoy"),
    (
        "today.none",
        "Nothing due today. New chat orders appear here as they come in.",
        "No hay nada para hoy. Los pedidos nuevos del chat aparecen acá apenas llegan.",
    ),
    ("today.more", "More on the board", "Más en el tablero"),
    ("card.due", "Due {date}", "Para el {date}"),
    ("card.owed", "{amount} owed", "Debe {amount}"),
    ("card.paid", "Paid", "Pagado"),
    ("card.deposit_due", "Deposit due", "Falta la seña"),
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/app", get(show))
}

/// A card as the templates show it: everything already in words.
pub struct CardView {
    pub id: String,
    pub order_ref: String,
    pub customer: String,
    pub summary: String,
    pub stage: &'static str,
    pub stage_key: &'static str,
    pub urgency: Option<(&'static str, &'static str)>,
    pub due: Option<String>,
    pub owed: Option<String>,
    pub deposit_due: bool,
}

impl CardView {
    pub fn new(p: &Page, c: &Card, today: chrono::NaiveDate) -> CardView {
        let w = p.w;
        let tz = p.tenant.tz();
        CardView {
            id: c.id.0.to_string(),
            order_ref: c.order_ref.clone(),
            customer: c.customer_name.clone(),
            summary: c.summary.clone().unwrap_or_default(),
            stage: format::stage(w, c.stage),
            stage_key: c.stage.as_str(),
            urgency: match c.urgency {
                Urgency::Overdue => Some(("overdue", w.t("urgency.overdue"))),
                Urgency::Urgent => Some(("urgent", w.t("urgency.urgent"))),
                Urgency::Normal => None,
            },
            due: c.deadline.map(|d| {
                let date = format::due(w, d.with_timezone(&tz).date_naive(), today);
                w.f("card.due", &[("date", &date)])
            }),
            owed: (c.balance_due > 0).then(|| {
                w.f(
                    "card.owed",
                    &[("amount", &format::money(c.balance_due, &c.currency, w))],
                )
            }),
            deposit_due: c.deposit_amount > 0 && !c.deposit_met,
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/today.html")]
struct TodayPage {
    p: Page,
    greeting: String,
    date: String,
    t: Today,
    cards: Vec<CardView>,
    pending: String,
    revenue: String,
    change: Option<(bool, String)>,
    last: String,
}

async fn show(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    let t = engine::dashboard::today(&state.services, p.tenant.id).await?;
    let w = p.w;
    let first = p
        .user
        .name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let cards = t
        .cards
        .iter()
        .map(|c| CardView::new(&p, c, t.date))
        .collect();
    let m = |v: &domain::money::Money| format::money(v.minor, &v.currency, w);
    let change = t.revenue_change_percent.map(|pc| {
        let rounded = pc.round() as i64;
        (
            rounded >= 0,
            format!("{}{rounded}%", if rounded >= 0 { "+" } else { "" }),
        )
    });
    Ok(render(&TodayPage {
        greeting: w.f("today.greeting", &[("name", &first)]),
        date: format::long_day(w, t.date),
        pending: m(&t.pending_amount),
        revenue: m(&t.revenue_this_month),
        last: m(&t.revenue_last_month),
        change,
        cards,
        t,
        p,
    }))
}
