//! The provider that needs no model and no network: it answers by quoting the sentences of the
//! best passages that match the question best, each with a link to its document, and says so
//! plainly (in the user's language) when nothing matches.

use std::{collections::HashSet, time::Duration};

use futures_util::{FutureExt, StreamExt, future::BoxFuture, stream};

use super::{
    Prompt, Provider, ProviderError, Token, TokenStream,
    provider::Passage,
    retrieval::{self},
};
use crate::mail::text;

/// Passages quoted at most.
const QUOTED_PASSAGES: usize = 3;
/// Sentences quoted of one passage at most.
const SENTENCES_PER_PASSAGE: usize = 2;
/// A quoted sentence longer than this (in characters) is shortened.
const SENTENCE_CHARS: usize = 400;
/// Words per streamed piece.
const WORDS_PER_PIECE: usize = 4;

pub struct Builtin {
    /// The pause between two pieces: the answer is ready at once, but arriving in pieces lets
    /// the interface (and its stop button) behave as with a real model.
    pace: Duration,
}

impl Default for Builtin {
    fn default() -> Self {
        Self { pace: Duration::from_millis(15) }
    }
}

impl Provider for Builtin {
    fn name(&self) -> &'static str {
        "builtin"
    }

    fn answer(&self, prompt: Prompt) -> BoxFuture<'_, Result<TokenStream, ProviderError>> {
        let pace = self.pace;
        async move {
            let answer = compose(&prompt);
            let read: usize = prompt.history.iter().map(|(_, t)| t.len()).sum::<usize>()
                + prompt.question.len()
                + prompt.passages.iter().map(|p| p.text.len()).sum::<usize>();
            let usage = Token::Usage { prompt: estimate_tokens(read), completion: estimate_tokens(answer.len()) };
            let pieces = pieces(&answer, WORDS_PER_PIECE);
            let tokens = stream::iter(pieces)
                .then(move |piece| async move {
                    tokio::time::sleep(pace).await;
                    Ok(Token::Text(piece))
                })
                .chain(stream::once(async move { Ok(usage) }));
            Ok(tokens.boxed())
        }
        .boxed()
    }
}

/// Tokens for `bytes` of text, the way models count them roughly (four characters a token).
pub fn estimate_tokens(bytes: usize) -> u64 {
    (bytes as u64).div_ceil(4)
}

/// The answer's Markdown.
fn compose(prompt: &Prompt) -> String {
    let wanted: HashSet<String> = retrieval::terms(&prompt.question).into_iter().collect();
    let mut quotes: Vec<(usize, String, &Passage)> = Vec::new();
    for passage in &prompt.passages {
        if quotes.len() == QUOTED_PASSAGES {
            break;
        }
        let Some((score, quote)) = best_sentences(&passage.text, &wanted) else { continue };
        // A passage matching far fewer of the question's words than the best is a tangent.
        if quotes.first().is_some_and(|(best, _, _)| score * 2 < *best) {
            continue;
        }
        quotes.push((score, quote, passage));
    }
    let say = |key: &str| text(&prompt.locale, key).unwrap_or_default();
    if quotes.is_empty() {
        return say("assistant-nothing-found");
    }
    let mut answer = say("assistant-found");
    for (_, quote, passage) in quotes {
        let title = passage.source.title.replace('[', "\\[").replace(']', "\\]");
        answer.push_str(&format!("\n\n> {quote}\n\n{} [{title}]({})", say("assistant-source"), passage.source.url));
    }
    answer
}

/// The sentences of `text` sharing most words with the question, in their order, and how many
/// distinct question words they hold; `None` when no sentence shares any.
fn best_sentences(text: &str, wanted: &HashSet<String>) -> Option<(usize, String)> {
    let sentences = sentences(text);
    let mut scored: Vec<(usize, usize)> = sentences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let found: HashSet<String> = retrieval::terms(s).into_iter().filter(|t| wanted.contains(t)).collect();
            (found.len(), i)
        })
        .filter(|(score, _)| *score > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let best = scored.first()?.0;
    let mut chosen: Vec<usize> = scored.iter().take(SENTENCES_PER_PASSAGE).map(|(_, i)| *i).collect();
    chosen.sort_unstable();
    let quote = chosen.into_iter().map(|i| shorten(sentences[i], SENTENCE_CHARS)).collect::<Vec<_>>().join(" ");
    Some((best, quote))
}

