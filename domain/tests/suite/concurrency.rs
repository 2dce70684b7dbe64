//! Optimistic concurrency against a real database (a temp SQLite file, and a fresh PostgreSQL
//! database at TEST_DATABASE_URL): a change based on a version writes only while the row is still
//! at it, two changes based on the same version never both win, and every change a caller can see
//! moves the version on.

use domain::{
    Actor, Error, Role, Services,
    accounts::{Locale, ProfileUpdate},
    sessions::ClientInfo,
};
use futures_util::future::join_all;

use crate::harness::{Backend, body, sign_up_member, spawn_services};

struct TestApp {
    services: Services,
    _dir: tempfile::TempDir,
}

async fn spawn(backend: Backend) -> TestApp {
    let app = spawn_services(backend, &["--files-max-size", "64KiB", "--files-quota", "1MiB"]).await;
    TestApp { services: app.services, _dir: app.dir }
}

impl TestApp {
    async fn user(&self) -> Actor {
        sign_up_member(&self.services).await
    }

    async fn version(&self, actor: &Actor) -> i64 {
        self.services.accounts.profile(actor).await.unwrap().version
    }
}

/// Whether exactly one of `results` won and every other one lost to it (a stale version).
fn one_winner<T: std::fmt::Debug>(results: &[Result<T, Error>]) -> bool {
    let won = results.iter().filter(|r| r.is_ok()).count();
    let stale = results.iter().filter(|r| matches!(r, Err(Error::StaleVersion))).count();
    won == 1 && stale == results.len() - 1
}

crate::on_both_databases!(
    multi_thread;
    renames_based_on_the_same_version_never_both_win,
    profile_changes_based_on_the_same_version_never_both_win,
    a_stale_version_writes_nothing_and_names_no_other_row,
    every_change_an_owner_can_see_moves_the_version_on,
);

async fn renames_based_on_the_same_version_never_both_win(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let files = &app.services.files;
    let file = files.upload(&ada, "draft.txt", body(b"some text")).await.unwrap();
    assert_eq!(file.version, 1);

    for round in 0..3 {
        let seen = files.get(&ada, file.id).await.unwrap().version;
        let names: Vec<String> = (0..4).map(|n| format!("name-{round}-{n}.txt")).collect();
        let results = join_all(names.iter().map(|name| files.rename(&ada, file.id, name, Some(seen)))).await;
        assert!(one_winner(&results), "round {round}: {results:?}");
        let winner = results.into_iter().find_map(Result::ok).unwrap();
        let stored = files.get(&ada, file.id).await.unwrap();
        assert_eq!((stored.name.as_str(), stored.version), (winner.name.as_str(), seen + 1));
    }
}

async fn profile_changes_based_on_the_same_version_never_both_win(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let accounts = &app.services.accounts;
    let seen = app.version(&ada).await;
    let names = ["Ada", "Ada L.", "Ada Lovelace", "A. Lovelace"];

    let results = join_all(names.iter().map(|name| {
        accounts.update_profile(&ada, ProfileUpdate { display_name: Some(name), ..Default::default() }, Some(seen))
    }))
    .await;

    assert!(one_winner(&results), "{results:?}");
    let winner = results.into_iter().find_map(Result::ok).unwrap();
    assert_eq!(accounts.profile(&ada).await.unwrap(), winner);
    assert_eq!(winner.version, seen + 1);

    // An administrator's change based on the same version as the owner's: one of them wins.
    let seen = winner.version;
    let id = ada.user_id().unwrap();
    let client = ClientInfo::default();
    let (role, profile) = tokio::join!(
        accounts.set_role(&Actor::System, id, Role::Admin, Some(seen), &client),
        accounts.update_profile(&ada, ProfileUpdate { locale: Some("de"), ..Default::default() }, Some(seen)),
    );
    assert!(role.is_ok() != profile.is_ok(), "{role:?} / {profile:?}");
    assert!(matches!(role, Ok(_) | Err(Error::StaleVersion)) && matches!(profile, Ok(_) | Err(Error::StaleVersion)));
    assert_eq!(app.version(&ada).await, seen + 1);
}

