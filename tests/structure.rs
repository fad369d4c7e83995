//! Keeps the layering rules of the code map in README.md ("Code map"):
//!
//! (a) only `src/ui/` and the top that wires the program together
//!     (`src/lib.rs`, `src/main.rs`, `src/app.rs`, `src/app/`) import from
//!     `crate::ui`; everything else is drawn from, never draws;
//! (b) backend modules never name `ratatui` or `crossterm`;
//! (c) no two files import each other in a circle, so every folder reads
//!     top-down.
//!
//! Imports are the `crate::…`, `super::…`, `self::…` paths (and paths
//! through a child module the file declares) in a file's code, outside
//! `#[cfg(test)]` items and test-only files; `pub use` re-exports in a
//! `mod.rs`/`lib.rs` are wiring and do not count. A path leads to the
//! longest prefix of it that is a file. The checker is plain text
//! scanning (strings and comments blanked first), no extra crates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Files at the top: they wire the layers together and may use `ui`.
fn is_top(file: &str) -> bool {
    matches!(file, "lib.rs" | "main.rs" | "app.rs") || file.starts_with("app/")
}

/// Backend folders and files: no terminal or drawing crate in them.
const BACKEND: &[&str] = &[
    "addresses/",
    "auth/",
    "calendar/",
    "compose/",
    "config.rs",
    "config/",
    "doctor/",
    "files/",
    "imap/",
    "mail/",
    "paths.rs",
    "query/",
    "sanitize.rs",
    "send/",
    "store/",
    "sync/",
    "text/",
    "worker/",
];

/// Named exceptions to rule (b), each with its reason.
const BACKEND_EXCEPTIONS: &[(&str, &str)] = &[(
    "config/theme.rs",
    "a theme's colours are parsed into ratatui's Color at load time, so a bad colour is a config error",
)];

fn is_backend(file: &str) -> bool {
    BACKEND
        .iter()
        .any(|b| file == *b || (b.ends_with('/') && file.starts_with(b)))
        && !BACKEND_EXCEPTIONS.iter().any(|(f, _)| *f == file)
}

#[test]
fn the_source_keeps_the_layering_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    read_tree(&root, &root, &mut files);
    assert!(
        files.len() > 100,
        "found only {} files under src/",
        files.len()
    );
    let problems = check(&files);
    assert!(
        problems.is_empty(),
        "the layering rules (README.md, \"Code map\") are broken:\n  {}\n",
        problems.join("\n  ")
    );
}

#[test]
fn each_rule_can_fail() {
    let files: BTreeMap<String, String> = [
        (
            "lib.rs",
            "pub mod ui; pub mod state; pub mod imap; mod app;",
        ),
        ("app.rs", "use crate::ui::draw;"),
        (
            "ui/mod.rs",
            "pub mod layout;\npub use layout::Areas;\nuse crate::state::State;",
        ),
        ("ui/layout.rs", "pub struct Areas;"),
        // (a): state reaches up into ui, by a grouped path.
        ("state/mod.rs", "pub mod update;"),
        (
            "state/update.rs",
            "use crate::{action::A, ui::{layout::Areas, x}};",
        ),
        // (b): a backend names ratatui (but not in a comment or a string).
        (
            "imap/mod.rs",
            "mod a; mod b; mod c;\n// ratatui\nconst S: &str = \"crossterm\";",
        ),
        (
            "imap/a.rs",
            "use super::b::X;\nfn f() { let _ = ratatui::layout::Rect::default(); }",
        ),
        // (c): a -> b -> c -> a, one of them through super::super.
        ("imap/b.rs", "pub struct X; fn g() { super::c::h() }"),
        (
            "imap/c.rs",
            "pub fn h() { crate::imap::a::f() }\n#[cfg(test)]\nmod tests { use crate::ui::x; }",
        ),
        // Test-only code may do as it likes.
        ("state/update_tests.rs", "use crate::ui::layout::Areas;"),
    ]
    .into_iter()
    .map(|(p, s)| (p.to_string(), s.to_string()))
    .collect();
    let mut files = files;
    files.insert(
        "state/update.rs".into(),
        format!(
            "{}\n#[cfg(test)]\n#[path = \"update_tests.rs\"]\nmod tests;\n",
            files["state/update.rs"]
        ),
    );
    let problems = check(&files);
    let text = problems.join("\n");
    assert!(
        text.contains("state/update.rs imports ui/layout.rs"),
        "{text}"
    );
    assert!(!text.contains("update_tests.rs"), "{text}");
    assert!(!text.contains("app.rs imports"), "{text}");
    assert!(!text.contains("imap/c.rs imports ui"), "{text}");
    assert!(text.contains("imap/a.rs names ratatui"), "{text}");
    assert!(!text.contains("imap/mod.rs names"), "{text}");
    assert!(
        text.contains("circle: imap/a.rs -> imap/b.rs -> imap/c.rs -> imap/a.rs"),
        "{text}"
    );
    assert_eq!(problems.len(), 4, "{text}");
}

