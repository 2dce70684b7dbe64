//! A provider's metadata, discovered at first use and kept, and what it offers: the client
//! that runs the code flow, and the end-session endpoint for signing out there too.

use openidconnect::{
    ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, core::CoreClient,
};
use sea_orm::EntityTrait;
use secrecy::ExposeSecret;
use tokio::sync::OnceCell;

use super::{OidcError, OidcService, ProviderConfig};
use crate::{Actor, entities::session};

pub(super) type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

pub(super) struct Discovered {
    pub(super) client: Client,
    pub(super) end_session: Option<openidconnect::EndSessionUrl>,
}

pub(super) struct Provider {
    pub(super) config: ProviderConfig,
    pub(super) discovered: OnceCell<Discovered>,
}

impl OidcService {
    /// The provider's metadata, discovered at first use and kept; a failed discovery is tried
    /// again next time (a provider down at start-up does not stop the app).
    pub(super) async fn discover<'a>(&'a self, provider: &'a Provider) -> Result<&'a Discovered, OidcError> {
        provider
            .discovered
            .get_or_try_init(|| async {
                let config = &provider.config;
                let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|e| OidcError::Failed(e.into()))?;
                let metadata =
                    ProviderMetadataWithLogout::discover_async(issuer, &self.inner.http).await.map_err(|e| {
                        OidcError::Failed(
                            anyhow::Error::new(e).context(format!("discovery of {} failed", config.issuer)),
                        )
                    })?;
                let end_session = metadata.additional_metadata().end_session_endpoint.clone();
                let redirect =
                    RedirectUrl::new(self.redirect_uri(&config.name)).map_err(|e| OidcError::Failed(e.into()))?;
                let client = CoreClient::from_provider_metadata(
                    metadata,
                    ClientId::new(config.client_id.clone()),
                    Some(ClientSecret::new(config.client_secret.expose_secret().to_owned())),
                )
                .set_redirect_uri(redirect);
                tracing::info!(provider = %config.name, issuer = %config.issuer, "OpenID Connect provider discovered");
                Ok(Discovered { client, end_session })
            })
            .await
    }

    /// Where to send the browser after signing out, when the session came from a provider that
    /// supports RP-initiated logout: its end-session endpoint, coming back to the app's home.
    pub async fn logout_url(&self, actor: &Actor) -> Option<url::Url> {
        let session_id = actor.session_id()?;
        let session = session::Entity::find_by_id(session_id.to_owned()).one(&self.inner.db).await.ok()??;
        let provider = self.provider(session.oidc_provider.as_deref()?).ok()?;
        let discovered = self.discover(provider).await.ok()?;
        let endpoint = discovered.end_session.clone()?;
        let back = PostLogoutRedirectUrl::new(self.inner.public_url.to_string()).ok()?;
        let request = openidconnect::LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(provider.config.client_id.clone()))
            .set_post_logout_redirect_uri(back);
        Some(request.http_get_url())
    }
}