/// Sentences and lines (Markdown headings and list items are lines), without their markers.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_start().trim_start_matches(['#', '>', '-', '*', '+']).trim();
        let mut start = 0;
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let at_end = chars.peek().is_none_or(|(_, next)| next.is_whitespace());
            if matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？' | '؟') && at_end {
                let end = i + c.len_utf8();
                out.push(line[start..end].trim());
                start = end;
            }
        }
        out.push(line[start..].trim());
    }
    out.retain(|s| !s.is_empty());
    out
}

fn shorten(sentence: &str, limit: usize) -> String {
    if sentence.chars().count() <= limit {
        return sentence.to_owned();
    }
    let cut: String = sentence.chars().take(limit).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// `text` in pieces of `words` words each (with their spacing), for streaming.
fn pieces(text: &str, words: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut count = 0;
    for part in text.split_inclusive(char::is_whitespace) {
        piece.push_str(part);
        if !part.trim().is_empty() {
            count += 1;
        }
        if count == words {
            pieces.push(std::mem::take(&mut piece));
            count = 0;
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::assistant::Source;

    fn passage(title: &str, text: &str) -> Passage {
        let id = Uuid::now_v7();
        Passage {
            source: Source {
                file_id: Some(id),
                title: title.into(),
                url: format!("/files/{id}"),
                snippet: String::new(),
            },
            text: text.into(),
        }
    }

    fn prompt(question: &str, passages: Vec<Passage>, locale: &str) -> Prompt {
        Prompt { history: Vec::new(), question: question.into(), passages, locale: locale.into() }
    }

    #[test]
    fn quotes_the_matching_sentence_with_a_link() {
        let p = passage(
            "minutes [draft].txt",
            "The meeting opened at nine. The marketing budget for 2027 is 42,000 euros. Lunch was served.",
        );
        let url = p.source.url.clone();
        let answer = compose(&prompt("What is the marketing budget?", vec![p], "en"));
        assert!(answer.starts_with("Here is what I found:"), "{answer}");
        assert!(answer.contains("> The marketing budget for 2027 is 42,000 euros."), "{answer}");
        assert!(!answer.contains("Lunch"), "{answer}");
        assert!(answer.contains(&format!("[minutes \\[draft\\].txt]({url})")), "{answer}");
    }

    #[test]
    fn says_so_in_the_users_language_when_nothing_matches() {
        let p = passage("a.txt", "Nothing relevant here.");
        let english = compose(&prompt("Who won the 1998 world cup?", vec![p.clone()], "en"));
        let german = compose(&prompt("Who won the 1998 world cup?", vec![p], "de"));
        assert!(english.starts_with("I could not find anything"), "{english}");
        assert!(german.starts_with("Dazu habe ich"), "{german}");
        assert!(!german.contains("a.txt"));
    }

    #[test]
    fn weak_tangents_are_left_out() {
        let strong = passage("budget.txt", "The marketing budget for 2027 is 42,000 euros.");
        let weak = passage("misc.txt", "Marketing met on Tuesday.");
        let answer = compose(&prompt("marketing budget 2027 euros", vec![strong, weak], "en"));
        assert!(!answer.contains("misc.txt"), "{answer}");
    }

    #[test]
    fn pieces_rebuild_the_text() {
        let text = "Here is what I found:\n\n> one two three four five six seven.";
        let parts = pieces(text, 4);
        assert!(parts.len() > 2);
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn sentences_drop_markdown_markers() {
        assert_eq!(
            sentences("# Title\n- First item. Second one!\nPlain"),
            vec!["Title", "First item.", "Second one!", "Plain"]
        );
    }

    #[tokio::test]
    async fn streams_pieces_then_usage() {
        let builtin = Builtin { pace: Duration::ZERO };
        let p = passage("budget.txt", "The marketing budget for 2027 is 42,000 euros.");
        let tokens: Vec<_> =
            builtin.answer(prompt("marketing budget", vec![p], "en")).await.unwrap().collect::<Vec<_>>().await;
        let Some(Ok(Token::Usage { prompt, completion })) = tokens.last() else { panic!("no usage at the end") };
        assert!(*prompt > 0 && *completion > 0);
        let text: String = tokens
            .iter()
            .filter_map(|t| match t {
                Ok(Token::Text(s)) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        assert!(text.contains("42,000 euros"));
        assert!(tokens.len() > 3);
    }
}
