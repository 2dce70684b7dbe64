//! Logs and traces. Logs: human-readable text by default, one JSON object per line with
//! `LOG_FORMAT=json`; inside a request or a job every line names its `trace_id` and `request_id`.
//! Traces: OpenTelemetry spans, sent over OTLP/HTTP (protobuf) when `OTEL_EXPORTER_OTLP_ENDPOINT`
//! (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, configured by the standard `OTEL_*` variables
//! (`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_EXPORTER_OTLP_HEADERS`, …).
//!
//! The tracer runs even when nothing is exported: it gives every request and job a trace id for the
//! logs, honours an incoming `traceparent`, and carries the context into enqueued jobs. Only the
//! exporter depends on the endpoint; without one none is built and nothing leaves the process.

use std::fmt::Write as _;

use axum::http::HeaderMap;
use domain::jobs::trace::REQUEST_ID;
use opentelemetry::{
    Context, KeyValue,
    baggage::BaggageExt,
    global,
    propagation::Extractor,
    trace::{TraceContextExt, TracerProvider as _},
};
use opentelemetry_sdk::{Resource, propagation::TraceContextPropagator, trace::SdkTracerProvider};
use tracing::{Event, Subscriber};
use tracing_subscriber::{
    EnvFilter,
    fmt::{
        self, FmtContext, FormatEvent, FormatFields,
        format::{Format, Full, Json, Writer},
    },
    prelude::*,
    registry::LookupSpan,
};

use crate::settings::{LogConfig, LogFormat};

const SERVICE_NAME: &str = "smartai";

/// What must happen before the process exits: the spans still buffered are sent.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered and stops the exporter. Call it after the runtime stopped:
    /// the exporter's blocking client must not run on an async worker thread.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(err) = provider.shutdown()
        {
            eprintln!("warning: could not send the last trace spans: {err}");
        }
    }
}

/// Whether spans are exported: an OTLP endpoint is configured and the traces exporter is not `none`.
pub fn exporting() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|value| !value.trim().is_empty());
    let exporter_off = std::env::var("OTEL_TRACES_EXPORTER").is_ok_and(|value| value.trim() == "none");
    let sdk_off = std::env::var("OTEL_SDK_DISABLED").is_ok_and(|value| value.trim().eq_ignore_ascii_case("true"));
    (set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) && !exporter_off && !sdk_off
}

pub fn init(config: &LogConfig) -> Telemetry {
    domain::log_privacy::set(config.personal_data);
    global::set_text_map_propagator(TraceContextPropagator::new());
    let (provider, export_error) = tracer_provider();
    let filter = EnvFilter::try_new(&config.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let traces = tracing_opentelemetry::layer().with_tracer(provider.tracer(SERVICE_NAME));
    let registry = tracing_subscriber::registry().with(filter).with(traces);
    let result = match config.format {
        LogFormat::Text => {
            // Set on the format itself, because the ids are appended to a line formatted into a
            // buffer, which knows nothing of the terminal (the layer's own rule: NO_COLOR).
            let ansi = std::env::var("NO_COLOR").map_or(true, |value| value.is_empty());
            let format = fmt::format().with_target(false).with_ansi(ansi);
            registry.with(fmt::layer().event_format(WithTraceIds(format))).try_init()
        }
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .event_format(WithTraceIds(fmt::format().json().with_current_span(true).with_span_list(false))),
            )
            .try_init(),
    };
    // Tests start several apps in one process; the first subscriber wins.
    if result.is_err() {
        return Telemetry { provider: None };
    }
    match export_error {
        Some(err) => tracing::error!(error = %err, "traces: cannot export to the OTLP endpoint; not exporting"),
        None if exporting() => tracing::info!("traces: exporting over OTLP/HTTP"),
        None => {}
    }
    Telemetry { provider: Some(provider) }
}

/// The tracer provider, with an OTLP/HTTP exporter when one is configured (and the reason it could
/// not be built, if it could not).
fn tracer_provider() -> (SdkTracerProvider, Option<String>) {
    // `Resource::builder` reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; our default name
    // only stands in for the SDK's `unknown_service`.
    let mut resource = Resource::builder().with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")));
    if std::env::var("OTEL_SERVICE_NAME").is_err() {
        resource = resource.with_service_name(SERVICE_NAME);
    }
    // The sampler comes from OTEL_TRACES_SAMPLER (parent-based, always on, by default).
    let builder = SdkTracerProvider::builder().with_resource(resource.build());
    if !exporting() {
        return (builder.build(), None);
    }
    use opentelemetry_otlp::WithExportConfig as _;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .build();
    match exporter {
        Ok(exporter) => (builder.with_batch_exporter(exporter).build(), None),
        Err(err) => (builder.build(), Some(err.to_string())),
    }
}

