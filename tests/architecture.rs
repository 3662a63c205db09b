//! The layers of `docs/architecture.md` hold in the code: a module imports only from modules of
//! lower layers, so no two top-level modules import each other, directly or round a cycle.
//!
//! The layer table is read from the document itself, so the document cannot drift from what this
//! test enforces. Imports are read with `syn`, not by matching text: `use crate::…` trees,
//! `crate::…` paths written inline (in types, expressions, patterns, and in macros' arguments), `super::…` paths that climb to the crate root, and names the
//! crate root re-exports (`crate::Duration` is an import of `duration`). Doc links are comments
//! and do not count: a lower layer may name a higher one in its docs, as regex-automata does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// One import of one top-level module by another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    from: String,
    to: String,
    /// The file and line of the import, for the message.
    place: String,
}

/// The layers of the table in `docs/architecture.md` whose header is `| layer | module |`.
fn layers(document: &str) -> BTreeMap<String, u32> {
    let mut layers = BTreeMap::new();
    let mut in_table = false;
    for line in document.lines() {
        if line.starts_with("| layer | module |") {
            in_table = true;
            continue;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let layer: u32 = cells[1]
            .parse()
            .unwrap_or_else(|_| panic!("bad layer in {line}"));
        for module in cells[2].split(',') {
            let module = module.trim().trim_matches('`');
            layers.insert(module.to_string(), layer);
        }
    }
    assert!(!layers.is_empty(), "no `| layer | module |` table");
    layers
}

/// The crate's top-level modules and, for each name the root re-exports, the module it comes
/// from.
fn root(lib: &syn::File) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let mut modules = BTreeSet::new();
    let mut exports = BTreeMap::new();
    for item in &lib.items {
        match item {
            syn::Item::Mod(m) => {
                modules.insert(m.ident.to_string());
            }
            syn::Item::Use(u) => {
                let mut leaves = Vec::new();
                flatten(&u.tree, Vec::new(), &mut leaves);
                for (path, name) in leaves {
                    if let Some(module) = path.first() {
                        exports.insert(name, module.clone());
                    }
                }
            }
            _ => {}
        }
    }
    (modules, exports)
}

/// Every path a `use` tree names, with the name it brings in.
fn flatten(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    match tree {
        syn::UseTree::Path(p) => {
            let mut prefix = prefix;
            prefix.push(p.ident.to_string());
            flatten(&p.tree, prefix, out);
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix;
            path.push(n.ident.to_string());
            let name = n.ident.to_string();
            out.push((path, name));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix;
            path.push(r.ident.to_string());
            out.push((path, r.rename.to_string()));
        }
        syn::UseTree::Glob(_) => out.push((prefix, "*".to_string())),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                flatten(item, prefix.clone(), out);
            }
        }
    }
}

/// Collects the top-level module each `crate::` or climbing `super::` path of one file reaches.
struct Reach<'a> {
    /// The module path of the file: `["load", "validate"]` for `load/validate/mod.rs`.
    module: Vec<String>,
    modules: &'a BTreeSet<String>,
    exports: &'a BTreeMap<String, String>,
    found: Vec<(String, usize)>,
}

impl Reach<'_> {
    /// The top-level module that the path `segments` (as written) names, if it leaves the file's
    /// own top-level module.
    fn resolve(&self, segments: &[String]) -> Option<String> {
        let absolute: Vec<String> = match segments.first().map(String::as_str) {
            Some("crate") => segments[1..].to_vec(),
            Some("super") => {
                let mut base = self.module.clone();
                let mut rest = segments;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                base
            }
            _ => return None,
        };
        let first = absolute.first()?;
        let target = if self.modules.contains(first) {
            first.clone()
        } else {
            self.exports.get(first)?.clone()
        };
        (Some(&target) != self.module.first()).then_some(target)
    }

    fn in_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (index, token) in tokens.iter().enumerate() {
            match token {
                proc_macro2::TokenTree::Group(group) => self.in_tokens(group.stream()),
                proc_macro2::TokenTree::Ident(ident) if ident == "crate" => {
                    // `crate`, `:`, `:`, then the name.
                    if let Some(proc_macro2::TokenTree::Ident(next)) = tokens.get(index + 3) {
                        let path = ["crate".to_string(), next.to_string()];
                        self.record(&path, ident.span().start().line);
                    }
                }
                _ => {}
            }
        }
    }

    fn record(&mut self, segments: &[String], line: usize) {
        if let Some(target) = self.resolve(segments) {
            self.found.push((target, line));
        }
    }
}

