//! The modules form a ladder (see the module list of `src/lib.rs`): a top-level module uses only
//! the modules listed before it in [`LADDER`], and the submodules of one module import each
//! other without cycles. Reads every `src/**/*.rs` but `main.rs` (the front end on top of all),
//! removes comments and literals, and resolves each `crate::…` and `super::…` path, `use` trees
//! included, against the file's module (inline `mod … { }` blocks such as tests count as part of
//! the file's module).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules, lowest first: each may use only the ones before it.
const LADDER: &[&str] = &[
    // foundations
    "error",
    "cancel",
    "tolerance",
    "dyadic",
    "exact",
    // the model and its inputs
    "network",
    "domain",
    "points",
    "vnnlib",
    "formats",
    // computations
    "solver",
    "bounds",
    "check",
    "enumerate",
    "sandwich",
    // applications
    "slice",
    "plot",
    "train",
    // front ends (with `main.rs`)
    "inputs",
    "report",
    "python",
];

/// The rung of the facade's functions defined in lib.rs (`crate::count`, `crate::bound`): they
/// call the modules up to this one.
const FACADE_FUNCTIONS_RANK: &str = "sandwich";

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The source with comments, string and character literals blanked out (lifetimes kept).
fn strip(src: &str) -> String {
    let s: Vec<char> = src.chars().collect();
    let n = s.len();
    let mut out = String::with_capacity(n);
    let mut i = 0;
    let starts_word = |i: usize| i == 0 || !is_ident(s[i - 1]);
    while i < n {
        let c = s[i];
        let next = s.get(i + 1).copied();
        let j = if c == '/' && next == Some('/') {
            let mut j = i;
            while j < n && s[j] != '\n' {
                j += 1;
            }
            j
        } else if c == '/' && next == Some('*') {
            let (mut j, mut depth) = (i, 0);
            while j < n {
                if s[j] == '/' && s.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if s[j] == '*' && s.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            j
        } else if (c == 'r' && starts_word(i)) || (c == 'b' && next == Some('r') && starts_word(i))
        {
            // a raw string r"…", r#"…"#, br"…" (or an identifier starting with r or br)
            let mut j = if c == 'b' { i + 2 } else { i + 1 };
            let mut hashes = 0;
            while j < n && s[j] == '#' {
                hashes += 1;
                j += 1;
            }
            if j < n && s[j] == '"' {
                j += 1;
                loop {
                    if j >= n {
                        break;
                    }
                    if s[j] == '"' && (0..hashes).all(|h| s.get(j + 1 + h) == Some(&'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                j
            } else {
                i
            }
        } else if c == '"' {
            let mut j = i + 1;
            while j < n && s[j] != '"' {
                j += if s[j] == '\\' { 2 } else { 1 };
            }
            j + 1
        } else if c == '\'' && next == Some('\\') {
            let mut j = i + 3;
            while j < n && s[j] != '\'' {
                j += 1;
            }
            j + 1
        } else if c == '\'' && s.get(i + 2) == Some(&'\'') {
            i + 3
        } else {
            i
        };
        if j > i {
            out.extend(std::iter::repeat_n(' ', j.min(n) - i));
            i = j.min(n);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Identifiers, `::` and single punctuation characters.
fn tokens(src: &str) -> Vec<String> {
    let s: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c.is_whitespace() {
            i += 1;
        } else if is_ident(c) {
            let start = i;
            while i < s.len() && is_ident(s[i]) {
                i += 1;
            }
            out.push(s[start..i].iter().collect());
        } else if c == ':' && s.get(i + 1) == Some(&':') {
            out.push("::".to_string());
            i += 2;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

fn starts_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Parses the path (or `use` tree) starting at `toks[i]` after `prefix::`, pushing every full
/// path; returns the index after it.
fn parse_tree(
    toks: &[String],
    mut i: usize,
    prefix: &[String],
    out: &mut Vec<Vec<String>>,
) -> usize {
    match toks.get(i).map(String::as_str) {
        Some("{") => {
            i += 1;
            while i < toks.len() && toks[i] != "}" {
                i = parse_tree(toks, i, prefix, out);
                if toks.get(i).is_some_and(|t| t == ",") {
                    i += 1;
                }
            }
            i + 1
        }
        Some("self") => {
            out.push(prefix.to_vec());
            i + 1
        }
        Some(t) if starts_ident(t) => {
            let mut path = prefix.to_vec();
            path.push(t.to_string());
            if toks.get(i + 1).is_some_and(|t| t == "::") {
                parse_tree(toks, i + 2, &path, out)
            } else {
                out.push(path);
                i + 1
            }
        }
        _ => {
            out.push(prefix.to_vec());
            i + 1
        }
    }
}

/// The module path of a file: `src/enumerate/dual.rs` → [enumerate, dual], `src/bounds/mod.rs`
/// → [bounds].
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src_dir()).unwrap().with_extension("");
    let mut path: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if path.last().is_some_and(|l| l == "mod") {
        path.pop();
    }
    path
}

/// A path used in a file: the module using it (file module + inline modules) and the absolute
/// path it names.
struct Use {
    file: PathBuf,
    from: Vec<String>,
    to: Vec<String>,
}

fn uses_in(file: &Path) -> Vec<Use> {
    let text = std::fs::read_to_string(file).unwrap();
    paths_in(&module_of(file), &text)
        .into_iter()
        .map(|(from, to)| Use {
            file: file.to_path_buf(),
            from,
            to,
        })
        .collect()
}

/// The (using module, absolute path) pairs of a file of module `base`.
fn paths_in(base: &[String], text: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let toks = tokens(&strip(text));
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i].as_str();
        if t == "mod" && toks.get(i + 2).is_some_and(|b| b == "{") {
            inline.push((toks[i + 1].clone(), depth + 1));
        }
        if t == "{" {
            depth += 1;
        } else if t == "}" {
            if inline.last().is_some_and(|&(_, d)| d == depth) {
                inline.pop();
            }
            depth = depth.saturating_sub(1);
        }
        let path_start = (t == "crate" || t == "super")
            && toks.get(i + 1).is_some_and(|c| c == "::")
            && (i == 0 || toks[i - 1] != "::");
        if !path_start {
            i += 1;
            continue;
        }
        let from: Vec<String> = base
            .iter()
            .cloned()
            .chain(inline.iter().map(|(m, _)| m.clone()))
            .collect();
        let (prefix, mut j) = if t == "crate" {
            (Vec::new(), i + 2)
        } else {
            let mut j = i;
            let mut up = 0;
            while toks.get(j).is_some_and(|s| s == "super")
                && toks.get(j + 1).is_some_and(|c| c == "::")
            {
                up += 1;
                j += 2;
            }
            assert!(up <= from.len(), "`super` goes above the crate root");
            (from[..from.len() - up].to_vec(), j)
        };
        let mut paths = Vec::new();
        j = parse_tree(&toks, j, &prefix, &mut paths);
        out.extend(paths.into_iter().map(|to| (from.clone(), to)));
        i = j;
    }
    out
}

/// The modules declared in lib.rs (`mod x;`) and where lib.rs's `pub use` names come from.
fn lib_rs() -> (BTreeSet<String>, BTreeMap<String, String>) {
    let file = src_dir().join("lib.rs");
    let toks = tokens(&strip(&std::fs::read_to_string(&file).unwrap()));
    let mut modules = BTreeSet::new();
    let mut reexports = BTreeMap::new();
    for (i, t) in toks.iter().enumerate() {
        if t == "mod" && toks.get(i + 2).is_some_and(|s| s == ";") {
            modules.insert(toks[i + 1].clone());
        }
        // the facade's functions (`count`, `bound`, …) call the enumerator and the sandwich: a
        // module using them stands above both
        if t == "fn" && toks.get(i.wrapping_sub(1)).is_some_and(|p| p == "pub") {
            reexports.insert(toks[i + 1].clone(), FACADE_FUNCTIONS_RANK.to_string());
        }
        if t == "use" && toks.get(i.wrapping_sub(1)).is_some_and(|p| p == "pub") {
            let mut paths = Vec::new();
            parse_tree(&toks, i + 1, &[], &mut paths);
            for p in paths {
                if let (Some(first), Some(last)) = (p.first(), p.last()) {
                    reexports.insert(last.clone(), first.clone());
                }
            }
        }
    }
    (modules, reexports)
}

#[test]
fn the_ladder_lists_every_module_of_lib_rs() {
    let (modules, _) = lib_rs();
    let ladder: BTreeSet<String> = LADDER.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        modules, ladder,
        "the modules of src/lib.rs and LADDER in tests/module_ladder.rs differ: place every module on the ladder"
    );
}

#[test]
fn no_module_uses_one_above_it() {
    let (_, reexports) = lib_rs();
    let rank = |m: &str| LADDER.iter().position(|l| *l == m);
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut wrong = BTreeSet::new();
    for file in files.iter().filter(|f| {
        let name = f.strip_prefix(src_dir()).unwrap();
        name != Path::new("lib.rs") && name != Path::new("main.rs")
    }) {
        for u in uses_in(file) {
            let (Some(from), Some(first)) = (u.from.first(), u.to.first()) else {
                continue;
            };
            let to = reexports.get(first).unwrap_or(first);
            if to == from {
                continue;
            }
            let (Some(rf), Some(rt)) = (rank(from), rank(to)) else {
                wrong.insert(format!(
                    "{}: `{}` is not a module on the ladder",
                    u.file.display(),
                    u.to.join("::")
                ));
                continue;
            };
            if rt > rf {
                wrong.insert(format!(
                    "{}: {from} uses {to} (`crate::{}`), which is above it",
                    u.file.display(),
                    u.to.join("::")
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports up the ladder (LADDER in tests/module_ladder.rs):\n{}",
        wrong.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn sibling_submodules_import_each_other_without_cycles() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    files.retain(|f| {
        let name = f.strip_prefix(src_dir()).unwrap();
        name != Path::new("lib.rs") && name != Path::new("main.rs")
    });
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
    // parent → (child → children it imports)
    let mut graphs: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in &files {
        for u in uses_in(file) {
            let common = u.from.iter().zip(&u.to).take_while(|(a, b)| a == b).count();
            if common == 0 || common >= u.from.len() || common >= u.to.len() {
                continue; // the top level (checked by the ladder), or a parent and its child
            }
            let parent = u.to[..common].to_vec();
            if !modules.contains(&u.to[..=common]) {
                continue; // an item of the parent, not a sibling module
            }
            let (a, b) = (u.from[common].clone(), u.to[common].clone());
            graphs
                .entry(parent)
                .or_default()
                .entry(a)
                .or_default()
                .insert(b);
        }
    }
    let mut cycles = Vec::new();
    for (parent, graph) in &graphs {
        if let Some(cycle) = find_cycle(graph) {
            cycles.push(format!("{}: {}", parent.join("::"), cycle.join(" → ")));
        }
    }
    assert!(
        cycles.is_empty(),
        "submodules importing each other in a cycle:\n{}",
        cycles.join("\n")
    );
}

/// A cycle of the directed graph, if any, as the list of its nodes (first repeated last).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|s| s == next).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str()) {
            let mut stack = Vec::new();
            if let Some(c) = visit(node, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

/// The reader itself: comments, literals, `use` trees, `super` and inline modules.
#[test]
fn the_reader_resolves_paths_through_use_trees_comments_and_literals() {
    let src = r##"
        // use crate::report;
        /* crate::main /* nested */ crate::train */
        let s = "crate::plot \" crate::slice";
        let r = r#"crate::train"#;
        let c = '{';
        use crate::{domain::{Domain, Shape}, network::{self, Network}, error::*};
        fn f<'a>(x: &'a str) -> crate::tolerance::T { super::geometry::slack() }
        mod tests { use super::super::dual::x; }
        pub(crate) fn g() -> crate::dyadic::Q {}
    "##;
    let base = vec!["enumerate".to_string(), "ball_lp".to_string()];
    let found: Vec<String> = paths_in(&base, src)
        .into_iter()
        .map(|(from, to)| format!("{} -> {}", from.join("::"), to.join("::")))
        .collect();
    assert_eq!(
        found,
        [
            "enumerate::ball_lp -> domain::Domain",
            "enumerate::ball_lp -> domain::Shape",
            "enumerate::ball_lp -> network",
            "enumerate::ball_lp -> network::Network",
            "enumerate::ball_lp -> error",
            "enumerate::ball_lp -> tolerance::T",
            "enumerate::ball_lp -> enumerate::geometry::slack",
            "enumerate::ball_lp::tests -> enumerate::dual::x",
            "enumerate::ball_lp -> dyadic::Q",
        ]
    );
}
