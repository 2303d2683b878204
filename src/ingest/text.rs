//! What a tweet's text tells when the format gives no entities: hashtags, mentions, URLs and
//! the `RT @name:` prefix; and the URL normal form that co-URL graphs compare.
//!
//! A text cut short ends in `…` (retweets past 140 characters in the IRA release and in v1.1's
//! `text`): a tag, name or link running into it is a fragment (`#T…` of `#Trump`), another item
//! that would tie unrelated accounts, so it is left out.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The mark a cut-short text ends with.
const CUT: char = '…';

/// A character a hashtag or a word goes on through: letters, digits and `_`, and as in
/// twitter-text the combining marks (Devanagari's vowel signs and virama, Thai's tone marks,
/// a decomposed accent) and the zero-width (non-)joiners Persian and Indic scripts write
/// inside words. Without them `#मस्जिद` and `#मस्ती` were both `#मस`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric()
        || c == '_'
        || (!c.is_ascii() && (is_combining_mark(c) || c == '\u{200C}' || c == '\u{200D}'))
}

/// Whether `c` may stand right before a hashtag's sign: anything but a word character or `&`
/// (`&#39;` is an entity), except the emoji presentation selectors, which end an emoji rather
/// than a word (`❤️#love` is a tag, as twitter-text has it).
fn may_precede_tag(c: Option<char>) -> bool {
    match c {
        Some('\u{FE0E}' | '\u{FE0F}') | None => true,
        Some(p) => !(is_word(p) || p == '&'),
    }
}

/// Whether what follows a sign is a tag: not a keycap (`#️⃣`: the sign, the emoji selector and
/// the enclosing keycap), and with a letter or mark in it (`#1`, `#2016` and `#_` are not
/// hashtags on Twitter).
fn is_tag(tag: &str) -> bool {
    !tag.starts_with(['\u{FE0F}', '\u{20E3}'])
        && tag
            .chars()
            .any(|c| c.is_alphabetic() || is_combining_mark(c))
}

/// A hashtag as items are keyed: without its `#` or `＃`, in composed form (NFC, so a
/// decomposed `Café` is `café`) and lowercased.
pub fn hashtag_key(tag: &str) -> String {
    let tag = tag.trim_start_matches(['#', '＃']);
    let mut key = String::with_capacity(tag.len());
    hashtag_key_into(tag, &mut key);
    key
}

/// [`hashtag_key`] of a tag without its sign, into `buf`.
fn hashtag_key_into(tag: &str, buf: &mut String) {
    if tag.is_ascii() {
        buf.push_str(tag);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(tag.nfc().flat_map(char::to_lowercase));
    }
}

/// Hashtags in `text` (`#\w+`, Unicode, not inside a word), lowercased. Only the bytes that
/// may start a `#` or a fullwidth `＃` are visited (`memchr2`); walking every character of
/// every text was a tenth of reading a CSV whose hashtags come from the text.
pub fn hashtags(text: &str, mut f: impl FnMut(&str)) {
    const FULLWIDTH: &[u8] = "＃".as_bytes();
    let b = text.as_bytes();
    let mut buf = String::new();
    let mut from = 0;
    while let Some(found) = memchr::memchr2(b'#', FULLWIDTH[0], &b[from..]) {
        let i = from + found;
        let sign = match b[i] {
            b'#' => 1,
            _ if b[i..].starts_with(FULLWIDTH) => FULLWIDTH.len(),
            _ => {
                from = i + 1;
                continue;
            }
        };
        from = i + sign;
        if !may_precede_tag(text[..i].chars().next_back()) {
            continue;
        }
        let rest = &text[from..];
        let len = (rest.char_indices())
            .find(|&(_, d)| !is_word(d))
            .map_or(rest.len(), |(j, _)| j);
        let tag = &rest[..len];
        from += len;
        if !is_tag(tag) || rest[len..].starts_with(CUT) {
            continue;
        }
        buf.clear();
        hashtag_key_into(tag, &mut buf);
        f(&buf);
    }
}

/// Screen names mentioned in `text` (`@name`, 1 to 15 of `[A-Za-z0-9_]`), as written.
pub fn mentions(text: &str, mut f: impl FnMut(&str)) {
    let b = text.as_bytes();
    for (i, _) in text.match_indices('@') {
        if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
            continue;
        }
        let len = b[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        if (1..=15).contains(&len) && !text[i + 1 + len..].starts_with(CUT) {
            f(&text[i + 1..i + 1 + len]);
        }
    }
}

