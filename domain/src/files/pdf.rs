//! A PDF's text, read in a child process with hard limits on memory and time.
//!
//! Why a child process and not a capped parser: the PDF reader (pdf-extract on lopdf) inflates
//! streams without a cap in several places (object and cross-reference streams while loading,
//! content streams, fonts, colour profiles and every XObject each time a page draws it), with
//! FlateDecode, LZWDecode and ASCII85Decode nested in any order. Capping each of those would mean
//! re-implementing its parser, and it would still not bound the time a hostile page takes (one
//! XObject drawn millions of times). A forked child gets an address-space limit (`RLIMIT_AS`), a
//! CPU-time limit (`RLIMIT_CPU`) and a wall-clock deadline after which it is killed: whatever the
//! reader does, it cannot take more than [`MEMORY`] and [`WALL_TIME`], and the worker (and the
//! web process it may live in) is untouched. The child only computes: it logs nothing, catches its
//! own panics, writes the text into a pipe and leaves with `_exit`.

use std::time::{Duration, Instant};

/// Memory the reader may map on top of what the process already had when it forked.
pub const MEMORY: u64 = 384 << 20;
/// CPU time the reader may use.
pub const CPU_SECONDS: u64 = 60;
/// Time after which the reader is killed, whatever it is doing.
pub const WALL_TIME: Duration = Duration::from_secs(90);

/// What reading a PDF gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// Its text (at most `max_text` bytes, cut at a character).
    Text(String),
    /// No text: the file is no PDF the reader understands (the reason, for the log).
    Unreadable(String),
}

/// The document needs more memory or time than the reader may take: a decompression bomb, or
/// something built to look like one. It is refused for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the document is too large once decompressed (over {} MiB, or over {} s)", MEMORY >> 20, CPU_SECONDS)]
pub struct TooLarge;

/// The limits one reading runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub memory: u64,
    pub cpu_seconds: u64,
    pub wall_time: Duration,
}

impl Bounds {
    /// What uploads are read under: [`MEMORY`], [`CPU_SECONDS`], [`WALL_TIME`].
    pub const UPLOADS: Self = Self { memory: MEMORY, cpu_seconds: CPU_SECONDS, wall_time: WALL_TIME };
}

/// The text of the PDF in `data`, at most `max_text` bytes. Blocking: run it on a blocking thread.
pub fn extract_text(data: &[u8], max_text: usize) -> Result<Read, TooLarge> {
    extract_text_within(data, max_text, Bounds::UPLOADS)
}

/// [`extract_text`] under other limits: the fuzz target (`fuzz/fuzz_targets/pdf_text.rs`) gives
/// the reader seconds, not minutes, so a hanging document costs one run, not the whole budget.
#[doc(hidden)]
pub fn extract_text_within(data: &[u8], max_text: usize, bounds: Bounds) -> Result<Read, TooLarge> {
    #[cfg(target_os = "linux")]
    {
        child::extract(data, max_text, bounds)
    }
    #[cfg(not(target_os = "linux"))]
    {
        // No fork and rlimits here: development machines only; production runs on Linux.
        let _ = bounds;
        Ok(read_in_process(data, max_text))
    }
}

/// The reader itself, without limits: a panic is caught and reported as unreadable.
fn read_in_process(data: &[u8], max_text: usize) -> Read {
    match std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(data)) {
        Ok(Ok(mut text)) => {
            text.truncate(text.floor_char_boundary(max_text));
            Read::Text(text)
        }
        Ok(Err(err)) => Read::Unreadable(err.to_string()),
        Err(_) => Read::Unreadable("the reader panicked".to_owned()),
    }
}

#[cfg(target_os = "linux")]
mod child {
    use super::*;

    const TEXT: u8 = b'T';
    const UNREADABLE: u8 = b'U';

