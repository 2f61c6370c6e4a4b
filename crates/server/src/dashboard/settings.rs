//! Settings: the business's details and how it takes orders, opening
//! hours, delivery zones, payment methods and providers, WhatsApp numbers,
//! the team and the bot's wording. Everyone on the team may read them; only
//! the owner changes them. Every form calls the same checked functions as
//! the JSON API (`api::settings::apply`, `api::zones::create_zone`, ...),
//! so a rule lives once; the API's field names are mapped to the form's
//! inputs and the errors shown next to them.

use super::words::{Table, Words};
use super::{Fault, OwnerPage, Page, format, redirect_with, render};
use crate::api;
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::hours::{Day, OpeningHours, Shift};
use domain::order::PaymentMethod;
use domain::tenant::Role;
use domain::text::Key;
use domain::{TenantId, UserId, WaNumberId, ZoneId};
use serde::Deserialize;
use std::collections::BTreeMap;
use store::business::ConsumeOn;

pub const WORDS: Table = &[
    ("settings.title", "Settings", "Ajustes"),
    ("settings.business", "Business", "Negocio"),
    ("settings.hours", "Hours", "Horarios"),
    ("settings.zones", "Delivery zones", "Zonas de envío"),
    ("settings.payments", "Payments", "Pagos"),
    ("settings.whatsapp", "WhatsApp", "WhatsApp"),
    ("settings.team", "Team", "Equipo"),
    ("settings.wording", "Wording", "Textos"),
    (
        "settings.owner_only",
        "Only the owner can change these settings.",
        "Solo el dueño puede cambiar estos ajustes.",
    ),
    (
        "settings.check_fields",
        "Some fields need a look: see the messages next to them.",
        "Hay campos para revisar: mirá los mensajes al lado.",
    ),
    (
        "settings.whole_number",
        "Write a whole number.",
        "Escribí un número entero.",
    ),
    (
        "settings.amount",
        "Write an amount, like 1500 or 1500.50.",
        "Escribí un monto, como 1500 o 1500,50.",
    ),
    ("settings.details", "Details", "Datos"),
    (
        "settings.business_name",
        "Business name",
        "Nombre del negocio",
    ),
    ("settings.phone", "Business phone", "Teléfono del negocio"),
    ("settings.timezone", "Timezone", "Zona horaria"),
    (
        "settings.timezone_hint",
        "A place name like Africa/Lagos; dates and times on every page follow it.",
        "Un nombre como America/Argentina/Buenos_Aires; las fechas y horas de todas las páginas la siguen.",
    ),
    ("settings.locale", "Language", "Idioma"),
    ("settings.locale.en", "English", "Inglés"),
    ("settings.locale.es", "Spanish", "Español"),
    ("settings.locale.sw", "Swahili", "Suajili"),
    (
        "settings.country",
        "Country (two letters)",
        "País (dos letras)",
    ),
    (
        "settings.order_prefix",
        "Order number prefix",
        "Prefijo de los pedidos",
    ),
    ("settings.currency", "Currency", "Moneda"),
    (
        "settings.currency_fixed",
        "Fixed when the business was registered: existing prices use it.",
        "Se fijó al registrar el negocio: los precios existentes la usan.",
    ),
    ("settings.ordering", "Taking orders", "Cómo tomás pedidos"),
    (
        "settings.accepts_scheduled",
        "Take orders while closed, for the next opening",
        "Tomar pedidos con el local cerrado, para la próxima apertura",
    ),
    ("settings.offers_delivery", "Delivery", "Envío a domicilio"),
    ("settings.offers_pickup", "Pickup", "Retiro en el local"),
    (
        "settings.consume_stock_on",
        "Stock leaves the shelf on",
        "El stock se descuenta al",
    ),
    ("settings.consume.delivery", "delivery", "entregar"),
    ("settings.consume.payment", "payment", "cobrar"),
    (
        "settings.handoff_hours",
        "Hours the bot stays quiet after \"talk to a person\"",
        "Horas que el bot queda en pausa después de \"hablar con alguien\"",
    ),
    ("settings.saved", "Settings saved.", "Ajustes guardados."),
    ("hours.title", "Opening hours", "Horarios de atención"),
    (
        "hours.intro",
        "Up to two shifts a day, in the business's time. A closing time before the opening runs past midnight. No shifts at all: always open.",
        "Hasta dos turnos por día, en el horario del negocio. Un cierre antes de la apertura sigue pasada la medianoche. Sin turnos: siempre abierto.",
    ),
    ("hours.opens", "Opens", "Abre"),
    ("hours.closes", "Closes", "Cierra"),
    ("hours.closed_day", "Closed", "Cerrado"),
    (
        "hours.last_order",
        "Last orders, minutes before closing",
        "Últimos pedidos, minutos antes del cierre",
    ),
    ("hours.closed_dates", "Closed dates", "Días cerrados"),
    (
        "hours.closed_dates_hint",
        "One date a line, like 2026-12-25.",
        "Una fecha por línea, como 2026-12-25.",
    ),
    (
        "hours.bad_date",
        "Write dates like 2026-12-25, one a line.",
        "Escribí las fechas como 2026-12-25, una por línea.",
    ),
    (
        "hours.both_times",
        "Give both the opening and the closing time.",
        "Poné la hora de apertura y la de cierre.",
    ),
    ("hours.saved", "Opening hours saved.", "Horarios guardados."),
    ("day.mon", "Monday", "Lunes"),
    ("day.tue", "Tuesday", "Martes"),
    ("day.wed", "Wednesday", "Miércoles"),
    ("day.thu", "Thursday", "Jueves"),
    ("day.fri", "Friday", "Viernes"),
    ("day.sat", "Saturday", "Sábado"),
    ("day.sun", "Sunday", "Domingo"),
    ("zones.name", "Zone", "Zona"),
    ("zones.fee", "Delivery fee", "Costo de envío"),
    ("zones.min_order", "Smallest order", "Pedido mínimo"),
    ("zones.active", "Active", "Activa"),
    ("zones.inactive", "Off", "Desactivada"),
    ("zones.add", "Add a zone", "Agregar una zona"),
    ("zones.delete", "Delete", "Borrar"),
    (
        "zones.none",
        "No delivery zones yet.",
        "Todavía no hay zonas de envío.",
    ),
    ("zones.added", "Zone added.", "Zona agregada."),
    ("zones.deleted", "Zone deleted.", "Zona borrada."),
    ("pay.methods", "How customers pay", "Cómo te pagan"),
    ("pay.method.transfer", "Bank transfer", "Transferencia"),
    ("pay.method.cash", "Cash", "Efectivo"),
    (
        "pay.method.card",
        "Card (payment link)",
        "Tarjeta (link de pago)",
    ),
    ("pay.method.mpesa", "M-PESA", "M-PESA"),
    (
        "pay.bank_details",
        "Bank details shown to customers who transfer",
        "Datos bancarios para quien paga por transferencia",
    ),
    (
        "pay.deposit_percent",
        "Deposit asked up front (%)",
        "Seña que se pide por adelantado (%)",
    ),
    ("pay.providers", "Payment providers", "Proveedores de pago"),
    (
        "pay.providers_owner",
        "Only the owner sees the payment providers.",
        "Solo el dueño ve los proveedores de pago.",
    ),
    (
        "pay.keys_hint",
        "Keys are stored sealed and never shown again. Leave them empty to keep the stored ones; to change them, write all of them.",
        "Las claves se guardan selladas y no se vuelven a mostrar. Dejalas vacías para conservar las guardadas; para cambiarlas, escribilas todas.",
    ),
    ("pay.keys_stored", "Keys stored", "Claves guardadas"),
    ("pay.no_keys", "No keys yet", "Sin claves todavía"),
    (
        "pay.provider_on",
        "Use this provider",
        "Usar este proveedor",
    ),
    ("pay.webhook", "Webhook address", "Dirección del webhook"),
    (
        "pay.base_url",
        "API address (optional)",
        "Dirección de la API (opcional)",
    ),
    ("pay.saved", "Provider saved.", "Proveedor guardado."),
    (
        "pay.stored_placeholder",
        "stored: leave empty to keep",
        "guardada: dejala vacía para conservarla",
    ),
    ("wa.numbers", "WhatsApp numbers", "Números de WhatsApp"),
    (
        "wa.none",
        "No number connected yet.",
        "Todavía no hay un número conectado.",
    ),
    (
        "wa.display",
        "Number customers see",
        "Número que ven los clientes",
    ),
    (
        "wa.phone_number_id",
        "Phone number id (from Meta)",
        "Id del número (de Meta)",
    ),
    (
        "wa.waba_id",
        "WhatsApp Business account id",
        "Id de la cuenta de WhatsApp Business",
    ),
    ("wa.access_token", "Access token", "Token de acceso"),
    (
        "wa.sandbox",
        "Sandbox number (the simulator, not Meta)",
        "Número de prueba (el simulador, no Meta)",
    ),
    ("wa.add", "Connect a number", "Conectar un número"),
    ("wa.active", "Active", "Activo"),
    ("wa.inactive", "Off", "Apagado"),
    ("wa.activate", "Turn on", "Activar"),
    ("wa.deactivate", "Turn off", "Apagar"),
    ("wa.token_stored", "Token stored", "Token guardado"),
    ("wa.added", "Number connected.", "Número conectado."),
    ("wa.changed", "Number changed.", "Número cambiado."),
    ("team.name", "Name", "Nombre"),
    ("team.email", "Email", "Email"),
    (
        "team.phone",
        "WhatsApp number (optional)",
        "Número de WhatsApp (opcional)",
    ),
    ("team.password", "First password", "Contraseña inicial"),
    ("team.role", "Role", "Rol"),
    ("team.status", "Status", "Estado"),
    ("team.active", "Active", "Activo"),
    ("team.inactive", "Deactivated", "Desactivado"),
    ("team.add", "Add a team member", "Sumar a alguien al equipo"),
    ("team.change_role", "Change role", "Cambiar rol"),
    ("team.deactivate", "Deactivate", "Desactivar"),
    ("team.reactivate", "Reactivate", "Reactivar"),
    ("team.added", "Team member added.", "Se sumó al equipo."),
    ("team.changed", "Team member changed.", "Cambio guardado."),
    (
        "team.last_owner",
        "A business needs at least one active owner: make someone else owner first.",
        "El negocio necesita al menos un dueño activo: primero hacé dueño a otra persona.",
    ),
    ("team.you", "you", "vos"),
    (
        "wording.intro",
        "What the bot says, in each language. Change a text to say it your way; use only the {arguments} the original has.",
        "Lo que dice el bot, en cada idioma. Cambiá un texto para decirlo a tu manera; usá solo los {argumentos} que tiene el original.",
    ),
    ("wording.language", "Language", "Idioma"),
    ("wording.builtin", "Built-in", "Original"),
    ("wording.yours", "Your text", "Tu texto"),
    ("wording.arguments", "Arguments", "Argumentos"),
    (
        "wording.reset",
        "Back to the original",
        "Volver al original",
    ),
    ("wording.changed", "Changed", "Cambiado"),
    ("wording.saved", "Text saved.", "Texto guardado."),
    (
        "wording.was_reset",
        "Text back to the original.",
        "El texto volvió al original.",
    ),
    ("wording.filter", "Find a text", "Buscar un texto"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/app/settings",
            get(|| async { Redirect::to("/app/settings/business") }),
        )
        .route("/app/settings/business", get(business).post(save_details))
        .route("/app/settings/ordering", post(save_ordering))
        .route("/app/settings/hours", get(hours).post(save_hours))
        .route("/app/settings/zones", get(zones).post(add_zone))
        .route("/app/settings/zones/{id}", post(edit_zone))
        .route("/app/settings/zones/{id}/delete", post(delete_zone))
        .route("/app/settings/payments", get(payments).post(save_methods))
        .route("/app/settings/payments/{provider}", post(save_provider))
        .route("/app/settings/whatsapp", get(whatsapp).post(add_number))
        .route("/app/settings/whatsapp/{id}", post(edit_number))
        .route("/app/settings/team", get(team).post(add_member))
        .route("/app/settings/team/{id}", post(edit_member))
        .route("/app/settings/wording", get(wording).post(save_text))
        .route("/app/settings/wording/reset", post(reset_text))
}

