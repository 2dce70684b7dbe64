//! Markdown to HTML that is safe to put in the page: the assistant's answers repeat text from
//! documents anybody could have written, and the model may be talked into writing markup.
//!
//! Only the elements written here come out. Raw HTML in the Markdown becomes visible text; links
//! keep only `http(s)`, `mailto` and app-relative targets (anything else keeps its text and loses
//! its link); images only load from this app (others show their description). The same code runs
//! on the server and in the browser, so both render the same markup.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Every element the renderer writes. Its tests and its fuzz target (`fuzz/fuzz_targets/markdown.rs`)
/// check that no other appears, whatever the input.
pub const ELEMENTS: [&str; 26] = [
    "p",
    "a",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "br",
    "hr",
    "img",
    "del",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// Renders `markdown` as HTML with nothing active in it.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    // Whether each open link became an `<a>` (a refused target renders its text only).
    let mut links: Vec<bool> = Vec::new();
    // Inside an image: its description is collected for `alt`, or shown as text.
    let mut image: Option<(Option<String>, String)> = None;
    let mut in_table_head = false;

    for event in Parser::new_ext(markdown, options) {
        if let Some((_, alt)) = image.as_mut() {
            match event {
                Event::End(TagEnd::Image) => {
                    let (src, alt) = image.take().unwrap_or_default();
                    match src {
                        Some(src) => {
                            out.push_str("<img src=\"");
                            escape_into(&mut out, &src);
                            out.push_str("\" alt=\"");
                            escape_into(&mut out, &alt);
                            out.push_str("\" loading=\"lazy\">");
                        }
                        None => escape_into(&mut out, &alt),
                    }
                }
                Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
                    alt.push_str(&text)
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(tag) => open(&mut out, tag, &mut links, &mut image, &mut in_table_head),
            Event::End(tag) => close(&mut out, tag, &mut links, &mut in_table_head),
            Event::Text(text) => escape_into(&mut out, &text),
            Event::Code(code) => {
                out.push_str("<code>");
                escape_into(&mut out, &code);
                out.push_str("</code>");
            }
            // Markup written into the Markdown is shown, never interpreted.
            Event::Html(html) | Event::InlineHtml(html) => escape_into(&mut out, &html),
            Event::SoftBreak => out.push('\n'),
            Event::HardBreak => out.push_str("<br>"),
            Event::Rule => out.push_str("<hr>"),
            _ => {}
        }
    }
    out
}

fn open(
    out: &mut String,
    tag: Tag<'_>,
    links: &mut Vec<bool>,
    image: &mut Option<(Option<String>, String)>,
    in_table_head: &mut bool,
) {
    match tag {
        Tag::Paragraph => out.push_str("<p>"),
        Tag::Heading { level, .. } => {
            out.push_str("<h");
            out.push_str(heading_number(level));
            out.push('>');
        }
        Tag::BlockQuote(_) => out.push_str("<blockquote>"),
        Tag::CodeBlock(kind) => {
            out.push_str("<pre><code");
            if let CodeBlockKind::Fenced(info) = kind {
                let lang: String = info
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'))
                    .collect();
                if !lang.is_empty() {
                    out.push_str(" class=\"language-");
                    out.push_str(&lang);
                    out.push('"');
                }
            }
            out.push('>');
        }
        Tag::List(Some(1)) => out.push_str("<ol>\n"),
        Tag::List(Some(start)) => out.push_str(&format!("<ol start=\"{start}\">\n")),
        Tag::List(None) => out.push_str("<ul>\n"),
        Tag::Item => out.push_str("<li>"),
        Tag::Emphasis => out.push_str("<em>"),
        Tag::Strong => out.push_str("<strong>"),
        Tag::Strikethrough => out.push_str("<del>"),
        Tag::Table(_) => out.push_str("<table>"),
        Tag::TableHead => {
            *in_table_head = true;
            out.push_str("<thead><tr>");
        }
        Tag::TableRow => out.push_str("<tr>"),
        Tag::TableCell => out.push_str(if *in_table_head { "<th>" } else { "<td>" }),
        Tag::Link { dest_url, title, .. } => match safe_link(&dest_url) {
            Some(href) => {
                out.push_str("<a href=\"");
                escape_into(out, href);
                out.push('"');
                if !title.is_empty() {
                    out.push_str(" title=\"");
                    escape_into(out, &title);
                    out.push('"');
                }
                if !is_app_relative(href) {
                    out.push_str(" rel=\"nofollow noopener noreferrer\"");
                }
                out.push('>');
                links.push(true);
            }
            None => links.push(false),
        },
        Tag::Image { dest_url, .. } => {
            let src = safe_link(&dest_url).filter(|src| is_app_relative(src)).map(str::to_owned);
            *image = Some((src, String::new()));
        }
        _ => {}
    }
}

fn close(out: &mut String, tag: TagEnd, links: &mut Vec<bool>, in_table_head: &mut bool) {
    match tag {
        TagEnd::Paragraph => out.push_str("</p>\n"),
        TagEnd::Heading(level) => {
            out.push_str("</h");
            out.push_str(heading_number(level));
            out.push_str(">\n");
        }
        TagEnd::BlockQuote(_) => out.push_str("</blockquote>\n"),
        TagEnd::CodeBlock => out.push_str("</code></pre>\n"),
        TagEnd::List(true) => out.push_str("</ol>\n"),
        TagEnd::List(false) => out.push_str("</ul>\n"),
        TagEnd::Item => out.push_str("</li>\n"),
        TagEnd::Emphasis => out.push_str("</em>"),
        TagEnd::Strong => out.push_str("</strong>"),
        TagEnd::Strikethrough => out.push_str("</del>"),
        TagEnd::Table => out.push_str("</tbody></table>\n"),
        TagEnd::TableHead => {
            *in_table_head = false;
            out.push_str("</tr></thead><tbody>");
        }
        TagEnd::TableRow => out.push_str("</tr>"),
        TagEnd::TableCell => out.push_str(if *in_table_head { "</th>" } else { "</td>" }),
        TagEnd::Link if links.pop().unwrap_or(false) => out.push_str("</a>"),
        _ => {}
    }
}

fn heading_number(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "1",
        HeadingLevel::H2 => "2",
        HeadingLevel::H3 => "3",
        HeadingLevel::H4 => "4",
        HeadingLevel::H5 => "5",
        HeadingLevel::H6 => "6",
    }
}

