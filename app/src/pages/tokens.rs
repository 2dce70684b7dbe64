//! The profile's "Access tokens" card: personal access tokens for programs calling the REST API.
//! A new token's secret is shown once, right after it is made (with JavaScript from the action's
//! answer, without it from the server: see `rpc::tokens::fresh_token_after_form_post`); the list
//! shows the rest, and each token can be revoked after a confirmation (a `<details>`, so it works
//! without JavaScript too).

use leptos::{prelude::*, server_fn::ServerFn};

use super::{form_action, url_error};
use crate::{
    components::{
        date_time::DateTime,
        field::{Field, FormAlert, SuccessAlert, server_error_for},
        form::{hydrated_form_ref, use_validated_form},
        loading::loading,
        table::{Column, DataTable},
    },
    dto::{NewTokenDto, TokenDto},
    i18n::{t, use_i18n},
    rpc::tokens::{
        CreateToken, DEFAULT_LIFETIME_DAYS, LIFETIME_DAYS, RevokeToken, fresh_token_after_form_post, list_tokens,
    },
    session::use_current_user,
};

/// The longest name the server accepts (`domain::accounts::tokens`).
const NAME_MAX_CHARS: usize = 80;
/// The scopes, in the order offered; `admin` only to administrators.
const SCOPES: [&str; 3] = ["read", "write", "admin"];

fn check_name(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if name.is_empty() {
        Some("error-token_name-required")
    } else if name.chars().count() > NAME_MAX_CHARS {
        Some("error-token_name-too_long")
    } else {
        None
    }
}

#[component]
pub fn AccessTokens(saved: Option<String>) -> impl IntoView {
    let create = form_action::<CreateToken>();
    // Bumped when a token is revoked, so the list follows.
    let changed = RwSignal::new(0u32);
    let list = Resource::new(move || (create.version().get(), changed.get()), |_| list_tokens());
    // The token a plain form post just made: the server hands it to this one page load.
    let posted = Resource::new(|| (), |_| fresh_token_after_form_post());
    let current = use_current_user();
    // A token revoked here: its secret, if still on screen, goes too.
    let revoked = RwSignal::new(None::<String>);
    let on_revoked = Callback::new(move |id: String| {
        revoked.set(Some(id));
        changed.update(|n| *n += 1);
    });
    let revoke_failed = url_error().filter(|_| {
        leptos_router::hooks::use_query_map().get_untracked().get("__path").as_deref() == Some(RevokeToken::PATH)
    });
    let show_revoked =
        move || revoked.get().is_some() || (create.value().get().is_none() && saved.as_deref() == Some("tokens"));
    let i18n = use_i18n();
    view! {
        <section class="card" id="tokens" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">{t("tokens-heading")}</h2>
            <p class="muted">{t("tokens-lead")}</p>
            <SuccessAlert when=show_revoked message="tokens-revoked"/>
            {revoke_failed.map(|err| view! {
                <p class="alert alert-error" role="alert">{move || i18n.t_args(&err.message_key(), &err.message_args())}</p>
            })}
            <div class="token-made-region" aria-live="polite">
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let posted = posted.await;
                        move || {
                            let made = match create.value().get() {
                                Some(Ok(new)) => Some(new),
                                _ => posted.clone(),
                            };
                            made.filter(|new| revoked.get().as_deref() != Some(new.token.id.as_str()))
                                .map(|new| view! { <TokenMade new/> })
                        }
                    })}
                </Suspense>
            </div>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    let tokens = list.await.unwrap_or_default();
                    if tokens.is_empty() {
                        return view! { <p class="muted">{t("tokens-none")}</p> }.into_any();
                    }
                    view! { <TokenTable tokens on_revoked/> }.into_any()
                })}
            </Transition>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let admin = current.user.await.ok().flatten().is_some_and(|user| user.is_admin);
                    view! { <CreateForm action=create admin/> }
                })}
            </Suspense>
        </section>
    }
}

