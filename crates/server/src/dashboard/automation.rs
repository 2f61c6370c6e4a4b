//! Automation: the triggers with their switch and thresholds, the quiet
//! hours, a dry run of each trigger (who would receive what right now, and
//! why not), the recent runs and the scheduled messages. The rules are
//! `engine::automation`'s; this page parses the forms and calls it, as the
//! API does.

use super::words::{Table, Words};
use super::{EditPage, Fault, OwnerPage, Page, format, redirect_with, render};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use engine::automation::triggers::{self, TriggerInput, TriggerView};
use engine::automation::{Preview, scheduled};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

pub const WORDS: Table = &[
    ("auto.title", "Automation", "Automatización"),
    (
        "auto.intro",
        "Messages Sokoni sends by itself. Each runs once a day at most per person, never in quiet hours, and only as WhatsApp allows.",
        "Mensajes que Sokoni manda solo. Cada uno sale como mucho una vez por día por persona, nunca en horas de silencio y solo como WhatsApp lo permite.",
    ),
    (
        "auto.kind.customer_inactive",
        "Win back quiet customers",
        "Recuperar clientes que no vuelven",
    ),
    (
        "auto.kind.order_ready",
        "Order ready, not collected",
        "Pedido listo sin retirar",
    ),
    (
        "auto.kind.unpaid_balance",
        "Unpaid balance reminders",
        "Recordatorios de saldo impago",
    ),
    (
        "auto.kind.deadline_risk",
        "Deadline at risk (to the team)",
        "Entrega en riesgo (al equipo)",
    ),
    (
        "auto.kind.birthday",
        "Birthday greetings",
        "Saludos de cumpleaños",
    ),
    (
        "auto.kind.repeat_customer",
        "Thank repeat customers",
        "Agradecer a clientes fieles",
    ),
    (
        "auto.kind.low_stock",
        "Low stock (to the team)",
        "Stock bajo (al equipo)",
    ),
    (
        "auto.kind.daily_summary",
        "Daily summary (to the owner)",
        "Resumen del día (al dueño)",
    ),
    (
        "auto.kind.scheduled_message",
        "Scheduled messages",
        "Mensajes programados",
    ),
    ("auto.on", "On", "Prendido"),
    ("auto.off", "Off", "Apagado"),
    ("auto.turn_on", "Turn on", "Prender"),
    ("auto.turn_off", "Turn off", "Apagar"),
    (
        "auto.enabled",
        "Send these messages",
        "Mandar estos mensajes",
    ),
    ("auto.param.days", "Days", "Días"),
    (
        "auto.param.quiet_days",
        "Days before asking again",
        "Días antes de volver a escribir",
    ),
    ("auto.param.hours", "Hours", "Horas"),
    (
        "auto.param.steps",
        "Reminder days (gentle, firm, final)",
        "Días de recordatorio (suave, firme, final)",
    ),
    (
        "auto.param.stages",
        "Stages that count as not started",
        "Etapas que cuentan como sin empezar",
    ),
    ("auto.param.orders", "Orders in all", "Pedidos en total"),
    (
        "auto.param.hour",
        "Hour of the day (0-23)",
        "Hora del día (0-23)",
    ),
    (
        "auto.preview",
        "Who would get it now",
        "Quién lo recibiría ahora",
    ),
    (
        "auto.preview_intro",
        "A dry run: nothing is sent. Messages already sent today are left out.",
        "Una prueba: no se manda nada. Lo que ya salió hoy no aparece.",
    ),
    (
        "auto.preview_none",
        "Nobody would get this message right now.",
        "Nadie recibiría este mensaje ahora.",
    ),
    ("auto.to", "To", "Para"),
    ("auto.message", "Message", "Mensaje"),
    ("auto.outcome", "What would happen", "Qué pasaría"),
    ("auto.send.text", "Sent as a message", "Sale como mensaje"),
    (
        "auto.send.template",
        "Sent as an approved template",
        "Sale como plantilla aprobada",
    ),
    ("auto.skip", "Not sent", "No sale"),
    ("auto.defer", "Waits until {when}", "Espera hasta {when}"),
    (
        "auto.why.opted_out",
        "the customer asked for no messages",
        "el cliente pidió no recibir mensajes",
    ),
    (
        "auto.why.window_closed",
        "more than 24 hours since they wrote",
        "pasaron más de 24 horas desde su último mensaje",
    ),
    (
        "auto.why.no_approved_template",
        "no approved template for it",
        "no hay una plantilla aprobada",
    ),
    (
        "auto.why.no_number",
        "no WhatsApp number connected",
        "no hay un número de WhatsApp conectado",
    ),
    (
        "auto.why.no_recipient",
        "nobody to send it to",
        "no hay a quién mandarlo",
    ),
    ("auto.quiet", "Quiet hours", "Horas de silencio"),
    (
        "auto.quiet_intro",
        "Nothing automated goes out between these times (the business's time). The same start and end: never quiet.",
        "Entre estas horas no sale nada automático (horario del negocio). Mismo inicio y fin: nunca hay silencio.",
    ),
    ("auto.quiet_start", "From", "Desde"),
    ("auto.quiet_end", "Until", "Hasta"),
    ("auto.runs", "Recent runs", "Últimas ejecuciones"),
    (
        "auto.runs_none",
        "Nothing has run for this business yet.",
        "Todavía no se ejecutó nada para este negocio.",
    ),
    ("auto.sent", "{n} sent", "{n} enviados"),
    ("auto.skipped", "{n} not sent", "{n} sin enviar"),
    ("auto.deferred", "{n} waiting", "{n} esperando"),
    (
        "auto.scheduled",
        "Scheduled messages",
        "Mensajes programados",
    ),
    (
        "auto.scheduled_none",
        "No messages scheduled.",
        "No hay mensajes programados.",
    ),
    ("auto.cancel", "Cancel it", "Cancelarlo"),
    ("auto.cancelled", "Message cancelled.", "Mensaje cancelado."),
    ("auto.status.scheduled", "Scheduled", "Programado"),
    ("auto.status.sent", "Sent", "Enviado"),
    ("auto.status.skipped", "Not sent", "No enviado"),
    ("auto.status.cancelled", "Cancelled", "Cancelado"),
    (
        "auto.saved",
        "Automation saved.",
        "Automatización guardada.",
    ),
    ("auto.last_run", "Last run {when}", "Última vez {when}"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/automation", get(show))
        .route("/app/automation/quiet", post(save_quiet))
        .route("/app/automation/triggers/{id}", post(save_trigger))
        .route("/app/automation/triggers/{id}/preview", get(preview))
        .route("/app/automation/scheduled/{id}/cancel", post(cancel))
}

type Errors = BTreeMap<String, String>;

#[derive(Debug, Clone)]
struct Param {
    name: String,
    label: &'static str,
    value: String,
}

#[derive(Debug, Clone)]
struct TriggerCard {
    id: String,
    kind: String,
    title: &'static str,
    enabled: bool,
    params: Vec<Param>,
    last_run: Option<String>,
}

#[derive(Debug, Clone)]
struct RunRow {
    when: String,
    counts: String,
    error: bool,
}

#[derive(Debug, Clone)]
struct ScheduledRow {
    id: String,
    when: String,
    body: String,
    status: &'static str,
    open: bool,
}

#[derive(Template)]
#[template(path = "dashboard/automation.html")]
struct AutomationPage {
    p: Page,
    triggers: Vec<TriggerCard>,
    quiet_start: String,
    quiet_end: String,
    runs: Vec<RunRow>,
    scheduled: Vec<ScheduledRow>,
    /// `quiet` or a trigger's id: where the errors go.
    target: String,
    errors: Errors,
}

impl AutomationPage {
    fn err(&self, target: &str, field: &str) -> Option<&String> {
        if self.target == target {
            self.errors.get(field)
        } else {
            None
        }
    }
}

fn kind_key(kind: &str) -> &'static str {
    match kind {
        "customer_inactive" => "auto.kind.customer_inactive",
        "order_ready" => "auto.kind.order_ready",
        "unpaid_balance" => "auto.kind.unpaid_balance",
        "deadline_risk" => "auto.kind.deadline_risk",
        "birthday" => "auto.kind.birthday",
        "repeat_customer" => "auto.kind.repeat_customer",
        "low_stock" => "auto.kind.low_stock",
        "daily_summary" => "auto.kind.daily_summary",
        _ => "auto.kind.scheduled_message",
    }
}