fn read_tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_tree(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under src");
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            out.insert(rel, text);
        }
    }
}

/// Every broken rule, one readable line each.
fn check(files: &BTreeMap<String, String>) -> Vec<String> {
    let modules: BTreeMap<Vec<String>, String> =
        files.keys().map(|f| (module_of(f), f.clone())).collect();
    let mut test_only = BTreeSet::new();
    let mut code = BTreeMap::new();
    for (file, text) in files {
        let blank = blank_strings_and_comments(text);
        let kept = drop_test_items(&blank);
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for (name, path) in test_children(text) {
            let child = match path {
                Some(p) if dir.is_empty() => p,
                Some(p) => format!("{dir}/{p}"),
                None => {
                    let mut m = module_of(file);
                    m.push(name);
                    match modules.get(&m) {
                        Some(f) => f.clone(),
                        None => continue,
                    }
                }
            };
            test_only.insert(child);
        }
        code.insert(file.clone(), kept);
    }
    // A test-only file's own children are test-only too.
    loop {
        let more: Vec<String> = files
            .keys()
            .filter(|f| !test_only.contains(*f))
            .filter(|f| {
                let m = module_of(f);
                (1..m.len()).any(|i| modules.get(&m[..i]).is_some_and(|p| test_only.contains(p)))
            })
            .cloned()
            .collect();
        if more.is_empty() {
            break;
        }
        test_only.extend(more);
    }

    let mut problems = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in &code {
        if test_only.contains(file) {
            continue;
        }
        let is_wiring = file.ends_with("mod.rs") || file == "lib.rs" || file == "main.rs";
        let text = if is_wiring {
            drop_pub_uses(text)
        } else {
            text.clone()
        };
        let module = module_of(file);
        let targets = edges.entry(file.clone()).or_default();
        for path in paths_in(&text, &module) {
            if let Some(target) = resolve(&path, &modules)
                && target != *file
                && !is_below(&module, &target)
            {
                targets.insert(target);
            }
        }
        if is_backend(file) {
            for name in ["ratatui", "crossterm"] {
                if has_word(&text, name) {
                    problems.push(format!(
                        "{file} names {name}: backend modules never touch the terminal"
                    ));
                }
            }
        }
    }
    for (file, targets) in &edges {
        if file.starts_with("ui/") || is_top(file) {
            continue;
        }
        for t in targets.iter().filter(|t| t.starts_with("ui/")) {
            problems.push(format!(
                "{file} imports {t}: only ui/ and the top (lib.rs, main.rs, app.rs, app/) use ui"
            ));
        }
    }
    for circle in circles(&edges) {
        problems.push(format!("circle: {}", circle.join(" -> ")));
    }
    problems
}

/// A folder's module file (`a/mod.rs`, or `a.rs` beside `a/`) is the
/// folder's top: it declares and wires the files below it, so its uses of
/// them are not edges back up; the files below may use what it defines.
/// (`lib.rs` is the crate's top, but every module sits below it, so its
/// uses do count.)
fn is_below(module: &[String], target: &str) -> bool {
    !module.is_empty() && module_of(target).starts_with(module)
}

/// `a/b.rs` → [a, b]; `a/mod.rs` → [a]; `lib.rs`, `main.rs` → [].
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    parts
}

fn resolve(path: &[String], modules: &BTreeMap<Vec<String>, String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .find_map(|i| modules.get(&path[..i].to_vec()).cloned())
}

