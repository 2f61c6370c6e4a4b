//! Drives the dashboard's pages in process: a signed-in browser session
//! (its cookie and CSRF token), pages fetched as HTML, forms posted.

use super::{Owner, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A browser signed in as one user: the cookie it sends and the CSRF token
/// its forms carry.
#[derive(Debug, Clone)]
pub struct Web {
    pub cookie: String,
    pub csrf: String,
}

/// A page as the browser got it.
#[derive(Debug)]
pub struct Html {
    pub status: StatusCode,
    pub body: String,
    /// Where a redirect goes.
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
}

impl Html {
    /// Whether the page shows `text` (after HTML escaping of `&<>"'`).
    pub fn shows(&self, text: &str) -> bool {
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&#34;")
            .replace('\'', "&#39;");
        self.body.contains(text) || self.body.contains(&escaped)
    }
}

impl TestApp {
    /// Signs `who` in to the dashboard (a session row, as sign-in makes).
    pub async fn web(&self, who: &Owner) -> Web {
        let token = server::auth::tokens::random_token(32);
        let csrf = server::auth::tokens::random_token(24);
        store::web_sessions::insert(
            &self.state.db,
            domain::TenantId(who.tenant_id.parse().unwrap()),
            domain::UserId(who.user_id.parse().unwrap()),
            &server::auth::tokens::hash_refresh(&token),
            &csrf,
            chrono::Duration::days(1),
        )
        .await
        .unwrap();
        Web {
            cookie: format!("sokoni_session={token}"),
            csrf,
        }
    }

    /// Sends a request with the browser's cookie (and any extra headers).
    pub async fn web_request(
        &self,
        method: Method,
        path: &str,
        web: Option<&Web>,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Html {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(w) = web {
            req = req.header(header::COOKIE, &w.cookie);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(b)),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let set_cookies = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Html {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            location,
            set_cookies,
        }
    }

    /// A page, signed in.
    pub async fn page(&self, web: &Web, path: &str) -> Html {
        self.web_request(Method::GET, path, Some(web), &[], None)
            .await
    }

    /// A form post, signed in, with the session's CSRF token.
    pub async fn form(&self, web: &Web, path: &str, fields: &[(&str, &str)]) -> Html {
        let body = encode(&[&[("_csrf", web.csrf.as_str())], fields].concat());
        self.web_request(Method::POST, path, Some(web), &[], Some(body))
            .await
    }

    /// The same post as page scripts send it: the token in a header, JSON
    /// asked for. The body is the JSON answer's text.
    pub async fn form_json(&self, web: &Web, path: &str, fields: &[(&str, &str)]) -> Html {
        self.web_request(
            Method::POST,
            path,
            Some(web),
            &[("x-csrf-token", &web.csrf), ("accept", "application/json")],
            Some(encode(fields)),
        )
        .await
    }
}

pub fn encode(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}