/// The secret of the token just made, to copy now: it is never shown again.
#[component]
fn TokenMade(new: NewTokenDto) -> impl IntoView {
    // The copy button needs JavaScript: it appears once the page is hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let copied = RwSignal::new(false);
    let secret = new.secret.clone();
    let copy = move |_| {
        let _ = window().navigator().clipboard().write_text(&secret);
        copied.set(true);
    };
    let i18n = use_i18n();
    let name = new.token.name.clone();
    view! {
        <div class="alert alert-info token-made">
            <p><strong>{move || i18n.t_args("tokens-made", &[("name", name.clone())])}</strong></p>
            <p id="token-secret-warning">{t("tokens-made-warning")}</p>
            <div class="token-secret-row">
                <label for="token-secret" class="visually-hidden">{t("tokens-secret")}</label>
                <input id="token-secret" class="token-secret" readonly=true value=new.secret.clone()
                    aria-describedby="token-secret-warning" spellcheck="false" autocomplete="off"/>
                <Show when=move || hydrated.get()>
                    <button type="button" class="button button-ghost" on:click=copy.clone()>
                        {move || if copied.get() { i18n.t("tokens-copied") } else { i18n.t("tokens-copy") }}
                    </button>
                </Show>
            </div>
        </div>
    }
}

#[component]
fn TokenTable(tokens: Vec<TokenDto>, on_revoked: Callback<String>) -> impl IntoView {
    view! {
        <DataTable caption=t("tokens-heading") columns=TOKEN_COLUMNS class="token-table">
            {tokens.into_iter().map(|token| view! { <TokenRow token on_revoked/> }).collect_view()}
        </DataTable>
    }
}

#[component]
fn TokenRow(token: TokenDto, on_revoked: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let revoke = ServerAction::<RevokeToken>::new();
    let id = token.id.clone();
    Effect::new(move |_| {
        if matches!(revoke.value().get(), Some(Ok(()))) {
            on_revoked.run(id.clone());
        }
    });
    let error = move || match revoke.value().get() {
        Some(Err(err)) => Some(i18n.t_args(&err.message_key(), &err.message_args())),
        _ => None,
    };
    let name = token.name.clone();
    let confirm_name = name.clone();
    view! {
        <tr class:token-expired=token.expired>
            <TokenCells token=token.clone()/>
            <td class="row-actions">
                <details class="inline-dialog">
                    <summary class="button button-ghost danger">
                        {t("tokens-revoke")}<span class="visually-hidden">" " {name.clone()}</span>
                    </summary>
                    <ActionForm action=revoke>
                        <input type="hidden" name="id" value=token.id.clone()/>
                        <p>{move || i18n.t_args("tokens-revoke-confirm", &[("name", confirm_name.clone())])}</p>
                        <p class="field-error" aria-live="polite">{error}</p>
                        <button type="submit" class="button button-danger">{t("tokens-revoke-submit")}</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}

/// Name, scopes and lifetime of a new token. A plain form without JavaScript (the ticked boxes
/// post as `scopes[]`); checked as the user types with it.
#[component]
fn CreateForm(action: ServerAction<CreateToken>, admin: bool) -> impl IntoView {
    let i18n = use_i18n();
    let result = action.value();
    let name = RwSignal::new(String::new());
    let chosen = RwSignal::new(vec!["read".to_owned()]);
    let days = RwSignal::new(DEFAULT_LIFETIME_DAYS.to_string());
    let (attempted, on_submit) = use_validated_form(action, move || {
        let token_name = name.get_untracked();
        let scopes = chosen.get_untracked();
        (check_name(&token_name).is_none() && !scopes.is_empty()).then(|| {
            let expires_in_days = days.get_untracked().parse().unwrap_or(DEFAULT_LIFETIME_DAYS);
            CreateToken { name: token_name, scopes, expires_in_days }
        })
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            name.set(String::new());
            attempted.set(false);
        }
    });
    let scopes_error = Signal::derive(move || {
        if attempted.get() && chosen.with(Vec::is_empty) {
            return Some("error-scopes-required".to_owned());
        }
        match result.get() {
            Some(Err(err)) if err.field() == Some("scopes") => Some(err.message_key()),
            _ => None,
        }
    });
    let lifetime_error = server_error_for(result, "expires_in");
    let pending = action.pending();
    view! {
        <h3>{t("tokens-create-heading")}</h3>
        <FormAlert result/>
        <form node_ref=hydrated_form_ref() method="post" action=CreateToken::url() on:submit=on_submit
            class="token-form">
            <Field label="tokens-name" name="name" required=true value=name check=check_name
                server_error=server_error_for(result, "token_name") hint="tokens-name-hint"/>
            <fieldset class="field token-scopes" aria-describedby="token-scopes-error"
                class:field-invalid=move || scopes_error.get().is_some()>
                <legend>{t("tokens-scopes")}</legend>
                {SCOPES.into_iter().filter(|scope| admin || *scope != "admin").map(|scope| {
                    let id = format!("token-scope-{scope}");
                    let hint_id = format!("{id}-hint");
                    let on = move || chosen.with(|c| c.iter().any(|s| s == scope));
                    view! {
                        <div class="check">
                            <input type="checkbox" id=id.clone() name="scopes[]" value=scope checked=scope == "read"
                                prop:checked=on aria-describedby=hint_id.clone()
                                on:change=move |ev| {
                                    let ticked = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|s| s != scope);
                                        if ticked { c.push(scope.to_owned()); }
                                    });
                                }/>
                            <label for=id>{move || i18n.t(&format!("tokens-scope-{scope}"))}</label>
                            <p class="field-hint" id=hint_id>{move || i18n.t(&format!("tokens-scope-{scope}-hint"))}</p>
                        </div>
                    }
                }).collect_view()}
                <p class="field-error" id="token-scopes-error" aria-live="polite">
                    {move || scopes_error.get().map(|key| i18n.t(&key))}
                </p>
            </fieldset>
            <div class="field" class:field-invalid=move || lifetime_error.get().is_some()>
                <label for="token-expires">{t("tokens-expires-in")}</label>
                <select id="token-expires" name="expires_in_days" aria-describedby="token-expires-error"
                    on:change=move |ev| days.set(event_target_value(&ev))>
                    {LIFETIME_DAYS.into_iter().map(|d| view! {
                        <option value=d.to_string() selected=d == DEFAULT_LIFETIME_DAYS>
                            {move || i18n.t(&format!("tokens-lifetime-{d}d"))}
                        </option>
                    }).collect_view()}
                </select>
                <p class="field-error" id="token-expires-error" aria-live="polite">
                    {move || lifetime_error.get().map(|key| i18n.t(&key))}
                </p>
            </div>
            <button type="submit" class="button" disabled=move || pending.get()>{t("tokens-create")}</button>
        </form>
    }
}