/// The context an incoming request's span continues: the caller's trace when it sent a W3C
/// `traceparent`, a new one otherwise, carrying the request id for everything inside the request.
pub fn incoming(headers: &HeaderMap, request_id: &str) -> Context {
    let cx = global::get_text_map_propagator(|propagator| propagator.extract(&Headers(headers)));
    cx.with_baggage([KeyValue::new(REQUEST_ID, request_id.to_owned())])
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}

/// The trace id and request id of the context the current span runs in. The tracing layer makes a
/// span's context the current one while the span is entered, so this works whichever span (request,
/// service call, job) the line is logged in, where the formatter only sees the innermost span's fields.
fn current_ids() -> (Option<String>, Option<String>) {
    let cx = Context::current();
    let span = cx.span();
    let span_context = span.span_context();
    let trace_id = span_context.is_valid().then(|| span_context.trace_id().to_string());
    let request_id = cx.baggage().get(REQUEST_ID).map(|id| id.as_str().to_owned());
    (trace_id, request_id)
}

/// A log line formatter that adds `trace_id` and `request_id` to what `F` writes.
struct WithTraceIds<F>(F);

/// How a formatted line takes the ids: text as `key=value` pairs at its end, JSON as two more
/// top-level members.
trait AppendIds {
    fn append_ids(
        line: String,
        trace_id: Option<String>,
        request_id: Option<String>,
    ) -> Result<String, std::fmt::Error>;
}

impl AppendIds for Format<Full> {
    fn append_ids(
        mut line: String,
        trace_id: Option<String>,
        request_id: Option<String>,
    ) -> Result<String, std::fmt::Error> {
        line.truncate(line.trim_end_matches('\n').len());
        if let Some(trace_id) = trace_id {
            write!(line, " trace_id={trace_id}")?;
        }
        if let Some(request_id) = request_id {
            write!(line, " request_id={request_id}")?;
        }
        line.push('\n');
        Ok(line)
    }
}

impl AppendIds for Format<Json> {
    fn append_ids(
        mut line: String,
        trace_id: Option<String>,
        request_id: Option<String>,
    ) -> Result<String, std::fmt::Error> {
        let Some(end) = line.rfind('}') else { return Ok(line) };
        let mut extra = String::new();
        if let Some(trace_id) = trace_id {
            write!(extra, ",\"trace_id\":\"{trace_id}\"")?;
        }
        if let Some(request_id) = request_id {
            let quoted = serde_json::to_string(&request_id).map_err(|_| std::fmt::Error)?;
            write!(extra, ",\"request_id\":{quoted}")?;
        }
        line.insert_str(end, &extra);
        Ok(line)
    }
}

impl<S, N, F> FormatEvent<S, N> for WithTraceIds<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N> + AppendIds,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> std::fmt::Result {
        let (trace_id, request_id) = current_ids();
        if trace_id.is_none() && request_id.is_none() {
            return self.0.format_event(ctx, writer, event);
        }
        let mut line = String::new();
        self.0.format_event(ctx, Writer::new(&mut line), event)?;
        writer.write_str(&F::append_ids(line, trace_id, request_id)?)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn an_incoming_traceparent_is_continued_and_the_request_id_carried() {
        global::set_text_map_propagator(TraceContextPropagator::new());
        let mut headers = HeaderMap::new();
        headers
            .insert("traceparent", HeaderValue::from_static("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        let cx = incoming(&headers, "req-7");
        assert_eq!(cx.span().span_context().trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert!(cx.span().span_context().is_remote());
        assert_eq!(cx.baggage().get(REQUEST_ID).map(|v| v.as_str().to_owned()), Some("req-7".into()));

        let cx = incoming(&HeaderMap::new(), "req-8");
        assert!(!cx.span().span_context().is_valid(), "no traceparent: the request starts a trace of its own");
    }
}
