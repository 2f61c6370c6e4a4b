//! Live updates: `GET /app/events` is a server-sent event stream that says
//! `change` whenever one of the business's orders, payments or messages
//! changed. It polls a cheap database cursor (`engine::dashboard::changes`),
//! so a change made through any replica reaches every open page; no other
//! server is needed. Pages fetch their live regions again on `change`.

use super::Page;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use std::convert::Infallible;
use std::time::Duration;

/// How often each open page's cursor is read.
pub const POLL: Duration = Duration::from_secs(2);
/// A stream ends after this long; the browser reconnects by itself, and
/// the session is checked again.
const LIFETIME: Duration = Duration::from_secs(15 * 60);

pub fn routes() -> Router<AppState> {
    Router::new().route("/app/events", get(events))
}

#[derive(serde::Deserialize)]
pub struct Since {
    /// The page's `data-rendered` (microseconds): a change after it is
    /// reported at once.
    since: Option<String>,
}

/// Whether a cursor from [`engine::dashboard::changes`] names a change
/// after `since` (microseconds since the epoch).
pub fn changed_after(cursor: &str, since: i64) -> bool {
    cursor
        .split('.')
        .filter_map(|part| part.parse::<i64>().ok())
        .any(|at| at > since)
}

async fn events(
    State(state): State<AppState>,
    p: Page,
    Query(q): Query<Since>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let tenant = p.tenant.id;
    let db = state.db.clone();
    let now = engine::dashboard::changes(&db, tenant).await.ok();
    let since = q.since.and_then(|s| s.parse::<i64>().ok());
    // Changed since the page was made: the first poll reports it.
    let first = match (&now, since) {
        (Some(c), Some(s)) if changed_after(c, s) => None,
        _ => now,
    };
    let started = tokio::time::Instant::now();
    let s = stream::unfold((db, first, true), move |(db, last, hello)| async move {
        if hello {
            // Tells the page the stream is up (and retry after 3 s if it drops).
            let e = Event::default()
                .event("hello")
                .retry(Duration::from_secs(3));
            return Some((Ok(e), (db, last, false)));
        }
        loop {
            if started.elapsed() > LIFETIME {
                return None;
            }
            if last.is_some() {
                tokio::time::sleep(POLL).await;
            }
            match engine::dashboard::changes(&db, tenant).await {
                Ok(now) if Some(&now) != last.as_ref() => {
                    let e = Event::default().event("change").data(now.clone());
                    return Some((Ok(e), (db, Some(now), false)));
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "live cursor"),
            }
        }
    });
    Sse::new(s).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::changed_after;

    #[test]
    fn a_cursor_part_after_the_page_is_a_change() {
        assert!(changed_after("100.5.-", 99));
        assert!(!changed_after("100.5.-", 100));
        assert!(!changed_after("-.-.-", 0));
        assert!(changed_after("1.2.300", 299));
    }
}