/// URLs in `text` (`http://` or `https://` up to white space), trailing punctuation removed.
pub fn urls(text: &str, mut f: impl FnMut(&str)) {
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let cand = &rest[i..];
        if !(cand.starts_with("http://") || cand.starts_with("https://")) {
            rest = &rest[i + 4..];
            continue;
        }
        let end = cand.find(|c: char| c.is_whitespace()).unwrap_or(cand.len());
        let url = cand[..end].trim_end_matches(['.', ',', ')', '"', '\'', '!', '?', ';', ':']);
        if url.len() > "https://".len() && !url.ends_with(CUT) && has_a_host(url) {
            f(url);
        }
        rest = &cand[end..];
    }
}

/// Whether a link names a host: a name ending in a top-level domain, which is never a single
/// letter, or an IPv4 address. A text cut short without `…` (the IRA release's `content` at
/// its length) leaves fragments such as `https://open.s` or `https://youNas`.
fn has_a_host(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |x| x.1);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |x| x.0);
    let Some((_, last)) = host.rsplit_once('.') else {
        return false;
    };
    let number = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let ipv4 = host.split('.').count() == 4 && host.split('.').all(number);
    ipv4 || (last.chars().count() >= 2 && !number(last))
}

/// The retweeted screen name in a text that starts `RT @name:`.
pub fn retweeted_name(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("RT @")?;
    let len = rest
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
        .count();
    (len > 0 && rest[len..].starts_with(':')).then(|| &rest[..len])
}

/// The form in which two links to the same page compare equal: no scheme, lowercase host
/// without `www.` or default port, no fragment, no tracking parameters, no trailing slash.
pub fn normalize_url(url: &str) -> String {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("HTTPS://"))
        .or_else(|| url.strip_prefix("HTTP://"))
        .unwrap_or(url);
    let rest = rest.split('#').next().unwrap_or("");
    let (host, path) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = host.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let host = host
        .strip_suffix(":80")
        .or_else(|| host.strip_suffix(":443"))
        .unwrap_or(host);
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut out = String::with_capacity(url.len());
    out.push_str(host);
    out.push_str(path.trim_end_matches('/'));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !is_tracking_param(p))
        .collect();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    out
}

fn is_tracking_param(p: &str) -> bool {
    let name = p.split('=').next().unwrap_or("").to_ascii_lowercase();
    name.starts_with("utm_")
        || matches!(
            name.as_str(),
            "fbclid" | "gclid" | "igshid" | "ref_src" | "s" | "ref"
        )
}

