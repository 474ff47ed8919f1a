//! `cargo xtask layers`: no module of any crate imports a module that imports it back.
//!
//! Every crate target (`src/lib.rs`, `src/main.rs`, `src/bin/*.rs`) of each package under
//! `crates/` and of `xtask/` is read from its root along its `mod` declarations, so a module's
//! path is its file's (`a.rs` or `a/mod.rs` is `a`, `a/b.rs` is `a::b`); inline modules count
//! too, except `#[cfg(test)]` items, which are not library structure and are skipped whole.
//!
//! An edge `a → b` is a use of `b` by non-test code of `a`: a `use` of a path starting with
//! `crate`, `super`, `self`, or a child module of `a` (multi-line `{…}` trees included), or a
//! path expression or type anywhere (macro bodies too) such as `crate::b::f()`, `super::X`,
//! `child::f()`, or `m::f()` after `use crate::m`. Each path goes to the deepest module it
//! names; when that module only re-exports the named item (`pub use`, `pub(crate) use`, also
//! through a glob), the edge goes on to the module that the re-export points at. `mod x;`
//! lines are no edges, nor are re-exports of a module's own descendants (owning and
//! re-exporting children is structure); a re-export of anything else is an import like any
//! other. Edges of a module to itself are ignored.
//!
//! Every strongly connected component of more than one module is a circle, reported with its
//! files and the `file:line` of every edge inside it: cutting edges there breaks it.
//!
//! The reader is a small Rust lexer (comments, strings, raw strings, char literals and
//! lifetimes are told apart) plus token patterns, not a full parser: the crates keep to
//! ordinary `use`/`mod` forms, and a lexer also sees paths inside macro invocations, which a
//! syntax tree leaves as opaque tokens. `#[path]` attributes are honoured.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// A module path inside its crate (`[]` is the crate root).
type ModPath = Vec<String>;

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Packages checked.
    pub crates: usize,
    /// Modules found across their targets.
    pub modules: usize,
    /// Every import circle found.
    pub cycles: Vec<Cycle>,
}

/// One strongly connected component of the import graph of a crate target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// The package name (`ocr-emulator`).
    pub package: String,
    /// `lib`, or `bin <name>`.
    pub target: String,
    /// The modules in it (`a::b`, `crate` for the root) with their files, sorted.
    pub modules: Vec<(String, String)>,
    /// Every edge between two of its modules, by file and line.
    pub edges: Vec<EdgeSite>,
}

/// Where one import between two modules is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EdgeSite {
    /// The importing file, relative to the checked root, `/`-separated.
    pub file: String,
    /// 1-based line of the path.
    pub line: usize,
    /// The importing module.
    pub from: String,
    /// The imported module.
    pub to: String,
    /// The paths as written (`crate::app::BodySize`), `, `-separated when a line has several.
    pub path: String,
}

impl Report {
    /// True when no circle was found.
    pub fn is_clean(&self) -> bool {
        self.cycles.is_empty()
    }

    /// The one-line verdict, or every circle with its modules and edges.
    pub fn render(&self) -> String {
        if self.is_clean() {
            return format!(
                "no import circles in {} modules of {} crates",
                self.modules, self.crates
            );
        }
        let mut out = String::new();
        for cycle in &self.cycles {
            let _ = writeln!(
                out,
                "import circle in {} ({}) through {} modules:",
                cycle.package,
                cycle.target,
                cycle.modules.len()
            );
            let width = cycle
                .modules
                .iter()
                .map(|(m, _)| m.len())
                .max()
                .unwrap_or(0);
            for (module, file) in &cycle.modules {
                let _ = writeln!(out, "    {module:width$}  {file}");
            }
            let _ = writeln!(out, "  its imports (cut some to break it):");
            for e in &cycle.edges {
                let _ = writeln!(
                    out,
                    "    {}:{}: {} -> {} ({})",
                    e.file, e.line, e.from, e.to, e.path
                );
            }
        }
        let _ = write!(
            out,
            "{} import circle(s) in {} modules of {} crates",
            self.cycles.len(),
            self.modules,
            self.crates
        );
        out
    }
}

