//! The server-sent events framing of the OpenAI-compatible client (`assistant::openai`), which
//! reads a stream from a model server that may be anyone's.
//!
//! Input: two bytes choosing where the stream is cut, then the stream.
//!
//! Properties: where the network cuts the stream does not change the events read, nor whether
//! it is refused; an event's data holds no CR (lines end at CR, LF or CRLF) and is never longer
//! than the stream.
#![no_main]

use domain::assistant::openai::sse_events;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, stream @ ..] = data else { return };
    let whole = sse_events([stream]);
    // Cuts at irregular places: every `1 + a % 7`-th and `1 + b % 13`-th byte, alternately.
    let mut chunks = Vec::new();
    let mut rest = stream;
    let sizes = [1 + usize::from(*a % 7), 1 + usize::from(*b % 13)];
    for size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, after) = rest.split_at((*size).min(rest.len()));
        chunks.push(chunk);
        rest = after;
    }
    let cut = sse_events(chunks.iter().copied());
    assert_eq!(whole.0, cut.0, "the events depend on where the stream was cut ({sizes:?})");
    assert_eq!(whole.1.is_some(), cut.1.is_some(), "refused once but not the other time: {whole:?} {cut:?}");
    let bytes: usize = whole.0.iter().map(String::len).sum();
    assert!(bytes <= stream.len(), "{bytes} bytes of events from {}", stream.len());
    assert!(whole.0.iter().all(|event| !event.contains('\r')), "a CR in {:?}", whole.0);
});
