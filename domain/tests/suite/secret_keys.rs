//! SECRET_KEYS against real databases (a temp SQLite file, and a fresh PostgreSQL database at
//! TEST_DATABASE_URL): what a reader of the database gets of TOTP secrets and recovery codes
//! (nothing it can use), values from before the keys, rotation, and a key that leaves too early.

use domain::{
    Actor, Error, Services,
    accounts::{Locale, SignIn, SignUp},
    config::Config,
    entities::{recovery_code, two_factor},
    keys::Keyring,
    sessions::ClientInfo,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::harness::{Backend, code, open_database};

const PASSWORD: &str = "correct horse battery staple";

/// One database, opened by as many app instances as a test likes, each with its own keys.
struct Install {
    config: Config,
    db: DatabaseConnection,
    _dir: tempfile::TempDir,
}

async fn install(backend: Backend) -> Install {
    let opened = open_database(backend, &[]).await;
    Install { config: opened.config, db: opened.db, _dir: opened.dir }
}

impl Install {
    /// The app, as it starts with `keys` for SECRET_KEYS.
    fn app(&self, keys: &str) -> Services {
        let storage = self.config.storage.open(&self.config.database.data_dir).unwrap();
        let queue = domain::jobs::Queue::sql(self.db.clone(), std::time::Duration::from_secs(60));
        let keys = Keyring::parse(keys).unwrap();
        Services::with_keys(self.db.clone(), storage, queue, domain::events::Events::local(), &self.config, keys)
    }

    async fn totp_column(&self, user: &Actor) -> String {
        two_factor::Entity::find_by_id(user.user_id().unwrap()).one(&self.db).await.unwrap().unwrap().secret
    }

    async fn recovery_rows(&self, user: &Actor) -> Vec<recovery_code::Model> {
        let id = user.user_id().unwrap();
        recovery_code::Entity::find().filter(recovery_code::Column::UserId.eq(id)).all(&self.db).await.unwrap()
    }
}

fn client() -> ClientInfo {
    ClientInfo { user_agent: Some("KeysTest/1".into()), ip: Some("192.0.2.9".into()), request_id: None }
}

fn sha256_hex(text: &str) -> String {
    domain::secret::digest(text)
}

/// How a recovery code is compared (lower case, letters and digits only).
fn normalised(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// A confirmed account (made by the operator), signed in.
async fn user(app: &Services, email: &str) -> Actor {
    let input = SignUp { email, password: PASSWORD, display_name: None, locale: Locale::En };
    app.accounts.create_user(&Actor::System, input, domain::Role::User, &client()).await.unwrap();
    let SignIn::Done(_, token) = app.accounts.sign_in(&Actor::Anonymous, email, PASSWORD, &client()).await.unwrap()
    else {
        panic!("a fresh account has no second factor");
    };
    app.sessions.resolve(&token).await.unwrap().actor
}

/// Turns two-factor on; returns the secret and the recovery codes.
async fn enrol(app: &Services, actor: &Actor) -> (String, Vec<String>) {
    let two_factor = app.accounts.two_factor();
    let enrolment = two_factor.start_enrolment(actor).await.unwrap();
    let codes = two_factor.confirm_enrolment(actor, &code(&enrolment.secret, 0), &client()).await.unwrap();
    (enrolment.secret, codes.expose().to_vec())
}

/// Password, then `second` as the second factor.
async fn sign_in(app: &Services, email: &str, second: &str) -> Result<Actor, Error> {
    let SignIn::NeedsSecondFactor(challenge) =
        app.accounts.sign_in(&Actor::Anonymous, email, PASSWORD, &client()).await.unwrap()
    else {
        panic!("signed in without a second factor");
    };
    let (_, token) =
        app.accounts.sign_in_second_factor(&Actor::Anonymous, challenge.expose(), second, &client()).await?;
    Ok(app.sessions.resolve(&token).await.unwrap().actor)
}

crate::on_both_databases!(
    a_database_reader_sees_no_totp_secret_and_two_factor_sign_in_works,
    a_sealed_secret_moved_to_another_account_does_not_open,
    recovery_codes_are_keyed_not_plain_sha256,
    secrets_from_before_the_keys_are_sealed_and_rehashed_at_start,
    rotation_reseals_every_totp_secret_under_the_new_key,
    a_key_still_in_use_cannot_leave_the_list,
);

async fn a_database_reader_sees_no_totp_secret_and_two_factor_sign_in_works(backend: Backend) {
    let install = install(backend).await;
    let keys = Keyring::generate_line();
    let app = install.app(&keys);
    let ada = user(&app, "ada@example.com").await;

    let (secret, _) = enrol(&app, &ada).await;

    let stored = install.totp_column(&ada).await;
    assert!(!stored.contains(&secret), "the column holds the base32 secret: {stored}");
    let key_id = keys.split_once(':').unwrap().0;
    assert!(stored.starts_with(&format!("v1:{key_id}:")), "{stored}");
    // Nor any part a reader could try: not in the column as base32 or lower case either.
    assert!(!stored.to_lowercase().contains(&secret.to_lowercase()[..16]));
    let signed_in = sign_in(&app, "ada@example.com", &code(&secret, 1)).await.unwrap();
    assert_eq!(signed_in.user_id().unwrap(), ada.user_id().unwrap());
}

async fn a_sealed_secret_moved_to_another_account_does_not_open(backend: Backend) {
    let install = install(backend).await;
    let app = install.app(&Keyring::generate_line());
    let (ada, mallory) = (user(&app, "ada@example.com").await, user(&app, "mallory@example.com").await);
    let (ada_secret, _) = enrol(&app, &ada).await;
    enrol(&app, &mallory).await;

    // Someone with write access to the database gives Mallory's account Ada's sealed secret,
    // hoping the app opens it for them (Mallory then knows Ada's codes from her own app).
    let sealed = install.totp_column(&ada).await;
    let mallory_id = mallory.user_id().unwrap();
    two_factor::Entity::update_many()
        .col_expr(two_factor::Column::Secret, sea_orm::sea_query::Expr::value(sealed))
        .filter(two_factor::Column::UserId.eq(mallory_id))
        .exec(&install.db)
        .await
        .unwrap();

    let moved = sign_in(&app, "mallory@example.com", &code(&ada_secret, 1)).await;

    let Err(Error::Unexpected(err)) = moved else { panic!("a moved secret opened: {moved:?}") };
    assert!(format!("{err:#}").contains("moved to another account"), "{err:#}");
    // Ada's own is untouched.
    sign_in(&app, "ada@example.com", &code(&ada_secret, 1)).await.unwrap();
}

async fn recovery_codes_are_keyed_not_plain_sha256(backend: Backend) {
    let install = install(backend).await;
    let keys = Keyring::generate_line();
    let app = install.app(&keys);
    let ada = user(&app, "ada@example.com").await;

    let (_, codes) = enrol(&app, &ada).await;

    let stored: Vec<String> = install.recovery_rows(&ada).await.into_iter().map(|row| row.id).collect();
    assert_eq!(stored.len(), 10);
    let key_id = keys.split_once(':').unwrap().0;
    for code in &codes {
        let plain = sha256_hex(&normalised(code));
        assert!(!stored.contains(&plain), "a recovery code is stored as its SHA-256");
        assert!(stored.iter().all(|id| !id.contains(&plain[..16]) && !id.contains(&normalised(code))));
    }
    assert!(stored.iter().all(|id| id.starts_with(&format!("h1:{key_id}:")) && id.len() <= 64), "{stored:?}");
    // They work, once each, whatever their case and dashes.
    sign_in(&app, "ada@example.com", &codes[4].to_uppercase()).await.unwrap();
    assert!(sign_in(&app, "ada@example.com", &codes[4]).await.is_err(), "used up");
    sign_in(&app, "ada@example.com", &codes[5].replace('-', " ")).await.unwrap();
    assert_eq!(app.accounts.two_factor().status(&ada).await.unwrap().recovery_codes_left, 8);
}

async fn secrets_from_before_the_keys_are_sealed_and_rehashed_at_start(backend: Backend) {
    let install = install(backend).await;
    let app = install.app(&Keyring::generate_line());
    let ada = user(&app, "ada@example.com").await;
    let ada_id = ada.user_id().unwrap();
    let (_, _) = enrol(&app, &ada).await;
    // As the version before SECRET_KEYS stored them: the base32 secret in clear, and each
    // recovery code as the hex SHA-256 of its normalised form.
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let old_codes = ["abcde-fghjk", "mnpqr-stuvw"];
    install
        .db
        .execute_unprepared(&format!("UPDATE two_factor SET secret = '{secret}', last_step = NULL"))
        .await
        .unwrap();
    install.db.execute_unprepared("DELETE FROM recovery_codes").await.unwrap();
    for old in old_codes {
        let row = recovery_code::Model {
            id: sha256_hex(&normalised(old)),
            user_id: ada_id,
            used_at: None,
            created_at: time::OffsetDateTime::now_utc(),
        };
        use sea_orm::{ActiveModelTrait, IntoActiveModel};
        row.into_active_model().reset_all().insert(&install.db).await.unwrap();
    }

    // The next start.
    let upgrade = app.keys.upgrade().await.unwrap();

    assert_eq!((upgrade.sealed_totp_secrets, upgrade.rehashed_recovery_codes), (1, 2));
    let stored = install.totp_column(&ada).await;
    assert!(stored.starts_with("v1:") && !stored.contains(secret), "{stored}");
    let rows: Vec<String> = install.recovery_rows(&ada).await.into_iter().map(|row| row.id).collect();
    assert!(rows.iter().all(|id| id.starts_with("w1:")), "{rows:?}");
    assert!(!rows.contains(&sha256_hex("abcdefghjk")));
    // Both still work: the old authenticator app's codes, and the old recovery codes (once).
    sign_in(&app, "ada@example.com", &code(secret, 0)).await.unwrap();
    sign_in(&app, "ada@example.com", old_codes[0]).await.unwrap();
    assert!(sign_in(&app, "ada@example.com", old_codes[0]).await.is_err(), "used up");
    // A second start has nothing left to do.
    assert_eq!(app.keys.upgrade().await.unwrap(), domain::key_rotation::Upgrade::default());
}

async fn rotation_reseals_every_totp_secret_under_the_new_key(backend: Backend) {
    let install = install(backend).await;
    let old = Keyring::generate_line();
    let before = install.app(&old);
    let ada = user(&before, "ada@example.com").await;
    let (secret, codes) = enrol(&before, &ada).await;
    let old_id = old.split_once(':').unwrap().0.to_owned();

    // The operator puts a new key first, keeps the old one after it, restarts, and rotates.
    let new = Keyring::generate_line();
    let new_id = new.split_once(':').unwrap().0.to_owned();
    let after = install.app(&format!("{new},{old}"));
    after.keys.check_in_use().await.unwrap();
    let rotation = after.keys.rotate(&Actor::System).await.unwrap();

    assert_eq!(rotation.resealed_totp_secrets, 1);
    let stored = install.totp_column(&ada).await;
    assert!(stored.starts_with(&format!("v1:{new_id}:")), "{stored}");
    assert_eq!(rotation.in_use[&new_id].totp_secrets, 1);
    let old_use = &rotation.in_use[&old_id];
    assert_eq!((old_use.totp_secrets, old_use.recovery_codes), (0, 10), "recovery codes keep their key");
    assert!(old_use.audit_events > 0, "so do audit events");
    assert!(after.keys.rotate(&Actor::System).await.unwrap().resealed_totp_secrets == 0, "nothing left to do");
    // TOTP works under the new key, the recovery codes under the old one, the audit log verifies.
    sign_in(&after, "ada@example.com", &code(&secret, 1)).await.unwrap();
    sign_in(&after, "ada@example.com", &codes[0]).await.unwrap();
    let report = after.audit.verify(&Actor::System).await.unwrap();
    assert_eq!(report.broken, None, "{report:?}");
    // Only an operator rotates.
    assert!(matches!(after.keys.rotate(&ada).await, Err(Error::Forbidden)));
}

async fn a_key_still_in_use_cannot_leave_the_list(backend: Backend) {
    let install = install(backend).await;
    let old = Keyring::generate_line();
    let old_id = old.split_once(':').unwrap().0.to_owned();
    let before = install.app(&old);
    let ada = user(&before, "ada@example.com").await;
    enrol(&before, &ada).await;

    // The old key dropped, even after a rotation: recovery codes and audit events need it.
    let new = Keyring::generate_line();
    install.app(&format!("{new},{old}")).keys.rotate(&Actor::System).await.unwrap();
    let without = install.app(&new);

    let err = without.keys.check_in_use().await.unwrap_err().to_string();
    assert!(err.contains(&format!("`{old_id}`")) && err.contains("SECRET_KEYS"), "{err}");
    assert!(err.contains("10 recovery codes"), "{err}");
    let rotate = without.keys.rotate(&Actor::System).await.unwrap_err().to_string();
    assert!(rotate.contains(&old_id), "{rotate}");
    let verify = without.audit.verify(&Actor::System).await.unwrap_err().to_string();
    assert!(verify.contains(&old_id), "{verify}");
}
