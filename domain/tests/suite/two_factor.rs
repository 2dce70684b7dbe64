//! Two-factor sign-in against a real database (a temp SQLite file, and a fresh PostgreSQL database
//! at TEST_DATABASE_URL). Codes are computed here from the secret, as an authenticator app would.

use domain::{
    Actor, Error, Services,
    accounts::{Locale, SignIn, SignUp},
    audit::Event,
    error::{Field, Problem},
    sessions::ClientInfo,
};

use crate::harness::{Backend, code, spawn_services};

struct TestApp {
    services: Services,
    _dir: tempfile::TempDir,
}

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery staple";

async fn spawn(backend: Backend) -> TestApp {
    let app = spawn_services(backend, &[]).await;
    TestApp { services: app.services, _dir: app.dir }
}

fn client() -> ClientInfo {
    ClientInfo { user_agent: Some("TwoFactorTest/1".into()), ip: Some("192.0.2.7".into()), request_id: None }
}

/// A code the app shows at no step near now.
fn wrong_code(secret: &str) -> String {
    let near: Vec<String> = (0..3).map(|ahead| code(secret, ahead)).collect();
    (0..).map(|n| format!("{n:06}")).find(|c| !near.contains(c)).unwrap()
}

fn incorrect_code<T: std::fmt::Debug>(result: Result<T, Error>) -> bool {
    matches!(result, Err(Error::Invalid { field: Field::Code, problem: Problem::Incorrect }))
}

impl TestApp {
    async fn user(&self) -> Actor {
        // Made by the operator, so the address counts as confirmed (two-factor waits for that).
        let input = SignUp { email: EMAIL, password: PASSWORD, display_name: None, locale: Locale::En };
        let accounts = &self.services.accounts;
        accounts.create_user(&Actor::System, input, domain::Role::User, &client()).await.unwrap();
        let SignIn::Done(_, token) = accounts.sign_in(&Actor::Anonymous, EMAIL, PASSWORD, &client()).await.unwrap()
        else {
            panic!("a fresh account has no second factor");
        };
        self.services.sessions.resolve(&token).await.unwrap().actor
    }

    /// Turns two-factor on for `actor`; returns the secret and the recovery codes.
    async fn enrol(&self, actor: &Actor) -> (String, Vec<String>) {
        let two_factor = self.services.accounts.two_factor();
        let enrolment = two_factor.start_enrolment(actor).await.unwrap();
        let codes = two_factor.confirm_enrolment(actor, &code(&enrolment.secret, 0), &client()).await.unwrap();
        (enrolment.secret, codes.expose().to_vec())
    }

    /// Signs in with the password; returns the challenge the second factor is due for.
    async fn password_step(&self) -> String {
        match self.services.accounts.sign_in(&Actor::Anonymous, EMAIL, PASSWORD, &client()).await.unwrap() {
            SignIn::NeedsSecondFactor(challenge) => challenge.expose().to_owned(),
            SignIn::Done(..) => panic!("signed in without a second factor"),
        }
    }

    async fn second_step(&self, challenge: &str, code: &str) -> Result<Actor, Error> {
        let accounts = &self.services.accounts;
        let (_, token) = accounts.sign_in_second_factor(&Actor::Anonymous, challenge, code, &client()).await?;
        Ok(self.services.sessions.resolve(&token).await.unwrap().actor)
    }

    async fn events(&self, actor: &Actor) -> Vec<String> {
        self.services.audit.list_own(actor, 50).await.unwrap().into_iter().map(|e| e.event).collect()
    }
}

crate::on_both_databases!(
    enrolment_shows_the_secret_and_needs_a_valid_code,
    a_wrong_code_keeps_two_factor_off,
    sign_in_with_two_factor_needs_the_code,
    a_replayed_code_is_refused,
    a_recovery_code_works_once,
    wrong_codes_count_against_the_sign_in_throttle,
    disabling_needs_the_password_or_a_code,
    recovery_codes_are_regenerated_with_a_current_code,
);

async fn enrolment_shows_the_secret_and_needs_a_valid_code(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let two_factor = app.services.accounts.two_factor();

    let enrolment = two_factor.start_enrolment(&ada).await.unwrap();
    let codes = two_factor.confirm_enrolment(&ada, &code(&enrolment.secret, 0), &client()).await.unwrap();

    assert!(enrolment.otpauth_url.starts_with("otpauth://totp/SmartAIPlatForm:ada%40example.com?"));
    assert!(enrolment.otpauth_url.contains(&format!("secret={}", enrolment.secret)));
    assert!(enrolment.qr_code.starts_with("data:image/png;base64,"));
    assert_eq!(codes.expose().len(), 10);
    let status = two_factor.status(&ada).await.unwrap();
    assert!(status.enabled_at.is_some());
    assert_eq!(status.recovery_codes_left, 10);
    assert!(app.events(&ada).await.contains(&Event::TwoFactorEnabled.code().to_owned()));
    // On, it cannot be started again (that would replace the secret).
    assert!(two_factor.start_enrolment(&ada).await.is_err());
}