fn param_key(name: &str) -> &'static str {
    match name {
        "days" => "auto.param.days",
        "quiet_days" => "auto.param.quiet_days",
        "hours" => "auto.param.hours",
        "steps" => "auto.param.steps",
        "stages" => "auto.param.stages",
        "orders" => "auto.param.orders",
        _ => "auto.param.hour",
    }
}

/// The thresholds in force (`days=30;quiet_days=14`), as the form's inputs.
fn params_of(w: Words, t: &TriggerView) -> Vec<Param> {
    t.params
        .split(';')
        .filter_map(|part| part.split_once('='))
        .map(|(k, v)| Param {
            name: k.to_string(),
            label: w.t(param_key(k)),
            value: v.to_string(),
        })
        .collect()
}

async fn page(
    state: &AppState,
    p: Page,
    target: String,
    typed: Option<(String, Vec<Param>)>,
    quiet_typed: Option<(String, String)>,
    errors: Errors,
) -> Result<AutomationPage, Fault> {
    let svc = &state.services;
    let tid = p.tenant.id;
    let now = svc.clock.now();
    let tz = p.tenant.tz();
    let w = p.w;
    let triggers = triggers::list(svc, tid)
        .await
        .map_err(AppError::from)?
        .iter()
        .map(|t| {
            let id = t.id.to_string();
            let params = match &typed {
                Some((tid, ps)) if *tid == id => ps.clone(),
                _ => params_of(w, t),
            };
            TriggerCard {
                title: w.t(kind_key(&t.kind)),
                kind: t.kind.clone(),
                enabled: t.enabled,
                params,
                last_run: t
                    .last_run_at
                    .map(|at| w.f("auto.last_run", &[("when", &format::when(w, at, tz, now))])),
                id,
            }
        })
        .collect();
    let (quiet_start, quiet_end) = match quiet_typed {
        Some(q) => q,
        None => triggers::quiet_hours(svc, tid)
            .await
            .map_err(AppError::from)?,
    };
    let runs = engine::automation::runs(svc, tid, 10)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|(run, outcomes)| {
            let count = |o: &str| {
                outcomes
                    .iter()
                    .filter(|x| x.outcome == o)
                    .count()
                    .to_string()
            };
            let mut parts = vec![w.f("auto.sent", &[("n", &count("sent"))])];
            let skipped = count("skipped");
            if skipped != "0" {
                parts.push(w.f("auto.skipped", &[("n", &skipped)]));
            }
            let deferred = count("deferred");
            if deferred != "0" {
                parts.push(w.f("auto.deferred", &[("n", &deferred)]));
            }
            RunRow {
                when: format::when(w, run.started_at, tz, now),
                counts: parts.join(" · "),
                error: run.error.is_some(),
            }
        })
        .collect();
    let scheduled = scheduled::list(svc, tid)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .take(50)
        .map(|s| ScheduledRow {
            id: s.id.to_string(),
            when: format::when(w, s.send_at, tz, now),
            open: s.status == "scheduled",
            status: w.t(match s.status.as_str() {
                "scheduled" => "auto.status.scheduled",
                "sent" => "auto.status.sent",
                "skipped" => "auto.status.skipped",
                _ => "auto.status.cancelled",
            }),
            body: s.body,
        })
        .collect();
    Ok(AutomationPage {
        triggers,
        quiet_start,
        quiet_end,
        runs,
        scheduled,
        target,
        errors,
        p,
    })
}

