//! Passkeys without a browser: what the server asks for, and every way an answer is refused. The
//! ceremony with a real authenticator runs in Chromium (`end2end/tests/passkeys.spec.ts`).

use clap::Parser;
use domain::{
    Actor, Error, Services,
    accounts::{Locale, SignUp},
    config::Config,
    error::{Field, Problem},
    sessions::ClientInfo,
};
use migration::{Migrator, MigratorTrait};

#[derive(Parser)]
struct TestCli {
    #[command(flatten)]
    config: Config,
}

async fn services(dir: &tempfile::TempDir) -> Services {
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("passkeys.db").display());
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let cli = TestCli::try_parse_from([
        "test",
        "--database-url",
        &url,
        "--data-dir",
        &data_dir,
        "--public-url",
        "https://app.example/",
    ])
    .unwrap();
    let db = domain::db::connect(&cli.config.database).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let storage = cli.config.storage.open(&cli.config.database.data_dir).unwrap();
    let queue = domain::jobs::Queue::sql(db.clone(), std::time::Duration::from_secs(60));
    Services::new(db, storage, queue, domain::events::Events::local(), &cli.config)
}

async fn user(services: &Services) -> Actor {
    let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
    let input =
        SignUp { email: &email, password: "correct horse battery staple", display_name: None, locale: Locale::En };
    let (_, token) = services.accounts.sign_up(input, &ClientInfo::default()).await.unwrap();
    services.sessions.resolve(&token).await.unwrap().actor
}

fn problem<T: std::fmt::Debug>(result: Result<T, Error>) -> Problem {
    match result {
        Err(Error::Invalid { field: Field::Passkey, problem }) => problem,
        other => panic!("expected a passkey refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn registration_asks_for_a_discoverable_verified_credential_of_this_site() {
    let dir = tempfile::tempdir().unwrap();
    let services = services(&dir).await;
    let ada = user(&services).await;
    let ceremony = services.passkeys.start_registration(&ada).await.unwrap();
    let options = &ceremony.options["publicKey"];
    assert_eq!(options["rp"]["id"], "app.example");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
    assert!(options["challenge"].as_str().is_some_and(|c| c.len() >= 43), "a 32-byte challenge");
    assert!(matches!(services.passkeys.start_registration(&Actor::Anonymous).await, Err(Error::Unauthenticated)));

    let sign_in = services.passkeys.start_sign_in().await.unwrap();
    assert!(sign_in.options.get("mediation").is_none(), "a button, not autofill");
    assert_ne!(sign_in.options["publicKey"]["challenge"], options["challenge"]);
}

#[tokio::test]
async fn answers_are_refused_unless_they_fit_a_live_challenge_of_the_same_user() {
    let dir = tempfile::tempdir().unwrap();
    let services = services(&dir).await;
    let client = ClientInfo::default();
    let (ada, bob) = (user(&services).await, user(&services).await);
    let passkeys = &services.passkeys;

    // Garbage in place of the authenticator's answer; the challenge is spent either way.
    let ceremony = passkeys.start_registration(&ada).await.unwrap();
    let garbage = passkeys.finish_registration(&ada, ceremony.challenge, "{not json", "Key", &client).await;
    assert_eq!(problem(garbage), Problem::Malformed);
    let again = passkeys.finish_registration(&ada, ceremony.challenge, "{}", "Key", &client).await;
    assert_eq!(problem(again), Problem::Expired);

    // Someone else's challenge, or one that never was.
    let ceremony = passkeys.start_registration(&ada).await.unwrap();
    let stolen = passkeys.finish_registration(&bob, ceremony.challenge, "{}", "Key", &client).await;
    assert_eq!(problem(stolen), Problem::Expired);
    let unknown = passkeys.finish_sign_in(&Actor::Anonymous, uuid::Uuid::new_v4(), "{}", &client).await;
    assert_eq!(problem(unknown), Problem::Expired);

    // A sign-in answer that names no stored passkey.
    let ceremony = passkeys.start_sign_in().await.unwrap();
    let forged = serde_json::json!({
        "id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": { "authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": "AAAA" },
        "extensions": {}
    });
    let refused = passkeys.finish_sign_in(&Actor::Anonymous, ceremony.challenge, &forged.to_string(), &client).await;
    assert_eq!(problem(refused), Problem::Malformed);

    // A name too long is refused before the challenge is spent.
    let ceremony = passkeys.start_registration(&ada).await.unwrap();
    let long = passkeys.finish_registration(&ada, ceremony.challenge, "{}", &"k".repeat(81), &client).await;
    assert_eq!(problem(long), Problem::TooLong);

    assert!(passkeys.list(&ada).await.unwrap().is_empty());
    assert!(matches!(passkeys.delete(&bob, uuid::Uuid::new_v4(), &client).await, Err(Error::NotFound)));
}

#[tokio::test]
async fn an_ip_address_as_public_url_turns_passkeys_off_not_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("ip.db").display());
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let args = ["test", "--database-url", &url, "--data-dir", &data_dir, "--public-url", "http://10.0.0.5:3000/"];
    let cli = TestCli::try_parse_from(args).unwrap();
    let db = domain::db::connect(&cli.config.database).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let storage = cli.config.storage.open(&cli.config.database.data_dir).unwrap();
    let queue = domain::jobs::Queue::sql(db.clone(), std::time::Duration::from_secs(60));
    let services = Services::new(db, storage, queue, domain::events::Events::local(), &cli.config);
    let ada = user(&services).await;
    assert_eq!(problem(services.passkeys.start_registration(&ada).await), Problem::Unsupported);
    assert_eq!(problem(services.passkeys.start_sign_in().await), Problem::Unsupported);
    assert!(services.passkeys.list(&ada).await.unwrap().is_empty());
}