// ---- shared: posted fields, errors by input, answers -------------------------

/// A form's fields in order; a checkbox list repeats its name.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// The trimmed text, "" when absent.
    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().trim().to_string()
    }
    fn on(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v != "0" && v != "false")
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Error messages by the form input they belong to; `_form` for the form.
pub type Errors = BTreeMap<String, String>;

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json"))
}

/// A good save: back to the section with a notice, or `{"ok": true}` for a
/// script.
fn saved(state: &AppState, headers: &HeaderMap, to: &str, message: &str) -> Response {
    if wants_json(headers) {
        return axum::Json(serde_json::json!({"ok": true, "message": message})).into_response();
    }
    redirect_with(state, to, message)
}

/// The field errors in a refusal, under the form's input names (`rename`
/// maps the API's field path); None when the refusal is not about fields.
fn field_errors(w: Words, e: &AppError, rename: &dyn Fn(&str) -> String) -> Option<Errors> {
    match e {
        AppError::Validation(fields) => {
            let mut out = Errors::new();
            for (f, m) in fields {
                out.entry(rename(f)).or_insert_with(|| m.clone());
            }
            Some(out)
        }
        AppError::Conflict { code, field, .. } => {
            let message = if *code == "last_owner" {
                w.t("team.last_owner").to_string()
            } else {
                super::explain(w, e)
            };
            let key = field.as_deref().map_or_else(|| "_form".to_string(), rename);
            Some(Errors::from([(key, message)]))
        }
        _ => None,
    }
}

