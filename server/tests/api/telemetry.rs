//! Traces and log correlation on the real binary: an OTLP/HTTP receiver in the test collects the
//! spans `smartai serve` exports, and the JSON (or text) log lines it writes are read back.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{Router, body::Bytes, http::header::CONTENT_TYPE, routing::post};
use opentelemetry_proto::tonic::{
    collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse},
    common::v1::{KeyValue, any_value::Value as AnyValue},
    trace::v1::{Span, span::SpanKind},
};
use prost::Message;
use reqwest::{
    Client, header,
    multipart::{Form, Part},
};
use serde_json::Value;

use crate::{
    helpers::signed_up_at,
    process::{Served, serve},
};

/// An OTLP/HTTP collector: keeps every span it is sent, and counts every request, whatever its path.
#[derive(Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<Span>>>,
    service_names: Arc<Mutex<Vec<String>>>,
    requests: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(listener: tokio::net::TcpListener) -> Self {
        let receiver = Self::default();
        let traces = {
            let receiver = receiver.clone();
            move |body: Bytes| {
                let receiver = receiver.clone();
                async move {
                    receiver.requests.fetch_add(1, Ordering::SeqCst);
                    let request = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf export");
                    for resource_spans in request.resource_spans {
                        let attributes = resource_spans.resource.map(|r| r.attributes).unwrap_or_default();
                        if let Some(name) = string(&attributes, "service.name") {
                            receiver.service_names.lock().unwrap().push(name);
                        }
                        for scope in resource_spans.scope_spans {
                            receiver.spans.lock().unwrap().extend(scope.spans);
                        }
                    }
                    ([(CONTENT_TYPE, "application/x-protobuf")], ExportTraceServiceResponse::default().encode_to_vec())
                }
            }
        };
        let counted = receiver.requests.clone();
        let app = Router::new().route("/v1/traces", post(traces)).fallback(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { "" }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn spans(&self) -> Vec<Span> {
        self.spans.lock().unwrap().clone()
    }
}

fn string(attributes: &[KeyValue], key: &str) -> Option<String> {
    attributes.iter().find(|kv| kv.key == key).and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
        AnyValue::StringValue(value) => Some(value.clone()),
        _ => None,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn signed_up(served: &Served) -> Client {
    signed_up_at(&served.base).await
}

/// Uploads one small text file (whose processing job the in-process worker runs) and returns the
/// request id the server gave the upload.
async fn upload(served: &Served, client: &Client, traceparent: Option<&str>) -> String {
    let form = Form::new().part("file", Part::bytes(b"Traced from click to job.\n".to_vec()).file_name("note.txt"));
    let mut request = client.post(served.url("/rpc/files/upload")).header(header::ACCEPT, "application/json");
    if let Some(traceparent) = traceparent {
        request = request.header("traceparent", traceparent);
    }
    let response = request.multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.headers()["x-request-id"].to_str().unwrap().to_owned()
}

fn json_lines(served: &Served) -> Vec<Value> {
    served.log_lines().iter().filter_map(|line| serde_json::from_str(line).ok()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_and_the_job_it_enqueues_are_one_trace_in_spans_and_logs() {
    // Arrange: a collector, and the server exporting to it. A schedule delay longer than the test
    // means the spans can only arrive through the flush at shutdown.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let collector: SocketAddr = listener.local_addr().unwrap();
    let receiver = Receiver::start(listener).await;
    let mut served = serve(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{collector}")),
        ("OTEL_BSP_SCHEDULE_DELAY", "600000".into()),
        ("LOG_FORMAT", "json".into()),
        ("RUST_LOG", "info,domain::jobs=debug,sqlx=warn,sea_orm=warn".into()),
        ("SHUTDOWN_READINESS_DELAY", "0s".into()),
    ])
    .await;
    let client = signed_up(&served).await;

    // Act: an upload arriving in a caller's trace; its processing job runs; the server stops.
    let (trace_id, caller_span) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let request_id = upload(&served, &client, Some(&format!("00-{trace_id}-{caller_span}-01"))).await;
    served
        .wait_for_log(Duration::from_secs(30), |line| {
            serde_json::from_str::<Value>(line).is_ok_and(|l| {
                l["fields"]["message"] == "job done"
                    && l["span"]["kind"] == "files.process"
                    && l["request_id"] == request_id.as_str()
            })
        })
        .await;
    served.terminate();
    assert!(served.exit_within(Duration::from_secs(30)).await.success());

    // Assert: spans.
    let spans = receiver.spans();
    let by_id: HashMap<Vec<u8>, &Span> = spans.iter().map(|s| (s.span_id.clone(), s)).collect();
    let server = spans
        .iter()
        .find(|s| {
            s.kind == SpanKind::Server as i32 && string(&s.attributes, "request_id").as_ref() == Some(&request_id)
        })
        .unwrap_or_else(|| panic!("no server span for request {request_id} among {} spans", spans.len()));
    assert_eq!(hex(&server.trace_id), trace_id, "the incoming traceparent is honoured");
    assert_eq!(hex(&server.parent_span_id), caller_span);
    assert_eq!(server.name, "POST");
    let job = spans
        .iter()
        .find(|s| s.kind == SpanKind::Consumer as i32 && s.name == "job files.process")
        .expect("a span for the processing job");
    assert_eq!(hex(&job.trace_id), trace_id, "the job's span is in the request's trace");
    assert_eq!(string(&job.attributes, "request_id").as_ref(), Some(&request_id));
    let mut chain = vec![job.name.clone()];
    let mut parent = job.parent_span_id.clone();
    while parent != server.span_id {
        let span = by_id.get(&parent).unwrap_or_else(|| panic!("the job's ancestry breaks after {chain:?}"));
        chain.push(span.name.clone());
        parent = span.parent_span_id.clone();
    }
    println!("job span ancestry: {} <- {}", chain.join(" <- "), server.name);
    assert!(receiver.service_names.lock().unwrap().iter().all(|name| name == "smartai"));

    // Assert: log lines of the request and of its job name both ids.
    let lines = json_lines(&served);
    let of_request: Vec<&Value> = lines.iter().filter(|l| l["request_id"] == request_id.as_str()).collect();
    assert!(
        of_request.iter().any(|l| l["span"]["name"] == "request"),
        "no request log line with the request id:\n{lines:#?}"
    );
    assert!(of_request.iter().any(|l| l["fields"]["message"] == "job done"), "no job log line with the request id");
    for line in &of_request {
        assert_eq!(line["trace_id"], trace_id, "{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_endpoint_nothing_is_exported_but_logs_still_correlate() {
    // The exporter's default endpoint: were one built despite the missing setting, it would send
    // here. (When another program holds the port, only the log checks run.)
    let default_collector = match tokio::net::TcpListener::bind("127.0.0.1:4318").await {
        Ok(listener) => Some(Receiver::start(listener).await),
        Err(_) => None,
    };
    let mut served = serve(&[
        ("RUST_LOG", "info,domain::jobs=debug,sqlx=warn,sea_orm=warn".into()),
        ("OTEL_BSP_SCHEDULE_DELAY", "100".into()),
        ("NO_COLOR", "1".into()),
        ("SHUTDOWN_READINESS_DELAY", "0s".into()),
    ])
    .await;
    let client = signed_up(&served).await;

    let request_id = upload(&served, &client, None).await;
    let suffix = format!(" request_id={request_id}");
    let job_done =
        served.wait_for_log(Duration::from_secs(30), |l| l.contains("job done") && l.ends_with(&suffix)).await;
    served.terminate();
    assert!(served.exit_within(Duration::from_secs(30)).await.success());

    // Text lines end with both ids; the job's trace id is its request's.
    let trace_id = |line: &str| line.split(" trace_id=").nth(1).map(|rest| rest[..32].to_owned());
    let finished = served
        .log_lines()
        .into_iter()
        .find(|l| l.contains("finished processing request") && l.ends_with(&suffix) && l.contains("POST"))
        .expect("the upload's response line");
    assert!(trace_id(&finished).is_some_and(|id| id.chars().all(|c| c.is_ascii_hexdigit())), "{finished}");
    assert_eq!(trace_id(&job_done), trace_id(&finished), "the job continues the request's trace");
    assert!(!served.log_lines().iter().any(|l| l.contains("exporting over OTLP")));
    if let Some(receiver) = default_collector {
        assert_eq!(receiver.requests.load(Ordering::SeqCst), 0, "something was exported");
    }
}
