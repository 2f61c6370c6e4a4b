//! The dashboard's static files, embedded in the binary: styles, script,
//! icons, the web app manifest, the service worker and its offline page.

use super::Words;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const CSS: &str = include_str!("../../assets/dashboard/app.css");
const JS: &str = include_str!("../../assets/dashboard/app.js");
const SW: &str = include_str!("../../assets/dashboard/sw.js");
const MANIFEST: &str = include_str!("../../assets/dashboard/manifest.webmanifest");
const ICON_SVG: &str = include_str!("../../assets/dashboard/icon.svg");
const ICON_192: &[u8] = include_bytes!("../../assets/dashboard/icon-192.png");
const ICON_512: &[u8] = include_bytes!("../../assets/dashboard/icon-512.png");

/// Page scripts each page module brings: `(file name, source)`.
const PAGE_SCRIPTS: &[(&str, &str)] = &[
    ("orders.js", include_str!("../../assets/dashboard/orders.js")),
];

const fn fnv(bytes: &[u8], mut h: u64) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
        i += 1;
    }
    h
}

/// Changes whenever the styles or scripts do: pages ask for
/// `app.css?v=VERSION`, so a browser never mixes an old file with a new page.
pub const VERSION: u64 = page_scripts(fnv(JS.as_bytes(), fnv(CSS.as_bytes(), 0xcbf2_9ce4_8422_2325)));

/// Page scripts change the version too.
const fn page_scripts(mut h: u64) -> u64 {
    let mut i = 0;
    while i < PAGE_SCRIPTS.len() {
        h = fnv(PAGE_SCRIPTS[i].1.as_bytes(), h);
        i += 1;
    }
    h
}

pub fn routes() -> Router<crate::state::AppState> {
    Router::new()
        .route("/app/static/{name}", get(file))
        .route("/app/sw.js", get(service_worker))
        .route(
            "/app/manifest.webmanifest",
            get(|| async {
                typed(
                    "application/manifest+json",
                    MANIFEST.as_bytes().to_vec(),
                    false,
                )
            }),
        )
        .route("/app/offline", get(offline))
}

fn typed(ct: &'static str, body: Vec<u8>, immutable: bool) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    res
}

async fn file(Path(name): Path<String>) -> Response {
    let (ct, body): (&'static str, Vec<u8>) = match name.as_str() {
        "app.css" => ("text/css; charset=utf-8", CSS.as_bytes().to_vec()),
        "app.js" => ("text/javascript; charset=utf-8", JS.as_bytes().to_vec()),
        "icon.svg" => ("image/svg+xml", ICON_SVG.as_bytes().to_vec()),
        "icon-192.png" => ("image/png", ICON_192.to_vec()),
        "icon-512.png" => ("image/png", ICON_512.to_vec()),
        other => match PAGE_SCRIPTS.iter().find(|(n, _)| *n == other) {
            Some((_, src)) => ("text/javascript; charset=utf-8", src.as_bytes().to_vec()),
            None => return super::Fault::NOT_FOUND.into_response(),
        },
    };
    // Versioned names are cached for good; the rest are checked each time.
    typed(ct, body, name.ends_with(".css") || name.ends_with(".js"))
}

async fn service_worker() -> Response {
    let body = SW.replace("__VERSION__", &VERSION.to_string());
    let mut res = typed("text/javascript; charset=utf-8", body.into_bytes(), false);
    res.headers_mut()
        .insert("service-worker-allowed", HeaderValue::from_static("/app"));
    res
}

#[derive(Template)]
#[template(path = "dashboard/offline.html")]
struct Offline {
    langs: [Words; 2],
}

async fn offline() -> Response {
    super::render(&Offline {
        langs: [Words::for_lang("en"), Words::for_lang("es")],
    })
}
