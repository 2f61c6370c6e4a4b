//! `/metrics` in the Prometheus text format: the counters and histograms the
//! process recorded (inbound events, sends by status, Meta error codes, job
//! outcomes and latency, language-model and speech-to-text calls by
//! provider and outcome and the fall-backs they caused), and gauges read from the database at scrape time
//! so every replica reports the same backlog: jobs waiting, running or dead,
//! messages waiting to be sent, webhook events not yet processed. Each gauge
//! reads an index of the rows it counts, never a whole table.

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
            describe();
        }
        Err(e) => tracing::warn!(error = %e, "metrics recorder not installed"),
    }
}

/// HELP lines for the counters the libraries record.
fn describe() {
    metrics::describe_counter!(
        "sokoni_llm_requests_total",
        "Language-model calls by provider and outcome (ok, timeout, http_4xx, http_5xx, transport, malformed, no_tool_call, invalid)."
    );
    metrics::describe_counter!(
        "sokoni_llm_fallback_total",
        "Answers the built-in parser gave because the language model failed, by provider and reason."
    );
    metrics::describe_counter!(
        "sokoni_stt_requests_total",
        "Speech-to-text calls by provider and outcome."
    );
    metrics::describe_counter!(
        "sokoni_stt_fallback_total",
        "Voice notes that went to a person because they could not be heard, by provider and reason (download, empty, or the call's failure)."
    );
    metrics::describe_counter!(
        "sokoni_voice_notes_total",
        "Voice notes by flow (customer, staff) and outcome (transcribed, to_person)."
    );
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
        "# HELP sokoni_wa_outbound_queued Outbound WhatsApp messages waiting to be sent."
    );
    let _ = writeln!(out, "# TYPE sokoni_wa_outbound_queued gauge");
    let queued = store::wa::queued_outbound(db).await?;
    let _ = writeln!(out, "sokoni_wa_outbound_queued {queued}");
    let _ = writeln!(
        out,
        "# HELP sokoni_wa_events_pending Webhook events stored and not yet processed, by kind."
    );
    let _ = writeln!(out, "# TYPE sokoni_wa_events_pending gauge");
    for (kind, n) in store::wa::pending_events(db).await? {
        let _ = writeln!(out, "sokoni_wa_events_pending{{kind=\"{kind}\"}} {n}");
    }
    Ok(())
}
