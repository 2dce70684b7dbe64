//! The OpenAI-compatible provider against a local HTTP/1.1 server written byte by byte, so each
//! test decides exactly how the answer is cut into writes, when it stops and how it fails.

use std::{
    future::Future,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use domain::assistant::{
    AssistantConfig, Passage, Prompt, Provider, ProviderError, Source, Token, TokenStream, openai::OpenAiProvider,
};
use futures_util::StreamExt;
use secrecy::SecretString;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

const KEY: &str = "sk-test-key-123";

struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: serde_json::Value,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

struct Server {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    fn requests(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

/// Serves each connection's one request with `handler(index of the request, socket)`.
async fn spawn_server<F, Fut>(handler: F) -> Server
where
    F: Fn(usize, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (handler, log) = (handler.clone(), log.clone());
            tokio::spawn(async move {
                let Some(request) = read_request(&mut socket).await else {
                    return;
                };
                let index = {
                    let mut log = log.lock().unwrap();
                    log.push(request);
                    log.len() - 1
                };
                handler(index, socket).await;
            });
        }
    });
    Server { addr, received }
}

async fn read_request(socket: &mut TcpStream) -> Option<Received> {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8(bytes[..head_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers.iter().find(|(n, _)| n == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = bytes[head_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some(Received { path, headers, body: serde_json::from_slice(&body).unwrap() })
}

async fn reply(socket: &mut TcpStream, status: &str, extra_headers: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    );
    socket.write_all(response.as_bytes()).await.unwrap();
    socket.flush().await.unwrap();
}

async fn start_events(socket: &mut TcpStream) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\
                Cache-Control: no-cache\r\nConnection: close\r\n\r\n";
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.flush().await.unwrap();
}

/// One TCP write (one HTTP chunk), with a pause so the client reads it on its own.
async fn write_chunk(socket: &mut TcpStream, data: &str) {
    let chunk = format!("{:x}\r\n{data}\r\n", data.len());
    socket.write_all(chunk.as_bytes()).await.unwrap();
    socket.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
}

async fn end_chunks(socket: &mut TcpStream) {
    socket.write_all(b"0\r\n\r\n").await.unwrap();
    socket.flush().await.unwrap();
}

fn delta(text: &str) -> String {
    let json = serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "test-model",
        "choices": [{ "index": 0, "delta": { "content": text }, "finish_reason": null }],
    });
    format!("data: {json}\n\n")
}

