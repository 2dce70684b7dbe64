//! The assistant's RPC door: the answer streams as JSON lines, live (not compressed, not held
//! back), and closing the request stops the answer, which is then stored as stopped.

use std::time::Duration;

use reqwest::{Client, StatusCode, header};
use serde_json::Value;

use crate::helpers::{Backend, TestApp, browser, spawn_app, unique_email};

crate::on_both_databases!(
    the_answer_streams_as_uncompressed_json_lines,
    closing_the_request_stops_and_keeps_the_answer,
    a_refused_question_is_an_ordinary_error,
);

/// A signed-in program with one processed text file holding `text`.
async fn user_with_document(app: &TestApp, text: &str) -> Client {
    let client = browser();
    assert_eq!(app.sign_up_with(&client, &unique_email()).await.status(), 200);
    let response = app.upload_with(&client, "zephyr.txt", text.as_bytes()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    // The in-process worker splits the file into passages, then notifies.
    for _ in 0..100 {
        if app.me_with(&client).await["unread_notifications"] == 1 {
            return client;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the upload was not processed");
}

fn ask(app: &TestApp, client: &Client, question: &str) -> reqwest::RequestBuilder {
    client
        .post(app.url("/rpc/assistant/ask"))
        .header(header::ACCEPT, "application/json")
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .form(&[("question", question)])
}

fn lines(body: &str) -> Vec<Value> {
    body.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
}

async fn the_answer_streams_as_uncompressed_json_lines(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = user_with_document(&app, "Notes.\n\nThe Zephyr project launch code is TANGERINE-42.\n").await;

    let response = ask(&app, &ada, "What is the Zephyr launch code?").send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "application/x-ndjson");
    assert!(headers.get(header::CONTENT_ENCODING).is_none(), "a live stream is not compressed: {headers:?}");
    assert_eq!(headers["x-accel-buffering"], "no");
    let events = lines(&response.text().await.unwrap());
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"started"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"done"), "{kinds:?}");
    assert!(kinds.iter().filter(|k| **k == "delta").count() > 1, "the answer comes in pieces: {kinds:?}");
    let text: String = events.iter().filter_map(|e| e["text"].as_str()).collect();
    assert!(text.contains("TANGERINE-42"), "{text}");
    let sources = &events.iter().find(|e| e["type"] == "sources").unwrap()["sources"];
    let urls: Vec<&str> = sources.as_array().unwrap().iter().filter_map(|s| s["url"].as_str()).collect();
    assert!(urls.iter().any(|url| url.starts_with("/files/")), "{sources}");
}

async fn closing_the_request_stops_and_keeps_the_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    // A long matching sentence makes a long answer, which streams for a while.
    let sentence = format!("The Zephyr launch {}.", "code words keep coming in this long sentence".repeat(30));
    let ada = user_with_document(&app, &format!("Notes.\n\n{sentence}\n")).await;

    let mut response = ask(&app, &ada, "Zephyr launch code words?").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut received = String::new();
    while !received.contains("\"delta\"") {
        let chunk = response.chunk().await.unwrap().expect("the answer started");
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    let started: Value = serde_json::from_str(received.lines().next().unwrap()).unwrap();
    let conversation = started["conversation"]["id"].as_str().unwrap().to_owned();
    drop(response);

    // The server notices the closed connection, drops the answer, and the domain stores it.
    let url = app.url(&format!("/rpc/assistant/messages?id={conversation}"));
    let mut messages = Value::Null;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        messages = ada.get(&url).header(header::ACCEPT, "application/json").send().await.unwrap().json().await.unwrap();
        if messages.as_array().is_some_and(|m| m.len() == 2) {
            break;
        }
    }
    let answer = &messages[1];
    assert_eq!(answer["from_user"], false, "{messages}");
    assert_eq!(answer["stopped"], true, "{messages}");
    assert!(!answer["content"].as_str().unwrap().is_empty(), "what arrived is kept: {answer}");
}

async fn a_refused_question_is_an_ordinary_error(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = browser();
    assert_eq!(app.sign_up_with(&ada, &unique_email()).await.status(), 200);

    // Without `Accept-Encoding`: the error is an ordinary (compressible) JSON answer.
    let response = app.rpc_with(&ada, "assistant/ask", &[("question", "   ")]).await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("invalid"), Some("question")), "{body}");
    let visitor = ask(&app, &browser(), "Anything?").send().await.unwrap();
    assert_eq!(visitor.status(), StatusCode::UNAUTHORIZED);
}
