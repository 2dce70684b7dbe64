//! The assistant against a real database (a temp SQLite file, and a fresh PostgreSQL database at
//! TEST_DATABASE_URL) and a real local store, answered by the built-in provider.

use std::{io, time::Duration};

use bytes::Bytes;
use domain::{
    Actor, Error, Services,
    assistant::{AnswerEvent, AnswerStream, Speaker},
    entities::passage,
    error::{Field, Problem},
};
use futures_util::{StreamExt, stream};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::harness::{Backend, sign_up_member, spawn_services};

struct TestApp {
    services: Services,
    db: sea_orm::DatabaseConnection,
    _dir: tempfile::TempDir,
}

async fn spawn(backend: Backend, daily_messages: u32) -> TestApp {
    let daily_messages = daily_messages.to_string();
    let app = spawn_services(backend, &["--ai-daily-messages", &daily_messages]).await;
    TestApp { services: app.services, db: app.db, _dir: app.dir }
}

const HANDBOOK: &str = "Office handbook\n\n\
    Welcome to the team. This handbook explains how the office works day to day.\n\n\
    The office wifi network is called Heron and its password is BlueHeron42.\n\n\
    The kitchen is cleaned on Fridays. Please label the food you keep in the fridge.\n";

impl TestApp {
    async fn user(&self) -> Actor {
        sign_up_member(&self.services).await
    }

    /// Uploads `text` as `name` and runs its processing job, as the worker would.
    async fn upload(&self, actor: &Actor, name: &str, text: &str) -> Uuid {
        let body = stream::iter(vec![Ok::<_, io::Error>(Bytes::copy_from_slice(text.as_bytes()))]);
        let file = self.services.files.upload(actor, name, body).await.unwrap();
        self.services.files.process(file.id).await.unwrap();
        file.id
    }

    async fn passages_of(&self, file_id: Uuid) -> u64 {
        passage::Entity::find().filter(passage::Column::FileId.eq(file_id)).count(&self.db).await.unwrap()
    }

    async fn ask(&self, actor: &Actor, conversation: Option<Uuid>, question: &str) -> Vec<AnswerEvent> {
        let answer = self.services.assistant.ask(actor, conversation, question).await.unwrap();
        collect(answer).await
    }
}

async fn collect(answer: AnswerStream) -> Vec<AnswerEvent> {
    tokio::time::timeout(Duration::from_secs(20), answer.collect()).await.expect("the answer ends")
}

