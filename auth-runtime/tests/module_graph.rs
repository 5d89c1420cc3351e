//! The runtime's modules import each other without cycles: every `crate::` (and
//! `super::`) path in every source file is an edge from that file's module to the
//! module the path names, and the graph must be acyclic. A parent's relative
//! `mod child; pub use child::Item;` is not an import and makes no edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Module path (`["scheme", "jwt"]`) of a source file under `src/`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Collects the module paths a file names through `crate::` and `super::`.
struct Imports<'a> {
    here: &'a [String],
    is_mod_file: bool,
    found: BTreeSet<Vec<String>>,
}

impl Imports<'_> {
    fn add(&mut self, segments: Vec<String>) {
        let Some(first) = segments.first() else { return };
        let absolute = match first.as_str() {
            "crate" => segments[1..].to_vec(),
            "super" => {
                // `super` of `a/b.rs` (module a::b) is `a`; of `a/b/mod.rs` (a::b) also `a`.
                let _ = self.is_mod_file;
                let mut base = self.here.to_vec();
                let mut rest = &segments[..];
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                base
            }
            _ => return,
        };
        self.found.insert(absolute);
    }
}

impl<'ast> Visit<'ast> for Imports<'_> {
    fn visit_use_tree(&mut self, tree: &'ast syn::UseTree) {
        fn walk(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
            match tree {
                syn::UseTree::Path(p) => {
                    prefix.push(p.ident.to_string());
                    walk(&p.tree, prefix, out);
                    prefix.pop();
                }
                syn::UseTree::Name(n) => {
                    let mut full = prefix.clone();
                    full.push(n.ident.to_string());
                    out.push(full);
                }
                syn::UseTree::Rename(r) => {
                    let mut full = prefix.clone();
                    full.push(r.ident.to_string());
                    out.push(full);
                }
                syn::UseTree::Glob(_) => out.push(prefix.clone()),
                syn::UseTree::Group(g) => g.items.iter().for_each(|t| walk(t, prefix, out)),
            }
        }
        let mut paths = Vec::new();
        walk(tree, &mut Vec::new(), &mut paths);
        for path in paths {
            self.add(path);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.add(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
}

/// The longest prefix of `path` that is a module.
fn resolve(modules: &BTreeSet<Vec<String>>, path: &[String]) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|candidate| modules.contains(candidate))
}

fn find_cycle(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<Vec<String>>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn dfs(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        marks: &mut BTreeMap<Vec<String>, Mark>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Visiting) => {
                let start = stack.iter().position(|n| n == node).expect("on stack");
                let mut cycle = stack[start..].to_vec();
                cycle.push(node.clone());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.clone(), Mark::Visiting);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = dfs(next, graph, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(node.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if let Some(cycle) = dfs(node, graph, &mut marks, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

fn graph_of(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let here = module_of(src, file);
        let text = std::fs::read_to_string(file).expect("readable source");
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let is_mod_file = file.file_name().is_some_and(|n| n == "mod.rs");
        let mut imports = Imports {
            here: &here,
            is_mod_file,
            found: BTreeSet::new(),
        };
        imports.visit_file(&ast);
        let edges: BTreeSet<Vec<String>> = imports
            .found
            .iter()
            .filter_map(|path| resolve(&modules, path))
            // A module naming its own items, or the crate root, is no dependency.
            .filter(|target| *target != here && !target.is_empty())
            .collect();
        graph.insert(here, edges);
    }
    graph
}

fn show(cycle: &[Vec<String>]) -> String {
    cycle
        .iter()
        .map(|m| format!("crate::{}", m.join("::")))
        .collect::<Vec<_>>()
        .join(" -> ")
}

#[test]
fn the_runtime_modules_import_each_other_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph_of(&src);
    assert!(graph.len() > 20, "the walk found too few modules: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between runtime modules: {}", show(&cycle));
    }
}

#[test]
fn a_cycle_is_found() {
    let dir = std::env::temp_dir().join(format!("portcullis-cycle-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a; mod b;").unwrap();
    std::fs::write(dir.join("a.rs"), "use crate::b::inner::X; pub struct Y;").unwrap();
    std::fs::write(dir.join("b/mod.rs"), "mod inner;").unwrap();
    std::fs::write(dir.join("b/inner.rs"), "use super::super::a::Y; pub struct X;").unwrap();
    let cycle = find_cycle(&graph_of(&dir)).expect("a -> b::inner -> a is a cycle");
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(show(&cycle), "crate::a -> crate::b::inner -> crate::a");
}