/// The host of a normalized URL (its "domain"); a scheme or `www.` left on it is skipped.
pub fn domain(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |x| x.1);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.strip_prefix("www.").unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Extractor = fn(&str, &mut dyn FnMut(&str));

    fn all(f: Extractor, text: &str) -> Vec<String> {
        let mut v = Vec::new();
        f(text, &mut |s| v.push(s.to_string()));
        v
    }

    #[test]
    fn hashtags_unicode_and_boundaries() {
        let got = all(
            |t, f| hashtags(t, f),
            "#MAGA and #Россия! a#b #1 &#39; #tcot_2016.#PJNet",
        );
        assert_eq!(got, vec!["maga", "россия", "tcot_2016", "pjnet"]);
        // After an emoji's presentation selector a tag starts (twitter-text); a keycap, digits
        // of any script and a lone `_` are not tags.
        let got = all(
            |t, f| hashtags(t, f),
            "❤\u{FE0F}#feminist ⛵\u{FE0E}#boat #\u{FE0F}\u{20E3} #١٢ #_ #_1 #1a",
        );
        assert_eq!(got, vec!["feminist", "boat", "1a"]);
        // A text cut short: the tag running into the cut is a fragment of another.
        let got = all(|t, f| hashtags(t, f), "#MAGA… now #tcot #T…");
        assert_eq!(got, vec!["tcot"]);
        // Combining marks and joiners are inside a tag (Hindi's mosque and fun, Thai, Persian
        // with its ZWNJ), and a decomposed accent is composed.
        let got = all(
            |t, f| hashtags(t, f),
            "#मस्जिद #मस्ती #ให้ #ใหม่ #سلام\u{200C}ها #Cafe\u{0301} #café",
        );
        assert_eq!(
            got,
            [
                "मस्जिद",
                "मस्ती",
                "ให้",
                "ใหม่",
                "سلام\u{200C}ها",
                "café",
                "café"
            ]
        );
        assert_eq!(hashtag_key("＃Cafe\u{0301}"), "café");
        assert_eq!(hashtag_key("#Vote"), "vote");
    }

    /// The rule as first written, a character at a time: what [`hashtags`] must agree with.
    fn hashtags_by_char(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut prev: Option<char> = None;
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            let at_start = may_precede_tag(prev);
            if (c == '#' || c == '＃') && at_start {
                let start = i + c.len_utf8();
                let mut end = start;
                while let Some(&(j, d)) = iter.peek() {
                    if !is_word(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    iter.next();
                }
                let tag = &text[start..end];
                let cut = text[end..].starts_with(CUT);
                if is_tag(tag) && !cut {
                    out.push(tag.nfc().flat_map(char::to_lowercase).collect());
                }
                prev = text[..end].chars().next_back();
                continue;
            }
            prev = Some(c);
        }
        out
    }

    #[test]
    fn hashtags_agree_with_the_rule_a_character_at_a_time() {
        // Every string of up to 4 pieces from an alphabet of the cases that matter: both
        // signs, word and non-word characters, '&', digits, multibyte letters and a byte
        // (0xEF) that starts the fullwidth sign and other characters.
        let pieces = [
            "#", "＃", "a", "Ä", "_", "1", "&", " ", ".", "é", "ｅ", "İ", "ß", "\u{FF04}", "-",
            "…", "\u{0301}", "\u{200C}", "\u{FE0F}", "\u{20E3}", "١",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = (texts.iter())
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
            texts.extend(longer);
        }
        texts.push("#MAGA and #Россия! a#b #1 &#39; #tcot_2016.#PJNet ＃ＴＡＧ #x#y ##z".into());
        for t in &texts {
            assert_eq!(all(|t, f| hashtags(t, f), t), hashtags_by_char(t), "{t:?}");
        }
        assert!(texts.len() > 100_000);
    }

    #[test]
    fn mentions_and_retweet_prefix() {
        let got = all(
            |t, f| mentions(t, f),
            "RT @TEN_GOP: hi @a_b, mail x@y.com @",
        );
        assert_eq!(got, vec!["TEN_GOP", "a_b"]);
        let got = all(|t, f| mentions(t, f), "RT @TEN_GOP: via @nytim…");
        assert_eq!(got, vec!["TEN_GOP"]);
        assert_eq!(retweeted_name("RT @TEN_GOP: hi"), Some("TEN_GOP"));
        assert_eq!(retweeted_name("RT @: hi"), None);
        assert_eq!(retweeted_name("hi RT @x: y"), None);
    }

    #[test]
    fn urls_from_text() {
        let got = all(
            |t, f| urls(t, f),
            "see https://t.co/dgjTcWVghp, and (http://x.org/a).. httpx",
        );
        assert_eq!(got, vec!["https://t.co/dgjTcWVghp", "http://x.org/a"]);
        let got = all(
            |t, f| urls(t, f),
            "https://t.co/dgjTcWVghp https://t.co/dgj…",
        );
        assert_eq!(got, vec!["https://t.co/dgjTcWVghp"]);
        // A text cut short without `…` leaves a link without a host; addresses and ports stay.
        let got = all(
            |t, f| urls(t, f),
            "https://youNas http://10.0.0.1:8080/a https://bit.ly https://x.co.u https://open.s",
        );
        assert_eq!(got, vec!["http://10.0.0.1:8080/a", "https://bit.ly"]);
    }

    #[test]
    fn url_normal_form() {
        assert_eq!(
            normalize_url("https://WWW.Example.com/Path/?utm_source=tw&id=3#top"),
            "example.com/Path?id=3"
        );
        assert_eq!(normalize_url("http://example.com:80/"), "example.com");
        assert_eq!(normalize_url("example.com/a?s=20"), "example.com/a");
        assert_eq!(domain("example.com/a?x"), "example.com");
        assert_eq!(domain("https://www.example.com#top"), "example.com");
    }
}