/// A refused save: the form again with its errors (422, or 409 for a
/// conflict), or the JSON envelope for a script. Refusals that are not
/// about a field (not found, forbidden) are faults.
fn refused(
    w: Words,
    headers: &HeaderMap,
    e: AppError,
    rename: &dyn Fn(&str) -> String,
    reshow: impl FnOnce(Errors) -> Response,
) -> Result<Response, Fault> {
    let Some(errors) = field_errors(w, &e, rename) else {
        return Err(e.into());
    };
    let status = match &e {
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    if wants_json(headers) {
        let code = match &e {
            AppError::Conflict { code, .. } => *code,
            _ => "validation_failed",
        };
        let message = errors
            .get("_form")
            .cloned()
            .unwrap_or_else(|| w.t("settings.check_fields").to_string());
        let body =
            serde_json::json!({"error": {"code": code, "message": message, "fields": errors}});
        return Ok((status, axum::Json(body)).into_response());
    }
    let mut res = reshow(errors);
    if res.status().is_success() {
        *res.status_mut() = status;
    }
    Ok(res)
}

fn same(f: &str) -> String {
    f.to_string()
}

/// `"12"` as a number, or the field's error.
fn number<T: std::str::FromStr>(
    w: Words,
    errors: &mut Errors,
    field: &str,
    raw: &str,
) -> Option<T> {
    match raw.trim().parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.insert(field.into(), w.t("settings.whole_number").into());
            None
        }
    }
}

/// An amount typed in the currency's major units (`1500`, `1,500.50`,
/// `1.500,50`) as minor units. A sign is kept, so the service's own rule
/// refuses a negative amount.
pub fn parse_amount(raw: &str, minor_digits: u32) -> Option<i64> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .collect();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s),
    };
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    // The last separator is the decimal one when the digits after it fit
    // the currency's minor units; the others group thousands.
    let (whole, frac) = match s.rfind(['.', ',']) {
        Some(i) if minor_digits > 0 && (1..=minor_digits as usize).contains(&(s.len() - i - 1)) => {
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
    let scale = 10_i64.checked_pow(minor_digits)?;
    let frac_value: i64 = if frac.is_empty() {
        0
    } else {
        let padded = format!("{frac:0<width$}", width = minor_digits as usize);
        padded.parse().ok()?
    };
    let v = whole.checked_mul(scale)?.checked_add(frac_value)?;
    Some(if neg { -v } else { v })
}

/// Minor units as the amount a person types back (`1500.50`, `1500`).
fn amount_text(minor: i64, minor_digits: u32) -> String {
    if minor_digits == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(minor_digits);
    let (whole, frac) = (minor / scale, (minor % scale).abs());
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:0width$}", width = minor_digits as usize)
    }
}

fn tenant(p: &Page) -> TenantId {
    p.tenant.id
}

// ---- business details and ordering ------------------------------------------

#[derive(Debug, Clone, Default)]
struct DetailsForm {
    business_name: String,
    phone: String,
    timezone: String,
    locale: String,
    country: String,
    order_prefix: String,
}

#[derive(Debug, Clone, Default)]
struct OrderingForm {
    accepts_scheduled: bool,
    offers_delivery: bool,
    offers_pickup: bool,
    consume_stock_on: String,
    handoff_hours: String,
}

#[derive(Template)]
#[template(path = "dashboard/settings_business.html")]
struct BusinessPage {
    p: Page,
    section: &'static str,
    details: DetailsForm,
    ordering: OrderingForm,
    errors: Errors,
    currency: String,
    zones: Vec<&'static str>,
}

