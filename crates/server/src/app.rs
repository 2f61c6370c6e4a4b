//! The router: every route in one place, with its OpenAPI description.

use crate::api::{
    self, auth, automation, customers, hours, inbox, inventory, measurements, operator, orders,
    payments, products, settings, templates, users, whatsapp, zones,
};
use crate::config::SandboxAccess;
use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sokoni API", description = "Orders, customers, measurements and payments for WhatsApp-first businesses. \
        Money is an integer in minor units next to a `currency`. Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`."),
    modifiers(&BearerAuth),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::otp_send))
        .routes(routes!(auth::otp_verify))
        .routes(routes!(operator::list, operator::create))
        .routes(routes!(operator::revoke))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::update))
        .routes(routes!(automation::list, automation::create))
        .routes(routes!(automation::update))
        .routes(routes!(automation::test))
        .routes(routes!(automation::runs))
        .routes(routes!(automation::get_settings, automation::put_settings))
        .routes(routes!(
            automation::scheduled_list,
            automation::scheduled_create
        ))
        .routes(routes!(
            automation::scheduled_get,
            automation::scheduled_update,
            automation::scheduled_cancel
        ))
        .routes(routes!(settings::get, settings::update))
        .routes(routes!(settings::get_ordering, settings::update_ordering))
        .routes(routes!(hours::get, hours::put))
        .routes(routes!(zones::list, zones::create))
        .routes(routes!(zones::update, zones::delete))
        .routes(routes!(products::list, products::create))
        .routes(routes!(products::get, products::update))
        .routes(routes!(inventory::list))
        .routes(routes!(inventory::movements, inventory::record))
        .routes(routes!(customers::create, customers::list))
        .routes(routes!(customers::get, customers::update))
        .routes(routes!(customers::by_wa))
        .routes(routes!(customers::orders))
        .routes(routes!(measurements::create, measurements::history))
        .routes(routes!(measurements::current))
        .routes(routes!(measurements::new_version))
        .routes(routes!(orders::create, orders::list))
        .routes(routes!(orders::today))
        .routes(routes!(orders::urgent))
        .routes(routes!(orders::get, orders::update))
        .routes(routes!(orders::change_stage))
        .routes(routes!(whatsapp::thread))
        .routes(routes!(whatsapp::send))
        .routes(routes!(whatsapp::numbers, whatsapp::add_number))
        .routes(routes!(whatsapp::update_number))
        .routes(routes!(templates::list))
        .routes(routes!(templates::sync))
        .routes(routes!(templates::submit))
        .routes(routes!(payments::generate_link))
        .routes(routes!(payments::for_order))
        .routes(routes!(payments::unpaid))
        .routes(routes!(payments::send_reminder))
        .routes(routes!(payments::confirm))
        .routes(routes!(payments::manual))
        .routes(routes!(payments::providers))
        .routes(routes!(payments::set_provider))
        .routes(routes!(inbox::list))
        .routes(routes!(inbox::resolve))
}

/// The `/api/v1` routes and their OpenAPI 3.1 document.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api_routes())
        .split_for_parts()
}

/// The OpenAPI 3.1 document of `/api/v1`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// The chat simulator, the sandbox checkout and its webhook, mounted only
/// under `demo` or with the `sandbox` setting: otherwise they answer 404
/// like any unknown path.
fn sandbox(access: SandboxAccess) -> Router<AppState> {
    match access {
        SandboxAccess::Off => Router::new(),
        SandboxAccess::LoggedIn | SandboxAccess::Open => crate::sandbox::routes()
            .merge(crate::sandbox_pay::routes())
            .route(
                "/payments/webhook/sandbox",
                post(crate::webhooks::payments::receive_sandbox),
            ),
    }
}

pub fn router(state: AppState) -> Router {
    let (api, doc) = api();
    let doc = std::sync::Arc::new(doc);
    api.route(
        "/api/v1/openapi.json",
        get(move || {
            let d = doc.clone();
            async move { axum::Json((*d).clone()) }
        }),
    )
    .route(
        "/webhook/whatsapp",
        get(crate::webhooks::whatsapp::verify).post(crate::webhooks::whatsapp::receive),
    )
    .route(
        "/payments/return/{reference}",
        get(crate::sandbox_pay::returned),
    )
    .route(
        "/payments/webhook/mpesa/{token}",
        post(crate::webhooks::payments::receive_mpesa),
    )
    .route(
        "/payments/webhook/{provider}/{tenant}",
        post(crate::webhooks::payments::receive),
    )
    .route("/metrics", get(crate::metrics::render))
    .merge(sandbox(state.config.sandbox_access()))
    .merge(crate::dashboard::routes(state.clone()))
    .route("/healthz", get(api::health::healthz))
    .route("/readyz", get(api::health::readyz))
    .fallback(|| async { AppError::NotFound })
    .layer(DefaultBodyLimit::max(1024 * 1024))
    .layer(axum::middleware::map_response(
        crate::error::envelope_errors,
    ))
    .layer(CatchPanicLayer::custom(|_| {
        AppError::Internal(anyhow::anyhow!("a request handler panicked")).into_response()
    }))
    .layer(TraceLayer::new_for_http())
    .with_state(state)
}
