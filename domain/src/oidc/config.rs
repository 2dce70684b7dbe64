//! The OpenID Connect providers, from the environment or the settings file (the settings loader
//! hands both over: `crate::config::Sources::oidc`): `OIDC_PROVIDERS=acme,okta`, then for each `OIDC_ACME_ISSUER`, `OIDC_ACME_CLIENT_ID`,
//! `OIDC_ACME_CLIENT_SECRET`, and optionally `OIDC_ACME_SCOPES` (default `openid email profile`)
//! and `OIDC_ACME_NAME` (the name on the button; default the provider's name).

use std::fmt;

use anyhow::{Context, bail};
use secrecy::SecretString;

/// Every configured provider, in the order of `OIDC_PROVIDERS`.
#[derive(Debug, Clone, Default)]
pub struct OidcConfig {
    pub providers: Vec<ProviderConfig>,
}

#[derive(Clone)]
pub struct ProviderConfig {
    /// The name in URLs and in the database: lower-case letters, digits, `-` and `_`.
    pub name: String,
    /// The name on the "Sign in with …" button.
    pub display_name: String,
    /// The issuer, exactly as the provider names itself in its discovery document.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub scopes: Vec<String>,
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("name", &self.name)
            .field("display_name", &self.display_name)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

const DEFAULT_SCOPES: &str = "openid email profile";

impl OidcConfig {
    /// Reads the providers through `var` (the environment, or a test's map). Every error names
    /// the variable at fault.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let value = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let Some(list) = value("OIDC_PROVIDERS") else { return Ok(Self::default()) };
        let mut providers: Vec<ProviderConfig> = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let name = name.to_ascii_lowercase();
            if name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                bail!("OIDC_PROVIDERS: {name:?} is not a provider name (letters, digits, - and _, at most 64)");
            }
            if providers.iter().any(|p| p.name == name) {
                bail!("OIDC_PROVIDERS: {name:?} is listed twice");
            }
            let prefix = format!("OIDC_{}_", name.to_ascii_uppercase().replace('-', "_"));
            let required = |key: &str| {
                let variable = format!("{prefix}{key}");
                value(&variable).with_context(|| format!("{variable} is required for the provider {name:?}"))
            };
            let issuer = required("ISSUER")?;
            let parsed =
                url::Url::parse(&issuer).with_context(|| format!("{prefix}ISSUER: {issuer:?} is not a URL"))?;
            if !matches!(parsed.scheme(), "https" | "http") {
                bail!("{prefix}ISSUER: {issuer:?} is not an http(s) URL");
            }
            let client_id = required("CLIENT_ID")?;
            let client_secret = SecretString::from(required("CLIENT_SECRET")?);
            let scopes = value(&format!("{prefix}SCOPES")).unwrap_or_else(|| DEFAULT_SCOPES.into());
            let mut scopes: Vec<String> =
                scopes.split([' ', ',']).filter(|s| !s.is_empty()).map(str::to_owned).collect();
            if !scopes.iter().any(|s| s == "openid") {
                scopes.insert(0, "openid".into());
            }
            let display_name = value(&format!("{prefix}NAME")).unwrap_or_else(|| name.clone());
            providers.push(ProviderConfig { name, display_name, issuer, client_id, client_secret, scopes });
        }
        Ok(Self { providers })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    fn parse(vars: &[(&str, &str)]) -> anyhow::Result<OidcConfig> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        OidcConfig::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn no_list_means_no_providers() {
        assert!(parse(&[]).unwrap().providers.is_empty());
    }

    #[test]
    fn each_listed_provider_reads_its_own_variables() {
        let config = parse(&[
            ("OIDC_PROVIDERS", "Acme, my-idp"),
            ("OIDC_ACME_ISSUER", "https://id.acme.test"),
            ("OIDC_ACME_CLIENT_ID", "app"),
            ("OIDC_ACME_CLIENT_SECRET", "s3cret"),
            ("OIDC_ACME_NAME", "Acme ID"),
            ("OIDC_MY_IDP_ISSUER", "http://127.0.0.1:9999"),
            ("OIDC_MY_IDP_CLIENT_ID", "other"),
            ("OIDC_MY_IDP_CLIENT_SECRET", "x"),
            ("OIDC_MY_IDP_SCOPES", "email"),
        ])
        .unwrap();
        let [acme, mine] = &config.providers[..] else { panic!("two providers") };
        assert_eq!((acme.name.as_str(), acme.display_name.as_str()), ("acme", "Acme ID"));
        assert_eq!(acme.scopes, ["openid", "email", "profile"]);
        assert_eq!(acme.client_secret.expose_secret(), "s3cret");
        assert_eq!((mine.name.as_str(), mine.display_name.as_str()), ("my-idp", "my-idp"));
        assert_eq!(mine.scopes, ["openid", "email"]);
        assert!(!format!("{acme:?}").contains("s3cret"), "the secret is never printed");
    }

    #[test]
    fn a_missing_or_bad_setting_names_its_variable() {
        let err = parse(&[("OIDC_PROVIDERS", "acme"), ("OIDC_ACME_ISSUER", "https://id")]).unwrap_err();
        assert!(err.to_string().contains("OIDC_ACME_CLIENT_ID"), "{err}");
        let err = parse(&[("OIDC_PROVIDERS", "acme"), ("OIDC_ACME_ISSUER", "id.acme")]).unwrap_err();
        assert!(err.to_string().contains("OIDC_ACME_ISSUER"), "{err}");
        let err = parse(&[("OIDC_PROVIDERS", "a/b")]).unwrap_err();
        assert!(err.to_string().contains("OIDC_PROVIDERS"), "{err}");
    }
}