impl BusinessPage {
    fn err(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

/// Timezones offered as suggestions (any IANA name is accepted).
const TIMEZONES: &[&str] = &[
    "Africa/Lagos",
    "Africa/Nairobi",
    "Africa/Accra",
    "Africa/Johannesburg",
    "Africa/Kampala",
    "Africa/Dar_es_Salaam",
    "Africa/Kigali",
    "America/Argentina/Buenos_Aires",
    "America/Montevideo",
    "America/Santiago",
    "America/Bogota",
    "America/Mexico_City",
    "Europe/London",
    "UTC",
];

async fn business_page(
    state: &AppState,
    p: Page,
    details: Option<DetailsForm>,
    ordering: Option<OrderingForm>,
    errors: Errors,
) -> Result<BusinessPage, Fault> {
    let s = store::business::get(&state.db, tenant(&p)).await?;
    let t = &p.tenant;
    let details = details.unwrap_or_else(|| DetailsForm {
        business_name: t.business_name.clone(),
        phone: t.phone.clone().unwrap_or_default(),
        timezone: t.timezone.clone(),
        locale: t.locale.to_string(),
        country: t.country.clone(),
        order_prefix: t.order_prefix.clone(),
    });
    let ordering = ordering.unwrap_or_else(|| OrderingForm {
        accepts_scheduled: s.accepts_scheduled,
        offers_delivery: s.offers_delivery,
        offers_pickup: s.offers_pickup,
        consume_stock_on: s.consume_stock_on.as_str().to_string(),
        handoff_hours: s.handoff_hours.to_string(),
    });
    Ok(BusinessPage {
        currency: format!("{} ({})", t.currency.code(), t.currency.symbol()),
        section: "business",
        details,
        ordering,
        errors,
        zones: TIMEZONES.to_vec(),
        p,
    })
}

async fn business(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    Ok(render(
        &business_page(&state, p, None, None, Errors::new()).await?,
    ))
}

async fn save_details(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let form = DetailsForm {
        business_name: f.text("business_name"),
        phone: f.text("phone"),
        timezone: f.text("timezone"),
        locale: f.text("locale"),
        country: f.text("country"),
        order_prefix: f.text("order_prefix"),
    };
    let patch = api::settings::SettingsPatch {
        business_name: Some(form.business_name.clone()),
        phone: Some((!form.phone.is_empty()).then(|| form.phone.clone())),
        timezone: Some(form.timezone.clone()),
        locale: Some(form.locale.clone()),
        country: Some(form.country.clone()),
        order_prefix: Some(form.order_prefix.clone()),
    };
    match api::settings::apply(&state, tenant(&p), patch).await {
        Ok(_) => Ok(saved(
            &state,
            &headers,
            "/app/settings/business",
            p.w.t("settings.saved"),
        )),
        Err(e) => {
            let w = p.w;
            let page = business_page(&state, p, Some(form), None, Errors::new()).await?;
            refused(w, &headers, e, &same, |errors| {
                render(&BusinessPage { errors, ..page })
            })
        }
    }
}

async fn save_ordering(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let form = OrderingForm {
        accepts_scheduled: f.on("accepts_scheduled"),
        offers_delivery: f.on("offers_delivery"),
        offers_pickup: f.on("offers_pickup"),
        consume_stock_on: f.text("consume_stock_on"),
        handoff_hours: f.text("handoff_hours"),
    };
    let mut errors = Errors::new();
    let handoff = number::<i32>(p.w, &mut errors, "handoff_hours", &form.handoff_hours);
    let consume = match form.consume_stock_on.as_str() {
        "delivery" => Some(ConsumeOn::Delivery),
        "payment" => Some(ConsumeOn::Payment),
        _ => None,
    };
    let result = if errors.is_empty() {
        let patch = api::settings::OrderingPatch {
            accepts_scheduled: Some(form.accepts_scheduled),
            offers_delivery: Some(form.offers_delivery),
            offers_pickup: Some(form.offers_pickup),
            payment_methods: None,
            bank_details: None,
            consume_stock_on: consume,
            deposit_percent: None,
            handoff_hours: handoff,
            texts: None,
        };
        api::settings::apply_ordering(&state, tenant(&p), patch).await
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(_) => Ok(saved(
            &state,
            &headers,
            "/app/settings/business",
            p.w.t("settings.saved"),
        )),
        Err(e) => {
            let w = p.w;
            let page = business_page(&state, p, None, Some(form), Errors::new()).await?;
            refused(w, &headers, e, &same, |errors| {
                render(&BusinessPage { errors, ..page })
            })
        }
    }
}

// ---- opening hours ----------------------------------------------------------

/// Shifts a day the form offers (the service allows more; the API sets them).
const SHIFTS_SHOWN: usize = 2;

#[derive(Debug, Clone)]
struct DayRow {
    day: &'static str,
    label: &'static str,
    /// `(opens, closes)` as `HH:MM`, empty when unused.
    shifts: Vec<(String, String)>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard/settings_hours.html")]
struct HoursPage {
    p: Page,
    section: &'static str,
    days: Vec<DayRow>,
    last_order_minutes: String,
    closed_dates: String,
    errors: Errors,
}

impl HoursPage {
    fn err(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

fn day_label(w: Words, d: Day) -> &'static str {
    w.t(match d {
        Day::Mon => "day.mon",
        Day::Tue => "day.tue",
        Day::Wed => "day.wed",
        Day::Thu => "day.thu",
        Day::Fri => "day.fri",
        Day::Sat => "day.sat",
        Day::Sun => "day.sun",
    })
}

fn hours_rows(w: Words, h: &OpeningHours) -> Vec<DayRow> {
    Day::ALL
        .iter()
        .map(|d| {
            let stored = h.weekly.get(d).cloned().unwrap_or_default();
            let mut shifts: Vec<(String, String)> = stored
                .iter()
                .take(SHIFTS_SHOWN)
                .map(|s| {
                    (
                        s.opens.format("%H:%M").to_string(),
                        s.closes.format("%H:%M").to_string(),
                    )
                })
                .collect();
            shifts.resize(SHIFTS_SHOWN, (String::new(), String::new()));
            DayRow {
                day: d.as_str(),
                label: day_label(w, *d),
                shifts,
                error: None,
            }
        })
        .collect()
}

async fn hours(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    let h = store::business::get(&state.db, tenant(&p)).await?.hours;
    Ok(render(&HoursPage {
        section: "hours",
        days: hours_rows(p.w, &h),
        last_order_minutes: h.last_order_minutes.to_string(),
        closed_dates: h
            .closed_dates
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        errors: Errors::new(),
        p,
    }))
}

/// The API's field path for hours (`weekly.mon[1].closes`) as the form's
/// row (`mon`); `closed_dates[3]` as `closed_dates`.
fn hours_field(f: &str) -> String {
    if let Some(rest) = f.strip_prefix("weekly.") {
        return rest
            .split(['[', '.'])
            .next()
            .unwrap_or_default()
            .to_string();
    }
    f.split('[').next().unwrap_or_default().to_string()
}

async fn save_hours(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let w = p.w;
    let mut errors = Errors::new();
    let mut weekly = BTreeMap::new();
    let mut days = Vec::new();
    for d in Day::ALL {
        let mut shifts = Vec::new();
        let mut typed = Vec::new();
        for i in 0..SHIFTS_SHOWN {
            let opens = f.text(&format!("{d}_{i}_opens"));
            let closes = f.text(&format!("{d}_{i}_closes"));
            typed.push((opens.clone(), closes.clone()));
            match (opens.is_empty(), closes.is_empty()) {
                (true, true) => {}
                (false, false) => {
                    // The domain's own reading of "HH:MM".
                    match serde_json::from_value::<Shift>(
                        serde_json::json!({"opens": opens, "closes": closes}),
                    ) {
                        Ok(s) => shifts.push(s),
                        Err(e) => {
                            errors.entry(d.as_str().into()).or_insert(e.to_string());
                        }
                    }
                }
                _ => {
                    errors
                        .entry(d.as_str().into())
                        .or_insert(w.t("hours.both_times").into());
                }
            }
        }
        if !shifts.is_empty() {
            weekly.insert(d, shifts);
        }
        days.push(DayRow {
            day: d.as_str(),
            label: day_label(w, d),
            shifts: typed,
            error: None,
        });
    }
    let last_raw = f.text("last_order_minutes");
    let last_order_minutes = if last_raw.is_empty() {
        Some(0)
    } else {
        number::<u32>(w, &mut errors, "last_order_minutes", &last_raw)
    };
    let dates_raw = f.get("closed_dates").unwrap_or_default().to_string();
    let mut closed_dates = Vec::new();
    for line in dates_raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.parse::<chrono::NaiveDate>() {
            Ok(d) => closed_dates.push(d),
            Err(_) => {
                errors.insert("closed_dates".into(), w.t("hours.bad_date").into());
            }
        }
    }
    let result = if errors.is_empty() {
        let h = OpeningHours {
            weekly,
            last_order_minutes: last_order_minutes.unwrap_or_default(),
            closed_dates,
        };
        engine::hours::set(&state.db, tenant(&p), h)
            .await
            .map(|_| ())
            .map_err(AppError::from)
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(()) => Ok(saved(
            &state,
            &headers,
            "/app/settings/hours",
            w.t("hours.saved"),
        )),
        Err(e) => refused(w, &headers, e, &hours_field, |errors| {
            let days = days
                .into_iter()
                .map(|r| DayRow {
                    error: errors.get(r.day).cloned(),
                    ..r
                })
                .collect();
            render(&HoursPage {
                section: "hours",
                days,
                last_order_minutes: last_raw,
                closed_dates: dates_raw,
                errors,
                p,
            })
        }),
    }
}

// ---- delivery zones -----------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct ZoneRow {
    id: String,
    name: String,
    fee: String,
    min_order: String,
    fee_shown: String,
    min_shown: String,
    is_active: bool,
}

#[derive(Template)]
#[template(path = "dashboard/settings_zones.html")]
struct ZonesPage {
    p: Page,
    section: &'static str,
    zones: Vec<ZoneRow>,
    /// The add form's values.
    new: ZoneRow,
    /// Which form the errors belong to: `new` or a zone's id.
    target: String,
    errors: Errors,
}

impl ZonesPage {
    fn err(&self, target: &str, field: &str) -> Option<&String> {
        if self.target == target {
            self.errors.get(field)
        } else {
            None
        }
    }
}

async fn zones_page(
    state: &AppState,
    p: Page,
    target: String,
    typed: Option<ZoneRow>,
    errors: Errors,
) -> Result<ZonesPage, Fault> {
    let c = p.tenant.currency;
    let digits = c.minor_digits();
    let mut zones: Vec<ZoneRow> = store::zones::list(&state.db, tenant(&p), false)
        .await?
        .into_iter()
        .map(|z| ZoneRow {
            id: z.id.0.to_string(),
            name: z.name,
            fee: amount_text(z.fee, digits),
            min_order: amount_text(z.min_order, digits),
            fee_shown: format::money(z.fee, &c, p.w),
            min_shown: format::money(z.min_order, &c, p.w),
            is_active: z.is_active,
        })
        .collect();
    let mut new = ZoneRow {
        is_active: true,
        ..ZoneRow::default()
    };
    if let Some(t) = typed {
        if target == "new" {
            new = t;
        } else if let Some(z) = zones.iter_mut().find(|z| z.id == target) {
            *z = ZoneRow {
                fee_shown: z.fee_shown.clone(),
                min_shown: z.min_shown.clone(),
                ..t
            };
        }
    }
    Ok(ZonesPage {
        section: "zones",
        zones,
        new,
        target,
        errors,
        p,
    })
}

async fn zones(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    Ok(render(
        &zones_page(&state, p, String::new(), None, Errors::new()).await?,
    ))
}

/// The zone form's typed values, and the amounts read from them.
fn zone_form(
    p: &Page,
    id: &str,
    f: &Fields,
    errors: &mut Errors,
) -> (ZoneRow, Option<i64>, Option<i64>) {
    let row = ZoneRow {
        id: id.to_string(),
        name: f.text("name"),
        fee: f.text("fee"),
        min_order: f.text("min_order"),
        is_active: f.on("is_active"),
        ..ZoneRow::default()
    };
    let digits = p.tenant.currency.minor_digits();
    let mut amount = |field: &str, raw: &str| {
        let raw = if raw.is_empty() { "0" } else { raw };
        let v = parse_amount(raw, digits);
        if v.is_none() {
            errors.insert(field.into(), p.w.t("settings.amount").into());
        }
        v
    };
    let fee = amount("fee", &row.fee);
    let min = amount("min_order", &row.min_order);
    (row, fee, min)
}

async fn add_zone(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let mut errors = Errors::new();
    let (row, fee, min) = zone_form(&p, "new", &f, &mut errors);
    let result = match (fee, min, errors.is_empty()) {
        (Some(fee), Some(min_order), true) => api::zones::create_zone(
            &state,
            tenant(&p),
            api::zones::NewZoneRequest {
                name: row.name.clone(),
                fee,
                min_order,
                is_active: Some(row.is_active),
                sort_order: 0,
            },
        )
        .await
        .map(|_| ()),
        _ => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(()) => Ok(saved(
            &state,
            &headers,
            "/app/settings/zones",
            p.w.t("zones.added"),
        )),
        Err(e) => {
            let w = p.w;
            let page = zones_page(&state, p, "new".into(), Some(row), Errors::new()).await?;
            refused(w, &headers, e, &same, |errors| {
                render(&ZonesPage { errors, ..page })
            })
        }
    }
}

fn zone_id(raw: &str) -> Result<ZoneId, Fault> {
    uuid::Uuid::parse_str(raw)
        .map(ZoneId)
        .map_err(|_| Fault::NOT_FOUND)
}

async fn edit_zone(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let zid = zone_id(&raw)?;
    let mut errors = Errors::new();
    let (row, fee, min) = zone_form(&p, &zid.0.to_string(), &f, &mut errors);
    let result = match (fee, min, errors.is_empty()) {
        (Some(fee), Some(min_order), true) => api::zones::update_zone(
            &state,
            tenant(&p),
            zid,
            api::zones::ZonePatchRequest {
                name: Some(row.name.clone()),
                fee: Some(fee),
                min_order: Some(min_order),
                is_active: Some(row.is_active),
                sort_order: None,
            },
        )
        .await
        .map(|_| ()),
        _ => {
            // Another business's zone is a 404 before any field is judged.
            store::zones::get(&state.db, tenant(&p), zid).await?;
            Err(AppError::Validation(errors))
        }
    };
    match result {
        Ok(()) => Ok(saved(
            &state,
            &headers,
            "/app/settings/zones",
            p.w.t("settings.saved"),
        )),
        Err(e) => {
            let w = p.w;
            let page = zones_page(&state, p, zid.0.to_string(), Some(row), Errors::new()).await?;
            refused(w, &headers, e, &same, |errors| {
                render(&ZonesPage { errors, ..page })
            })
        }
    }
}

async fn delete_zone(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, Fault> {
    let zid = zone_id(&raw)?;
    store::zones::delete(&state.db, tenant(&p), zid).await?;
    Ok(saved(
        &state,
        &headers,
        "/app/settings/zones",
        p.w.t("zones.deleted"),
    ))
}

// ---- payment methods and providers --------------------------------------------

#[derive(Debug, Clone)]
struct MethodBox {
    value: &'static str,
    label: &'static str,
    on: bool,
}

#[derive(Debug, Clone)]
struct SecretInput {
    name: &'static str,
    label: &'static str,
}

#[derive(Debug, Clone)]
struct SettingInput {
    name: &'static str,
    label: &'static str,
    value: String,
}

#[derive(Debug, Clone)]
struct ProviderCard {
    name: &'static str,
    title: &'static str,
    has_keys: bool,
    is_active: bool,
    webhook_url: String,
    secrets: Vec<SecretInput>,
    settings: Vec<SettingInput>,
}

#[derive(Template)]
#[template(path = "dashboard/settings_payments.html")]
struct PaymentsPage {
    p: Page,
    section: &'static str,
    methods: Vec<MethodBox>,
    bank_details: String,
    deposit_percent: String,
    providers: Vec<ProviderCard>,
    /// `methods` or a provider's name.
    target: String,
    errors: Errors,
}

impl PaymentsPage {
    fn err(&self, target: &str, field: &str) -> Option<&String> {
        if self.target == target {
            self.errors.get(field)
        } else {
            None
        }
    }
}

fn method_label(m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Transfer => "pay.method.transfer",
        PaymentMethod::Cash => "pay.method.cash",
        PaymentMethod::Card => "pay.method.card",
        PaymentMethod::Mpesa => "pay.method.mpesa",
    }
}

/// The keys and the non-secret settings each provider takes (as
/// `engine::pay` reads them).
fn provider_fields(name: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match name {
        "paystack" => (&["secret_key"], &["base_url"]),
        "flutterwave" => (&["secret_key", "secret_hash"], &["base_url"]),
        "mpesa" => (
            &["consumer_key", "consumer_secret", "passkey"],
            &["shortcode", "party_b", "transaction_type", "base_url"],
        ),
        "stripe" => (&["secret_key", "webhook_secrets"], &["base_url"]),
        _ => (&[], &[]),
    }
}

fn provider_title(name: &str) -> &'static str {
    match name {
        "paystack" => "Paystack",
        "flutterwave" => "Flutterwave",
        "mpesa" => "M-PESA",
        "stripe" => "Stripe",
        _ => "",
    }
}

async fn payments_page(
    state: &AppState,
    p: Page,
    typed: Option<(Vec<String>, String, String)>,
    target: String,
    errors: Errors,
) -> Result<PaymentsPage, Fault> {
    let s = store::business::get(&state.db, tenant(&p)).await?;
    let (chosen, bank, deposit) = typed.unwrap_or_else(|| {
        (
            s.payment_methods
                .iter()
                .map(|m| m.as_str().to_string())
                .collect(),
            s.bank_details.clone().unwrap_or_default(),
            s.deposit_percent.to_string(),
        )
    });
    let methods = PaymentMethod::ALL
        .iter()
        .map(|m| MethodBox {
            value: m.as_str(),
            label: p.w.t(method_label(*m)),
            on: chosen.iter().any(|c| c == m.as_str()),
        })
        .collect();
    let mut providers = Vec::new();
    // Keys are the owner's alone, as in the API.
    if p.can_manage() {
        let rows = store::payments::providers(&state.db, tenant(&p)).await?;
        for name in engine::pay::PROVIDERS.iter().filter(|n| **n != "sandbox") {
            let row = rows.iter().find(|r| r.provider == *name);
            let (secret_names, setting_names) = provider_fields(name);
            providers.push(ProviderCard {
                name,
                title: provider_title(name),
                has_keys: row.is_some_and(|r| r.secrets_sealed.is_some()),
                is_active: row.is_some_and(|r| r.is_active),
                webhook_url: if *name == "mpesa" {
                    String::new()
                } else {
                    format!(
                        "{}/payments/webhook/{name}/{}",
                        state.config.public_url(),
                        p.tenant.id.0
                    )
                },
                secrets: secret_names
                    .iter()
                    .map(|n| SecretInput { name: n, label: n })
                    .collect(),
                settings: setting_names
                    .iter()
                    .map(|n| SettingInput {
                        name: n,
                        label: if *n == "base_url" {
                            p.w.t("pay.base_url")
                        } else {
                            n
                        },
                        value: row
                            .and_then(|r| r.settings.0.get(*n))
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_string(),
                    })
                    .collect(),
            });
        }
    }
    Ok(PaymentsPage {
        section: "payments",
        methods,
        bank_details: bank,
        deposit_percent: deposit,
        providers,
        target,
        errors,
        p,
    })
}

async fn payments(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    Ok(render(
        &payments_page(&state, p, None, String::new(), Errors::new()).await?,
    ))
}

/// `payment_methods[2]` is the list's error.
fn methods_field(f: &str) -> String {
    f.split('[').next().unwrap_or_default().to_string()
}

async fn save_methods(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let w = p.w;
    let chosen = f.all("payment_methods");
    let bank = f.get("bank_details").unwrap_or_default().to_string();
    let deposit = f.text("deposit_percent");
    let mut errors = Errors::new();
    let percent = number::<i32>(w, &mut errors, "deposit_percent", &deposit);
    let result = if errors.is_empty() {
        let patch = api::settings::OrderingPatch {
            accepts_scheduled: None,
            offers_delivery: None,
            offers_pickup: None,
            payment_methods: Some(chosen.clone()),
            bank_details: Some(Some(bank.clone())),
            consume_stock_on: None,
            deposit_percent: percent,
            handoff_hours: None,
            texts: None,
        };
        api::settings::apply_ordering(&state, tenant(&p), patch)
            .await
            .map(|_| ())
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(()) => Ok(saved(
            &state,
            &headers,
            "/app/settings/payments",
            w.t("settings.saved"),
        )),
        Err(e) => {
            let page = payments_page(
                &state,
                p,
                Some((chosen, bank, deposit)),
                "methods".into(),
                Errors::new(),
            )
            .await?;
            refused(w, &headers, e, &methods_field, |errors| {
                render(&PaymentsPage { errors, ..page })
            })
        }
    }
}

/// `settings.shortcode` is the `shortcode` input; `secrets` the keys.
fn provider_field(f: &str) -> String {
    f.strip_prefix("settings.").unwrap_or(f).to_string()
}

async fn save_provider(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Path(name): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let w = p.w;
    let (secret_names, setting_names) = provider_fields(&name);
    if secret_names.is_empty() {
        return Err(Fault::NOT_FOUND);
    }
    let mut settings = serde_json::Map::new();
    for n in setting_names {
        let v = f.text(n);
        if !v.is_empty() {
            settings.insert((*n).into(), serde_json::Value::String(v));
        }
    }
    let mut secrets = serde_json::Map::new();
    for n in secret_names {
        let v = f.text(n);
        if v.is_empty() {
            continue;
        }
        let value = if *n == "webhook_secrets" {
            serde_json::Value::Array(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| serde_json::Value::String(s.into()))
                    .collect(),
            )
        } else {
            serde_json::Value::String(v)
        };
        secrets.insert((*n).into(), value);
    }
    let body = api::payments::ProviderSetup {
        settings,
        secrets: (!secrets.is_empty()).then_some(secrets),
        is_active: f.on("is_active"),
    };
    match api::payments::apply_provider(&state, tenant(&p), &name, body).await {
        Ok(_) => Ok(saved(
            &state,
            &headers,
            "/app/settings/payments",
            w.t("pay.saved"),
        )),
        Err(e) => {
            let page = payments_page(&state, p, None, name.clone(), Errors::new()).await?;
            refused(w, &headers, e, &provider_field, |errors| {
                render(&PaymentsPage { errors, ..page })
            })
        }
    }
}

