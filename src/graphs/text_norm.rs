//! Text normal forms: what "the same text" and "nearly the same text" compare.

use crate::dataset::interner::hash_bytes;
use crate::dataset::Dataset;

/// Each unique text's normal form as a 64-bit hash, or `NO_FORM` for texts whose normal form
/// is shorter than `min_chars` and for those `wanted` leaves out (indexed by text id): what
/// co-tweet pairs on. Hashes, not the forms themselves: a collection's texts are nearly all
/// distinct, and holding their forms cost as much memory as the texts (two distinct forms
/// sharing a hash: about n^2 / 2^65, 3 x 10^-4 at 10^8 texts).
pub fn normal_form_hashes(data: &Dataset, min_chars: usize, wanted: &[bool]) -> Vec<u64> {
    data.texts.par_map_init(String::new, |form, id, text| {
        form_hash(text, wanted[id as usize], min_chars, form).unwrap_or(NO_FORM)
    })
}

/// [`normal_form_hashes`] with `with` of each form's hash and the form itself (`None` where
/// that gives `NO_FORM`).
pub fn with_normal_forms<T: Send>(
    data: &Dataset,
    min_chars: usize,
    wanted: &[bool],
    with: impl Fn(u64, &str) -> T + Sync + Send,
) -> Vec<Option<T>> {
    data.texts.par_map_init(String::new, |form, id, text| {
        let hash = form_hash(text, wanted[id as usize], min_chars, form)?;
        Some(with(hash, form))
    })
}

/// The hash of `text`'s normal form, left in `form`, if it is `wanted` and long enough.
fn form_hash(text: &str, wanted: bool, min_chars: usize, form: &mut String) -> Option<u64> {
    if !wanted {
        return None;
    }
    normalize_into(text, form);
    (form.chars().count() >= min_chars.max(1)).then(|| hash_bytes(form.as_bytes()) & !NO_FORM_BIT)
}

/// A text whose normal form is too short to compare.
pub const NO_FORM: u64 = u64::MAX;
/// Cleared in every form's hash, so that no hash is `NO_FORM`.
const NO_FORM_BIT: u64 = 1 << 63;

/// The text two co-tweets must share: lowercased, without `RT @name:`, mentions and URLs,
/// with white space collapsed. Tools that post for many accounts vary exactly these parts.
pub fn normalize_for_cotweet(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// [`normalize_for_cotweet`] into `out`, emptied first.
fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    for word in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            // Most words: lowercased in place, a byte at a time (the same as `to_lowercase`
            // on ASCII, at a fraction of its cost per character).
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
        } else {
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
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

    #[test]
    fn ascii_words_lowercase_as_every_other_word() {
        let text = "RT @x: Ünïcode ÀND ASCII Mixed İstanbul ΣΟΦΙΑ straße ABC123 é-É";
        let by_char: Vec<String> = words(text)
            .map(|w| w.chars().flat_map(char::to_lowercase).collect())
            .collect();
        assert_eq!(normalize_for_cotweet(text), by_char.join(" "));
        assert_eq!(
            normalize_for_cotweet(text),
            "ünïcode ànd ascii mixed i\u{307}stanbul σοφια straße abc123 é-é"
        );
    }
}
