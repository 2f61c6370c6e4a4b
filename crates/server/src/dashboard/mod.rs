//! The owner's dashboard: server-rendered pages (askama templates under
//! `templates/dashboard`, our own CSS and JS under `assets/dashboard`, all
//! embedded in the binary). Every page parses its input, calls the same
//! `engine` services as the API and renders the result; every action is a
//! plain form post that a little JavaScript may send in the background.
//!
//! Pages live under `/app`; sign-in under `/login`. The layer in
//! [`session`] finds the session, checks CSRF and renders faults.

pub mod assets;
pub mod automation;
pub mod customers;
pub mod format;
pub mod inbox;
pub mod live;
pub mod login;
pub mod orders;
pub mod payments;
pub mod session;
pub mod settings;
pub mod stock;
pub mod today;
pub mod words;

pub use session::{EditPage, Fault, OwnerPage, Page, PageData};
pub use words::Words;

use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

/// How a page looks before and after sign-in: its words, the theme the
/// person chose, and a notice from the previous request.
#[derive(Debug, Clone)]
pub struct Look {
    pub w: Words,
    pub theme: &'static str,
    pub flash: Option<String>,
}

/// The dashboard's routes, behind its layer.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/app") }))
        .merge(login::routes())
        .merge(assets::routes())
        .merge(today::routes())
        .merge(live::routes())
        .merge(orders::routes())
        .merge(payments::routes())
        .merge(stock::routes())
        .merge(settings::routes())
        .merge(automation::routes())
        .merge(customers::routes())
        .merge(inbox::routes())
        .layer(axum::middleware::from_fn_with_state(state, session::layer))
}

/// A rendered page; a template that fails to render is a fault, not a
/// half page.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => {
            let mut res = Html(html).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => session::internal(e).into_response(),
    }
}

/// The same, with a status other than 200 (a form with errors is a 422).
pub fn render_status(status: axum::http::StatusCode, t: &impl Template) -> Response {
    let mut res = render(t);
    if res.status().is_success() {
        *res.status_mut() = status;
    }
    res
}

/// Back to `to` with a notice for the next page.
pub fn redirect_with(state: &AppState, to: &str, notice: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, session::flash_cookie(state, notice));
    res
}

/// Maps a service's refusal to the fault page or, when the form can show
/// it, to words. Not found (or another business's) is always a 404.
impl From<crate::error::AppError> for Fault {
    fn from(e: crate::error::AppError) -> Fault {
        use crate::error::AppError;
        match e {
            AppError::NotFound => Fault::NOT_FOUND,
            AppError::Forbidden(_) => Fault::FORBIDDEN,
            AppError::Validation(_) | AppError::BadRequest { .. } | AppError::Conflict { .. } => {
                Fault::BAD_REQUEST
            }
            AppError::Unauthorized { .. } => Fault::FORBIDDEN,
            AppError::TooMany { .. } => Fault::BAD_REQUEST,
            AppError::Internal(e) => session::internal(e),
        }
    }
}

impl From<engine::error::ServiceError> for Fault {
    fn from(e: engine::error::ServiceError) -> Fault {
        crate::error::AppError::from(e).into()
    }
}

impl From<store::StoreError> for Fault {
    fn from(e: store::StoreError) -> Fault {
        crate::error::AppError::from(e).into()
    }
}

/// The words that say why a service refused, by its error code, for the
/// message next to a card or a field; None for codes without their own.
pub fn refusal_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "deposit_due" => "why.deposit_due",
        "balance_due" => "why.balance_due",
        "pickup_order" => "why.pickup_order",
        "invalid_transition" | "invalid_stage" => "why.transition",
        "stage_changed" => "why.changed",
        "already_paid" => "why.already_paid",
        "opted_out" => "why.opted_out",
        "window_closed" => "why.window_closed",
        "insufficient_stock" => "why.insufficient_stock",
        _ => return None,
    })
}

/// A service error in the person's words: the refusal's own sentence when
/// we have one, else the field's message as the service wrote it.
pub fn explain(w: Words, e: &crate::error::AppError) -> String {
    use crate::error::AppError;
    match e {
        AppError::Conflict { code, message, .. } => {
            refusal_key(code).map_or_else(|| message.clone(), |k| w.t(k).to_string())
        }
        AppError::Validation(fields) => fields
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; "),
        AppError::BadRequest { message, .. } | AppError::TooMany { message, .. } => message.clone(),
        AppError::NotFound => w.t("error.not_found").to_string(),
        AppError::Forbidden(_) | AppError::Unauthorized { .. } => {
            w.t("error.forbidden").to_string()
        }
        AppError::Internal(_) => w.t("error.internal").to_string(),
    }
}

pub const WHY: words::Table = &[
    (
        "why.deposit_due",
        "The deposit is not paid yet: record it, or send the customer a payment link, before work starts.",
        "La seña todavía no está pagada: registrala, o mandale al cliente un link de pago, antes de empezar.",
    ),
    (
        "why.balance_due",
        "Money is still due on this order: record the payment first.",
        "Este pedido todavía tiene saldo: registrá el pago primero.",
    ),
    (
        "why.pickup_order",
        "The customer collects this order; it does not go out for delivery.",
        "El cliente retira este pedido; no sale a reparto.",
    ),
    (
        "why.transition",
        "The order cannot move there from its stage.",
        "El pedido no puede pasar a esa etapa desde donde está.",
    ),
    (
        "why.changed",
        "Someone changed this order meanwhile: look again and retry.",
        "Alguien cambió este pedido mientras tanto: mirá de nuevo y reintentá.",
    ),
    (
        "why.already_paid",
        "That payment is already settled.",
        "Ese pago ya está saldado.",
    ),
    (
        "why.opted_out",
        "This customer asked not to get messages.",
        "Este cliente pidió no recibir mensajes.",
    ),
    (
        "why.window_closed",
        "More than 24 hours since the customer last wrote: pick an approved template.",
        "Pasaron más de 24 horas desde el último mensaje del cliente: elegí una plantilla aprobada.",
    ),
    (
        "why.insufficient_stock",
        "Not enough in stock for that.",
        "No hay stock suficiente para eso.",
    ),
];

#[derive(Template)]
#[template(path = "dashboard/fault.html")]
struct FaultPage<'a> {
    p: &'a PageData,
    f: Fault,
}

#[derive(Template)]
#[template(path = "dashboard/fault_bare.html")]
struct FaultBare {
    look: Look,
    f: Fault,
}

/// The page a fault shows: inside the menu when signed in.
pub(crate) fn fault_page(
    page: Option<&PageData>,
    w: Words,
    theme: &'static str,
    f: Fault,
) -> Html<String> {
    let html = match page {
        Some(p) => FaultPage { p, f }.render(),
        None => FaultBare {
            look: Look {
                w,
                theme,
                flash: None,
            },
            f,
        }
        .render(),
    };
    Html(html.unwrap_or_else(|_| w.t(f.key).to_string()))
}