/// Checks every package under `root/crates/` and `root/xtask/`, or only the package named
/// `only` (its `[package] name`).
pub fn check(root: &Path, only: Option<&str>) -> Result<Report, String> {
    let mut packages = Vec::new();
    let crates_dir = root.join("crates");
    if crates_dir.is_dir() {
        let entries = fs::read_dir(&crates_dir)
            .map_err(|e| format!("reading {}: {e}", crates_dir.display()))?;
        for entry in entries {
            let dir = entry.map_err(|e| e.to_string())?.path();
            if dir.join("Cargo.toml").is_file() {
                packages.push(dir);
            }
        }
    }
    if root.join("xtask/Cargo.toml").is_file() {
        packages.push(root.join("xtask"));
    }
    packages.sort();

    let mut report = Report {
        crates: 0,
        modules: 0,
        cycles: Vec::new(),
    };
    for dir in packages {
        let name = package_name(&dir)?;
        if only.is_some_and(|o| o != name) {
            continue;
        }
        report.crates += 1;
        for (kind, root_file) in targets(&dir) {
            let target = Target::load(root, &root_file)?;
            report.modules += target.modules.len();
            report.cycles.extend(target.cycles(&name, &kind));
        }
    }
    if let Some(o) = only {
        if report.crates == 0 {
            return Err(format!("no package named `{o}` under crates/ or xtask/"));
        }
    }
    Ok(report)
}

fn package_name(dir: &Path) -> Result<String, String> {
    let manifest = dir.join("Cargo.toml");
    let text = fs::read_to_string(&manifest)
        .map_err(|e| format!("reading {}: {e}", manifest.display()))?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line.strip_prefix("name") {
                if let Some(value) = value.trim_start().strip_prefix('=') {
                    return Ok(value.trim().trim_matches('"').to_owned());
                }
            }
        }
    }
    Err(format!("{} has no [package] name", manifest.display()))
}

