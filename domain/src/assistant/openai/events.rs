//! Server-sent events framing, as the endpoint streams its answer.

use super::answer::ReadError;

/// An event longer than this is not a chat-completions chunk; stops a broken endpoint from
/// filling memory.
const MAX_EVENT_BYTES: usize = 1 << 20;

/// Server-sent events framing: lines ended by LF, CRLF or CR; `data:` lines joined; comments
/// and other fields skipped; a blank line ends an event.
#[derive(Default)]
pub(super) struct EventReader {
    buffer: Vec<u8>,
    data: Option<String>,
}

impl EventReader {
    pub(super) fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete event's data, if the buffer holds one.
    pub(super) fn next_event(&mut self) -> Result<Option<String>, ReadError> {
        while let Some(line) = self.next_line() {
            let line = String::from_utf8(line).map_err(|_| ReadError::Malformed("not UTF-8".to_owned()))?;
            if line.is_empty() {
                if let Some(data) = self.data.take() {
                    return Ok(Some(data));
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((&line, ""));
            if field == "data" {
                let value = value.strip_prefix(' ').unwrap_or(value);
                match &mut self.data {
                    Some(data) => {
                        data.push('\n');
                        data.push_str(value);
                    }
                    None => self.data = Some(value.to_owned()),
                }
            }
        }
        let pending = self.buffer.len() + self.data.as_ref().map_or(0, String::len);
        if pending > MAX_EVENT_BYTES {
            return Err(ReadError::Malformed(format!("an event longer than {MAX_EVENT_BYTES} bytes")));
        }
        Ok(None)
    }

    fn next_line(&mut self) -> Option<Vec<u8>> {
        let end = self.buffer.iter().position(|&b| b == b'\n' || b == b'\r')?;
        let mut skip = 1;
        if self.buffer[end] == b'\r' {
            match self.buffer.get(end + 1) {
                // A CR at the end of what arrived: its LF may be in the next chunk.
                None => return None,
                Some(b'\n') => skip = 2,
                Some(_) => {}
            }
        }
        let line = self.buffer[..end].to_vec();
        self.buffer.drain(..end + skip);
        Some(line)
    }

    /// At the end of the stream: an event whose blank line never came still counts.
    pub(super) fn end(&mut self) -> Option<String> {
        if !self.buffer.is_empty() {
            self.buffer.push(b'\n');
        }
        self.buffer.push(b'\n');
        self.next_event().ok().flatten()
    }
}

/// The events `chunks` frame, read as an answer reads them: each chunk as it arrives, then the end
/// of the stream; a malformed event ends the reading with its reason. For the fuzz target
/// `fuzz/fuzz_targets/sse.rs`, which checks that where the chunks are cut does not matter.
#[doc(hidden)]
pub fn sse_events<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> (Vec<String>, Option<String>) {
    let mut reader = EventReader::default();
    let mut events = Vec::new();
    for chunk in chunks {
        reader.push(chunk);
        loop {
            match reader.next_event() {
                Ok(Some(data)) => events.push(data),
                Ok(None) => break,
                Err(error) => return (events, Some(error.to_string())),
            }
        }
    }
    events.extend(reader.end());
    (events, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    fn events(chunks: &[&[u8]]) -> Vec<String> {
        let mut reader = EventReader::default();
        let mut out = Vec::new();
        for chunk in chunks {
            reader.push(chunk);
            while let Some(data) = reader.next_event().unwrap() {
                out.push(data);
            }
        }
        out.extend(reader.end());
        out
    }

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let stream = b": keep-alive\n\ndata: {\"a\":1}\n\ndata: {\"b\":2}\r\n\r\nevent: x\ndata: [DONE]\n\n";
        let whole = events(&[stream]);
        assert_eq!(whole, ["{\"a\":1}", "{\"b\":2}", "[DONE]"]);
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(events(&bytes), whole);
        for cut in 0..stream.len() {
            assert_eq!(events(&[&stream[..cut], &stream[cut..]]), whole, "cut at {cut}");
        }
    }

    #[test]
    fn multi_line_data_is_joined_and_a_last_event_without_blank_line_counts() {
        assert_eq!(events(&[b"data: one\ndata:two\r\rdata: last"]), ["one\ntwo", "last"]);
    }

    #[test]
    fn a_runaway_event_is_refused() {
        let mut reader = EventReader::default();
        reader.push(&vec![b'x'; MAX_EVENT_BYTES + 1]);
        assert!(matches!(reader.next_event(), Err(ReadError::Malformed(_))));
    }
}