// ---- WhatsApp numbers ---------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct NumberRow {
    id: String,
    display: String,
    phone_number_id: String,
    has_token: bool,
    sandbox: bool,
    active: bool,
}

#[derive(Debug, Clone, Default)]
struct NewNumberForm {
    display: String,
    phone_number_id: String,
    waba_id: String,
    sandbox: bool,
}

#[derive(Template)]
#[template(path = "dashboard/settings_whatsapp.html")]
struct WhatsappPage {
    p: Page,
    section: &'static str,
    numbers: Vec<NumberRow>,
    new: NewNumberForm,
    target: String,
    errors: Errors,
}

impl WhatsappPage {
    fn err(&self, target: &str, field: &str) -> Option<&String> {
        if self.target == target {
            self.errors.get(field)
        } else {
            None
        }
    }
}

async fn whatsapp_page(
    state: &AppState,
    p: Page,
    new: NewNumberForm,
    target: String,
    errors: Errors,
) -> Result<WhatsappPage, Fault> {
    let numbers = store::wa::numbers(&state.db, tenant(&p))
        .await?
        .into_iter()
        .map(|n| NumberRow {
            id: n.id.0.to_string(),
            display: n.display_phone_number,
            phone_number_id: n.phone_number_id,
            has_token: n.access_token_sealed.is_some(),
            sandbox: n.sandbox,
            active: n.active,
        })
        .collect();
    Ok(WhatsappPage {
        section: "whatsapp",
        numbers,
        new,
        target,
        errors,
        p,
    })
}

