//! A job continues the trace of the code that enqueued it: the enqueuer's request id and W3C
//! `traceparent` travel in the job, and the worker's span for it becomes a child of that context,
//! so one trace runs from the click to the finished job. Only the OpenTelemetry API is used here;
//! which propagator and tracer run is the binary's choice (server/src/telemetry.rs), and with none
//! installed both ends quietly do nothing.

use std::collections::HashMap;

use opentelemetry::{Context, KeyValue, baggage::BaggageExt, global};

/// The baggage key under which a request's context carries its request id, so that everything
/// running inside the request (a log line, an enqueue) can read it whatever span it is in.
pub const REQUEST_ID: &str = "request_id";

const TRACEPARENT: &str = "traceparent";

/// What the job's columns hold (`request_id` was sized for our own UUIDs; a client may send a
/// longer `x-request-id`, and it must not make the enqueue fail).
const MAX_REQUEST_ID: usize = 64;
const MAX_TRACEPARENT: usize = 128;

/// What the current context passes on to a job enqueued now: its request id and `traceparent`.
pub(super) fn capture() -> (Option<String>, Option<String>) {
    let cx = Context::current();
    let request_id = cx.baggage().get(REQUEST_ID).map(|id| truncate(id.as_str(), MAX_REQUEST_ID).to_owned());
    let mut carrier = HashMap::new();
    global::get_text_map_propagator(|propagator| propagator.inject_context(&cx, &mut carrier));
    (request_id, carrier.remove(TRACEPARENT).filter(|value| value.len() <= MAX_TRACEPARENT))
}

/// The context a job's span starts in: a child of the enqueuer's span, with its request id.
pub(super) fn resume(request_id: Option<&str>, traceparent: Option<&str>) -> Context {
    let carrier: HashMap<String, String> =
        traceparent.map(|value| (TRACEPARENT.to_owned(), value.to_owned())).into_iter().collect();
    let cx = global::get_text_map_propagator(|propagator| propagator.extract(&carrier));
    match request_id {
        Some(id) => cx.with_baggage([KeyValue::new(REQUEST_ID, id.to_owned())]),
        None => cx,
    }
}

fn truncate(text: &str, max: usize) -> &str {
    let end = (0..=max.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_request_ids_are_cut_on_a_character_boundary() {
        assert_eq!(truncate("abc", 64), "abc");
        assert_eq!(truncate(&"x".repeat(100), 64).len(), 64);
        assert_eq!(truncate("aé", 2), "a");
    }

    #[test]
    fn without_a_propagator_nothing_is_carried_and_old_jobs_resume() {
        assert_eq!(capture(), (None, None));
        let cx = resume(Some("req-1"), None);
        assert_eq!(cx.baggage().get(REQUEST_ID).map(|v| v.as_str().to_owned()), Some("req-1".into()));
    }
}