async fn a_stale_version_writes_nothing_and_names_no_other_row(backend: Backend) {
    let app = spawn(backend).await;
    let (ada, eve) = (app.user().await, app.user().await);
    let (files, accounts) = (&app.services.files, &app.services.accounts);
    let file = files.upload(&ada, "plan.txt", body(b"the plan")).await.unwrap();
    let renamed = files.rename(&ada, file.id, "plan-v2.txt", Some(file.version)).await.unwrap();
    assert_eq!(renamed.version, file.version + 1);

    // Based on the version before the rename: refused, the name stays.
    assert!(matches!(files.rename(&ada, file.id, "lost.txt", Some(file.version)).await, Err(Error::StaleVersion)));
    // A version the file was never at, before the name is even looked at.
    assert!(matches!(files.rename(&ada, file.id, "../bad", Some(0)).await, Err(Error::StaleVersion)));
    assert_eq!(files.get(&ada, file.id).await.unwrap(), renamed);
    // Someone else's file is not found, whatever the version; without one, the last write wins.
    assert!(matches!(files.rename(&eve, file.id, "mine.txt", Some(renamed.version)).await, Err(Error::NotFound)));
    assert_eq!(files.rename(&ada, file.id, "final.txt", None).await.unwrap().version, renamed.version + 1);

    let seen = app.version(&ada).await;
    let update = ProfileUpdate { display_name: Some("Ada"), ..Default::default() };
    accounts.update_profile(&ada, update, Some(seen)).await.unwrap();
    let stale = ProfileUpdate { display_name: Some("Lost"), locale: Some("xx"), ..Default::default() };
    assert!(matches!(accounts.update_profile(&ada, stale, Some(seen)).await, Err(Error::StaleVersion)));
    let account = accounts.profile(&ada).await.unwrap();
    assert_eq!((account.display_name.as_str(), account.locale.as_str()), ("Ada", "en"));
    // Fields left out keep their value.
    let zone = ProfileUpdate { time_zone: Some("Europe/Berlin"), ..Default::default() };
    let changed = accounts.update_profile(&ada, zone, Some(account.version)).await.unwrap();
    assert_eq!((changed.display_name.as_str(), changed.time_zone.as_str()), ("Ada", "Europe/Berlin"));

    let id = ada.user_id().unwrap();
    let client = ClientInfo::default();
    let stale = accounts.set_role(&Actor::System, id, Role::Admin, Some(seen), &client).await;
    assert!(matches!(stale, Err(Error::StaleVersion)), "{stale:?}");
    assert_eq!(accounts.profile(&ada).await.unwrap().role, Role::User);
    let nobody = accounts.set_role(&Actor::System, uuid::Uuid::now_v7(), Role::Admin, Some(1), &client).await;
    assert!(matches!(nobody, Err(Error::NotFound)));
}

async fn every_change_an_owner_can_see_moves_the_version_on(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let id = ada.user_id().unwrap();
    let (accounts, client) = (&app.services.accounts, ClientInfo::default());
    let mut last = app.version(&ada).await;

    accounts
        .update_profile(&ada, ProfileUpdate { display_name: Some("Ada"), ..Default::default() }, None)
        .await
        .unwrap();
    moved_on(&app, &ada, &mut last, "a profile change").await;
    accounts.set_locale(&ada, Locale::De).await.unwrap();
    moved_on(&app, &ada, &mut last, "the language switcher").await;
    let png = {
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::new_rgb8(8, 8).write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    app.services.avatars.set(&ada, body(&png)).await.unwrap();
    moved_on(&app, &ada, &mut last, "a new avatar").await;
    app.services.avatars.remove(&ada).await.unwrap();
    moved_on(&app, &ada, &mut last, "removing the avatar").await;
    accounts.change_password(&ada, "correct horse battery staple", "a brand new passphrase", &client).await.unwrap();
    moved_on(&app, &ada, &mut last, "a new password").await;
    accounts.suspend(&Actor::System, id, &client).await.unwrap();
    moved_on(&app, &ada, &mut last, "a suspension").await;
    accounts.reactivate(&Actor::System, id, &client).await.unwrap();
    moved_on(&app, &ada, &mut last, "a reactivation").await;
    accounts.set_role(&Actor::System, id, Role::Admin, None, &client).await.unwrap();
    moved_on(&app, &ada, &mut last, "a new role").await;
}

/// Asserts that the account's version moved past `last`, and remembers the new one.
async fn moved_on(app: &TestApp, actor: &Actor, last: &mut i64, what: &str) {
    let version = app.version(actor).await;
    assert!(version > *last, "{what} kept version {version}");
    *last = version;
}