async fn show(State(state): State<AppState>, p: Page) -> Result<Response, Fault> {
    Ok(render(
        &page(&state, p, String::new(), None, None, Errors::new()).await?,
    ))
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json"))
}

fn saved(state: &AppState, headers: &HeaderMap, message: &str) -> Response {
    if wants_json(headers) {
        return axum::Json(serde_json::json!({"ok": true, "message": message})).into_response();
    }
    redirect_with(state, "/app/automation", message)
}

/// A refusal about fields: the page again with them (422), or the JSON
/// envelope; other refusals are faults.
fn refused(
    w: Words,
    headers: &HeaderMap,
    e: AppError,
    reshow: impl FnOnce(Errors) -> Response,
) -> Result<Response, Fault> {
    let AppError::Validation(fields) = e else {
        return Err(e.into());
    };
    // `config.days` is the `days` input.
    let errors: Errors = fields
        .into_iter()
        .map(|(f, m)| (f.strip_prefix("config.").unwrap_or(&f).to_string(), m))
        .collect();
    if wants_json(headers) {
        let body = serde_json::json!({"error": {"code": "validation_failed",
            "message": w.t("settings.check_fields"), "fields": errors}});
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response());
    }
    let mut res = reshow(errors);
    if res.status().is_success() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

fn trigger_id(raw: &str) -> Result<Uuid, Fault> {
    Uuid::parse_str(raw).map_err(|_| Fault::NOT_FOUND)
}