async fn whatsapp(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    Ok(render(
        &whatsapp_page(
            &state,
            p,
            NewNumberForm::default(),
            String::new(),
            Errors::new(),
        )
        .await?,
    ))
}

async fn add_number(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let w = p.w;
    let form = NewNumberForm {
        display: f.text("display_phone_number"),
        phone_number_id: f.text("phone_number_id"),
        waba_id: f.text("waba_id"),
        sandbox: f.on("sandbox"),
    };
    let token = f.text("access_token");
    let body = api::whatsapp::NewNumberRequest {
        phone_number_id: form.phone_number_id.clone(),
        display_phone_number: form.display.clone(),
        waba_id: (!form.waba_id.is_empty()).then(|| form.waba_id.clone()),
        access_token: (!token.is_empty()).then_some(token),
        sandbox: form.sandbox,
    };
    match api::whatsapp::check_and_add(&state, tenant(&p), body).await {
        Ok(_) => Ok(saved(
            &state,
            &headers,
            "/app/settings/whatsapp",
            w.t("wa.added"),
        )),
        Err(e) => {
            let page = whatsapp_page(&state, p, form, "new".into(), Errors::new()).await?;
            refused(w, &headers, e, &same, |errors| {
                render(&WhatsappPage { errors, ..page })
            })
        }
    }
}