/// The crate roots of a package: its library, its main binary and `src/bin/*.rs`.
fn targets(dir: &Path) -> Vec<(String, PathBuf)> {
    let src = dir.join("src");
    let mut out = Vec::new();
    if src.join("lib.rs").is_file() {
        out.push(("lib".to_owned(), src.join("lib.rs")));
    }
    if src.join("main.rs").is_file() {
        out.push(("bin main.rs".to_owned(), src.join("main.rs")));
    }
    if let Ok(entries) = fs::read_dir(src.join("bin")) {
        let mut bins: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        bins.sort();
        for bin in bins {
            let name = bin
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((format!("bin {name}"), bin));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Lexing

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    /// `::`
    PathSep,
    Punct,
    Literal,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    text: String,
    line: usize,
}

impl Token {
    fn is(&self, kind: Kind, text: &str) -> bool {
        self.kind == kind && self.text == text
    }
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Rust source to tokens: comments dropped; strings, raw strings and chars as literals (a
/// string's text is its content); lifetimes dropped; `r#name` as `name`.
fn lex(src: &str) -> Vec<Token> {
    let s: Vec<char> = src.chars().collect();
    let at = |i: usize| s.get(i).copied().unwrap_or('\0');
    let mut toks = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let start_line = line;
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut nest = 0usize;
            while i < s.len() {
                if s[i] == '/' && at(i + 1) == '*' {
                    nest += 1;
                    i += 2;
                } else if s[i] == '*' && at(i + 1) == '/' {
                    nest -= 1;
                    i += 2;
                    if nest == 0 {
                        break;
                    }
                } else {
                    if s[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if let Some(open) = raw_string_start(&s, i) {
            // r"…", r#"…"#, br"…", cr#"…"#
            let hashes = (open - i) - if c == 'r' { 1 } else { 2 };
            let mut j = open + 1;
            let mut text = String::new();
            loop {
                if j >= s.len() {
                    break;
                }
                if s[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                if s[j] == '\n' {
                    line += 1;
                }
                text.push(s[j]);
                j += 1;
            }
            toks.push(Token {
                kind: Kind::Literal,
                text,
                line: start_line,
            });
            i = j;
        } else if c == '"' || ((c == 'b' || c == 'c') && at(i + 1) == '"') {
            let mut j = if c == '"' { i + 1 } else { i + 2 };
            let mut text = String::new();
            while j < s.len() && s[j] != '"' {
                if s[j] == '\\' {
                    text.push(s[j]);
                    j += 1;
                }
                if at(j) == '\n' {
                    line += 1;
                }
                if j < s.len() {
                    text.push(s[j]);
                }
                j += 1;
            }
            toks.push(Token {
                kind: Kind::Literal,
                text,
                line: start_line,
            });
            i = j + 1;
        } else if c == '\'' || (c == 'b' && at(i + 1) == '\'') {
            let q = if c == '\'' { i } else { i + 1 };
            if at(q + 1) == '\\' {
                // an escaped char: up to the next quote after the escaped character
                let mut j = q + 3;
                while j < s.len() && s[j] != '\'' {
                    j += 1;
                }
                toks.push(Token {
                    kind: Kind::Literal,
                    text: String::new(),
                    line,
                });
                i = j + 1;
            } else if at(q + 2) == '\'' {
                toks.push(Token {
                    kind: Kind::Literal,
                    text: at(q + 1).to_string(),
                    line,
                });
                i = q + 3;
            } else {
                // a lifetime or a label
                let mut j = q + 1;
                while j < s.len() && is_ident_char(s[j]) {
                    j += 1;
                }
                i = j;
            }
        } else if c == 'r' && at(i + 1) == '#' && is_ident_start(at(i + 2)) {
            let mut j = i + 2;
            while j < s.len() && is_ident_char(s[j]) {
                j += 1;
            }
            toks.push(Token {
                kind: Kind::Ident,
                text: s[i + 2..j].iter().collect(),
                line,
            });
            i = j;
        } else if is_ident_start(c) {
            let mut j = i;
            while j < s.len() && is_ident_char(s[j]) {
                j += 1;
            }
            toks.push(Token {
                kind: Kind::Ident,
                text: s[i..j].iter().collect(),
                line,
            });
            i = j;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < s.len()
                && (is_ident_char(s[j]) || (s[j] == '.' && at(j + 1).is_ascii_digit()))
            {
                j += 1;
            }
            toks.push(Token {
                kind: Kind::Literal,
                text: s[i..j].iter().collect(),
                line,
            });
            i = j;
        } else if c == ':' && at(i + 1) == ':' {
            toks.push(Token {
                kind: Kind::PathSep,
                text: "::".to_owned(),
                line,
            });
            i += 2;
        } else {
            toks.push(Token {
                kind: Kind::Punct,
                text: c.to_string(),
                line,
            });
            i += 1;
        }
    }
    toks
}

/// The index of the opening quote when a raw string starts at `i`.
fn raw_string_start(s: &[char], i: usize) -> Option<usize> {
    let mut j = match (s.get(i), s.get(i + 1)) {
        (Some('r'), _) => i + 1,
        (Some('b' | 'c'), Some('r')) => i + 2,
        _ => return None,
    };
    if i > 0 && is_ident_char(s[i - 1]) {
        return None;
    }
    while s.get(j) == Some(&'#') {
        j += 1;
    }
    (s.get(j) == Some(&'"')).then_some(j)
}

// ---------------------------------------------------------------------------------------------
// Scanning one file

/// One name brought in by a `use`: `a::b::c as d` or `a::b::*`.
#[derive(Debug, Clone)]
struct UseLeaf {
    segs: Vec<String>,
    glob: bool,
    /// The name it binds (the last segment, or the `as` name).
    name: String,
    public: bool,
    line: usize,
}

/// A path of two or more segments outside `use`.
#[derive(Debug, Clone)]
struct PathRef {
    segs: Vec<String>,
    line: usize,
}

#[derive(Debug, Clone)]
struct ChildDecl {
    name: String,
    inline: bool,
    path_attr: Option<String>,
}

/// What one module's non-test code says.
#[derive(Debug, Clone, Default)]
struct Facts {
    children: Vec<ChildDecl>,
    uses: Vec<UseLeaf>,
    paths: Vec<PathRef>,
    defs: BTreeSet<String>,
}

const DEF_KEYWORDS: &[&str] = &[
    "fn", "struct", "enum", "trait", "type", "const", "static", "union", "mod",
];
const ITEM_KEYWORDS: &[&str] = &[
    "fn",
    "mod",
    "struct",
    "enum",
    "impl",
    "trait",
    "use",
    "const",
    "static",
    "type",
    "macro_rules",
    "extern",
    "unsafe",
    "async",
    "union",
    "let",
];
const NOT_NAMES: &[&str] = &["fn", "unsafe", "async", "extern", "_"];

fn is_open(t: &Token) -> bool {
    t.kind == Kind::Punct && matches!(t.text.as_str(), "(" | "[" | "{")
}

fn is_close(t: &Token) -> bool {
    t.kind == Kind::Punct && matches!(t.text.as_str(), ")" | "]" | "}")
}

/// The index of the bracket closing the one opened at `open`.
fn matching(toks: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (j, t) in toks.iter().enumerate().skip(open) {
        if is_open(t) {
            depth += 1;
        } else if is_close(t) {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return j;
            }
        }
    }
    toks.len()
}

/// `cfg(test)` or `cfg(all(…, test, …))`.
fn is_cfg_test(attr: &[Token]) -> bool {
    let ident = |k: usize, text: &str| attr.get(k).is_some_and(|t| t.is(Kind::Ident, text));
    let punct = |k: usize, text: &str| attr.get(k).is_some_and(|t| t.is(Kind::Punct, text));
    if !(ident(0, "cfg") && punct(1, "(")) {
        return false;
    }
    if ident(2, "test") && punct(3, ")") {
        return true;
    }
    if ident(2, "all") && punct(3, "(") {
        let end = matching(attr, 3);
        let mut depth = 0usize;
        for t in &attr[4..end.min(attr.len())] {
            if is_open(t) {
                depth += 1;
            } else if is_close(t) {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && t.is(Kind::Ident, "test") {
                return true;
            }
        }
    }
    false
}

/// The end (exclusive) of the item, field, arm or statement starting at `start`, past its
/// outer attributes.
fn skip_item(toks: &[Token], start: usize) -> usize {
    let mut j = start;
    while toks.get(j).is_some_and(|t| t.is(Kind::Punct, "#"))
        && toks.get(j + 1).is_some_and(|t| t.is(Kind::Punct, "["))
    {
        j = matching(toks, j + 1) + 1;
    }
    let mut k = j;
    if toks.get(k).is_some_and(|t| t.is(Kind::Ident, "pub")) {
        k += 1;
        if toks.get(k).is_some_and(|t| t.is(Kind::Punct, "(")) {
            k = matching(toks, k) + 1;
        }
    }
    let item_like = toks
        .get(k)
        .is_some_and(|t| t.kind == Kind::Ident && ITEM_KEYWORDS.contains(&t.text.as_str()));
    let mut depth = 0usize;
    while j < toks.len() {
        let t = &toks[j];
        if is_open(t) {
            depth += 1;
        } else if is_close(t) {
            if depth == 0 {
                return j; // the parent's closing bracket
            }
            depth -= 1;
            if depth == 0 && t.text == "}" {
                return j + 1;
            }
        } else if depth == 0 && (t.is(Kind::Punct, ";") || (!item_like && t.is(Kind::Punct, ","))) {
            return j + 1;
        }
        j += 1;
    }
    j
}

/// True when the `use` at `i` is preceded by `pub` or `pub(…)`.
fn is_public(toks: &[Token], i: usize) -> bool {
    let Some(prev) = i.checked_sub(1).and_then(|p| toks.get(p)) else {
        return false;
    };
    if prev.is(Kind::Ident, "pub") {
        return true;
    }
    if prev.is(Kind::Punct, ")") {
        let mut depth = 0usize;
        let mut j = i - 1;
        loop {
            let t = &toks[j];
            if is_close(t) {
                depth += 1;
            } else if is_open(t) {
                depth -= 1;
                if depth == 0 {
                    return j > 0 && toks[j - 1].is(Kind::Ident, "pub");
                }
            }
            if j == 0 {
                return false;
            }
            j -= 1;
        }
    }
    false
}

/// Parses the use tree starting at `i` under `prefix`; returns the index after it.
fn parse_use_tree(
    toks: &[Token],
    mut i: usize,
    prefix: &[String],
    public: bool,
    out: &mut Vec<UseLeaf>,
) -> usize {
    let mut segs = prefix.to_vec();
    loop {
        let Some(t) = toks.get(i) else { return i };
        match t.kind {
            Kind::PathSep => {
                if segs.is_empty() {
                    segs.push("::".to_owned()); // `::name`: an extern crate
                }
                i += 1;
            }
            Kind::Punct if t.text == "{" => {
                i += 1;
                loop {
                    match toks.get(i) {
                        None => return i,
                        Some(t) if t.is(Kind::Punct, "}") => return i + 1,
                        Some(_) => {}
                    }
                    let next = parse_use_tree(toks, i, &segs, public, out);
                    if next == i {
                        return i; // not a use tree
                    }
                    i = next;
                    if toks.get(i).is_some_and(|t| t.is(Kind::Punct, ",")) {
                        i += 1;
                    }
                }
            }
            Kind::Punct if t.text == "*" => {
                out.push(UseLeaf {
                    name: String::new(),
                    segs,
                    glob: true,
                    public,
                    line: t.line,
                });
                return i + 1;
            }
            Kind::Punct
                if t.text == "$" && toks.get(i + 1).is_some_and(|n| n.is(Kind::Ident, "crate")) =>
            {
                i += 1; // `$crate` is `crate`
            }
            Kind::Ident => {
                segs.push(t.text.clone());
                let line = t.line;
                i += 1;
                if toks.get(i).is_some_and(|n| n.kind == Kind::PathSep) {
                    i += 1;
                    continue;
                }
                if segs.last().is_some_and(|s| s == "self") {
                    segs.pop();
                }
                let mut name = segs.last().cloned().unwrap_or_default();
                if toks.get(i).is_some_and(|n| n.is(Kind::Ident, "as")) {
                    if let Some(alias) = toks.get(i + 1) {
                        name = alias.text.clone();
                        i += 2;
                    }
                }
                out.push(UseLeaf {
                    segs,
                    glob: false,
                    name,
                    public,
                    line,
                });
                return i;
            }
            _ => return i,
        }
    }
}

fn facts_of<'m>(modules: &'m mut BTreeMap<ModPath, Facts>, scope: &ModPath) -> &'m mut Facts {
    modules.entry(scope.clone()).or_default()
}

/// Reads one file: the facts of its module (`[]`) and of its non-test inline modules (by
/// their path relative to the file's module). `None` when the whole file is `#![cfg(test)]`.
fn scan(toks: &[Token]) -> Option<BTreeMap<ModPath, Facts>> {
    let mut modules: BTreeMap<ModPath, Facts> = BTreeMap::new();
    modules.insert(Vec::new(), Facts::default());
    // (module relative to the file, the bracket depth of its items)
    let mut scopes: Vec<(ModPath, usize)> = vec![(Vec::new(), 0)];
    let mut depth = 0usize;
    let mut pending_inline: Option<String> = None;
    let mut pending_path: Option<String> = None;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let (scope, item_depth) = scopes.last().cloned().unwrap_or_default();
        let next = toks.get(i + 1);
        match t.kind {
            Kind::Punct if t.text == "#" => {
                let inner = next.is_some_and(|n| n.is(Kind::Punct, "!"));
                let open = if inner { i + 2 } else { i + 1 };
                if !toks.get(open).is_some_and(|o| o.is(Kind::Punct, "[")) {
                    i += 1;
                    continue;
                }
                let close = matching(toks, open);
                let attr = &toks[open + 1..close.min(toks.len())];
                if is_cfg_test(attr) {
                    if inner && scopes.len() == 1 {
                        return None;
                    }
                    if !inner {
                        i = skip_item(toks, close + 1);
                        continue;
                    }
                }
                if attr.first().is_some_and(|a| a.is(Kind::Ident, "path"))
                    && attr.get(1).is_some_and(|a| a.is(Kind::Punct, "="))
                {
                    pending_path = attr.get(2).map(|a| a.text.clone());
                }
                i = close + 1;
                continue;
            }
            Kind::Ident if t.text == "use" => {
                let public = is_public(toks, i);
                let mut j = parse_use_tree(
                    toks,
                    i + 1,
                    &[],
                    public,
                    &mut facts_of(&mut modules, &scope).uses,
                );
                while j < toks.len() && !toks[j].is(Kind::Punct, ";") {
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            Kind::Ident if t.text == "mod" && next.is_some_and(|n| n.kind == Kind::Ident) => {
                let name = next.map(|n| n.text.clone()).unwrap_or_default();
                let after = toks.get(i + 2);
                let inline = after.is_some_and(|a| a.is(Kind::Punct, "{"));
                if inline || after.is_some_and(|a| a.is(Kind::Punct, ";")) {
                    facts_of(&mut modules, &scope).defs.insert(name.clone());
                    facts_of(&mut modules, &scope).children.push(ChildDecl {
                        name: name.clone(),
                        inline,
                        path_attr: pending_path.take(),
                    });
                    if inline {
                        pending_inline = Some(name);
                    }
                }
                i += 2;
                continue;
            }
            Kind::Ident
                if depth == item_depth
                    && DEF_KEYWORDS.contains(&t.text.as_str())
                    && next.is_some_and(|n| {
                        n.kind == Kind::Ident && !NOT_NAMES.contains(&n.text.as_str())
                    }) =>
            {
                facts_of(&mut modules, &scope)
                    .defs
                    .insert(next.map(|n| n.text.clone()).unwrap_or_default());
            }
            Kind::Ident
                if t.text == "macro_rules"
                    && next.is_some_and(|n| n.is(Kind::Punct, "!"))
                    && toks.get(i + 2).is_some_and(|n| n.kind == Kind::Ident) =>
            {
                facts_of(&mut modules, &scope)
                    .defs
                    .insert(toks[i + 2].text.clone());
            }
            _ => {}
        }
        if is_open(t) {
            depth += 1;
            if t.text == "{" {
                if let Some(name) = pending_inline.take() {
                    let mut path = scope.clone();
                    path.push(name);
                    modules.entry(path.clone()).or_default();
                    scopes.push((path, depth));
                }
            }
            i += 1;
            continue;
        }
        if is_close(t) {
            if t.text == "}" && scopes.len() > 1 && depth == item_depth {
                scopes.pop();
            }
            depth = depth.saturating_sub(1);
            i += 1;
            continue;
        }
        // A path: `a::b…` not continuing another path or a method call.
        let prev = i.checked_sub(1).and_then(|p| toks.get(p));
        let dollar_crate =
            t.is(Kind::Punct, "$") && next.is_some_and(|n| n.is(Kind::Ident, "crate"));
        // `pub(in crate::a)` names where an item is visible, not a use of `a`
        let visibility = prev.is_some_and(|p| p.is(Kind::Ident, "in"))
            && i >= 2
            && toks[i - 2].is(Kind::Punct, "(");
        let starts = (t.kind == Kind::Ident || dollar_crate)
            && !visibility
            && !prev.is_some_and(|p| p.kind == Kind::PathSep || p.is(Kind::Punct, "."));
        if starts {
            let first = if dollar_crate { i + 1 } else { i };
            let mut segs = vec![toks[first].text.clone()];
            let mut j = first + 1;
            while toks.get(j).is_some_and(|s| s.kind == Kind::PathSep)
                && toks.get(j + 1).is_some_and(|s| s.kind == Kind::Ident)
            {
                segs.push(toks[j + 1].text.clone());
                j += 2;
            }
            if segs.len() > 1 {
                facts_of(&mut modules, &scope)
                    .paths
                    .push(PathRef { segs, line: t.line });
            }
            i = j;
            continue;
        }
        i += 1;
    }
    Some(modules)
}

// ---------------------------------------------------------------------------------------------
// One crate target

#[derive(Debug)]
struct Module {
    /// Relative to the checked root, `/`-separated.
    file: String,
    facts: Facts,
    /// Names re-exported by `pub use`, to the absolute path they stand for.
    reexports: HashMap<String, ModPath>,
    /// Modules re-exported whole (`pub use m::*`).
    glob_reexports: Vec<ModPath>,
    /// Modules imported under a name (`use crate::m;`, `use crate::m::{self}`).
    aliases: HashMap<String, ModPath>,
}

#[derive(Debug)]
struct Edge {
    from: ModPath,
    to: ModPath,
    line: usize,
    path: String,
}

struct Target {
    modules: BTreeMap<ModPath, Module>,
}

fn display(path: &[String]) -> String {
    if path.is_empty() {
        "crate".to_owned()
    } else {
        path.join("::")
    }
}

fn relative(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

impl Target {
    fn load(root: &Path, root_file: &Path) -> Result<Self, String> {
        let mut target = Target {
            modules: BTreeMap::new(),
        };
        let dir = root_file.parent().unwrap_or(root).to_path_buf();
        target.load_file(root, root_file, Vec::new(), &dir)?;
        target.resolve_names();
        Ok(target)
    }

    /// Reads `file` as module `path`; its `mod x;` children live under `children_dir`.
    fn load_file(
        &mut self,
        root: &Path,
        file: &Path,
        path: ModPath,
        children_dir: &Path,
    ) -> Result<(), String> {
        let src =
            fs::read_to_string(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
        let Some(scanned) = scan(&lex(&src)) else {
            return Ok(());
        };
        let file_dir = file.parent().unwrap_or(root).to_path_buf();
        for (rel, facts) in scanned {
            let mut abs = path.clone();
            abs.extend(rel.iter().cloned());
            let base = rel
                .iter()
                .fold(children_dir.to_path_buf(), |d, r| d.join(r));
            let children: Vec<ChildDecl> = facts.children.clone();
            self.modules.insert(
                abs.clone(),
                Module {
                    file: relative(root, file),
                    facts,
                    reexports: HashMap::new(),
                    glob_reexports: Vec::new(),
                    aliases: HashMap::new(),
                },
            );
            for child in children.iter().filter(|c| !c.inline) {
                let mut child_path = abs.clone();
                child_path.push(child.name.clone());
                let (child_file, child_dir) = match &child.path_attr {
                    Some(p) => {
                        let f = file_dir.join(p);
                        let d = f.parent().unwrap_or(&file_dir).to_path_buf();
                        (f, d)
                    }
                    None => {
                        let flat = base.join(format!("{}.rs", child.name));
                        let nested = base.join(&child.name).join("mod.rs");
                        if flat.is_file() {
                            (flat, base.join(&child.name))
                        } else {
                            (nested, base.join(&child.name))
                        }
                    }
                };
                if child_file.is_file() {
                    self.load_file(root, &child_file, child_path, &child_dir)?;
                }
            }
        }
        Ok(())
    }

    /// `segs` as written in module `from`, made absolute; `None` when it is not this crate's
    /// (another crate, a local type, `Self::…`).
    fn absolute(&self, from: &ModPath, segs: &[String]) -> Option<ModPath> {
        let first = segs.first()?;
        match first.as_str() {
            "crate" => Some(segs[1..].to_vec()),
            "super" => {
                let ups = segs.iter().take_while(|s| *s == "super").count();
                let keep = from.len().checked_sub(ups)?;
                let mut out = from[..keep].to_vec();
                out.extend(segs[ups..].iter().cloned());
                Some(out)
            }
            "self" => {
                let mut out = from.clone();
                out.extend(segs[1..].iter().cloned());
                Some(out)
            }
            name => {
                let mut child = from.clone();
                child.push(name.to_owned());
                if self.modules.contains_key(&child) {
                    child.extend(segs[1..].iter().cloned());
                    return Some(child);
                }
                let alias = self.modules.get(from)?.aliases.get(name)?;
                let mut out = alias.clone();
                out.extend(segs[1..].iter().cloned());
                Some(out)
            }
        }
    }

    /// First pass: what each module re-exports and which modules it imports by name.
    fn resolve_names(&mut self) {
        let paths: Vec<ModPath> = self.modules.keys().cloned().collect();
        for path in paths {
            let uses = self.modules[&path].facts.uses.clone();
            for leaf in uses {
                let Some(abs) = self.absolute(&path, &leaf.segs) else {
                    continue;
                };
                let is_module = self.modules.contains_key(&abs);
                let Some(m) = self.modules.get_mut(&path) else {
                    continue;
                };
                if leaf.glob {
                    if leaf.public {
                        m.glob_reexports.push(abs);
                    }
                    continue;
                }
                if is_module {
                    m.aliases.insert(leaf.name.clone(), abs.clone());
                }
                if leaf.public {
                    m.reexports.insert(leaf.name, abs);
                }
            }
        }
    }

    /// Whether `module` defines or re-exports `name`.
    fn provides(&self, module: &ModPath, name: &str) -> bool {
        self.modules
            .get(module)
            .is_some_and(|m| m.facts.defs.contains(name) || m.reexports.contains_key(name))
    }

    /// The module an absolute path lands in: the deepest module it names, followed through
    /// re-exports of the item after it.
    fn target_of(&self, abs: &[String], hops: usize) -> ModPath {
        let depth = (0..=abs.len())
            .rev()
            .find(|k| self.modules.contains_key(&abs[..*k]))
            .unwrap_or(0);
        let module = abs[..depth].to_vec();
        if depth == abs.len() || hops > 16 {
            return module;
        }
        let name = &abs[depth];
        let rest = &abs[depth + 1..];
        let Some(m) = self.modules.get(&module) else {
            return module;
        };
        if let Some(to) = m.reexports.get(name) {
            let mut next = to.clone();
            next.extend(rest.iter().cloned());
            if next != abs {
                return self.target_of(&next, hops + 1);
            }
        }
        for glob in &m.glob_reexports {
            if self.provides(glob, name) {
                let mut next = glob.clone();
                next.extend(abs[depth..].iter().cloned());
                return self.target_of(&next, hops + 1);
            }
        }
        module
    }

    fn edges(&self) -> Vec<Edge> {
        let mut edges = Vec::new();
        for (path, module) in &self.modules {
            let mut push = |to: ModPath, line: usize, segs: &[String]| {
                if &to != path {
                    edges.push(Edge {
                        from: path.clone(),
                        to,
                        line,
                        path: segs.join("::"),
                    });
                }
            };
            let mut used_aliases = BTreeSet::new();
            for r in &module.facts.paths {
                if let Some(abs) = self.absolute(path, &r.segs) {
                    if module.aliases.contains_key(&r.segs[0]) {
                        used_aliases.insert(r.segs[0].clone());
                    }
                    push(self.target_of(&abs, 0), r.line, &r.segs);
                }
            }
            for leaf in &module.facts.uses {
                let Some(abs) = self.absolute(path, &leaf.segs) else {
                    continue;
                };
                let to = self.target_of(&abs, 0);
                let mut written = leaf.segs.clone();
                if leaf.glob {
                    written.push("*".to_owned());
                }
                if leaf.public {
                    // Re-exporting one's own descendants is structure, not an import.
                    if !to.starts_with(path) {
                        push(to, leaf.line, &written);
                    }
                } else if leaf.glob || !self.modules.contains_key(&abs) {
                    push(to, leaf.line, &written);
                } else if !used_aliases.contains(&leaf.name) {
                    // A module imported by name counts where it is used, else here.
                    push(to, leaf.line, &written);
                }
            }
        }
        edges
    }

    fn cycles(&self, package: &str, kind: &str) -> Vec<Cycle> {
        let edges = self.edges();
        let index: HashMap<&ModPath, usize> = self
            .modules
            .keys()
            .enumerate()
            .map(|(i, p)| (p, i))
            .collect();
        let names: Vec<&ModPath> = self.modules.keys().collect();
        let mut adjacency: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); names.len()];
        for e in &edges {
            if let (Some(&a), Some(&b)) = (index.get(&e.from), index.get(&e.to)) {
                adjacency[a].insert(b);
            }
        }
        let mut out = Vec::new();
        for component in strongly_connected(&adjacency) {
            if component.len() < 2 {
                continue;
            }
            let members: BTreeSet<ModPath> = component.iter().map(|&i| names[i].clone()).collect();
            let modules = members
                .iter()
                .map(|p| (display(p), self.modules[p].file.clone()))
                .collect();
            let mut sites: Vec<EdgeSite> = edges
                .iter()
                .filter(|e| members.contains(&e.from) && members.contains(&e.to))
                .map(|e| EdgeSite {
                    file: self.modules[&e.from].file.clone(),
                    line: e.line,
                    from: display(&e.from),
                    to: display(&e.to),
                    path: e.path.clone(),
                })
                .collect();
            sites.sort();
            sites.dedup();
            // one line per import: `super::{Call, Source}` as `super::Call, super::Source`
            let mut grouped: Vec<EdgeSite> = Vec::new();
            for site in sites {
                match grouped.last_mut() {
                    Some(g)
                        if (&g.file, g.line, &g.from, &g.to)
                            == (&site.file, site.line, &site.from, &site.to) =>
                    {
                        g.path.push_str(", ");
                        g.path.push_str(&site.path);
                    }
                    _ => grouped.push(site),
                }
            }
            out.push(Cycle {
                package: package.to_owned(),
                target: kind.to_owned(),
                modules,
                edges: grouped,
            });
        }
        out
    }
}

/// Tarjan's strongly connected components (iterative).
fn strongly_connected(adjacency: &[BTreeSet<usize>]) -> Vec<Vec<usize>> {
    let n = adjacency.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0usize;
    let mut out = Vec::new();
    let succ: Vec<Vec<usize>> = adjacency
        .iter()
        .map(|s| s.iter().copied().collect())
        .collect();
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        // (node, position in its successor list)
        let mut work = vec![(start, 0usize)];
        index[start] = next;
        low[start] = next;
        next += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(top) = work.last_mut() {
            let v = top.0;
            if let Some(&w) = succ[v].get(top.1) {
                top.1 += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                out.push(component);
            }
        }
    }
    out.sort();
    out
}