/// The form's fields by name.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
struct Fields(BTreeMap<String, String>);

impl Fields {
    fn text(&self, name: &str) -> String {
        self.0
            .get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }
}

async fn save_trigger(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let w = p.w;
    let id = trigger_id(&raw)?;
    let svc = &state.services;
    let current = triggers::list(svc, p.tenant.id)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(Fault::NOT_FOUND)?;
    let enabled =
        f.0.get("enabled")
            .map(|v| v == "1" || v == "on" || v == "true");
    // The switch alone leaves the thresholds; the full form sends them.
    let full = f.0.contains_key("thresholds");
    let enabled = if full {
        Some(enabled.unwrap_or(false))
    } else {
        enabled
    };
    let mut errors = Errors::new();
    let mut typed = Vec::new();
    let config = if full {
        let mut config = serde_json::Map::new();
        for param in params_of(w, &current) {
            let raw = f.text(&param.name);
            let value = match param.name.as_str() {
                "stages" => Some(serde_json::Value::Array(
                    raw.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| serde_json::Value::String(s.into()))
                        .collect(),
                )),
                "steps" => raw
                    .split(',')
                    .map(|s| s.trim().parse::<i64>().ok().map(serde_json::Value::from))
                    .collect::<Option<Vec<_>>>()
                    .map(serde_json::Value::Array),
                _ => raw.parse::<i64>().ok().map(serde_json::Value::from),
            };
            match value {
                Some(v) => {
                    config.insert(param.name.clone(), v);
                }
                None => {
                    errors.insert(param.name.clone(), w.t("settings.whole_number").into());
                }
            }
            typed.push(Param {
                value: raw,
                ..param
            });
        }
        Some(serde_json::Value::Object(config))
    } else {
        None
    };
    let result = if errors.is_empty() {
        let input = TriggerInput {
            kind: None,
            enabled,
            config,
            texts: None,
            quiet_start: None,
            quiet_end: None,
        };
        triggers::update(svc, p.tenant.id, id, &input)
            .await
            .map(|_| ())
            .map_err(AppError::from)
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(()) => Ok(saved(&state, &headers, w.t("auto.saved"))),
        Err(e) => {
            let target = id.to_string();
            let typed = (!typed.is_empty()).then(|| (target.clone(), typed));
            let pg = page(&state, p, target, typed, None, Errors::new()).await?;
            refused(w, &headers, e, |errors| {
                render(&AutomationPage { errors, ..pg })
            })
        }
    }
}