const DONE: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
                    data: {\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":7,\"total_tokens\":49}}\n\n\
                    data: [DONE]\n\n";

fn config(addr: SocketAddr, path: &str, timeout: Duration) -> AssistantConfig {
    AssistantConfig {
        base_url: Some(format!("http://{addr}{path}").parse().unwrap()),
        model: "test-model".to_owned(),
        api_key: Some(SecretString::from(KEY)),
        timeout,
        daily_messages: 10,
        daily_tokens: 10_000,
    }
}

fn provider(addr: SocketAddr, timeout: Duration) -> OpenAiProvider {
    OpenAiProvider::new(&config(addr, "/v1", timeout)).unwrap().with_first_wait(Duration::from_millis(10))
}

fn prompt() -> Prompt {
    Prompt {
        history: vec![(true, "Hello".to_owned()), (false, "Hi, how can I help?".to_owned())],
        question: "How do I share a file?".to_owned(),
        passages: vec![Passage {
            source: Source {
                file_id: None,
                title: "Sharing files".to_owned(),
                url: "/help/sharing".to_owned(),
                snippet: "Files are shared…".to_owned(),
            },
            text: "Files are shared with the Share button on the file's page.".to_owned(),
        }],
        locale: "en".to_owned(),
    }
}

async fn collect(stream: TokenStream) -> Vec<Result<Token, ProviderError>> {
    tokio::time::timeout(Duration::from_secs(10), stream.collect()).await.expect("the stream ends")
}

fn text(token: &Result<Token, ProviderError>) -> &str {
    match token {
        Ok(Token::Text(text)) => text,
        other => panic!("expected text, got {other:?}"),
    }
}

#[tokio::test]
async fn a_streamed_answer_arrives_token_by_token_then_its_usage() {
    // Arrange: events cut in the middle, several in one write, a comment and a role-only delta.
    let server = spawn_server(|_, mut socket| async move {
        start_events(&mut socket).await;
        let lo = delta("lo");
        let (lo_start, lo_end) = lo.split_at(20);
        let role = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
        write_chunk(&mut socket, &format!(": keep-alive\n\n{role}{}{lo_start}", delta("Hel"))).await;
        write_chunk(&mut socket, &format!("{lo_end}{}{}", delta(" world"), delta(", see [1](/help/sharing)."))).await;
        let (done_start, done_end) = DONE.split_at(70);
        write_chunk(&mut socket, done_start).await;
        write_chunk(&mut socket, done_end).await;
        end_chunks(&mut socket).await;
    })
    .await;

    // Act
    let stream = provider(server.addr, Duration::from_secs(5)).answer(prompt()).await.unwrap();
    let tokens = collect(stream).await;

    // Assert
    let texts: Vec<&str> = tokens[..4].iter().map(text).collect();
    assert_eq!(texts, ["Hel", "lo", " world", ", see [1](/help/sharing)."]);
    assert!(matches!(tokens[4], Ok(Token::Usage { prompt: 42, completion: 7 })));
    assert_eq!(tokens.len(), 5);

    let received = server.received.lock().unwrap();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(request.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(request.body["model"], "test-model");
    assert_eq!(request.body["stream"], true);
    assert_eq!(request.body["stream_options"]["include_usage"], true);
    let messages = request.body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.contains("Files are shared with the Share button"));
    assert!(system.contains("[1] Sharing files\nURL: /help/sharing"));
    let roles: Vec<&str> = messages.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(messages[3]["content"], "How do I share a file?");
}

#[tokio::test]
async fn a_429_is_retried_and_the_next_attempt_answers() {
    let server = spawn_server(|index, mut socket| async move {
        if index == 0 {
            let body = r#"{"error":{"message":"Rate limit reached","type":"requests"}}"#;
            reply(&mut socket, "429 Too Many Requests", "Retry-After: 0\r\n", body).await;
        } else {
            start_events(&mut socket).await;
            write_chunk(&mut socket, &format!("{}{DONE}", delta("Answer"))).await;
            end_chunks(&mut socket).await;
        }
    })
    .await;
    // A base URL with a trailing slash reaches the same endpoint.
    let provider = OpenAiProvider::new(&config(server.addr, "/v1/", Duration::from_secs(5))).unwrap();

    let tokens = collect(provider.answer(prompt()).await.unwrap()).await;

    assert_eq!(text(&tokens[0]), "Answer");
    assert!(matches!(tokens[1], Ok(Token::Usage { .. })));
    assert_eq!(server.requests(), 2);
    let received = server.received.lock().unwrap();
    assert!(received.iter().all(|r| r.path == "/v1/chat/completions"));
}

#[tokio::test]
async fn three_503s_make_the_provider_unavailable() {
    let server = spawn_server(|_, mut socket| async move {
        reply(&mut socket, "503 Service Unavailable", "", r#"{"error":{"message":"overloaded"}}"#).await;
    })
    .await;

    let result = provider(server.addr, Duration::from_secs(5)).answer(prompt()).await;

    let Err(ProviderError::Unavailable(message)) = result else {
        panic!("expected Unavailable, got {:?}", result.map(|_| ()));
    };
    assert_eq!(server.requests(), 3);
    assert!(message.contains(&format!("http://{}/v1/chat/completions", server.addr)), "{message}");
    assert!(message.contains("503") && message.contains("overloaded"), "{message}");
    assert!(!message.contains(KEY));
}

#[tokio::test]
async fn a_401_is_refused_with_the_providers_message_and_not_retried() {
    let server = spawn_server(|_, mut socket| async move {
        let body = r#"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","code":"invalid_api_key"}}"#;
        reply(&mut socket, "401 Unauthorized", "", body).await;
    })
    .await;

    let result = provider(server.addr, Duration::from_secs(5)).answer(prompt()).await;

    let Err(ProviderError::Refused(message)) = result else {
        panic!("expected Refused, got {:?}", result.map(|_| ()));
    };
    assert!(message.contains("Incorrect API key provided."), "{message}");
    assert!(message.contains("/v1/chat/completions"), "{message}");
    assert!(!message.contains(KEY));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_connection_dropped_mid_answer_ends_the_stream_with_interrupted() {
    let server = spawn_server(|_, mut socket| async move {
        start_events(&mut socket).await;
        write_chunk(&mut socket, &delta("One")).await;
        write_chunk(&mut socket, &delta(" two")).await;
        drop(socket);
    })
    .await;

    let tokens = collect(provider(server.addr, Duration::from_secs(5)).answer(prompt()).await.unwrap()).await;

    assert_eq!(tokens.len(), 3, "{tokens:?}");
    assert_eq!(text(&tokens[0]), "One");
    assert_eq!(text(&tokens[1]), " two");
    assert!(matches!(&tokens[2], Err(ProviderError::Interrupted(_))), "{:?}", tokens[2]);
    assert_eq!(server.requests(), 1, "not retried once tokens were received");
}

#[tokio::test]
async fn a_body_that_ends_before_the_answer_is_complete_is_interrupted() {
    // No chunked framing: with `Connection: close` only the missing end-of-answer shows the cut.
    let server = spawn_server(|_, mut socket| async move {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
        socket.write_all(format!("{head}{}", delta("Half")).as_bytes()).await.unwrap();
    })
    .await;

    let tokens = collect(provider(server.addr, Duration::from_secs(5)).answer(prompt()).await.unwrap()).await;

    assert_eq!(text(&tokens[0]), "Half");
    assert!(matches!(&tokens[1], Err(ProviderError::Interrupted(_))), "{:?}", tokens[1]);
    assert_eq!(tokens.len(), 2);
}

#[tokio::test]
async fn a_malformed_chunk_ends_the_stream_with_interrupted() {
    let server = spawn_server(|_, mut socket| async move {
        start_events(&mut socket).await;
        write_chunk(&mut socket, &format!("{}data: {{not json\n\n{}", delta("Ok"), delta("never"))).await;
        end_chunks(&mut socket).await;
    })
    .await;

    let tokens = collect(provider(server.addr, Duration::from_secs(5)).answer(prompt()).await.unwrap()).await;

    assert_eq!(text(&tokens[0]), "Ok");
    assert!(matches!(&tokens[1], Err(ProviderError::Interrupted(_))), "{:?}", tokens[1]);
    assert_eq!(tokens.len(), 2);
}

#[tokio::test]
async fn a_provider_silent_mid_answer_is_interrupted_after_the_timeout() {
    let server = spawn_server(|_, mut socket| async move {
        start_events(&mut socket).await;
        write_chunk(&mut socket, &delta("Thinking")).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(socket);
    })
    .await;
    let started = Instant::now();

    let tokens = collect(provider(server.addr, Duration::from_millis(300)).answer(prompt()).await.unwrap()).await;

    assert_eq!(text(&tokens[0]), "Thinking");
    let Err(ProviderError::Interrupted(message)) = &tokens[1] else {
        panic!("expected Interrupted, got {:?}", tokens[1]);
    };
    assert!(message.contains("silent"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_provider_that_never_starts_answering_is_unavailable_after_the_timeout() {
    let server = spawn_server(|_, socket| async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(socket);
    })
    .await;
    let started = Instant::now();

    let result = provider(server.addr, Duration::from_millis(300)).answer(prompt()).await;

    assert!(matches!(result, Err(ProviderError::Unavailable(_))), "{:?}", result.map(|_| ()));
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(server.requests(), 1, "a silent provider is not asked again");
}

#[tokio::test]
async fn nothing_listening_is_unavailable_quickly() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let started = Instant::now();

    // The default waits between attempts, to show they stay short.
    let provider = OpenAiProvider::new(&config(addr, "/v1", Duration::from_secs(5))).unwrap();
    let result = provider.answer(prompt()).await;

    let Err(ProviderError::Unavailable(message)) = result else {
        panic!("expected Unavailable, got {:?}", result.map(|_| ()));
    };
    assert!(message.contains("could not connect") && message.contains(&addr.to_string()), "{message}");
    assert!(!message.contains(KEY));
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    let closed_tx = Arc::new(Mutex::new(Some(closed_tx)));
    let server = spawn_server(move |_, mut socket| {
        let closed_tx = closed_tx.clone();
        async move {
            start_events(&mut socket).await;
            write_chunk(&mut socket, &delta("First")).await;
            // Keep the answer open; the client's going away shows as EOF or a reset.
            let mut buf = [0u8; 64];
            loop {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            if let Some(tx) = closed_tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
        }
    })
    .await;
    let provider = provider(server.addr, Duration::from_secs(30));
    let mut stream = provider.answer(prompt()).await.unwrap();
    assert_eq!(text(&stream.next().await.unwrap()), "First");

    drop(stream);

    tokio::time::timeout(Duration::from_secs(2), closed_rx)
        .await
        .expect("the server saw the connection close")
        .unwrap();
}

#[tokio::test]
async fn a_server_that_ignores_stream_true_still_answers() {
    let server = spawn_server(|_, mut socket| async move {
        let body = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"Whole answer"}}]}"#;
        reply(&mut socket, "200 OK", "", body).await;
    })
    .await;

    let tokens = collect(provider(server.addr, Duration::from_secs(5)).answer(prompt()).await.unwrap()).await;

    assert_eq!(text(&tokens[0]), "Whole answer");
    // No usage reported: estimated at about four characters a token.
    assert!(matches!(tokens[1], Ok(Token::Usage { prompt, completion: 3 }) if prompt > 0));
}
