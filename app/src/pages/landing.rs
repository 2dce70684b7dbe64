use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::icon::{Icon, IconSvg},
    i18n::t,
    session::use_current_user,
};

#[component]
pub fn Landing() -> impl IntoView {
    let current = use_current_user();
    let features = [
        ("landing-feature-account-title", "landing-feature-account-body", Icon::Lock),
        ("landing-feature-language-title", "landing-feature-language-body", Icon::Globe),
        ("landing-feature-everywhere-title", "landing-feature-everywhere-body", Icon::Devices),
        ("landing-feature-api-title", "landing-feature-api-body", Icon::Code),
    ];
    view! {
        <Title text=t("landing-title")/>
        <section class="hero">
            <h1>{t("landing-headline")}</h1>
            <p class="lead">{t("landing-lead")}</p>
            <div class="hero-actions">
                <Transition fallback=|| ()>
                    {move || match current.get() {
                        Some(_) => view! { <a class="button button-large" href="/profile">{t("landing-cta-profile")}</a> }.into_any(),
                        None => view! {
                            <a class="button button-large" href="/signup">{t("landing-cta-sign-up")}</a>
                            <a class="button button-large button-ghost" href="/signin">{t("landing-cta-sign-in")}</a>
                        }.into_any(),
                    }}
                </Transition>
            </div>
        </section>
        <section class="features" aria-labelledby="features-heading">
            <h2 id="features-heading">{t("landing-features-heading")}</h2>
            <ul class="feature-grid">
                {features.into_iter().map(|(title, body, icon)| view! {
                    <li class="card">
                        <span class="feature-icon"><IconSvg icon/></span>
                        <h3>{t(title)}</h3>
                        <p>{t(body)}</p>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
