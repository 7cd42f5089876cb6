//! The module-cycle rule: no cycle in the `use` graph of the top-level
//! modules of the crate. hax extracts one backend module per Rust module
//! and bundles mutually recursive modules into one, so a cycle merges
//! modules that the spec means to read (and prove) one at a time.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{Ident, UseTree};

use super::{rule, Violation};

/// Where an edge is first written: file, line, column (1-based).
type Site = (String, usize, usize);

/// Checks the `(file name, source)` pairs of one crate for module cycles
/// (rule `module-cycle`). Files that do not parse are skipped (the caller
/// reports them).
///
/// # What is an edge
///
/// Module `A` depends on module `B` (an edge `A -> B`) when a file of `A`
/// names a path that resolves to `B` or to an item inside it:
///
/// * a path starting with `crate::`, `self::` or `super::` in a `use` item
///   (every branch of a `use` tree; `pub use` re-exports included), in code,
///   types, patterns and visibilities, and in the tokens of a macro call
///   (such as `vec![crate::m::X; 2]`);
/// * `self::` and `super::` are resolved against the module the path is
///   written in: the file's module (`src/a.rs` is `a`, `src/d/mod.rs` is
///   `d`, `src/d/e.rs` is `d::e`) and any inline `mod m { .. }` around it;
/// * a path to an item of the crate root that the root re-exports from a
///   module (`crate::Error`, with `pub use error::Error;` in `lib.rs`) is an
///   edge to that module: the root is transparent, not a module of its own,
///   and its own `mod` and `use` items are not edges.
///
/// Not edges: other paths (they start with a name brought in by a `use`,
/// which is the edge, or name a local item, the prelude or `core`/`std`),
/// intra-doc links and other doc text, and attribute arguments (hax
/// contracts name predicates by a bare identifier).
///
/// A module in a directory (`ml_kem/mod.rs` with `ml_kem/kem.rs`, ...)
/// counts as one module: every file under `src/ml_kem/` and every inline
/// module in them belongs to `ml_kem`, so `super::` between its submodules
/// gives self-edges, which never count. (Its submodules are one unit of
/// the standard they implement. hax would bundle a cycle among them too;
/// today there is none, each building on the previous ones as FIPS 203
/// does, but this rule does not look inside a directory module.)
///
/// # What is reported
///
/// One violation per strongly connected component of the graph with more
/// than one module (what hax would bundle into one): it names every module
/// of the component and one shortest cycle through its first module, with
/// the file:line of each edge of that cycle (the first place in the files,
/// in path order, where the edge is written), and it is located at the
/// first edge of that cycle.
pub fn check_cycles(files: &[(String, String)]) -> Vec<Violation> {
    let root_dir = files.iter().find_map(|(name, _)| {
        let is_root = name == "lib.rs" || name.ends_with("/src/lib.rs") || name == "src/lib.rs";
        is_root.then(|| name[..name.len() - "lib.rs".len()].to_string())
    });
    let mut parsed = Vec::new();
    for (name, src) in files {
        if let Ok(file) = syn::parse_file(src) {
            parsed.push((name.as_str(), module_path(name, root_dir.as_deref()), file));
        }
    }
    // The top-level modules: declared by the root, or holding a file.
    let mut modules = BTreeSet::new();
    for (_, path, file) in &parsed {
        match path.first() {
            Some(top) => {
                modules.insert(top.clone());
            }
            None => modules.extend(file.items.iter().filter_map(|i| match i {
                syn::Item::Mod(m) => Some(m.ident.to_string()),
                _ => None,
            })),
        }
    }
    // Names the root re-exports from a module: `pub use error::Error;`.
    let mut aliases = BTreeMap::new();
    for (_, path, file) in &parsed {
        if !path.is_empty() {
            continue;
        }
        for item in &file.items {
            if let syn::Item::Use(u) = item {
                for (segs, name) in use_paths(&u.tree) {
                    let segs: Vec<String> = segs.iter().map(Ident::to_string).collect();
                    let start = usize::from(matches!(segs[0].as_str(), "crate" | "self"));
                    if let (Some(top), Some(name)) = (segs.get(start), name) {
                        if modules.contains(top) && segs.len() > start + 1 {
                            aliases.insert(name, top.clone());
                        }
                    }
                }
            }
        }
    }
    let mut edges: BTreeMap<(String, String), Site> = BTreeMap::new();
    for (name, path, file) in &parsed {
        let mut v = Edges {
            file: name,
            module: path.clone(),
            modules: &modules,
            aliases: &aliases,
            edges: &mut edges,
        };
        v.visit_file(file);
    }
    report(&modules, &edges)
}

