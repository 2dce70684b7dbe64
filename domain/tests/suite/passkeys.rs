//! Passkeys without a browser: what the server asks for, and every way an answer is refused. The
//! ceremony with a real authenticator runs in Chromium (`end2end/tests/passkeys.spec.ts`).

use domain::{
    Actor, Error, Services,
    accounts::{Locale, SignUp},
    entities::passkey,
    error::{Field, Problem},
    sessions::ClientInfo,
};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};

use crate::harness::{Backend, Spawned, spawn_services};

/// The services on a fresh SQLite file, served at https://app.example/.
async fn spawn() -> Spawned {
    spawn_services(Backend::Sqlite, &["--public-url", "https://app.example/"]).await
}

async fn user(services: &Services) -> Actor {
    let email = format!("user-{}@example.com", uuid::Uuid::new_v4().simple());
    let input =
        SignUp { email: &email, password: "correct horse battery staple", display_name: None, locale: Locale::En };
    // Made by the operator, so the address counts as confirmed (passkeys wait for that).
    let client = ClientInfo::default();
    services.accounts.create_user(&Actor::System, input, domain::Role::User, &client).await.unwrap();
    let signed_in = services.accounts.sign_in(&Actor::Anonymous, &email, "correct horse battery staple", &client);
    let domain::accounts::SignIn::Done(_, token) = signed_in.await.unwrap() else { panic!("no second factor") };
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
    let Spawned { services, dir: _dir, .. } = spawn().await;
    let ada = user(&services).await;
    let ceremony = services.passkeys.start_registration(&ada, None, &ClientInfo::default()).await.unwrap();
    let options = &ceremony.options["publicKey"];
    assert_eq!(options["rp"]["id"], "app.example");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
    assert!(options["challenge"].as_str().is_some_and(|c| c.len() >= 43), "a 32-byte challenge");
    assert!(matches!(
        services.passkeys.start_registration(&Actor::Anonymous, None, &ClientInfo::default()).await,
        Err(Error::Unauthenticated)
    ));

    let sign_in = services.passkeys.start_sign_in().await.unwrap();
    assert!(sign_in.options.get("mediation").is_none(), "a button, not autofill");
    assert_ne!(sign_in.options["publicKey"]["challenge"], options["challenge"]);
}

#[tokio::test]
async fn answers_are_refused_unless_they_fit_a_live_challenge_of_the_same_user() {
    let Spawned { services, dir: _dir, .. } = spawn().await;
    let client = ClientInfo::default();
    let (ada, bob) = (user(&services).await, user(&services).await);
    let passkeys = &services.passkeys;

    // Garbage in place of the authenticator's answer; the challenge is spent either way.
    let ceremony = passkeys.start_registration(&ada, None, &ClientInfo::default()).await.unwrap();
    let garbage = passkeys.finish_registration(&ada, ceremony.challenge, "{not json", "Key", &client).await;
    assert_eq!(problem(garbage), Problem::Malformed);
    let again = passkeys.finish_registration(&ada, ceremony.challenge, "{}", "Key", &client).await;
    assert_eq!(problem(again), Problem::Expired);

    // Someone else's challenge, or one that never was.
    let ceremony = passkeys.start_registration(&ada, None, &ClientInfo::default()).await.unwrap();
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
    let ceremony = passkeys.start_registration(&ada, None, &ClientInfo::default()).await.unwrap();
    let long = passkeys.finish_registration(&ada, ceremony.challenge, "{}", &"k".repeat(81), &client).await;
    assert_eq!(problem(long), Problem::TooLong);

    assert!(passkeys.list(&ada).await.unwrap().is_empty());
}

#[tokio::test]
async fn nobody_deletes_a_passkey_of_another_account() {
    let Spawned { services, db, dir: _dir, .. } = spawn().await;
    let client = ClientInfo::default();
    let (ada, bob) = (user(&services).await, user(&services).await);
    // Bob's passkey, planted as the ceremony would store it: a test cannot run an authenticator,
    // and deleting looks only at the row, never at the credential inside.
    let bobs = passkey::Model {
        id: uuid::Uuid::now_v7(),
        user_id: bob.user_id().unwrap(),
        credential_id: "bobs-credential".into(),
        name: "Bob's key".into(),
        credential: r#"{"cred":"json"}"#.into(),
        created_at: time::OffsetDateTime::now_utc(),
        last_used_at: None,
    }
    .into_active_model()
    .reset_all()
    .insert(&db)
    .await
    .unwrap();
    let stored = || async { passkey::Entity::find_by_id(bobs.id).one(&db).await.unwrap() };

    // Ada names Bob's real id: refused as if it did not exist, and the row stays.
    let attempt = services.passkeys.delete(&ada, bobs.id, &client).await;
    assert!(matches!(attempt, Err(Error::NotFound)), "{attempt:?}");
    assert!(stored().await.is_some(), "Ada's request removed Bob's passkey");
    assert!(matches!(services.passkeys.delete(&Actor::Anonymous, bobs.id, &client).await, Err(Error::Unauthenticated)));
    assert_eq!(services.passkeys.list(&bob).await.unwrap().iter().map(|p| p.id).collect::<Vec<_>>(), [bobs.id]);

    // The same call by its owner removes it: the refusal above was about ownership, not the id.
    services.passkeys.delete(&bob, bobs.id, &client).await.unwrap();
    assert!(stored().await.is_none());
}

#[tokio::test]
async fn an_ip_address_as_public_url_turns_passkeys_off_not_the_app() {
    let public_url = ["--public-url", "http://10.0.0.5:3000/"];
    let Spawned { services, dir: _dir, .. } = spawn_services(Backend::Sqlite, &public_url).await;
    let ada = user(&services).await;
    assert_eq!(
        problem(services.passkeys.start_registration(&ada, None, &ClientInfo::default()).await),
        Problem::Unsupported
    );
    assert_eq!(problem(services.passkeys.start_sign_in().await), Problem::Unsupported);
    assert!(services.passkeys.list(&ada).await.unwrap().is_empty());
}
