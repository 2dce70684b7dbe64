//! Memory the real binary gives back. Heavy work (a password hash, a decode) frees tens of MiB at
//! once, which the allocator would otherwise keep: an idle process sat on 19 MiB (argon2's) for
//! each sign-up that had run at the same moment.

use std::time::Duration;

use crate::{helpers::signed_up_at, process::serve};

/// Anonymous memory of a process (its heap and stacks; not the binary's own pages), in MiB.
fn anonymous_mib(pid: u32) -> f64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap();
    let kib: f64 = rollup
        .lines()
        .find_map(|line| line.strip_prefix("Anonymous:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("smaps_rollup has an Anonymous line");
    kib / 1024.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sign_ups_leave_no_password_hashing_memory_behind() {
    // Arrange: a first sign-up, so that what is made once (templates, the mail job, pools) counts
    // before the measurement.
    let served = serve(&[("RATE_LIMIT_AUTH_IP", "off".into()), ("RATE_LIMIT_RPC_IP", "off".into())]).await;
    signed_up_at(&served.base).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = anonymous_mib(served.child.id());

    // Act: four sign-ups at once, each hashing a password with argon2 (19 MiB of working memory).
    futures_util::future::join_all((0..4).map(|_| signed_up_at(&served.base))).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Assert: less than one hash's memory stayed.
    let after = anonymous_mib(served.child.id());
    assert!(after - before < 19.0, "anonymous memory grew from {before:.1} to {after:.1} MiB");
}
