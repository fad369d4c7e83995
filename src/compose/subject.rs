//! Subjects of replies and forwards: the prefixes mail programs add in
//! many languages are stripped, then one `Re: ` or `Fwd: ` is added.

/// Reply and forward prefixes as mail programs write them (compared
/// without regard to case), before an optional `[n]`/`^n`/`(n)` and a
/// colon (ASCII or full-width).
const PREFIXES: &[&str] = &[
    // English, and what Outlook and others write in other languages.
    "re",
    "fw",
    "fwd",
    "aw",
    "wg",
    "sv",
    "vs",
    "antw",
    "doorst",
    "odp",
    "pd",
    "tr",
    "rif",
    "i",
    "r",
    "res",
    "enc",
    "rv",
    "ref",
    "réf",
    "vá",
    "továbbítás",
    "ynt",
    "ilt",
    "atb",
    "pārs",
    "vl",
    "vast",
    "välit",
    "fs",
    "ats",
    "pers",
    "odg",
    "prosl",
    "fwd",
    "απ",
    "σχετ",
    "πρθ",
    "отв",
    "пер",
    "переслать",
    "回复",
    "回覆",
    "答复",
    "答覆",
    "转发",
    "轉寄",
    "转寄",
    "返信",
    "転送",
    "رد",
    "توجيه",
    "השב",
    "הועבר",
    "回信",
];

/// The subject without any run of reply/forward prefixes at its start.
pub fn strip_prefixes(subject: &str) -> &str {
    let mut rest = subject.trim_start();
    while let Some(after) = strip_one(rest) {
        rest = after.trim_start();
    }
    rest.trim_end()
}

fn strip_one(s: &str) -> Option<&str> {
    // The word: letters up to a colon, bracket, caret or space.
    let end = s
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(s.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    let word = s[..end].to_lowercase();
    if !PREFIXES.contains(&word.as_str()) {
        return None;
    }
    let mut rest = &s[end..];
    // A count: Re[2]:, Re^2:, Re(2):
    for (open, close) in [("[", "]"), ("(", ")"), ("^", "")] {
        if let Some(r) = rest.strip_prefix(open) {
            let digits = r.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 {
                let r = &r[digits..];
                if let Some(r) = r.strip_prefix(close) {
                    rest = r;
                    break;
                }
            }
        }
    }
    // French typography puts a space before the colon ("TR : …").
    let trimmed = rest.trim_start_matches(' ');
    trimmed
        .strip_prefix(':')
        .or_else(|| trimmed.strip_prefix('：'))
}

pub fn reply_subject(original: &str) -> String {
    with_prefix("Re: ", original)
}

pub fn forward_subject(original: &str) -> String {
    with_prefix("Fwd: ", original)
}

fn with_prefix(prefix: &str, original: &str) -> String {
    let base = strip_prefixes(original);
    if base.is_empty() {
        prefix.trim_end().to_string()
    } else {
        format!("{prefix}{base}")
    }
}