/// The link target if it is one a reader may follow: `http(s):`, `mailto:`, a path within this
/// app (`/…` but not `//host`) or a fragment. Browsers ignore tabs and newlines inside a scheme
/// and accept any case (`JaVa\tscript:`), so the scheme is judged on what the browser would see;
/// a target holding any such character is refused outright.
pub fn safe_link(target: &str) -> Option<&str> {
    let target = target.trim();
    if target.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    if is_app_relative(target) || target.starts_with('#') {
        return Some(target);
    }
    let (scheme, _) = target.split_once(':')?;
    ["http", "https", "mailto"].iter().any(|allowed| scheme.eq_ignore_ascii_case(allowed)).then_some(target)
}

/// A path on this app's own origin: `/…`, but not `//host/…` (another origin).
fn is_app_relative(target: &str) -> bool {
    target.starts_with('/') && !target.starts_with("//")
}

/// Escapes text for an element's content or a quoted attribute value.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ELEMENTS, to_safe_html};

    /// No element or attribute that could run code survives: every real tag (escaped text
    /// cannot start one) is one the renderer writes, with no handler and no active target.
    fn assert_inert(html: &str) {
        let lower = html.to_ascii_lowercase();
        for tag in lower.split('<').skip(1).map(|rest| rest.split('>').next().unwrap_or_default()) {
            let name = tag.trim_start_matches('/').split([' ', '\n']).next().unwrap_or_default();
            assert!(ELEMENTS.contains(&name), "unexpected element <{tag}> in {html}");
            for bad in [" on", "javascript:", "data:", "vbscript:"] {
                assert!(!tag.contains(bad), "{bad} survived in <{tag}> of {html}");
            }
        }
    }

    #[test]
    fn script_tags_become_text() {
        let html = to_safe_html("Hello <script>alert(1)</script> world\n\n<script>\nalert(2)\n</script>\n");
        assert_inert(&html);
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn event_handler_attributes_become_text() {
        let html = to_safe_html("<img src=x onerror=alert(1)> and <a href=\"#\" onclick=\"x()\">y</a>");
        assert_inert(&html);
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
        assert!(!html.contains("<a "), "{html}");
    }

    #[test]
    fn javascript_links_lose_their_target() {
        for md in [
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click]( javascript:alert(1))",
            "[click](<java\tscript:alert(1)>)",
            "<javascript:alert(1)>",
            "[click](vbscript:msgbox)",
        ] {
            let html = to_safe_html(md);
            assert_inert(&html);
            assert!(!html.contains("<a"), "{md} gave {html}");
        }
        assert!(to_safe_html("[click](javascript:alert(1))").contains("click"), "the text stays");
    }

    #[test]
    fn data_links_and_foreign_images_are_refused() {
        let html = to_safe_html("[x](data:text/html;base64,PHNjcmlwdD4=) ![tracker](https://evil.example/p.gif)");
        assert_inert(&html);
        assert!(!html.contains("<a"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("tracker"), "an image from elsewhere shows its description: {html}");
        let html = to_safe_html("![x](data:image/png;base64,AAAA)");
        assert!(!html.contains("<img"), "{html}");
        let html = to_safe_html("![chart](//evil.example/p.gif)");
        assert!(!html.contains("<img"), "protocol-relative is another origin: {html}");
    }

    #[test]
    fn ordinary_markdown_is_kept() {
        let html = to_safe_html(
            "# Title\n\nSome *emphasis* and **strong** text.\n\n- one\n- two\n\n1. first\n2. second\n\n\
             ```rust\nfn main() { println!(\"<hi>\"); }\n```\n\n\
             See [the docs](https://example.com/docs \"Docs\"), [help](/help/files), \
             <mailto:ada@example.com> and `a < b`.\n\n![logo](/favicon.ico)\n",
        );
        for expected in [
            "<h1>Title</h1>",
            "<em>emphasis</em>",
            "<strong>strong</strong>",
            "<ul>\n<li>one</li>\n<li>two</li>\n</ul>",
            "<ol>\n<li>first</li>",
            "<pre><code class=\"language-rust\">fn main() { println!(&quot;&lt;hi&gt;&quot;); }\n</code></pre>",
            "<a href=\"https://example.com/docs\" title=\"Docs\" rel=\"nofollow noopener noreferrer\">the docs</a>",
            "<a href=\"/help/files\">help</a>",
            "<a href=\"mailto:ada@example.com\" rel=\"nofollow noopener noreferrer\">mailto:ada@example.com</a>",
            "<code>a &lt; b</code>",
            "<img src=\"/favicon.ico\" alt=\"logo\" loading=\"lazy\">",
        ] {
            assert!(html.contains(expected), "expected {expected:?} in\n{html}");
        }
    }

    #[test]
    fn tables_and_attributes_are_escaped() {
        let html = to_safe_html("| a | b |\n|---|---|\n| 1 | <b>2</b> |\n\n[x](/a\"onmouseover=\"alert(1))");
        assert!(html.contains("<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td>"), "{html}");
        assert!(html.contains("&lt;b&gt;2&lt;/b&gt;"), "{html}");
        assert!(!html.contains("\"onmouseover"), "a quote cannot end the attribute: {html}");
    }

    #[test]
    fn unfinished_markdown_renders() {
        // A streamed answer is rendered while it is still being written.
        let html = to_safe_html("Some **bold and a [link](https://exa");
        assert!(html.starts_with("<p>"), "{html}");
        assert_inert(&html);
    }
}