/// The text with comments and the insides of string and char literals
/// replaced by spaces (newlines kept), so braces and words in them do not
/// count.
fn blank_strings_and_comments(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        if at(i) == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if at(i) == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if (at(i) == 'r' || (at(i) == 'b' && at(i + 1) == 'r'))
            && !is_ident(at(i.wrapping_sub(1)))
            && {
                let mut k = i + if at(i) == 'b' { 2 } else { 1 };
                while at(k) == '#' {
                    k += 1;
                }
                at(k) == '"'
            }
        {
            // Raw string: r#"…"#.
            let start = i;
            i += if at(i) == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(i) == '#' {
                hashes += 1;
                i += 1;
            }
            i += 1;
            out.extend(std::iter::repeat_n(' ', i - start));
            while i < c.len() {
                if c[i] == '"' && (1..=hashes).all(|h| at(i + h) == '#') {
                    out.extend(std::iter::repeat_n(' ', hashes + 1));
                    i += hashes + 1;
                    break;
                }
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if at(i) == '"' {
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    blank(&mut out, c[i]);
                    i += 1;
                }
                if i < c.len() {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if at(i) == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A char literal, not a lifetime.
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '\'' {
                if c[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Removes every item marked `#[cfg(test)]` (from text whose strings and
/// comments are blanked).
fn drop_test_items(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = skip_attributes(&rest[at..]);
        // The item ends at a `;` outside braces or at its closing brace.
        let mut depth = 0usize;
        let mut end = item.len();
        for (k, ch) in item.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        // Keep the line count, drop the text.
        out.extend(item[..end].chars().filter(|c| *c == '\n'));
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The text after a run of `#[…]` attributes.
fn skip_attributes(mut item: &str) -> &str {
    loop {
        let trimmed = item.trim_start();
        if !trimmed.starts_with("#[") {
            return trimmed;
        }
        let end = trimmed.find(']').map_or(trimmed.len(), |e| e + 1);
        item = &trimmed[end..];
    }
}

/// The child modules a file declares under `#[cfg(test)]` (`mod tests;`),
/// with the `#[path = "…"]` if one is given: those files are test-only.
fn test_children(src: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for (at, _) in src.match_indices("#[cfg(test)]") {
        let after = &src[at..];
        let item = skip_attributes(after);
        let attrs = &after[..after.len() - item.len()];
        let path = attrs.find("#[path").and_then(|p| {
            let value = &attrs[p..];
            let open = value.find('"')? + 1;
            let close = open + value[open..].find('"')?;
            Some(value[open..close].to_string())
        });
        let words: Vec<&str> = item
            .split(|ch: char| !is_ident(ch))
            .filter(|w| !w.is_empty())
            .take(3)
            .collect();
        let is_mod_decl = item
            .split(['{', ';'])
            .next()
            .is_some_and(|h| item.len() > h.len() && item.as_bytes()[h.len()] == b';');
        if let Some(k) = words.iter().position(|w| *w == "mod")
            && is_mod_decl
            && let Some(name) = words.get(k + 1)
        {
            out.push((name.to_string(), path));
        }
    }
    out
}

fn drop_pub_uses(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = find_word(rest, "pub") {
        let after = rest[at + 3..].trim_start();
        let after = if after.starts_with('(') {
            after
                .find(')')
                .map_or(after, |e| after[e + 1..].trim_start())
        } else {
            after
        };
        if after.starts_with("use") && !after[3..].starts_with(is_ident) {
            out.push_str(&rest[..at]);
            let end = after.find(';').map_or(after.len(), |e| e + 1);
            let skipped_to = rest.len() - after.len() + end;
            out.extend(rest[at..skipped_to].chars().filter(|c| *c == '\n'));
            rest = &rest[skipped_to..];
        } else {
            out.push_str(&rest[..at + 3]);
            rest = &rest[at + 3..];
        }
    }
    out.push_str(rest);
    out
}

fn find_word(s: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(k) = s[from..].find(word) {
        let at = from + k;
        let before = s[..at].chars().next_back().unwrap_or(' ');
        let after = s[at + word.len()..].chars().next().unwrap_or(' ');
        if !is_ident(before) && !is_ident(after) && before != '$' {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

fn has_word(s: &str, word: &str) -> bool {
    find_word(s, word).is_some()
}

/// Every module path the code names, made absolute: `crate::a::b`,
/// `super::…`, `self::…` and `child::…` for a `mod child;` it declares,
/// with `{…}` groups expanded.
fn paths_in(src: &str, module: &[String]) -> Vec<Vec<String>> {
    let tokens = tokenize(src);
    let children: BTreeSet<&str> = tokens
        .windows(3)
        .filter(|w| w[0] == "mod" && w[2] == ";")
        .map(|w| w[1].as_str())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        let prev = if i > 0 { tokens[i - 1].as_str() } else { "" };
        let starts = tokens.get(i + 1).is_some_and(|n| n == "::")
            && prev != "::"
            && prev != "$"
            && (t == "crate" || t == "super" || t == "self" || children.contains(t));
        if !starts {
            i += 1;
            continue;
        }
        let base: Vec<String> = match t {
            "crate" => Vec::new(),
            "super" => module[..module.len().saturating_sub(1)].to_vec(),
            "self" => module.to_vec(),
            child => {
                let mut m = module.to_vec();
                m.push(child.to_string());
                m
            }
        };
        i = use_tree(&tokens, i + 2, base, &mut out);
    }
    out
}

/// Reads one path (or `{…}` group of paths) from `tokens[i]` on, below
/// `base`; returns the index after it.
fn use_tree(
    tokens: &[String],
    mut i: usize,
    mut base: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        match tokens.get(i).map(String::as_str) {
            Some("{") => {
                i += 1;
                loop {
                    match tokens.get(i).map(String::as_str) {
                        Some("}") => return i + 1,
                        Some(",") => i += 1,
                        None => return i,
                        Some(_) => i = use_tree(tokens, i, base.clone(), out),
                    }
                }
            }
            Some("super") => {
                base.pop();
            }
            Some("self") => {}
            Some(seg) if seg.starts_with(is_ident) => base.push(seg.to_string()),
            _ => {
                out.push(base);
                return i;
            }
        }
        i += 1;
        if tokens.get(i).is_some_and(|t| t == "::") {
            i += 1;
        } else {
            out.push(base);
            // Skip an `as name` alias.
            if tokens.get(i).is_some_and(|t| t == "as") {
                i += 2;
            }
            return i;
        }
    }
}

fn tokenize(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let c: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < c.len() {
        if is_ident(c[i]) {
            let start = i;
            while i < c.len() && is_ident(c[i]) {
                i += 1;
            }
            out.push(c[start..i].iter().collect());
        } else if c[i] == ':' && c.get(i + 1) == Some(&':') {
            out.push("::".into());
            i += 2;
        } else if c[i].is_whitespace() {
            i += 1;
        } else {
            out.push(c[i].to_string());
            i += 1;
        }
    }
    out
}

/// One circle per group of files that reach each other (Tarjan's strongly
/// connected components), spelled as a path back to where it started.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        groups: Vec<BTreeSet<&'a str>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.edges.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut group = BTreeSet::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    group.insert(w);
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    self.groups.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.groups
        .iter()
        .map(|group| {
            // Shortest way from the group's first file back to itself.
            let start = *group.iter().next().expect("a group has files");
            let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([start]);
            let mut last = start;
            'search: while let Some(v) = queue.pop_front() {
                for w in edges.get(v).into_iter().flatten() {
                    let w = w.as_str();
                    if !group.contains(w) {
                        continue;
                    }
                    if w == start {
                        last = v;
                        break 'search;
                    }
                    if !came_from.contains_key(w) {
                        came_from.insert(w, v);
                        queue.push_back(w);
                    }
                }
            }
            let mut names = vec![last.to_string()];
            let mut v = last;
            while v != start {
                v = came_from[v];
                names.push(v.to_string());
            }
            names.reverse();
            names.push(start.to_string());
            let others: Vec<&str> = group
                .iter()
                .copied()
                .filter(|f| !names.iter().any(|n| n == f))
                .collect();
            if !others.is_empty() {
                names.push(format!("(with {})", others.join(", ")));
            }
            names
        })
        .collect()
}
