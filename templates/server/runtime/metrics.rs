//! Prometheus metrics through the `metrics` facade, served at `GET /metrics`
//! when [`ServerConfig::metrics`](crate::ServerConfig::metrics) is on:
//!
//! - `http_server_requests_total` and `http_server_request_duration_seconds`
//!   (a histogram), by `operation` and `status_class` (`2xx`, `4xx`...);
//!   requests the router answers itself (404, 405) have the operation
//!   `unmatched`;
//! - `rate_limit_rejections_total` by `policy`;
//! - `idempotency_replays_total`, and `idempotency_conflicts_total` by
//!   `reason` (`in_progress`, `key_reused`);
//! - `backend_errors_total` by `backend` (`redis`).
//!
//! The first router built with metrics on installs the Prometheus recorder as
//! the process's global recorder, so the application's own `metrics::counter!`
//! calls appear at `/metrics` too. An application that installed another
//! recorder first keeps it: the series go there and `/metrics` is not served.

use std::sync::OnceLock;
use std::time::Duration;

use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use metrics::{Counter, Histogram, Label};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::runtime::observe::Operations;

/// Upper bounds of the latency histogram's buckets, in seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often histograms are folded into their buckets between scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

const STATUS_CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The Prometheus recorder's handle, installing the recorder on first use;
/// `None` when another recorder was installed first.
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    PROMETHEUS.get_or_init(install).as_ref()
}

fn install() -> Option<PrometheusHandle> {
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("http_server_request_duration_seconds".to_string()),
            LATENCY_BUCKETS,
        )
        .expect("the latency buckets are not empty")
        .build_recorder();
    let handle = recorder.handle();
    if metrics::set_global_recorder(recorder).is_err() {
        // Not a fault: another router of the process (another version of
        // the API) or the application installed one first.
        tracing::info!(
            "another metrics recorder is installed: the series go to it, and GET /metrics is not served here"
        );
        return None;
    }
    let upkeep = handle.clone();
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".to_string())
        .spawn(move || loop {
            std::thread::sleep(UPKEEP_INTERVAL);
            upkeep.run_upkeep();
        });
    if let Err(error) = spawned {
        // Scrapes still fold histograms; only the memory between them grows.
        tracing::warn!(%error, "the metrics upkeep thread could not start");
    }
    Some(handle)
}

/// `GET /metrics`: every series in Prometheus's text format.
pub async fn render() -> Response {
    match prometheus() {
        Some(handle) => (
            [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
            handle.render(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The request count and latency of one operation and status class.
#[derive(Debug)]
struct Series {
    requests: Counter,
    duration: Histogram,
}

/// Each operation's series, registered on first use: an API with a thousand
/// operations exports the ones that are called.
#[derive(Debug)]
pub struct RequestMetrics {
    operations: Operations,
    /// One row per operation, then one for `unmatched`.
    series: Box<[[OnceLock<Series>; 5]]>,
    /// Added to every series: [`ServerConfig::metric_labels`](crate::ServerConfig::metric_labels).
    labels: Vec<(&'static str, String)>,
}

impl RequestMetrics {
    /// Installs the Prometheus recorder unless one is installed, so that
    /// what the router's layers register from here on is exported.
    pub fn new(operations: Operations, labels: Vec<(&'static str, String)>) -> Self {
        let _ = prometheus();
        let rows = operations.table().len() + 1;
        RequestMetrics {
            operations,
            series: (0..rows).map(|_| Default::default()).collect(),
            labels,
        }
    }

    /// Counts a request of the operation at `operation` (an index into the
    /// router's operations) that was answered `status` after `latency`.
    pub fn record(&self, operation: Option<usize>, status: StatusCode, latency: Duration) {
        let table = self.operations.table();
        let row = operation.unwrap_or(table.len());
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        let series = self.series[row][class].get_or_init(|| {
            let name = operation.map_or("unmatched", |index| table[index].operation);
            let labels: Vec<Label> = [("operation", name), ("status_class", STATUS_CLASSES[class])]
                .into_iter()
                .map(|(key, value)| Label::new(key, value))
                .chain(
                    self.labels
                        .iter()
                        .map(|(key, value)| Label::new(*key, value.clone())),
                )
                .collect();
            Series {
                requests: metrics::counter!("http_server_requests_total", labels.clone()),
                duration: metrics::histogram!("http_server_request_duration_seconds", labels),
            }
        });
        series.requests.increment(1);
        series.duration.record(latency.as_secs_f64());
    }
}