async fn edit_number(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let w = p.w;
    let nid = uuid::Uuid::parse_str(&raw)
        .map(WaNumberId)
        .map_err(|_| Fault::NOT_FOUND)?;
    let display = f.get("display_phone_number").map(|d| d.trim().to_string());
    let token = f.text("access_token");
    let body = api::whatsapp::NumberPatchRequest {
        display_phone_number: display.filter(|d| !d.is_empty()),
        access_token: (!token.is_empty()).then_some(token),
        active: f.get("active").map(|v| v == "1" || v == "true"),
    };
    match api::whatsapp::change_number(&state, tenant(&p), nid, body).await {
        Ok(_) => Ok(saved(
            &state,
            &headers,
            "/app/settings/whatsapp",
            w.t("wa.changed"),
        )),
        Err(e) => {
            let page = whatsapp_page(
                &state,
                p,
                NewNumberForm::default(),
                nid.0.to_string(),
                Errors::new(),
            )
            .await?;
            refused(w, &headers, e, &same, |errors| {
                render(&WhatsappPage { errors, ..page })
            })
        }
    }
}

// ---- the team -----------------------------------------------------------------

#[derive(Debug, Clone)]
struct MemberRow {
    id: String,
    name: String,
    email: String,
    phone: String,
    role: &'static str,
    role_label: &'static str,
    is_active: bool,
    is_me: bool,
}

#[derive(Debug, Clone, Default)]
struct NewMember {
    name: String,
    email: String,
    phone: String,
    role: String,
}

#[derive(Template)]
#[template(path = "dashboard/settings_team.html")]
struct TeamPage {
    p: Page,
    section: &'static str,
    members: Vec<MemberRow>,
    roles: Vec<(&'static str, &'static str)>,
    new: NewMember,
    target: String,
    errors: Errors,
}

impl TeamPage {
    fn err(&self, target: &str, field: &str) -> Option<&String> {
        if self.target == target {
            self.errors.get(field)
        } else {
            None
        }
    }
}

fn role_label(r: Role) -> &'static str {
    match r {
        Role::Owner => "role.owner",
        Role::Staff => "role.staff",
        Role::Viewer => "role.viewer",
    }
}

async fn team_page(
    state: &AppState,
    p: Page,
    new: NewMember,
    target: String,
    errors: Errors,
) -> Result<TeamPage, Fault> {
    let me = p.user.id;
    let members = store::users::list(&state.db, tenant(&p))
        .await?
        .into_iter()
        .map(|u| MemberRow {
            id: u.id.0.to_string(),
            is_me: u.id == me,
            name: u.name,
            email: u.email,
            phone: u.phone.unwrap_or_default(),
            role: u.role.as_str(),
            role_label: p.w.t(role_label(u.role)),
            is_active: u.is_active,
        })
        .collect();
    let roles = [Role::Staff, Role::Viewer, Role::Owner]
        .iter()
        .map(|r| (r.as_str(), p.w.t(role_label(*r))))
        .collect();
    Ok(TeamPage {
        section: "team",
        members,
        roles,
        new,
        target,
        errors,
        p,
    })
}

async fn team(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    Ok(render(
        &team_page(
            &state,
            p,
            NewMember::default(),
            String::new(),
            Errors::new(),
        )
        .await?,
    ))
}

fn parse_role(w: Words, errors: &mut Errors, raw: &str) -> Option<Role> {
    let r = raw.parse::<Role>().ok();
    if r.is_none() {
        errors.insert("role".into(), w.t("login.required").into());
    }
    r
}

async fn add_member(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let w = p.w;
    let new = NewMember {
        name: f.text("name"),
        email: f.text("email"),
        phone: f.text("phone"),
        role: f.text("role"),
    };
    let mut errors = Errors::new();
    let role = parse_role(w, &mut errors, &new.role);
    let result = match role {
        Some(role) => api::users::add_user(
            &state,
            tenant(&p),
            api::users::NewUserRequest {
                name: new.name.clone(),
                email: new.email.clone(),
                password: f.get("password").unwrap_or_default().to_string(),
                phone: (!new.phone.is_empty()).then(|| new.phone.clone()),
                role,
            },
        )
        .await
        .map(|_| ()),
        None => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(()) => Ok(saved(
            &state,
            &headers,
            "/app/settings/team",
            w.t("team.added"),
        )),
        Err(e) => {
            let page = team_page(&state, p, new, "new".into(), Errors::new()).await?;
            refused(w, &headers, e, &same, |errors| {
                render(&TeamPage { errors, ..page })
            })
        }
    }
}

