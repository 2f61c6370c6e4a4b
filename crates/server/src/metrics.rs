//! `/metrics` in the Prometheus text format: the counters and histograms the
//! process recorded (inbound events, sends, job latency), and gauges read
//! from the database at scrape time (jobs by state and kind, outbound
//! messages by status, Meta error codes) so every replica reports the same
//! queue.

use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::fmt::Write as _;
use std::sync::OnceLock;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder (once; later calls do nothing).
pub fn install() {
    if HANDLE.get().is_some() {
        return;
    }
    match PrometheusBuilder::new().install_recorder() {
        Ok(h) => {
            let _ = HANDLE.set(h);
        }
        Err(e) => tracing::warn!(error = %e, "metrics recorder not installed"),
    }
}

pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = HANDLE
        .get()
        .map(PrometheusHandle::render)
        .unwrap_or_default();
    if let Err(e) = database_gauges(&state, &mut out).await {
        tracing::warn!(error = %e, "metrics: database gauges unavailable");
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
}

async fn database_gauges(state: &AppState, out: &mut String) -> anyhow::Result<()> {
    let db = &state.db;
    let _ = writeln!(
        out,
        "# HELP sokoni_jobs Jobs in the queue by state and kind."
    );
    let _ = writeln!(out, "# TYPE sokoni_jobs gauge");
    for (kind, status, n) in store::jobs::counts(db).await? {
        let _ = writeln!(out, "sokoni_jobs{{kind=\"{kind}\",state=\"{status}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "# HELP sokoni_jobs_oldest_due_seconds Age of the oldest due queued job."
    );
    let _ = writeln!(out, "# TYPE sokoni_jobs_oldest_due_seconds gauge");
    let lag = store::jobs::oldest_due_age(db).await?.unwrap_or(0.0);
    let _ = writeln!(out, "sokoni_jobs_oldest_due_seconds {lag}");
    let _ = writeln!(
        out,
        "# HELP sokoni_wa_outbound_messages Outbound WhatsApp messages by status."
    );
    let _ = writeln!(out, "# TYPE sokoni_wa_outbound_messages gauge");
    for (status, n) in store::wa::outbound_counts(db).await? {
        let _ = writeln!(
            out,
            "sokoni_wa_outbound_messages{{status=\"{status}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP sokoni_wa_message_errors Messages carrying a Meta error code."
    );
    let _ = writeln!(out, "# TYPE sokoni_wa_message_errors gauge");
    for (code, n) in store::wa::error_code_counts(db).await? {
        let _ = writeln!(out, "sokoni_wa_message_errors{{code=\"{code}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "# HELP sokoni_wa_events Webhook events stored, by kind and state."
    );
    let _ = writeln!(out, "# TYPE sokoni_wa_events gauge");
    for (kind, st, n) in store::wa::event_counts(db).await? {
        let _ = writeln!(
            out,
            "sokoni_wa_events{{kind=\"{kind}\",state=\"{st}\"}} {n}"
        );
    }
    Ok(())
}
