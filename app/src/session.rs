//! The signed-in user, loaded once per page and refreshed after sign-in, sign-out and profile edits.

use leptos::prelude::*;

use crate::{dto::UserDto, error::AppError, rpc::account::me};

#[derive(Clone, Copy)]
pub struct CurrentUser {
    pub user: Resource<Result<Option<UserDto>, AppError>>,
    version: RwSignal<u32>,
}

impl CurrentUser {
    pub fn refresh(self) {
        self.version.update(|v| *v += 1);
    }

    /// The user, once loaded; `None` for a visitor or while loading.
    pub fn get(self) -> Option<UserDto> {
        self.user.get().and_then(Result::ok).flatten()
    }
}

pub fn provide_current_user() -> CurrentUser {
    let version = RwSignal::new(0);
    let user = Resource::new(move || version.get(), |_| me());
    let current = CurrentUser { user, version };
    provide_context(current);
    current
}

pub fn use_current_user() -> CurrentUser {
    expect_context::<CurrentUser>()
}

/// After a successful sign-in or sign-up in the hydrated app: refresh the shell's user and go to
/// the profile, without a reload. (A plain form post gets a redirect from the server instead.)
pub fn go_to_profile_once_signed_in<S>(result: S)
where
    S: Get<Value = Option<Result<UserDto, AppError>>> + Send + Sync + 'static,
{
    let current = use_current_user();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            current.refresh();
            navigate("/profile", Default::default());
        }
    });
}