async fn save_quiet(
    State(state): State<AppState>,
    OwnerPage(p): OwnerPage,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, Fault> {
    let w = p.w;
    let (start, end) = (f.text("quiet_start"), f.text("quiet_end"));
    match triggers::set_quiet_hours(&state.services, p.tenant.id, &start, &end).await {
        Ok(_) => Ok(saved(&state, &headers, w.t("auto.saved"))),
        Err(e) => {
            let pg = page(
                &state,
                p,
                "quiet".into(),
                None,
                Some((start, end)),
                Errors::new(),
            )
            .await?;
            refused(w, &headers, e.into(), |errors| {
                render(&AutomationPage { errors, ..pg })
            })
        }
    }
}

async fn cancel(
    State(state): State<AppState>,
    EditPage(p): EditPage,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, Fault> {
    let id = trigger_id(&raw)?;
    match scheduled::cancel(&state.services, p.tenant.id, id).await {
        Ok(_) => Ok(saved(&state, &headers, p.w.t("auto.cancelled"))),
        Err(e) => {
            let e = AppError::from(e);
            match &e {
                AppError::Conflict { .. } => {
                    let text = super::explain(p.w, &e);
                    Ok(saved(&state, &headers, &text))
                }
                _ => Err(e.into()),
            }
        }
    }
}

#[derive(Debug, Clone)]
struct PreviewRow {
    to: String,
    text: String,
    outcome: String,
    bad: bool,
}

#[derive(Template)]
#[template(path = "dashboard/automation_preview.html")]
struct PreviewPage {
    p: Page,
    title: &'static str,
    rows: Vec<PreviewRow>,
}

/// The same, for the slide-in panel.
#[derive(Template)]
#[template(path = "dashboard/automation_preview_panel.html")]
struct PreviewPanel {
    p: Page,
    title: &'static str,
    rows: Vec<PreviewRow>,
}

fn reason_key(reason: &str) -> &'static str {
    match reason {
        "opted_out" => "auto.why.opted_out",
        "window_closed" => "auto.why.window_closed",
        "no_approved_template" => "auto.why.no_approved_template",
        "no_number" => "auto.why.no_number",
        _ => "auto.why.no_recipient",
    }
}

fn outcome_text(p: &Page, x: &Preview, now: chrono::DateTime<chrono::Utc>) -> String {
    let w = p.w;
    match x.outcome {
        "send" if x.send_as == Some("template") => w.t("auto.send.template").into(),
        "send" => w.t("auto.send.text").into(),
        "defer" => {
            let when = x
                .until
                .map_or_else(String::new, |u| format::when(w, u, p.tenant.tz(), now));
            w.f("auto.defer", &[("when", &when)])
        }
        _ => format!(
            "{}: {}",
            w.t("auto.skip"),
            w.t(reason_key(x.reason.unwrap_or_default()))
        ),
    }
}

async fn preview(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, Fault> {
    let id = trigger_id(&raw)?;
    let svc = &state.services;
    let kind = triggers::list(svc, p.tenant.id)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| t.kind)
        .ok_or(Fault::NOT_FOUND)?;
    let items = engine::automation::preview(svc, p.tenant.id, id)
        .await
        .map_err(AppError::from)?;
    let now = svc.clock.now();
    let rows = items
        .iter()
        .map(|x| PreviewRow {
            to: x.to.clone(),
            text: x.text.clone(),
            outcome: outcome_text(&p, x, now),
            bad: x.outcome == "skip",
        })
        .collect();
    let title = p.w.t(kind_key(&kind));
    Ok(if headers.contains_key("x-fragment") {
        render(&PreviewPanel { title, rows, p })
    } else {
        render(&PreviewPage { title, rows, p })
    })
}
