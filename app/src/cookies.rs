//! Every cookie the app sets or reads: each one's name and attributes, defined here once. The
//! server functions set them through `rpc::ssr`, the server's own doors (sign-in through a
//! provider, the request's context) through the same functions here, so a cookie cannot be set
//! with other attributes at one door than at another.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use uuid::Uuid;

use crate::i18n::Lang;

/// The session cookie's name over plain http, as on a laptop (no `__Host-` prefix: it needs `Secure`).
pub const SESSION: &str = "smartai_session";
/// The session cookie's name over https. Browsers take a `__Host-` cookie only from this very host,
/// with `Secure`, `Path=/` and no `Domain`, so a sibling subdomain cannot plant or overwrite it.
pub const HOST_SESSION: &str = "__Host-smartai_session";
/// The interface language chosen without signing in (a signed-in user's preference wins).
pub const LANG: &str = "lang";
/// Keeps the `state` of a sign-in through a provider in flight, so the callback must come back to
/// the same browser.
pub const OIDC_STATE: &str = "smartai_oidc_state";
/// Keeps the secret of a provider's identity waiting for its account's password.
pub const OIDC_LINK: &str = "smartai_oidc_link";

const LANG_MAX_AGE: u64 = 365 * 24 * 3600;
const FLASH_MAX_AGE: u64 = 300;
const OIDC_FLOW_MAX_AGE: u64 = 600;
const OIDC_STATE_PATH: &str = "/auth/oidc/";

/// How cookies are set; the server provides it from its configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct CookiePolicy {
    /// Add `Secure` (the app is served over https).
    pub secure: bool,
}

/// A value handed to the next page load without putting it in a URL (a secret shown once after a
/// plain form post): an HttpOnly cookie for one path alone, kept a few minutes at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flash {
    /// A pending two-factor sign-in, from the password step (or a provider's callback) to the code
    /// step, never in a URL, which history, logs and `Referer` keep.
    Challenge,
    /// A token made by a plain form post, `<token id>.<secret>`, for the profile.
    NewToken,
    /// A share link made by a plain form post, for the page of the file shared.
    NewShare(Uuid),
}

impl Flash {
    pub fn name(self) -> &'static str {
        match self {
            Flash::Challenge => "smartai_challenge",
            Flash::NewToken => "smartai_new_token",
            Flash::NewShare(_) => "smartai_new_share",
        }
    }

    fn path(self) -> String {
        match self {
            Flash::Challenge => "/".to_owned(),
            Flash::NewToken => "/profile".to_owned(),
            Flash::NewShare(file) => format!("/files/{file}"),
        }
    }
}

#[derive(Clone, Copy)]
enum SameSite {
    Lax,
    Strict,
}

impl CookiePolicy {
    /// The name the session cookie is set and read under.
    pub fn session_name(self) -> &'static str {
        if self.secure { HOST_SESSION } else { SESSION }
    }

    pub fn session(self, token: &str, max_age: Duration) -> String {
        self.cookie(self.session_name(), token, "/", true, SameSite::Lax, max_age.as_secs())
    }

    pub fn clear_session(self) -> String {
        self.cookie(self.session_name(), "", "/", true, SameSite::Lax, 0)
    }

    /// Not `HttpOnly`: it holds nothing secret.
    pub fn lang(self, lang: Lang) -> String {
        self.cookie(LANG, lang.code(), "/", false, SameSite::Lax, LANG_MAX_AGE)
    }

    pub fn flash(self, flash: Flash, value: &str) -> String {
        self.cookie(flash.name(), value, &flash.path(), true, SameSite::Strict, FLASH_MAX_AGE)
    }

    pub fn clear_flash(self, flash: Flash) -> String {
        self.cookie(flash.name(), "", &flash.path(), true, SameSite::Strict, 0)
    }

    /// `Lax`, not `Strict`: the provider's redirect back is a cross-site navigation.
    pub fn oidc_state(self, state: &str) -> String {
        self.cookie(OIDC_STATE, state, OIDC_STATE_PATH, true, SameSite::Lax, OIDC_FLOW_MAX_AGE)
    }

    pub fn clear_oidc_state(self) -> String {
        self.cookie(OIDC_STATE, "", OIDC_STATE_PATH, true, SameSite::Lax, 0)
    }

    pub fn oidc_link(self, secret: &str) -> String {
        self.cookie(OIDC_LINK, secret, "/", true, SameSite::Lax, OIDC_FLOW_MAX_AGE)
    }

    pub fn clear_oidc_link(self) -> String {
        self.cookie(OIDC_LINK, "", "/", true, SameSite::Lax, 0)
    }

    fn cookie(self, name: &str, value: &str, path: &str, http_only: bool, same_site: SameSite, max_age: u64) -> String {
        let http_only = if http_only { "HttpOnly; " } else { "" };
        let same_site = match same_site {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
        };
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path={path}; {http_only}SameSite={same_site}; Max-Age={max_age}{secure}")
    }
}

/// Adds a cookie built above to a response's headers (one that cannot be a header value, which
/// none of the values set here is, is left out).
pub fn append(headers: &mut HeaderMap, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        headers.append(header::SET_COOKIE, value);
    }
}

/// The value of one of the request's cookies, if it has a non-empty one.
pub fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(k, v)| (k == name && !v.is_empty()).then_some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; smartai_session=abc; lang=de"));
        assert_eq!(read(&headers, "smartai_session"), Some("abc"));
        assert_eq!(read(&headers, "lang"), Some("de"));
        assert_eq!(read(&headers, "missing"), None);
    }

    #[test]
    fn each_cookie_keeps_its_attributes() {
        let (plain, https) = (CookiePolicy { secure: false }, CookiePolicy { secure: true });
        let day = Duration::from_secs(86_400);
        assert_eq!(plain.session("t", day), "smartai_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400");
        assert_eq!(https.clear_session(), "__Host-smartai_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure");
        assert_eq!(plain.lang(Lang::De), "lang=de; Path=/; SameSite=Lax; Max-Age=31536000");
        let file = Uuid::nil();
        assert_eq!(
            https.flash(Flash::NewShare(file), "s"),
            format!("smartai_new_share=s; Path=/files/{file}; HttpOnly; SameSite=Strict; Max-Age=300; Secure")
        );
        assert_eq!(
            plain.clear_flash(Flash::Challenge),
            "smartai_challenge=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        );
        assert_eq!(
            plain.oidc_state("x"),
            "smartai_oidc_state=x; Path=/auth/oidc/; HttpOnly; SameSite=Lax; Max-Age=600"
        );
        assert_eq!(plain.clear_oidc_link(), "smartai_oidc_link=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    }
}
