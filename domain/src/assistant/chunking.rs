//! Cutting a document's text into passages the size of an answer's evidence: long enough to hold
//! a fact with its context, short enough that the best passage is about the question and not
//! about everything else on the page.
//!
//! Cuts fall on the strongest boundary available (a blank line, then a sentence's end, then a
//! space), never inside a character. After a cut inside a paragraph the next passage repeats the
//! last sentence (when short), so a fact split across the cut is still whole in one passage.

use std::ops::Range;

/// A passage is at least this long (in characters) unless the text, or what is left of it, is
/// shorter, or it has no word boundary to cut at in range.
pub const MIN_CHARS: usize = 500;
/// A passage is never longer than this (in characters).
pub const MAX_CHARS: usize = 1200;
/// The most a passage repeats of the one before it.
pub const OVERLAP_CHARS: usize = 200;

/// The passages of `text`, in order, trimmed; whitespace-only text has none.
pub fn passages(text: &str) -> Vec<String> {
    spans(text).into_iter().map(|span| text[span].to_owned()).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    Word,
    Sentence,
    Paragraph,
}

/// Where a run of whitespace starts after some text: a place to cut.
#[derive(Debug, Clone, Copy)]
struct Cut {
    /// Byte offset of the whitespace.
    at: usize,
    /// Characters from the passage's start to `at`.
    chars: usize,
    strength: Strength,
}

/// The byte ranges of the passages; each starts and ends on a non-whitespace character.
fn spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = skip_whitespace(text, 0);
    while start < text.len() {
        let (cuts, end_of_text) = cuts_within(text, start);
        let Some(end) = end_of_text else {
            let chosen = choose(&cuts, text, start);
            spans.push(start..chosen.at);
            start = skip_whitespace(text, next_start(&cuts, chosen, start));
            continue;
        };
        spans.push(start..trim_end(text, start, end));
        break;
    }
    spans
}

/// The cuts in the `MAX_CHARS` characters after `start`, and the end of the (trimmed) text
/// when it comes within them.
fn cuts_within(text: &str, start: usize) -> (Vec<Cut>, Option<usize>) {
    let mut cuts = Vec::new();
    let mut chars = 0;
    let mut previous: Option<char> = None;
    let mut iter = text[start..].char_indices().peekable();
    while let Some((offset, c)) = iter.next() {
        if chars > MAX_CHARS {
            return (cuts, None);
        }
        if c.is_whitespace() && previous.is_some_and(|p| !p.is_whitespace()) {
            // Classify the whole run of whitespace at once; the loop resumes after it.
            let mut newlines = usize::from(c == '\n');
            let mut run_chars = 1;
            while let Some(&(_, next)) = iter.peek() {
                if !next.is_whitespace() {
                    break;
                }
                newlines += usize::from(next == '\n');
                run_chars += 1;
                iter.next();
            }
            let strength = if newlines >= 2 {
                Strength::Paragraph
            } else if newlines == 1 || previous.is_some_and(ends_sentence) {
                Strength::Sentence
            } else {
                Strength::Word
            };
            cuts.push(Cut { at: start + offset, chars, strength });
            chars += run_chars;
            previous = Some(' ');
            continue;
        }
        chars += 1;
        previous = Some(c);
    }
    if chars > MAX_CHARS { (cuts, None) } else { (cuts, Some(text.len())) }
}

fn ends_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？' | '؟' | ':' | ';')
}

/// The strongest cut at or past `MIN_CHARS` (the latest of equals, for fuller passages); else the
/// latest cut before; else a hard cut at `MAX_CHARS` characters (a word longer than a passage).
fn choose(cuts: &[Cut], text: &str, start: usize) -> Cut {
    let in_range = cuts.iter().filter(|c| c.chars >= MIN_CHARS && c.chars <= MAX_CHARS);
    if let Some(best) = in_range.max_by_key(|c| (c.strength, c.at)) {
        return *best;
    }
    if let Some(last) = cuts.iter().rfind(|c| c.chars <= MAX_CHARS) {
        return *last;
    }
    let at = text[start..].char_indices().nth(MAX_CHARS).map_or(text.len(), |(i, _)| start + i);
    Cut { at, chars: MAX_CHARS, strength: Strength::Word }
}