/// The module path of a file from its name: `src/a.rs` is `[a]`,
/// `src/d/mod.rs` and `src/d.rs` are `[d]`, `src/d/e.rs` is `[d, e]`, and
/// the root `src/lib.rs` is `[]`. Names are taken relative to the
/// directory of the crate root if there is one, else after the last `src/`.
fn module_path(name: &str, root_dir: Option<&str>) -> Vec<String> {
    let rel = match root_dir.and_then(|d| name.strip_prefix(d)) {
        Some(rel) => rel,
        None => name.rfind("src/").map_or(name, |i| &name[i + 4..]),
    };
    let mut path: Vec<String> = rel.split('/').map(str::to_string).collect();
    if let Some(last) = path.last_mut() {
        *last = last.trim_end_matches(".rs").to_string();
    }
    if path.last().is_some_and(|l| l == "mod") || path == ["lib"] {
        path.pop();
    }
    path
}

/// Every path of a `use` tree, with the name it binds (`None` for a glob).
fn use_paths(tree: &UseTree) -> Vec<(Vec<Ident>, Option<String>)> {
    fn walk(t: &UseTree, prefix: &mut Vec<Ident>, out: &mut Vec<(Vec<Ident>, Option<String>)>) {
        match t {
            UseTree::Path(p) => {
                prefix.push(p.ident.clone());
                walk(&p.tree, prefix, out);
                prefix.pop();
            }
            UseTree::Group(g) => g.items.iter().for_each(|i| walk(i, prefix, out)),
            UseTree::Name(n) => {
                let mut segs = prefix.clone();
                segs.push(n.ident.clone());
                out.push((segs, Some(n.ident.to_string())));
            }
            UseTree::Rename(r) => {
                let mut segs = prefix.clone();
                segs.push(r.ident.clone());
                out.push((segs, Some(r.rename.to_string())));
            }
            UseTree::Glob(_) => out.push((prefix.clone(), None)),
        }
    }
    let mut out = Vec::new();
    walk(tree, &mut Vec::new(), &mut out);
    out
}

/// Collects the edges of one file.
struct Edges<'a> {
    file: &'a str,
    /// The module being visited (file module, then inline `mod`s).
    module: Vec<String>,
    modules: &'a BTreeSet<String>,
    aliases: &'a BTreeMap<String, String>,
    edges: &'a mut BTreeMap<(String, String), Site>,
}

