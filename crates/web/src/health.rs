//! `/healthz` (the process answers), `/readyz` (the database answers) and `/metrics`
//! (Prometheus text format).

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Metrics {
    /// (method, status) → count.
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    /// Sum of request durations in microseconds.
    duration_us: AtomicU64,
    in_flight: AtomicU64,
}

pub async fn count_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let started = std::time::Instant::now();
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let resp = next.run(req).await;
    state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    state.metrics.duration_us.fetch_add(us, Ordering::Relaxed);
    if let Ok(mut map) = state.metrics.requests.lock() {
        *map.entry((method, resp.status().as_u16())).or_default() += 1;
    }
    resp
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "数据库不可用").into_response()
        }
    }
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP jiqun_http_requests_total HTTP requests by method and status."
    );
    let _ = writeln!(out, "# TYPE jiqun_http_requests_total counter");
    if let Ok(map) = state.metrics.requests.lock() {
        for ((method, status), n) in map.iter() {
            let _ = writeln!(
                out,
                "jiqun_http_requests_total{{method=\"{method}\",status=\"{status}\"}} {n}"
            );
        }
    }
    let secs = state.metrics.duration_us.load(Ordering::Relaxed) as f64 / 1e6;
    let _ = writeln!(
        out,
        "# HELP jiqun_http_request_duration_seconds_sum Total time spent serving requests."
    );
    let _ = writeln!(
        out,
        "# TYPE jiqun_http_request_duration_seconds_sum counter"
    );
    let _ = writeln!(out, "jiqun_http_request_duration_seconds_sum {secs}");
    let _ = writeln!(
        out,
        "# HELP jiqun_http_requests_in_flight Requests being served now."
    );
    let _ = writeln!(out, "# TYPE jiqun_http_requests_in_flight gauge");
    let _ = writeln!(
        out,
        "jiqun_http_requests_in_flight {}",
        state.metrics.in_flight.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "# HELP jiqun_database_up Whether the database answered just now."
    );
    let _ = writeln!(out, "# TYPE jiqun_database_up gauge");
    let up = u8::from(state.db.ping().await.is_ok());
    let _ = writeln!(
        out,
        "jiqun_database_up{{backend=\"{}\"}} {up}",
        state.db.backend().name()
    );
    // The scheduler's queue (docs/scheduler.md): a growing `dead` count needs a look at
    // /admin/jobs. Left out when the database does not answer.
    let counts = match state.db.acquire().await {
        Ok(mut conn) => jiqun_store::jobs::counts(&mut conn).await.ok(),
        Err(_) => None,
    };
    if let Some(counts) = counts {
        let _ = writeln!(out, "# HELP jiqun_jobs Scheduled jobs by status.");
        let _ = writeln!(out, "# TYPE jiqun_jobs gauge");
        for (status, n) in counts.by_status() {
            let _ = writeln!(out, "jiqun_jobs{{status=\"{status}\"}} {n}");
        }
    }
    let _ = writeln!(
        out,
        "# HELP jiqun_build_info Version of the running binary."
    );
    let _ = writeln!(out, "# TYPE jiqun_build_info gauge");
    let _ = writeln!(
        out,
        "jiqun_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