fn text_of(events: &[AnswerEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            AnswerEvent::Delta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn conversation_of(events: &[AnswerEvent]) -> Uuid {
    match &events[0] {
        AnswerEvent::Started { conversation, .. } => conversation.id,
        other => panic!("the first event is {other:?}"),
    }
}

fn refused<T>(result: Result<T, Error>) -> (Field, Problem) {
    match result {
        Err(Error::Invalid { field, problem }) => (field, problem),
        Err(other) => panic!("expected a refusal, got {other:?}"),
        Ok(_) => panic!("expected a refusal, got a success"),
    }
}

crate::on_both_databases!(
    multi_thread;
    a_question_about_a_file_is_answered_by_quoting_it_with_a_link,
    another_user_never_sees_anyone_elses_passages,
    a_deleted_file_loses_its_passages_and_is_no_longer_cited,
    processing_twice_stores_the_passages_once,
    reindexing_gives_files_processed_before_the_assistant_their_passages,
    the_daily_message_limit_refuses_the_next_question,
    questions_asked_at_once_never_pass_the_daily_limit,
    dropping_the_answer_stores_what_was_said_as_stopped,
    conversations_are_their_owners_to_list_rename_and_delete,
    questions_and_titles_are_validated,
);

async fn a_question_about_a_file_is_answered_by_quoting_it_with_a_link(backend: Backend) {
    let app = spawn(backend, 200).await;
    let ada = app.user().await;
    let file = app.upload(&ada, "handbook.txt", HANDBOOK).await;

    let events = app.ask(&ada, None, "What is the wifi password?").await;

    let link = format!("/files/{file}");
    assert!(
        matches!(&events[0], AnswerEvent::Started { conversation, .. } if conversation.title == "What is the wifi password?")
    );
    let AnswerEvent::Sources { sources } = &events[1] else { panic!("no sources second: {events:?}") };
    assert_eq!(sources[0].url, link);
    assert_eq!(sources[0].title, "handbook.txt");
    assert_eq!(sources[0].file_id, Some(file));
    assert!(events.len() > 4, "the answer streams in pieces: {events:?}");
    let answer = text_of(&events);
    assert!(answer.contains("its password is BlueHeron42."), "{answer}");
    assert!(answer.contains(&format!("[handbook.txt]({link})")), "{answer}");
    let AnswerEvent::Done { message_id, usage } = events.last().unwrap() else { panic!("not done: {events:?}") };
    assert_eq!((usage.messages, usage.messages_limit), (1, 200));
    assert!(usage.tokens > 0);

    let messages = app.services.assistant.messages(&ada, conversation_of(&events)).await.unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!((messages[0].speaker, messages[0].content.as_str()), (Speaker::User, "What is the wifi password?"));
    assert_eq!((messages[1].id, messages[1].speaker), (*message_id, Speaker::Assistant));
    assert_eq!(messages[1].content, answer);
    assert_eq!(messages[1].sources, *sources);
    assert!(!messages[1].stopped);
    assert_eq!(app.services.assistant.usage(&ada).await.unwrap(), *usage);
}

async fn another_user_never_sees_anyone_elses_passages(backend: Backend) {
    let app = spawn(backend, 200).await;
    let ada = app.user().await;
    let bob = app.user().await;
    let file = app.upload(&ada, "handbook.txt", HANDBOOK).await;
    // Bob's own index is built and cached before and after Ada's passages exist.
    app.ask(&bob, None, "What is the wifi password?").await;
    let theirs = app.ask(&ada, None, "What is the wifi password?").await;
    assert!(text_of(&theirs).contains("BlueHeron42"));

    let events = app.ask(&bob, None, "What is the wifi password?").await;

    let everything = format!("{events:?}");
    assert!(!everything.contains("BlueHeron42"), "{everything}");
    assert!(!everything.contains(&file.to_string()), "{everything}");
    assert!(!everything.contains("handbook.txt"), "{everything}");
    let AnswerEvent::Sources { sources } = &events[1] else { panic!("no sources second") };
    assert!(sources.iter().all(|s| s.file_id.is_none() && s.url.starts_with("/help/")), "{sources:?}");
    assert!(matches!(events.last(), Some(AnswerEvent::Done { .. })));
    assert!(matches!(app.services.assistant.messages(&bob, conversation_of(&theirs)).await, Err(Error::NotFound)));
}

async fn a_deleted_file_loses_its_passages_and_is_no_longer_cited(backend: Backend) {
    let app = spawn(backend, 200).await;
    let ada = app.user().await;
    let file = app.upload(&ada, "handbook.txt", HANDBOOK).await;
    assert!(app.passages_of(file).await > 0);
    // The index is built (and cached) while the file exists.
    assert!(text_of(&app.ask(&ada, None, "What is the wifi password?").await).contains("BlueHeron42"));

    app.services.files.delete(&ada, file).await.unwrap();

    assert_eq!(app.passages_of(file).await, 0);
    let events = app.ask(&ada, None, "What is the wifi password?").await;
    let everything = format!("{events:?}");
    assert!(!everything.contains("BlueHeron42") && !everything.contains(&file.to_string()), "{everything}");
}

async fn processing_twice_stores_the_passages_once(backend: Backend) {
    let app = spawn(backend, 200).await;
    let ada = app.user().await;
    let long = format!("{HANDBOOK}\n\n{}", "Another paragraph about nothing in particular. ".repeat(80));
    let file = app.upload(&ada, "long.txt", &long).await;
    let stored = app.passages_of(file).await;
    assert!(stored > 1, "{stored}");

    // As if the job ran again after a crash before it marked the file processed.
    domain::assistant::store_passages(&app.db, ada.user_id().unwrap(), file, &long).await.unwrap();
    app.services.files.process(file).await.unwrap();

    assert_eq!(app.passages_of(file).await, stored);
}

async fn reindexing_gives_files_processed_before_the_assistant_their_passages(backend: Backend) {
    let app = spawn(backend, 200).await;
    let ada = app.user().await;
    let file = app.upload(&ada, "handbook.txt", HANDBOOK).await;
    let stored = app.passages_of(file).await;
    // As an install upgraded from before the assistant: processed, but no passages.
    passage::Entity::delete_many().exec(&app.db).await.unwrap();
    assert!(!text_of(&app.ask(&ada, None, "What is the wifi password?").await).contains("BlueHeron42"));

    assert!(matches!(app.services.files.reindex_passages(&ada).await, Err(Error::Forbidden)));
    let (files, passages) = app.services.files.reindex_passages(&domain::Actor::System).await.unwrap();

    assert_eq!((files, passages as u64), (1, stored));
    assert!(text_of(&app.ask(&ada, None, "What is the wifi password?").await).contains("BlueHeron42"));
}

async fn the_daily_message_limit_refuses_the_next_question(backend: Backend) {
    let app = spawn(backend, 2).await;
    let ada = app.user().await;
    let first = app.ask(&ada, None, "What is the wifi password?").await;
    app.ask(&ada, Some(conversation_of(&first)), "And the kitchen?").await;

    let third = app.services.assistant.ask(&ada, None, "One more?").await;

    assert_eq!(refused(third), (Field::Question, Problem::DailyLimit));
    let usage = app.services.assistant.usage(&ada).await.unwrap();
    assert_eq!((usage.messages, usage.messages_limit), (2, 2));
    assert!(usage.tokens > 0);
    // Someone else's allowance is their own.
    let bob = app.user().await;
    assert!(matches!(app.ask(&bob, None, "Hello?").await.last(), Some(AnswerEvent::Done { .. })));
}

/// Finding 7 of issue 15: the limit was read, then spent in a separate statement, so questions
/// asked at once all saw room for one more. Now exactly the allowance is answered.
async fn questions_asked_at_once_never_pass_the_daily_limit(backend: Backend) {
    const LIMIT: u32 = 3;
    let app = spawn(backend, LIMIT).await;
    let ada = app.user().await;

    let asks: Vec<_> = (0..12)
        .map(|i| {
            let (assistant, ada) = (app.services.assistant.clone(), ada.clone());
            tokio::spawn(async move {
                match assistant.ask(&ada, None, &format!("Question number {i}?")).await {
                    Ok(answer) => Ok(collect(answer).await),
                    Err(err) => Err(err),
                }
            })
        })
        .collect();
    let mut answered = 0;
    for ask in asks {
        match ask.await.unwrap() {
            Ok(events) => {
                assert!(matches!(events.last(), Some(AnswerEvent::Done { .. })), "{events:?}");
                answered += 1;
            }
            Err(err) => assert_eq!(refused::<()>(Err(err)), (Field::Question, Problem::DailyLimit)),
        }
    }

    assert_eq!(answered, LIMIT, "exactly the daily allowance is answered");
    assert_eq!(app.services.assistant.usage(&ada).await.unwrap().messages, LIMIT);
    assert_eq!(app.services.assistant.conversations(&ada).await.unwrap().len(), LIMIT as usize);
}

async fn dropping_the_answer_stores_what_was_said_as_stopped(backend: Backend) {
    let app = spawn(backend, 200).await;
    let ada = app.user().await;
    app.upload(&ada, "handbook.txt", HANDBOOK).await;
    let mut answer = app.services.assistant.ask(&ada, None, "What is the wifi password?").await.unwrap();
    let mut conversation = None;
    let mut first = None;
    while let Some(event) = answer.next().await {
        match event {
            AnswerEvent::Started { conversation: c, .. } => conversation = Some(c.id),
            AnswerEvent::Delta { text } => {
                first = Some(text);
                break;
            }
            _ => {}
        }
    }
    let first = first.expect("a first piece");

    drop(answer);

    let conversation = conversation.unwrap();
    let stored = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let messages = app.services.assistant.messages(&ada, conversation).await.unwrap();
            if let Some(answer) = messages.into_iter().find(|m| m.speaker == Speaker::Assistant) {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the stopped answer is stored");
    assert!(stored.stopped);
    assert!(stored.content.starts_with(&first), "{:?} does not start with {first:?}", stored.content);
    assert!(!stored.content.contains("BlueHeron42"), "the whole answer was stored: {}", stored.content);
}

async fn conversations_are_their_owners_to_list_rename_and_delete(backend: Backend) {
    let app = spawn(backend, 200).await;
    let ada = app.user().await;
    let bob = app.user().await;
    let older = conversation_of(&app.ask(&ada, None, "First question").await);
    let newer = conversation_of(&app.ask(&ada, None, "Second question").await);

    let listed = app.services.assistant.conversations(&ada).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), vec![newer, older]);
    assert_eq!(listed[1].title, "First question");
    assert!(app.services.assistant.conversations(&bob).await.unwrap().is_empty());

    // Continuing the older one makes it the most recent.
    app.ask(&ada, Some(older), "A follow-up").await;
    let listed = app.services.assistant.conversations(&ada).await.unwrap();
    assert_eq!(listed[0].id, older);
    assert_eq!(app.services.assistant.messages(&ada, older).await.unwrap().len(), 4);

    assert!(matches!(app.services.assistant.rename(&bob, older, "Mine").await, Err(Error::NotFound)));
    assert!(matches!(app.services.assistant.delete(&bob, older).await, Err(Error::NotFound)));
    assert!(matches!(app.services.assistant.messages(&bob, older).await, Err(Error::NotFound)));
    assert!(matches!(app.services.assistant.ask(&bob, Some(older), "Hi").await, Err(Error::NotFound)));

    let renamed = app.services.assistant.rename(&ada, older, "  Planning  ").await.unwrap();
    assert_eq!(renamed.title, "Planning");
    app.services.assistant.delete(&ada, older).await.unwrap();
    let listed = app.services.assistant.conversations(&ada).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), vec![newer]);
    assert!(matches!(app.services.assistant.messages(&ada, older).await, Err(Error::NotFound)));
    assert!(matches!(app.services.assistant.conversations(&Actor::Anonymous).await, Err(Error::Unauthenticated)));
}

async fn questions_and_titles_are_validated(backend: Backend) {
    let app = spawn(backend, 200).await;
    let ada = app.user().await;
    let assistant = &app.services.assistant;
    assert_eq!(refused(assistant.ask(&ada, None, "  \n ").await), (Field::Question, Problem::Required));
    assert_eq!(refused(assistant.ask(&ada, None, &"é".repeat(4001)).await), (Field::Question, Problem::TooLong));
    let long = "why ".repeat(40);
    let conversation = conversation_of(&app.ask(&ada, None, &long).await);
    let title = &assistant.conversations(&ada).await.unwrap()[0].title;
    assert!(title.chars().count() <= 61 && title.ends_with('…'), "{title}");
    assert_eq!(refused(assistant.rename(&ada, conversation, " ").await), (Field::Title, Problem::Required));
    assert_eq!(refused(assistant.rename(&ada, conversation, &"t".repeat(121)).await), (Field::Title, Problem::TooLong));
    assert_eq!(assistant.rename(&ada, conversation, &"t".repeat(120)).await.unwrap().title.len(), 120);
    // Refused questions are neither stored nor counted.
    assert_eq!(assistant.usage(&ada).await.unwrap().messages, 1);
}