/// Where the passage after `chosen` starts: at its last short sentence when the cut was inside a
/// paragraph (the overlap), else right after the cut.
fn next_start(cuts: &[Cut], chosen: Cut, start: usize) -> usize {
    if chosen.strength == Strength::Paragraph {
        return chosen.at;
    }
    cuts.iter()
        .filter(|c| c.at < chosen.at && c.at > start && c.strength >= Strength::Sentence)
        .filter(|c| chosen.chars - c.chars <= OVERLAP_CHARS)
        .map(|c| c.at)
        .max()
        .unwrap_or(chosen.at)
}

fn skip_whitespace(text: &str, from: usize) -> usize {
    text[from..].char_indices().find(|(_, c)| !c.is_whitespace()).map_or(text.len(), |(i, _)| from + i)
}

fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end().len()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn chars(s: &str) -> usize {
        s.chars().count()
    }

    fn prose(sentences: usize) -> String {
        (0..sentences)
            .map(|i| format!("Sentence number {i} says something about topic {} in plain words.", i % 7))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn short_text_is_one_passage_and_blank_text_none() {
        assert_eq!(passages("  Budget: 42 euros.\n"), vec!["Budget: 42 euros.".to_owned()]);
        assert!(passages(" \n\t \n").is_empty());
        assert!(passages("").is_empty());
    }

    #[test]
    fn paragraphs_are_kept_whole_when_they_fit() {
        let first = prose(9);
        let second = prose(12);
        let text = format!("{first}\n\n{second}\n\n{}", prose(3));
        let cut = passages(&text);
        assert_eq!(cut[0], first, "the first cut falls on the first blank line past the minimum");
        assert!(cut.iter().all(|p| chars(p) <= MAX_CHARS));
    }

    #[test]
    fn long_paragraphs_are_cut_at_sentences_with_a_little_overlap() {
        let text = prose(60);
        let cut = passages(&text);
        assert!(cut.len() > 2);
        for pair in cut.windows(2) {
            assert!(pair[0].ends_with('.'), "cut mid-sentence: {:?}", &pair[0][pair[0].len() - 20..]);
            let last_sentence = pair[0].rsplit(". ").next().unwrap();
            assert!(pair[1].starts_with(last_sentence), "no overlap between {pair:?}");
        }
        for passage in &cut[..cut.len() - 1] {
            assert!((MIN_CHARS..=MAX_CHARS).contains(&chars(passage)), "{} chars", chars(passage));
        }
    }

    #[test]
    fn a_word_longer_than_a_passage_is_cut_on_a_character_boundary() {
        let text = "é".repeat(3000);
        let cut = passages(&text);
        assert_eq!(cut.iter().map(|p| chars(p)).collect::<Vec<_>>(), vec![1200, 1200, 600]);
    }

    #[test]
    fn arabic_and_cjk_sentences_are_boundaries_too() {
        let text = "هذه جملة عربية طويلة بعض الشيء عن الميزانية؟ ".repeat(60);
        let cut = passages(&text);
        assert!(cut.len() > 1);
        assert!(cut.iter().all(|p| p.ends_with('؟') && chars(p) <= MAX_CHARS));
    }

    fn covered(text: &str, spans: &[Range<usize>]) -> bool {
        text.char_indices().filter(|(_, c)| !c.is_whitespace()).all(|(i, _)| spans.iter().any(|s| s.contains(&i)))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn no_text_is_lost_and_every_passage_is_within_bounds(
            text in proptest::collection::vec(
                prop_oneof![
                    "[a-zA-Z0-9]{1,12}",
                    "[ ]{1,3}",
                    Just(". ".to_owned()),
                    Just("\n".to_owned()),
                    Just("\n\n".to_owned()),
                    "[éßü日本語ع]{1,5}",
                    "[a-z]{1,1500}",
                ],
                0..120,
            ).prop_map(|parts| parts.concat())
        ) {
            let spans = spans(&text);
            prop_assert!(covered(&text, &spans));
            for span in &spans {
                let passage = &text[span.clone()];
                prop_assert!(!passage.trim().is_empty());
                prop_assert_eq!(passage, passage.trim());
                prop_assert!(chars(passage) <= MAX_CHARS, "{} chars", chars(passage));
            }
            for pair in spans.windows(2) {
                prop_assert!(pair[1].start > pair[0].start, "no progress");
            }
        }
    }
}