impl Edges<'_> {
    /// Records the edge a path gives, if any (see [`check_cycles`]).
    fn path(&mut self, segs: &[Ident]) {
        let Some(from) = self.module.first().cloned() else {
            return; // the root is not a module of the graph
        };
        let names: Vec<String> = segs.iter().map(Ident::to_string).collect();
        let (mut base, mut i) = match names.first().map(String::as_str) {
            Some("crate") => (Vec::new(), 1),
            Some("self") => (self.module.clone(), 1),
            Some("super") => (self.module.clone(), 0),
            _ => return,
        };
        while names.get(i).is_some_and(|n| n == "super") {
            if base.pop().is_none() {
                return; // `super` above the root does not compile
            }
            i += 1;
        }
        // `base` is a prefix of the current module path: a path that stays
        // inside the current top-level module is a self-edge.
        if !base.is_empty() {
            return;
        }
        let Some(next) = names.get(i) else {
            return;
        };
        let to = match self.aliases.get(next) {
            _ if self.modules.contains(next) => next.clone(),
            Some(m) => m.clone(),
            None => return,
        };
        let at = &segs[i];
        if to == from || !self.modules.contains(&to) {
            return;
        }
        let start = at.span().start();
        let site = (self.file.to_string(), start.line, start.column + 1);
        let slot = self.edges.entry((from, to)).or_insert_with(|| site.clone());
        if site < *slot {
            *slot = site;
        }
    }

    /// Paths `crate::..`, `self::..`, `super::..` in macro tokens.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut k = 0;
        while k < trees.len() {
            match &trees[k] {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if ["crate", "self", "super"].contains(&&*id.to_string()) => {
                    let mut segs = vec![id.clone()];
                    while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(next)) =
                        (trees.get(k + 1), trees.get(k + 2), trees.get(k + 3))
                    {
                        let (TokenTree::Ident(next), ':', ':') = (next, a.as_char(), b.as_char())
                        else {
                            break;
                        };
                        segs.push(next.clone());
                        k += 3;
                    }
                    self.path(&segs);
                }
                _ => {}
            }
            k += 1;
        }
    }
}

impl<'ast> Visit<'ast> for Edges<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.module.push(m.ident.to_string());
        visit::visit_item_mod(self, m);
        self.module.pop();
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        for (segs, _) in use_paths(&u.tree) {
            self.path(&segs);
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<Ident> = p.segments.iter().map(|s| s.ident.clone()).collect();
        self.path(&segs);
        visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
        visit::visit_macro(self, m);
    }

    /// Attribute arguments (and doc text) are not edges.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}
}

/// One violation per strongly connected component of more than one module.
fn report(modules: &BTreeSet<String>, edges: &BTreeMap<(String, String), Site>) -> Vec<Violation> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
    }
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from];
        while let Some(m) = todo.pop() {
            for &n in next.get(m).into_iter().flatten() {
                if seen.insert(n) {
                    todo.push(n);
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&str, BTreeSet<&str>> =
        modules.iter().map(|m| (m.as_str(), reach(m))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for m in modules.iter().map(String::as_str) {
        if done.contains(m) || !reachable[m].contains(m) {
            continue;
        }
        let scc: BTreeSet<&str> =
            reachable[m].iter().copied().filter(|n| reachable[n].contains(m)).collect();
        done.extend(scc.iter().copied());
        if scc.len() < 2 {
            continue;
        }
        // A shortest cycle through `m` inside the component (BFS).
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([m]);
        let mut last = m;
        'bfs: while let Some(a) = queue.pop_front() {
            for &b in next.get(a).into_iter().flatten() {
                if b == m {
                    last = a;
                    break 'bfs;
                }
                if scc.contains(b) && !parent.contains_key(b) {
                    parent.insert(b, a);
                    queue.push_back(b);
                }
            }
        }
        let mut cycle = vec![last];
        while let Some(&p) = parent.get(cycle[cycle.len() - 1]) {
            cycle.push(p);
        }
        cycle.reverse(); // m, .., last
        cycle.push(m);
        let steps: Vec<(&str, &str, &Site)> = cycle
            .windows(2)
            .map(|w| (w[0], w[1], &edges[&(w[0].to_string(), w[1].to_string())]))
            .collect();
        let sites: Vec<String> =
            steps.iter().map(|(a, b, (f, l, _))| format!("`{a}` uses `{b}` at {f}:{l}")).collect();
        let members: Vec<&str> = scc.iter().copied().collect();
        let message = format!(
            "module cycle `{}` ({}) is forbidden: hax bundles the modules {{{}}} into one; \
             move what the modules share into one of them or into a module both use, \
             so that the dependency goes one way",
            cycle.join(" -> "),
            sites.join(", "),
            members.join(", "),
        );
        let (file, line, col) = steps[0].2.clone();
        out.push(Violation { file, line, col, rule: rule::MODULE_CYCLE, message });
    }
    out
}
