//! Text normal forms: what "the same text" and "nearly the same text" compare.

use crate::dataset::{Dataset, Interner, NO_TEXT};
use rayon::prelude::*;

/// Each unique text's normal form as an id into the returned interner, or `NO_TEXT` for
/// texts whose normal form is shorter than `min_chars` (short texts are no evidence).
pub fn normal_forms(data: &Dataset, min_chars: usize) -> (Interner, Vec<u32>) {
    let normalized: Vec<String> = (0..data.texts.len() as u32)
        .into_par_iter()
        .map(|t| normalize_for_cotweet(data.texts.get(t)))
        .collect();
    let mut forms = Interner::new();
    let form_of = normalized
        .iter()
        .map(|s| {
            if s.chars().count() < min_chars.max(1) {
                NO_TEXT
            } else {
                forms.intern(s)
            }
        })
        .collect();
    (forms, form_of)
}

/// The text two co-tweets must share: lowercased, without `RT @name:`, mentions and URLs,
/// with white space collapsed. Tools that post for many accounts vary exactly these parts.
pub fn normalize_for_cotweet(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The words of `text` that carry its message: no `RT` marker, mentions or URLs.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    let text = strip_retweet_prefix(text);
    text.split_whitespace().filter(|w| {
        !(w.starts_with('@') || w.starts_with("http://") || w.starts_with("https://") || *w == "RT")
    })
}

fn strip_retweet_prefix(text: &str) -> &str {
    let t = text.trim_start();
    match t.strip_prefix("RT @") {
        Some(rest) => match rest.find(':') {
            Some(i) if !rest[..i].contains(char::is_whitespace) => &rest[i + 1..],
            _ => t,
        },
        None => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cotweet_form_ignores_what_bots_vary() {
        let a = normalize_for_cotweet("RT @bot1: Vote  NO on #Prop7 https://t.co/abc @friend");
        let b = normalize_for_cotweet("vote no on #prop7 https://t.co/xyz");
        assert_eq!(a, "vote no on #prop7");
        assert_eq!(a, b);
        assert_eq!(normalize_for_cotweet("   "), "");
    }
}