async fn a_wrong_code_keeps_two_factor_off(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let two_factor = app.services.accounts.two_factor();
    let enrolment = two_factor.start_enrolment(&ada).await.unwrap();
    let wrong = wrong_code(&enrolment.secret);

    assert!(incorrect_code(two_factor.confirm_enrolment(&ada, &wrong, &client()).await));

    assert_eq!(two_factor.status(&ada).await.unwrap().enabled_at, None);
    let signed_in = app.services.accounts.sign_in(&Actor::Anonymous, EMAIL, PASSWORD, &client()).await.unwrap();
    assert!(matches!(signed_in, SignIn::Done(..)), "a pending secret asks for no code");
}

async fn sign_in_with_two_factor_needs_the_code(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let (secret, _) = app.enrol(&ada).await;

    let challenge = app.password_step().await;
    let signed_in = app.second_step(&challenge, &code(&secret, 1)).await.unwrap();

    assert_eq!(signed_in.user_id().unwrap(), ada.user_id().unwrap());
    // The challenge was used up.
    let again = app.second_step(&challenge, &code(&secret, 1)).await;
    assert!(matches!(again, Err(Error::Invalid { field: Field::Challenge, problem: Problem::Expired })));
    let bogus = app.second_step("not-a-challenge", &code(&secret, 1)).await;
    assert!(matches!(bogus, Err(Error::Invalid { field: Field::Challenge, problem: Problem::Expired })));
}

async fn a_replayed_code_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let (secret, _) = app.enrol(&ada).await;
    let next = code(&secret, 1);
    app.second_step(&app.password_step().await, &next).await.unwrap();

    let challenge = app.password_step().await;
    let replayed = app.second_step(&challenge, &next).await;
    // The code the enrolment used is older still.
    let older = app.second_step(&challenge, &code(&secret, 0)).await;

    assert!(incorrect_code(replayed));
    assert!(incorrect_code(older));
}

async fn a_recovery_code_works_once(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let (_, recovery) = app.enrol(&ada).await;

    let first = app.second_step(&app.password_step().await, &recovery[3].to_uppercase()).await;
    let second = app.second_step(&app.password_step().await, &recovery[3]).await;

    assert!(first.is_ok());
    assert!(incorrect_code(second));
    let status = app.services.accounts.two_factor().status(&ada).await.unwrap();
    assert_eq!(status.recovery_codes_left, 9);
}

async fn wrong_codes_count_against_the_sign_in_throttle(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let (secret, _) = app.enrol(&ada).await;
    let challenge = app.password_step().await;
    let wrong = wrong_code(&secret);

    // Five attempts on an account are let through (the default threshold), then it is locked.
    let mut results = Vec::new();
    for _ in 0..6 {
        results.push(app.second_step(&challenge, &wrong).await);
    }

    assert!(results[..5].iter().all(|r| matches!(r, Err(Error::Invalid { field: Field::Code, .. }))));
    assert!(matches!(results[5], Err(Error::TooManyAttempts { .. })));
    let locked = app.second_step(&challenge, &code(&secret, 1)).await;
    assert!(matches!(locked, Err(Error::TooManyAttempts { .. })), "a right code waits for the lock-out too");
}

async fn disabling_needs_the_password_or_a_code(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let (_, recovery) = app.enrol(&ada).await;
    let two_factor = app.services.accounts.two_factor();

    let wrong = two_factor.disable(&ada, "not the password", &client()).await;
    two_factor.disable(&ada, PASSWORD, &client()).await.unwrap();

    assert!(incorrect_code(wrong));
    let status = two_factor.status(&ada).await.unwrap();
    assert_eq!((status.enabled_at, status.recovery_codes_left), (None, 0));
    let signed_in = app.services.accounts.sign_in(&Actor::Anonymous, EMAIL, PASSWORD, &client()).await.unwrap();
    assert!(matches!(signed_in, SignIn::Done(..)));
    assert!(app.events(&ada).await.contains(&Event::TwoFactorDisabled.code().to_owned()));

    // On again, then off with a recovery code of the new enrolment (the old ones are gone).
    let (_, fresh) = app.enrol(&ada).await;
    assert!(incorrect_code(two_factor.disable(&ada, &recovery[0], &client()).await));
    two_factor.disable(&ada, &fresh[0], &client()).await.unwrap();
}

async fn recovery_codes_are_regenerated_with_a_current_code(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.user().await;
    let (secret, old) = app.enrol(&ada).await;
    let two_factor = app.services.accounts.two_factor();

    assert!(incorrect_code(two_factor.regenerate_recovery_codes(&ada, &code(&secret, 0), &client()).await), "replayed");
    let new = two_factor.regenerate_recovery_codes(&ada, &code(&secret, 1), &client()).await.unwrap();

    assert_eq!(new.expose().len(), 10);
    assert!(incorrect_code(app.second_step(&app.password_step().await, &old[0]).await));
    app.second_step(&app.password_step().await, &new.expose()[0]).await.unwrap();
}
