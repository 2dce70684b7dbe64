//! The Content-Security-Policy of every response: which origins, besides this app, a page may
//! load from or post to, built once from the settings.

use url::Url;

pub(super) struct ContentSecurityPolicy {
    /// Where plain form posts may lead, besides this app: see [`form_targets`].
    form_action: String,
    /// Where images and frames may come from, besides this app: see [`download_origin`].
    downloads: String,
}

impl ContentSecurityPolicy {
    pub(super) fn new(domain: &domain::config::Config) -> Self {
        let sources = |origins: Vec<String>| origins.iter().map(|o| format!(" {o}")).collect::<String>();
        Self {
            form_action: sources(form_targets(&domain.oidc)),
            downloads: sources(download_origin(&domain.storage).into_iter().collect()),
        }
    }

    /// The policy of every page (and, harmlessly, of every other response).
    ///
    /// - `script-src`: our files, the inline scripts Leptos writes (hydration, streamed resources
    ///   and suspense chunks all carry the nonce), and compiling the wasm. No `'unsafe-inline'`.
    /// - `style-src`: see [`style_sources`].
    /// - `img-src`: `data:` for the two-factor QR code, `blob:` for local previews.
    /// - `frame-src`: the file page shows PDFs in an `<iframe>` of our own download URL.
    pub(super) fn header(&self, path: &str, nonce: &str) -> String {
        let (downloads, form_action) = (&self.downloads, &self.form_action);
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src {}; \
             img-src 'self' data: blob:{downloads}; frame-src 'self'{downloads}; connect-src 'self'; \
             font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'{form_action}; \
             frame-ancestors 'none'",
            style_sources(path)
        )
    }
}

/// The providers' origins. Signing out without JavaScript posts a form whose answer redirects to
/// the provider's end-session endpoint (RP-initiated logout), and Chromium applies `form-action`
/// to the redirects after a form post too: with `'self'` alone that last step would be blocked.
/// (Sign-in starts with a plain link, which `form-action` does not govern.) A provider whose
/// end-session endpoint is on another origin than its issuer would still be blocked there; the
/// session here is ended either way.
fn form_targets(oidc: &domain::oidc::OidcConfig) -> Vec<String> {
    let mut origins: Vec<String> = oidc
        .providers
        .iter()
        .filter_map(|p| Url::parse(&p.issuer).ok())
        .map(|url| url.origin().ascii_serialization())
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

/// With presigned downloads a file's URL redirects to the bucket, and the file page shows images
/// (`<img>`) and PDFs (`<iframe>`) from that URL: the bucket's origin must be allowed for both.
fn download_origin(storage: &domain::storage::StorageConfig) -> Option<String> {
    if !storage.presigned_downloads {
        return None;
    }
    Some(match &storage.endpoint {
        Some(endpoint) => endpoint.origin().ascii_serialization(),
        // AWS itself: virtual-hosted bucket names under amazonaws.com.
        None => "https://*.amazonaws.com".to_owned(),
    })
}

/// Where styles may come from, by path. The app has no inline styles (no `style=` attributes, no
/// `<style>`; Leptos adds none): only its stylesheet. The API docs page (Swagger UI, served from
/// our own files) sets styles inline, so it gets `'unsafe-inline'` for styles, never for scripts.
fn style_sources(path: &str) -> &'static str {
    if path == "/api/docs" || path.starts_with("/api/docs/") { "'self' 'unsafe-inline'" } else { "'self'" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_api_docs_may_style_inline() {
        assert_eq!(style_sources("/profile"), "'self'");
        assert_eq!(style_sources("/api/docs"), "'self' 'unsafe-inline'");
        assert_eq!(style_sources("/api/docsx"), "'self'");
    }
}
