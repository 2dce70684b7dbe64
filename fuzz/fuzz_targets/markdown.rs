//! The Markdown renderer of the assistant's answers and the help pages (`app/src/markdown.rs`,
//! compiled here from its source file so the fuzz build needs no Leptos).
//!
//! Properties: every element in the output is one the renderer writes; its attributes are the
//! renderer's own (no event handler, no `style`), with values that cannot end their quotes; a
//! link goes only to `http(s)`, `mailto`, a fragment or a path on this site, an image only to a
//! path on this site; no `<script` and no `javascript:` target, whatever the case or spacing.
#![no_main]

#[allow(dead_code)]
#[path = "../../app/src/markdown.rs"]
mod markdown;

use libfuzzer_sys::fuzz_target;

use markdown::ELEMENTS;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let html = markdown::to_safe_html(text);
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a script element in {html}");
    for tag in html.split('<').skip(1) {
        let tag = tag.split_once('>').map(|(tag, _)| tag).unwrap_or_else(|| panic!("an unclosed tag in {html}"));
        check_tag(tag, &html);
    }
});

fn check_tag(tag: &str, html: &str) {
    if let Some(name) = tag.strip_prefix('/') {
        assert!(ELEMENTS.contains(&name), "unexpected </{tag}> in {html}");
        return;
    }
    let (name, mut rest) = tag.split_once(' ').unwrap_or((tag, ""));
    assert!(ELEMENTS.contains(&name), "unexpected <{tag}> in {html}");
    while !rest.is_empty() {
        let (attribute, after) = rest.split_once("=\"").unwrap_or_else(|| panic!("a bare attribute in <{tag}>"));
        let (value, after) = after.split_once('"').unwrap_or_else(|| panic!("an unclosed value in <{tag}>"));
        let allowed: &[&str] = match name {
            "a" => &["href", "title", "rel"],
            "img" => &["src", "alt", "loading"],
            "code" => &["class"],
            "ol" => &["start"],
            _ => &[],
        };
        assert!(allowed.contains(&attribute), "attribute {attribute:?} on <{tag}> in {html}");
        let value = unescape(value);
        match attribute {
            "href" => assert!(followable(&value, false), "href {value:?} in {html}"),
            "src" => assert!(followable(&value, true), "src {value:?} in {html}"),
            "class" => assert!(
                value.strip_prefix("language-").is_some_and(|lang| lang
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'))),
                "class {value:?}"
            ),
            "start" => assert!(value.parse::<u64>().is_ok(), "start {value:?}"),
            _ => {}
        }
        rest = after.strip_prefix(' ').unwrap_or(after);
    }
}

/// A target a browser may follow: this site's paths (and, unless `same_site`, fragments,
/// `http(s)` and `mailto`), judged as the browser reads it (tabs and newlines dropped, any case).
fn followable(target: &str, same_site: bool) -> bool {
    let seen: String = target.trim().chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    if seen.contains('\\') {
        return false;
    }
    let local = seen.starts_with('/') && !seen.starts_with("//");
    if same_site {
        return local;
    }
    let lower = seen.to_ascii_lowercase();
    local || seen.starts_with('#') || ["http:", "https:", "mailto:"].iter().any(|scheme| lower.starts_with(scheme))
}

fn unescape(value: &str) -> String {
    value.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}
