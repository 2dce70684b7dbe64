//! The return-path check (`oidc::local_return_path`): where the browser is sent after signing in
//! through a provider, taken from the `return_to` query parameter, so anybody's link chooses it.
//!
//! Input: one byte choosing the public URL, then the path.
//!
//! Properties: the answer is none, or a path on this site as a browser reads it: it starts with
//! one `/` (never `//` or `/\`, which browsers read as another host), holds no control character,
//! backslash or space, resolves to this site's origin, and is itself kept unchanged when checked
//! again (when it is within the length limit).
#![no_main]

use domain::oidc::local_return_path;
use libfuzzer_sys::fuzz_target;

const PUBLIC_URLS: [&str; 3] = ["https://app.example/", "http://localhost:3000/", "https://example.org/smartai/"];

fuzz_target!(|data: &[u8]| {
    let [choice, path @ ..] = data else { return };
    let Ok(path) = std::str::from_utf8(path) else { return };
    let public = url::Url::parse(PUBLIC_URLS[usize::from(*choice) % PUBLIC_URLS.len()]).unwrap();
    let Some(kept) = local_return_path(&public, path) else { return };
    assert!(kept.starts_with('/'), "{path:?} -> {kept:?}: not a path");
    assert!(!kept.starts_with("//") && !kept.starts_with("/\\"), "{path:?} -> {kept:?}: another host");
    assert!(
        !kept.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\'),
        "{path:?} -> {kept:?}: a character browsers drop or rewrite"
    );
    // As a browser resolves the Location header: against the page it is on (this site).
    let resolved = public.join(&kept).unwrap_or_else(|e| panic!("{path:?} -> {kept:?}: {e}"));
    assert_eq!(resolved.origin(), public.origin(), "{path:?} -> {kept:?} leaves the site");
    // Percent-encoding can make the kept path longer than the 512 bytes a `return_to` may have
    // (found by this target: `"` becomes `%22`); that is no way off the site, so only a kept path
    // within the limit must be kept again as it is.
    if kept.len() <= 512 {
        assert_eq!(
            local_return_path(&public, &kept).as_deref(),
            Some(kept.as_str()),
            "{path:?} -> {kept:?} not stable"
        );
    }
});