    pub(super) fn extract(data: &[u8], max_text: usize, bounds: Bounds) -> Result<Read, TooLarge> {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Ok(Read::Unreadable(format!("no pipe for the reader: {}", std::io::Error::last_os_error())));
        }
        let (read_end, write_end) = (fds[0], fds[1]);
        let limit = address_space().saturating_add(bounds.memory);
        // SAFETY: the child runs only code that needs no lock another thread may hold: logging is
        // switched off, the panic hook is replaced, and it leaves with `_exit` (no destructors, no
        // atexit handlers). The allocator is fork-safe (glibc resets its locks, mimalloc keeps
        // per-thread heaps). Should it hang anyway, the parent kills it at the deadline.
        match unsafe { libc::fork() } {
            -1 => {
                let err = std::io::Error::last_os_error();
                close(read_end);
                close(write_end);
                Ok(Read::Unreadable(format!("no process for the reader: {err}")))
            }
            0 => {
                close(read_end);
                run_child(data, max_text, write_end, limit, bounds.cpu_seconds)
            }
            pid => {
                close(write_end);
                let (answer, status) = collect(pid, read_end, max_text, bounds.wall_time);
                close(read_end);
                let Some(status) = status else { return Err(TooLarge) };
                if libc::WIFSIGNALED(status) || answer.is_empty() {
                    return Err(TooLarge);
                }
                let (tag, body) = answer.split_at(1);
                let body = String::from_utf8_lossy(body).into_owned();
                Ok(if tag[0] == TEXT { Read::Text(body) } else { Read::Unreadable(body) })
            }
        }
    }

    /// The child: limits, read, answer, leave.
    fn run_child(data: &[u8], max_text: usize, out: libc::c_int, address_space: u64, cpu_seconds: u64) -> ! {
        log::set_max_level(log::LevelFilter::Off);
        let memory = libc::rlimit { rlim_cur: address_space as libc::rlim_t, rlim_max: address_space as libc::rlim_t };
        let cpu = libc::rlimit { rlim_cur: cpu_seconds as libc::rlim_t, rlim_max: (cpu_seconds + 5) as libc::rlim_t };
        // SAFETY: plain system calls on this process.
        unsafe {
            libc::setrlimit(libc::RLIMIT_AS, &memory);
            libc::setrlimit(libc::RLIMIT_CPU, &cpu);
        }
        std::panic::set_hook(Box::new(|_| {}));
        let (tag, body) = match read_in_process(data, max_text) {
            Read::Text(text) => (TEXT, text.into_bytes()),
            Read::Unreadable(why) => (UNREADABLE, why.into_bytes()),
        };
        write_all(out, &[tag]);
        write_all(out, &body);
        // SAFETY: leaves at once, running nothing the parent set up.
        unsafe { libc::_exit(0) }
    }

    /// Everything the child writes, and how it ended (`None`: it was killed at the deadline). The
    /// end of the pipe is not awaited: another reader forked meanwhile holds a copy of its write
    /// end (a fork keeps every descriptor) until it ends, so the child's exit is what counts.
    fn collect(
        pid: libc::pid_t,
        fd: libc::c_int,
        max_text: usize,
        wall_time: Duration,
    ) -> (Vec<u8>, Option<libc::c_int>) {
        let deadline = Instant::now() + wall_time;
        let mut answer = Vec::new();
        let mut buffer = vec![0u8; 64 << 10];
        loop {
            let mut status = 0;
            // SAFETY: asks about our own child, without waiting.
            let exited = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid;
            // What it wrote before it left is in the pipe already: take it without waiting.
            let wait = if exited { 0 } else { 100 };
            while readable(fd, wait) {
                // SAFETY: `buffer` is valid for its length.
                let read = unsafe { libc::read(fd, buffer.as_mut_ptr().cast(), buffer.len()) };
                let Ok(n) = usize::try_from(read) else { break };
                if n == 0 {
                    break;
                }
                if answer.len() + n <= max_text + (1 << 16) {
                    answer.extend_from_slice(&buffer[..n]);
                }
                if !exited {
                    break;
                }
            }
            if exited {
                return (answer, Some(status));
            }
            if Instant::now() >= deadline {
                // SAFETY: `pid` is our child, reaped at once.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, &mut status, 0);
                }
                return (answer, None);
            }
        }
    }

    /// Whether `fd` has something to read within `wait_ms`.
    fn readable(fd: libc::c_int, wait_ms: libc::c_int) -> bool {
        let mut poll = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut poll, 1, wait_ms) > 0 && poll.revents & libc::POLLIN != 0 }
    }

    fn write_all(fd: libc::c_int, mut data: &[u8]) {
        while !data.is_empty() {
            // SAFETY: `data` is valid for its length.
            let written = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
            match usize::try_from(written) {
                Ok(n) if n > 0 => data = &data[n..],
                _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {}
                _ => return,
            }
        }
    }

    fn close(fd: libc::c_int) {
        // SAFETY: closes a descriptor this function owns.
        unsafe { libc::close(fd) };
    }

    /// The process's virtual size now, in bytes (the child's limit starts from it).
    fn address_space() -> u64 {
        let pages: u64 = std::fs::read_to_string("/proc/self/statm")
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|p| p.parse().ok()))
            .unwrap_or(0);
        // SAFETY: a read-only query.
        let page = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
        pages * page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_unreadable_not_refused() {
        let read = extract_text(b"%PDF-1.7\nnot really a PDF\n%%EOF\n", 1 << 20).unwrap();
        assert!(matches!(read, Read::Unreadable(_)), "{read:?}");
    }
}