impl<'ast> Visit<'ast> for Reach<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        flatten(&item.tree, Vec::new(), &mut leaves);
        let line = item.use_token.span.start().line;
        for (path, _) in leaves {
            self.record(&path, line);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        // An inline module (`mod tests { … }`) is one level deeper for its `super::` paths.
        let inline = item.content.is_some();
        if inline {
            self.module.push(item.ident.to_string());
        }
        syn::visit::visit_item_mod(self, item);
        if inline {
            self.module.pop();
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // A macro's arguments are tokens, not syntax: look in them for `crate :: name`.
        self.in_tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path
            .segments
            .first()
            .map_or(0, |s| s.ident.span().start().line);
        self.record(&segments, line);
        syn::visit::visit_path(self, path);
    }
}

/// The module path of a file under `src`: `load/validate/mod.rs` is `["load", "validate"]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// Every import between top-level modules of the library under `src`. The command-line tool
/// (`src/bin`) is a separate crate on top of the library and cannot form a cycle with it.
fn imports(src: &Path) -> Vec<Import> {
    let lib = syn::parse_file(&std::fs::read_to_string(src.join("lib.rs")).unwrap()).unwrap();
    let (modules, exports) = root(&lib);
    let mut found = Vec::new();
    let mut files: Vec<PathBuf> = walk(src);
    files.sort();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        if relative.starts_with("bin") || relative == Path::new("lib.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut reach = Reach {
            module: module_of(relative),
            modules: &modules,
            exports: &exports,
            found: Vec::new(),
        };
        reach.visit_file(&syntax);
        for (to, line) in reach.found {
            found.push(Import {
                from: reach.module[0].clone(),
                to,
                place: format!("src/{}:{line}", relative.display()),
            });
        }
    }
    found
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The imports that break the layers, one line each, first place of each pair of modules.
fn violations(src: &Path, layers: &BTreeMap<String, u32>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for import in imports(src) {
        let layer = |module: &str| layers.get(module).copied();
        match (layer(&import.from), layer(&import.to)) {
            (Some(from), Some(to)) if to < from => {}
            (Some(from), Some(to)) => {
                if seen.insert((import.from.clone(), import.to.clone())) {
                    problems.push(format!(
                        "{}: `{}` (layer {from}) imports `{}` (layer {to}); a module may import only from lower layers",
                        import.place, import.from, import.to
                    ));
                }
            }
            (None, _) | (_, None) => {
                let missing = if layer(&import.from).is_none() {
                    &import.from
                } else {
                    &import.to
                };
                if seen.insert((missing.clone(), String::new())) {
                    problems.push(format!(
                        "{}: module `{missing}` is missing from the layer table",
                        import.place
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn every_module_imports_only_from_lower_layers() {
    let document = std::fs::read_to_string("docs/architecture.md").unwrap();
    let layers = layers(&document);
    let problems = violations(Path::new("src"), &layers);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_layer_table_names_exactly_the_crates_modules() {
    let document = std::fs::read_to_string("docs/architecture.md").unwrap();
    let layers = layers(&document);
    let lib = syn::parse_file(&std::fs::read_to_string("src/lib.rs").unwrap()).unwrap();
    let (modules, _) = root(&lib);
    let tabled: BTreeSet<String> = layers.keys().cloned().collect();
    assert_eq!(
        tabled, modules,
        "docs/architecture.md's layer table and src/lib.rs differ"
    );
}

/// Each arrow of the module diagram is an import the code makes, so the picture stays true.
#[test]
fn every_arrow_of_the_module_diagram_is_a_real_import() {
    let document = std::fs::read_to_string("docs/architecture.md").unwrap();
    let diagram = document
        .split("```mermaid")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let real: BTreeSet<(String, String)> = imports(Path::new("src"))
        .into_iter()
        .map(|i| (i.from, i.to))
        .collect();
    let mut arrows = 0;
    for line in diagram.lines() {
        let Some((from, to)) = line.split_once("-->") else {
            continue;
        };
        let name = |side: &str| {
            side.trim()
                .split(['[', '(', ' '])
                .next()
                .unwrap()
                .to_string()
        };
        let (from, to) = (name(from), name(to));
        if from == "cli" {
            continue;
        }
        arrows += 1;
        assert!(
            real.contains(&(from.clone(), to.clone())),
            "the diagram draws {from} --> {to}, but `{from}` does not import `{to}`"
        );
    }
    assert!(arrows > 10, "the module diagram has only {arrows} arrows");
}

/// The checker itself: a committed tree where the model imports the runtime is refused, with
/// the place of the back-edge.
#[test]
fn a_back_edge_is_refused() {
    let fixture = Path::new("tests/fixtures/back-edge/src");
    let layers = layers(
        "| layer | module |\n|---|---|\n| 0 | `time`, `text` |\n| 1 | `model` |\n| 2 | `run` |\n",
    );
    assert_eq!(
        violations(fixture, &layers),
        [
            "src/model/mod.rs:5: `model` (layer 1) imports `run` (layer 2); a module may import only from lower layers",
            "src/text.rs:4: `text` (layer 0) imports `run` (layer 2); a module may import only from lower layers",
            "src/time.rs:4: `time` (layer 0) imports `model` (layer 1); a module may import only from lower layers",
        ]
    );
}

/// The public types of the library under `src`, by name, with the file of each.
fn public_types(src: &Path) -> BTreeMap<String, Vec<String>> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut files = walk(src);
    files.sort();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        if relative.starts_with("bin") {
            continue;
        }
        let syntax = syn::parse_file(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let mut items: Vec<&syn::Item> = syntax.items.iter().collect();
        while let Some(item) = items.pop() {
            let (visibility, name) = match item {
                syn::Item::Struct(i) => (&i.vis, &i.ident),
                syn::Item::Enum(i) => (&i.vis, &i.ident),
                syn::Item::Trait(i) => (&i.vis, &i.ident),
                syn::Item::Type(i) => (&i.vis, &i.ident),
                syn::Item::Union(i) => (&i.vis, &i.ident),
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        items.extend(inner.iter());
                    }
                    continue;
                }
                _ => continue,
            };
            if matches!(visibility, syn::Visibility::Public(_)) {
                found
                    .entry(name.to_string())
                    .or_default()
                    .push(format!("src/{}", relative.display()));
            }
        }
    }
    found
}

/// A reader who meets `Attribute` in a signature should not have to ask which one.
#[test]
fn no_two_public_types_share_a_name() {
    let shared: Vec<String> = public_types(Path::new("src"))
        .into_iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(name, files)| format!("`{name}` in {}", files.join(", ")))
        .collect();
    assert!(shared.is_empty(), "{}", shared.join("\n"));
}

/// Runs must not depend on the machine's time-zone files: only the bundled database is read
/// (`docs/architecture.md`, "Time zones come from the crate").
#[test]
fn no_source_reads_the_system_s_time_zones() {
    let forbidden = [
        "tz::db(",
        "TimeZone::system",
        "TimeZone::try_system",
        "TimeZone::get(",
        "zoneinfo",
    ];
    let mut found = Vec::new();
    for file in walk(Path::new("src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for word in forbidden {
            if text.contains(word) {
                found.push(format!("{} names `{word}`", file.display()));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    let calendar = std::fs::read_to_string("src/calendar.rs").unwrap();
    assert!(calendar.contains("TimeZoneDatabase::bundled"));
}