async fn edit_member(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let w = p.w;
    let uid = uuid::Uuid::parse_str(&raw)
        .map(UserId)
        .map_err(|_| Fault::NOT_FOUND)?;
    // Another business's member is a 404 before any field is judged.
    store::users::get(&state.db, tenant(&p), uid).await?;
    let mut errors = Errors::new();
    let role = f.get("role").map(|r| parse_role(w, &mut errors, r));
    if !errors.is_empty() {
        let page = team_page(
            &state,
            p,
            NewMember::default(),
            uid.0.to_string(),
            Errors::new(),
        )
        .await?;
        return refused(w, &headers, AppError::Validation(errors), &same, |errors| {
            render(&TeamPage { errors, ..page })
        });
    }
    let role = role.flatten();
    let body = api::users::UserPatchRequest {
        name: None,
        role,
        is_active: f.get("is_active").map(|v| v == "1" || v == "true"),
    };
    match api::users::change_user(&state, tenant(&p), uid, body).await {
        Ok(_) => Ok(saved(
            &state,
            &headers,
            "/app/settings/team",
            w.t("team.changed"),
        )),
        Err(e) => {
            let page = team_page(
                &state,
                p,
                NewMember::default(),
                uid.0.to_string(),
                Errors::new(),
            )
            .await?;
            refused(w, &headers, e, &same, |errors| {
                render(&TeamPage { errors, ..page })
            })
        }
    }
}

// ---- the bot's wording ------------------------------------------------------------

#[derive(Debug, Clone)]
struct TextRow {
    key: &'static str,
    builtin: &'static str,
    args: String,
    value: String,
    changed: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard/settings_wording.html")]
struct WordingPage {
    p: Page,
    section: &'static str,
    lang: String,
    langs: Vec<(&'static str, &'static str)>,
    q: String,
    rows: Vec<TextRow>,
}

#[derive(Debug, Deserialize)]
struct WordingQuery {
    lang: Option<String>,
    q: Option<String>,
}

fn text_lang(p: &Page, asked: Option<&str>) -> String {
    match asked {
        Some(l) if domain::tenant::LANGUAGES.contains(&l) => l.to_string(),
        _ => domain::text::language_of(&p.tenant.locale.to_string()).to_string(),
    }
}

async fn wording_page(
    state: &AppState,
    p: Page,
    lang: String,
    q: String,
    typed: Option<(String, String, String)>,
) -> Result<WordingPage, Fault> {
    let texts = store::business::get(&state.db, tenant(&p)).await?.texts;
    let mine = texts.get(&lang);
    let needle = q.to_lowercase();
    let rows = Key::ALL
        .iter()
        .filter_map(|k| {
            let builtin = k.template(&lang);
            let current = mine.and_then(|m| m.get(k.name()));
            let shown = needle.is_empty()
                || k.name().contains(&needle)
                || builtin.to_lowercase().contains(&needle)
                || current.is_some_and(|c| c.to_lowercase().contains(&needle))
                || typed.as_ref().is_some_and(|t| t.0 == k.name());
            if !shown {
                return None;
            }
            let (value, error) = match &typed {
                Some((key, text, err)) if key == k.name() => (text.clone(), Some(err.clone())),
                _ => (current.cloned().unwrap_or_default(), None),
            };
            Some(TextRow {
                key: k.name(),
                builtin,
                args: domain::text::placeholders(k.template("en"))
                    .iter()
                    .map(|a| format!("{{{a}}}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                value,
                changed: current.is_some(),
                error,
            })
        })
        .collect();
    let langs = vec![
        ("en", p.w.t("settings.locale.en")),
        ("es", p.w.t("settings.locale.es")),
        ("sw", p.w.t("settings.locale.sw")),
    ];
    Ok(WordingPage {
        section: "wording",
        lang,
        langs,
        q,
        rows,
        p,
    })
}

async fn wording(
    State(state): State<AppState>,
    p: Page,
    Query(q): Query<WordingQuery>,
) -> Result<Response, Fault> {
    let lang = text_lang(&p, q.lang.as_deref());
    Ok(render(
        &wording_page(&state, p, lang, q.q.unwrap_or_default(), None).await?,
    ))
}

fn wording_url(lang: &str, q: &str) -> String {
    let q: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("/app/settings/wording?lang={lang}&q={q}")
}

/// Saves one text (or, with `text` None, returns it to the built-in) by
/// replacing the overrides through the API's own checked function.
async fn change_text(
    state: &AppState,
    p: &Page,
    lang: &str,
    key: &str,
    text: Option<String>,
) -> Result<(), AppError> {
    let mut texts = store::business::get(&state.db, tenant(p)).await?.texts;
    match text {
        Some(t) => {
            texts
                .entry(lang.to_string())
                .or_default()
                .insert(key.to_string(), t);
        }
        None => {
            if let Some(m) = texts.get_mut(lang) {
                m.remove(key);
                if m.is_empty() {
                    texts.remove(lang);
                }
            }
        }
    }
    let patch = api::settings::OrderingPatch {
        accepts_scheduled: None,
        offers_delivery: None,
        offers_pickup: None,
        payment_methods: None,
        bank_details: None,
        consume_stock_on: None,
        deposit_percent: None,
        handoff_hours: None,
        texts: Some(texts),
    };
    api::settings::apply_ordering(state, tenant(p), patch)
        .await
        .map(|_| ())
}

async fn save_text(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let w = p.w;
    let lang = f.text("lang");
    let key = f.text("key");
    let text = f.get("text").unwrap_or_default().to_string();
    let q = f.text("q");
    match change_text(&state, &p, &lang, &key, Some(text.clone())).await {
        Ok(()) => Ok(saved(
            &state,
            &headers,
            &wording_url(&lang, &q),
            w.t("wording.saved"),
        )),
        Err(e) => {
            let lang_shown = text_lang(&p, Some(&lang));
            let message = field_errors(w, &e, &same)
                .and_then(|m| m.into_values().next())
                .unwrap_or_default();
            let page =
                wording_page(&state, p, lang_shown, q, Some((key.clone(), text, message))).await?;
            refused(w, &headers, e, &|_| "text".to_string(), |_| render(&page))
        }
    }
}

async fn reset_text(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let lang = f.text("lang");
    let key = f.text("key");
    let q = f.text("q");
    change_text(&state, &p, &lang, &key, None).await?;
    Ok(saved(
        &state,
        &headers,
        &wording_url(&lang, &q),
        p.w.t("wording.was_reset"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_in_major_units() {
        assert_eq!(parse_amount("1500", 2), Some(150_000));
        assert_eq!(parse_amount("1,500.50", 2), Some(150_050));
        assert_eq!(parse_amount("1.500,5", 2), Some(150_050));
        assert_eq!(parse_amount("1.500", 0), Some(1500));
        assert_eq!(parse_amount("-20", 2), Some(-2000));
        assert_eq!(parse_amount("abc", 2), None);
        assert_eq!(amount_text(150_050, 2), "1500.50");
        assert_eq!(amount_text(150_000, 2), "1500");
    }

    #[test]
    fn api_fields_map_to_the_form() {
        assert_eq!(hours_field("weekly.mon[1].closes"), "mon");
        assert_eq!(hours_field("weekly.fri"), "fri");
        assert_eq!(hours_field("closed_dates[3]"), "closed_dates");
        assert_eq!(methods_field("payment_methods[2]"), "payment_methods");
        assert_eq!(provider_field("settings.base_url"), "base_url");
    }
}
