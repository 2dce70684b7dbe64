//! The platform's help pages: Markdown compiled into the binary, shown at `/help/<slug>` and
//! searched by the assistant beside the user's own files.

pub(crate) struct Page {
    pub slug: &'static str,
    pub markdown: &'static str,
}

impl Page {
    /// The text of the page's first `# ` heading.
    pub fn title(&self) -> &'static str {
        self.markdown.lines().find_map(|l| l.strip_prefix("# ")).map_or(self.slug, str::trim)
    }
}

/// In the order a table of contents lists them.
pub(crate) const PAGES: &[Page] = &[
    Page { slug: "files", markdown: include_str!("../../help/files.md") },
    Page { slug: "sharing", markdown: include_str!("../../help/sharing.md") },
    Page { slug: "notifications", markdown: include_str!("../../help/notifications.md") },
    Page { slug: "api-tokens", markdown: include_str!("../../help/api-tokens.md") },
    Page { slug: "two-factor-and-passkeys", markdown: include_str!("../../help/two-factor-and-passkeys.md") },
    Page { slug: "assistant", markdown: include_str!("../../help/assistant.md") },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_a_title_and_a_unique_url_safe_slug() {
        for (i, page) in PAGES.iter().enumerate() {
            assert_ne!(page.title(), page.slug, "{} has no `# ` title", page.slug);
            assert!(page.slug.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(PAGES[..i].iter().all(|p| p.slug != page.slug));
        }
    }
}
