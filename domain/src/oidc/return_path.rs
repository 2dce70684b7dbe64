//! Where a browser may be sent back to after signing in: only a path on this site.

/// `path` as a place on this site to send the browser back to, or `None`. Browsers drop tabs and
/// newlines from URLs and read `\` as `/`, so `/\t/evil.example` is `//evil.example` to them: any
/// control character, backslash or space is refused outright, and what is left must resolve against
/// `PUBLIC_URL` to the same origin.
///
/// Dot segments resolve away (`/.//evil.example`, `/%2e%2e//evil.example` become `//evil.example`),
/// so the check that the path starts with a single `/` is made again on the resolved path: a
/// leading empty segment there is another host to a browser.
pub fn local_return_path(public_url: &url::Url, path: &str) -> Option<String> {
    if !path.starts_with('/') || path.starts_with("//") || path.len() > 512 {
        return None;
    }
    if path.chars().any(|c| c.is_control() || c == '\\' || c.is_whitespace()) {
        return None;
    }
    let resolved = public_url.join(path).ok()?;
    if resolved.origin() != public_url.origin() {
        return None;
    }
    if resolved.path().starts_with("//") {
        return None;
    }
    let mut kept = resolved.path().to_owned();
    if let Some(query) = resolved.query() {
        kept.push('?');
        kept.push_str(query);
    }
    Some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_kept_to_return_to() {
        let public = url::Url::parse("https://app.example/").unwrap();
        let kept = |p: &str| local_return_path(&public, p);
        assert_eq!(kept("/files?x=1").as_deref(), Some("/files?x=1"));
        assert_eq!(kept("/profile").as_deref(), Some("/profile"));
        for evil in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/%09/evil.example/../..",
            "/ /evil.example",
            "/\u{7f}/evil.example",
            "/\\/evil.example",
            "evil.example",
            "",
        ] {
            let got = kept(evil);
            // Whatever is kept must be a path on this site when a browser resolves it.
            if let Some(path) = &got {
                let url = public.join(path).unwrap();
                assert_eq!(url.origin(), public.origin(), "{evil:?} -> {path:?}");
                assert!(path.starts_with('/') && !path.starts_with("//"), "{evil:?} -> {path:?}");
            }
            assert!(got.is_none() || evil.starts_with("/%09"), "{evil:?} was kept as {got:?}");
        }
    }

    /// Found by the fuzz target `return_path`: dot segments, plain or percent-encoded, that
    /// resolve to a path starting with `//`, which a browser reads as another host.
    #[test]
    fn dot_segments_cannot_make_a_path_to_another_host() {
        for public in ["https://app.example/", "https://example.org/smartai/"] {
            let public = url::Url::parse(public).unwrap();
            for evil in [
                "/.//evil.example",
                "/..//evil.example",
                "/%2e%2e//F2%x",
                "/%2E//evil.example/x?y",
                "/a/..//evil.example",
                "/././/evil.example",
                "/files/../..//evil.example",
            ] {
                assert_eq!(local_return_path(&public, evil), None, "{evil:?} on {public}");
            }
            assert_eq!(local_return_path(&public, "/a/./b/../files?x=//y").as_deref(), Some("/a/files?x=//y"));
        }
    }
}