/// The tokens page's columns: those of [`TokenCells`], then the row's buttons.
const TOKEN_COLUMNS: &[Column] = &[
    Column::text("tokens-col-name"),
    Column::text("tokens-col-scopes"),
    Column::text("tokens-col-created"),
    Column::text("tokens-col-expires"),
    Column::text("tokens-col-last-used"),
    Column::actions("tokens-col-actions"),
];

/// The columns of [`TokenCells`] alone: the admin console shows tokens without buttons.
pub(crate) const TOKEN_CELL_COLUMNS: &[Column] = TOKEN_COLUMNS.split_last().unwrap().1;

/// A token's name, scopes, creation, expiry and last use, as cells of its row (here and in the
/// admin console's page of an account).
#[component]
pub(crate) fn TokenCells(token: TokenDto) -> impl IntoView {
    let i18n = use_i18n();
    let scopes = token.scopes.clone();
    let scope_names =
        move || scopes.iter().map(|scope| i18n.t(&format!("tokens-scope-{scope}"))).collect::<Vec<_>>().join(", ");
    view! {
        <td class="file-name">{token.name.clone()}</td>
        <td>{scope_names}</td>
        <td class="numeric"><DateTime at=token.created_at.clone()/></td>
        <td class="numeric">
            {if token.expired {
                view! { <strong class="danger">{t("tokens-expired")}</strong> }.into_any()
            } else {
                view! { <DateTime at=token.expires_at.clone()/> }.into_any()
            }}
        </td>
        <td class="numeric">
            {match token.last_used_at.clone() {
                Some(at) => view! {
                    <DateTime at=at.clone() relative=true/>
                    {token.last_used_ip.clone().map(|ip| view! { <br/><span class="muted">{ip}</span> })}
                }.into_any(),
                None => view! { <span class="muted">{t("tokens-never-used")}</span> }.into_any(),
            }}
        </td>
    }
}
