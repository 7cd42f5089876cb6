//! The subset checker for `spec/`: `cargo xtask subset [SPEC_DIR]`.
//!
//! It enforces the "Subset rules" of CONVENTIONS.md and of the crate docs of
//! `spec/src/lib.rs` on every `.rs` file under `spec/src`, and the dependency
//! rule on `spec/Cargo.toml`. Each violation names a rule id (see [`rule`]).
//!
//! Most rules look at one file at a time. Two look further:
//!
//! * `pub-fn-cite`: the doc comment of every `pub fn` (free or in an `impl`)
//!   cites SPEC.md or a standard; [`cites`] defines exactly what counts. A
//!   `pub fn` with no doc comment at all is `pub-fn-doc` instead.
//! * `module-cycle`: the top-level modules of the crate have no cycle of
//!   `crate::`/`self::`/`super::` dependencies (hax bundles cyclic modules
//!   into one); [`check_cycles`] defines the edges and what is reported.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use proc_macro2::Span;
use quote::ToTokens;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Ident, Meta, RangeLimits, ReturnType, Signature, Token, Type};

mod manifest;
mod modules;
pub use manifest::check_manifest;
pub use modules::check_cycles;

/// Rule ids, as printed between brackets.
pub mod rule {
    pub const PARSE: &str = "parse";
    pub const UNSAFE: &str = "unsafe";
    pub const STATIC: &str = "static";
    pub const EXTERN: &str = "extern";
    pub const ASYNC: &str = "async";
    pub const CLOSURE: &str = "closure";
    pub const DYN: &str = "dyn";
    pub const IMPL_TRAIT: &str = "impl-trait";
    pub const FN_POINTER: &str = "fn-pointer";
    pub const RAW_POINTER: &str = "raw-pointer";
    pub const MACRO: &str = "macro";
    pub const MACRO_RULES: &str = "macro-rules";
    pub const WHILE: &str = "while";
    pub const LOOP: &str = "loop";
    pub const FOR_RANGE: &str = "for-range";
    pub const LOOP_EXIT: &str = "loop-exit";
    pub const ITER_METHOD: &str = "iter-method";
    pub const PANIC: &str = "panic";
    pub const MUT_REF: &str = "mut-ref-sig";
    pub const FORBIDDEN_PATH: &str = "forbidden-path";
    pub const CAST: &str = "cast";
    pub const PUB_FN_DOC: &str = "pub-fn-doc";
    /// A `pub fn` whose doc comment cites nothing ([`super::cites`]).
    pub const PUB_FN_CITE: &str = "pub-fn-cite";
    /// Top-level modules that depend on each other in a cycle
    /// ([`super::check_cycles`]).
    pub const MODULE_CYCLE: &str = "module-cycle";
    pub const HAX: &str = "hax";
    pub const FORBID_UNSAFE: &str = "forbid-unsafe";
    pub const DEPS: &str = "deps";
    pub const BUILD_DEPS: &str = "build-deps";
    pub const TARGET_DEPS: &str = "target-deps";
}

/// What to write instead, per rule (the message is "WHAT is forbidden: HINT").
fn hint(rule: &str) -> &'static str {
    match rule {
        rule::UNSAFE => "the spec is safe Rust only",
        rule::STATIC => "use a `const`, or pass the value as an argument",
        rule::EXTERN => "the spec is plain Rust with no dependencies and no foreign code",
        rule::ASYNC => "write plain synchronous code",
        rule::CLOSURE => "write a named `fn`, or a `for i in a..b` loop",
        rule::DYN => "use a concrete type or an `enum`",
        rule::IMPL_TRAIT => "name the concrete type",
        rule::FN_POINTER => "call the named function directly (use an `enum` to choose)",
        rule::RAW_POINTER => "use references, slices or indices",
        rule::MACRO_RULES => "write a function",
        rule::WHILE | rule::LOOP => "write `for i in a..b` with a bound and a `done` flag",
        rule::FOR_RANGE => "iterate over a half-open index range, e.g. `for i in 0..v.len()`",
        rule::LOOP_EXIT => "set a flag, guard the rest of the body with `if`, act after the loop",
        rule::ITER_METHOD => "write a `for i in a..b` loop over indices",
        rule::PANIC => "return `Result<_, Error>` and propagate with `?` or `match`",
        rule::MUT_REF => "take the state by value and return the new state",
        rule::FORBIDDEN_PATH => "the spec is pure: pass state by value, time and data as inputs",
        rule::PUB_FN_DOC => "add a `///` comment citing the section or algorithm it implements",
        rule::PUB_FN_CITE => {
            "cite what it implements: `SPEC.md section N`, a requirement id `REQ-AREA-NNN`, \
             `RFC N`, `FIPS N`, `SP 800-N` or `draft-name` (see `subset::cites`)"
        }
        rule::CAST => {
            "say why it is lossless (or why truncating is what the standard asks) in a \
             `// cast:` comment on the line or just above, or use `u32::from`, `to_le_bytes`"
        }
        _ => "see CONVENTIONS.md, \"Subset rules\"",
    }
}

/// One rule violation at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, line, col) = (&self.file, self.line, self.col);
        write!(f, "{file}:{line}:{col}: [{}] {}", self.rule, self.message)
    }
}

pub(crate) fn violation(file: &str, line: usize, rule: &'static str, message: String) -> Violation {
    Violation { file: file.to_string(), line, col: 1, rule, message }
}

/// Iterator adapters and consumers, by method name.
const ITER_METHODS: &str = "iter iter_mut into_iter map filter filter_map fold zip enumerate \
    collect chain for_each rev windows chunks chunks_exact rchunks all any sum product step_by \
    flat_map position find take_while skip_while peekable scan inspect copied cloned";
const PANIC_METHODS: &str = "unwrap expect unwrap_unchecked";
/// Interior mutability, shared ownership, clocks (and `Atomic*`, matched by prefix).
const FORBIDDEN_NAMES: &str = "Cell RefCell UnsafeCell OnceCell LazyCell OnceLock LazyLock \
    Rc Arc Weak Mutex RwLock Instant SystemTime";
/// `std::X`, `core::X`, `alloc::X`: I/O, clocks, environment, threads, shared state.
const FORBIDDEN_MODULES: &str = "io fs net time env process thread sync cell rc";
const FN_TRAITS: &str = "Fn FnMut FnOnce";

fn listed(list: &str, name: &str) -> bool {
    list.split_whitespace().any(|w| w == name)
}
/// Whether a doc comment cites a standard or SPEC.md (rule
/// [`rule::PUB_FN_CITE`]). After collapsing whitespace (so a citation may
/// wrap across `///` lines), it must contain one of:
///
/// * `SPEC.md` (the protocol specification; a section number alone is not
///   enough, since it does not say of which document);
/// * a SPEC.md requirement id `REQ-<AREA>-<digit>..`, e.g. `REQ-SUITE-004`
///   (`<AREA>` is one or more upper-case letters);
/// * `RFC <digit>..` or `FIPS <digit>..` (e.g. `RFC 8439`, `FIPS 203`), as
///   whole words (so not `XRFC 1`);
/// * `SP 800-<digit>..` (a NIST Special Publication, e.g. `SP 800-38D`);
/// * `draft-<lower-case letter>..`, an Internet-Draft name (e.g.
///   `draft-irtf-cfrg-xchacha-03`), as a whole word.
///
/// Names of standards without a number (`NIST`, `Signal`, `section 2.8`,
/// `Algorithm 15`) do not count on their own: they say what, not where.
/// Matching is case-sensitive.
pub fn cites(doc: &str) -> bool {
    let text = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    // Every `(char before, text after)` of a whole-word occurrence of `pat`.
    let after = |pat: &str| -> Vec<&str> {
        let mut found = Vec::new();
        for (i, _) in text.match_indices(pat) {
            let before = text[..i].chars().next_back();
            if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                found.push(&text[i + pat.len()..]);
            }
        }
        found
    };
    let digit = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
    let req_id = |s: &str| {
        let area = s.len() - s.trim_start_matches(|c: char| c.is_ascii_uppercase()).len();
        area > 0 && s[area..].strip_prefix('-').is_some_and(digit)
    };
    text.contains("SPEC.md")
        || after("REQ-").into_iter().any(req_id)
        || after("RFC ").into_iter().any(digit)
        || after("FIPS ").into_iter().any(digit)
        || after("SP 800-").into_iter().any(digit)
        || after("draft-").into_iter().any(|s| s.starts_with(|c: char| c.is_ascii_lowercase()))
}

const HAX_FORM: &str = "write `#[cfg_attr(hax, hax_lib::requires(pre_f(..)))]` or \
                        `#[cfg_attr(hax, hax_lib::ensures(|r| post_f(..)))]`";

/// Checks one file on its own (hax predicates must then be defined in it).
pub fn check_source(file_name: &str, src: &str) -> Vec<Violation> {
    check_sources(&[(file_name.to_string(), src.to_string())])
}

/// Checks the `(file name, source)` pairs of one crate. Predicates named in
/// hax contracts may be defined in any of them. The file named `lib.rs` (or
/// ending in `src/lib.rs`) is the crate root.
pub fn check_sources(files: &[(String, String)]) -> Vec<Violation> {
    let mut bool_fns = BTreeSet::new();
    for (_, src) in files {
        if let Ok(file) = syn::parse_file(src) {
            BoolFns(&mut bool_fns).visit_file(&file);
        }
    }
    let mut out = Vec::new();
    for (name, src) in files {
        let lines = src.lines().collect();
        let mut c = Checker { file: name, lines, bool_fns: &bool_fns, ctx: vec![], out: vec![] };
        match syn::parse_file(src) {
            Ok(file) => {
                let root = name == "lib.rs" || name.ends_with("src/lib.rs");
                if root && !forbids_unsafe(&file) {
                    let msg = "crate root without `#![forbid(unsafe_code)]`: add it to lib.rs";
                    c.out.push(violation(name, 1, rule::FORBID_UNSAFE, msg.to_string()));
                }
                c.visit_file(&file);
            }
            Err(e) => c.report(e.span(), rule::PARSE, format!("cannot parse: {e}")),
        }
        out.append(&mut c.out);
    }
    out.extend(check_cycles(files));
    out.sort();
    out
}

/// What `cargo xtask subset` found in a spec crate directory.
pub struct Report {
    pub files_checked: usize,
    pub violations: Vec<Violation>,
}

/// Checks `spec_dir/src/**/*.rs` and `spec_dir/Cargo.toml`; file names in
/// violations start with `display` (e.g. `spec/src/sha2.rs`).
pub fn check_crate(spec_dir: &Path, display: &str) -> std::io::Result<Report> {
    let mut paths = Vec::new();
    collect_rs(&spec_dir.join("src"), &mut paths)?;
    paths.sort();
    let mut files = Vec::new();
    for path in &paths {
        let rel = path.strip_prefix(spec_dir).unwrap_or(path).components();
        let rel: Vec<_> = rel.map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        files.push((format!("{display}/{}", rel.join("/")), std::fs::read_to_string(path)?));
    }
    let mut violations = check_sources(&files);
    if !spec_dir.join("src/lib.rs").is_file() {
        let msg = "crate root src/lib.rs not found (it must hold `#![forbid(unsafe_code)]`)";
        let file = format!("{display}/src/lib.rs");
        violations.push(violation(&file, 1, rule::FORBID_UNSAFE, msg.to_string()));
    }
    let manifest = std::fs::read_to_string(spec_dir.join("Cargo.toml"))?;
    violations.extend(check_manifest(&format!("{display}/Cargo.toml"), &manifest));
    Ok(Report { files_checked: files.len() + 1, violations })
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rs(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn forbids_unsafe(file: &syn::File) -> bool {
    file.attrs.iter().any(|a| {
        let list = a.meta.require_list();
        matches!(a.style, syn::AttrStyle::Inner(_))
            && a.path().is_ident("forbid")
            && list
                .is_ok_and(|l| l.tokens.to_string().split(',').any(|t| t.trim() == "unsafe_code"))
    })
}

/// Collects the names of plain free `fn`s returning `bool` (hax predicates).
struct BoolFns<'a>(&'a mut BTreeSet<String>);

impl Visit<'_> for BoolFns<'_> {
    fn visit_item_fn(&mut self, f: &syn::ItemFn) {
        if let ReturnType::Type(_, ty) = &f.sig.output {
            if matches!(&**ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("bool")) {
                self.0.insert(f.sig.ident.to_string());
            }
        }
        visit::visit_item_fn(self, f);
    }
}

/// Spans of the `mut` of every `&mut` type (run on signatures, `&mut self` included).
struct MutRefs(Vec<Span>);

impl Visit<'_> for MutRefs {
    fn visit_type_reference(&mut self, r: &syn::TypeReference) {
        self.0.extend(r.mutability.map(|m| m.span));
        visit::visit_type_reference(self, r);
    }
}

/// Where the visitor is, innermost last: `break`/`continue`/`return` are
/// violations when the innermost enclosing construct is a `for` body.
enum Ctx {
    Fn,
    ForBody,
}

struct Checker<'a> {
    file: &'a str,
    lines: Vec<&'a str>,
    bool_fns: &'a BTreeSet<String>,
    ctx: Vec<Ctx>,
    out: Vec<Violation>,
}

impl Checker<'_> {
    fn report(&mut self, span: Span, rule: &'static str, message: String) {
        let (line, col) = (span.start().line, span.start().column + 1);
        self.out.push(Violation { file: self.file.to_string(), line, col, rule, message });
    }

    /// Reports "WHAT is forbidden: HINT".
    fn flag(&mut self, span: Span, rule: &'static str, what: impl fmt::Display) {
        self.report(span, rule, format!("{what} is forbidden: {}", hint(rule)));
    }

    fn in_fn<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.ctx.push(Ctx::Fn);
        let r = f(self);
        self.ctx.pop();
        r
    }

    /// `pub fn`s need a doc comment ([`rule::PUB_FN_DOC`]) that cites a
    /// standard or SPEC.md ([`rule::PUB_FN_CITE`], see [`cites`]).
    fn check_pub_doc(&mut self, vis: &syn::Visibility, attrs: &[Attribute], sig: &Signature) {
        if !matches!(vis, syn::Visibility::Public(_)) {
            return;
        }
        let mut documented = false;
        let mut text = String::new();
        for a in attrs {
            if let Meta::NameValue(nv) = &a.meta {
                if nv.path.is_ident("doc") {
                    match &nv.value {
                        Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => {
                            documented |= !s.value().trim().is_empty();
                            text.push_str(&s.value());
                            text.push('\n');
                        }
                        _ => documented = true,
                    }
                }
            }
        }
        if !documented {
            let what = format!("`pub fn {}` without a doc comment", sig.ident);
            self.flag(sig.ident.span(), rule::PUB_FN_DOC, what);
        } else if !cites(&text) {
            let what = format!("`pub fn {}` whose doc comment cites nothing", sig.ident);
            self.flag(sig.ident.span(), rule::PUB_FN_CITE, what);
        }
    }

    /// Paths in code and in `use`: interior mutability, I/O, clocks, `Fn`, `hax_lib`.
    fn check_segments(&mut self, segs: &[&Ident]) {
        for seg in segs {
            let name = seg.to_string();
            if listed(FORBIDDEN_NAMES, &name) || name.starts_with("Atomic") {
                return self.flag(seg.span(), rule::FORBIDDEN_PATH, format!("`{name}`"));
            }
            if listed(FN_TRAITS, &name) {
                return self.flag(
                    seg.span(),
                    rule::FN_POINTER,
                    format!("`{name}` (function values)"),
                );
            }
            if name == "hax_lib" {
                let msg =
                    format!("`hax_lib` outside a contract attribute is forbidden: {HAX_FORM}");
                return self.report(seg.span(), rule::HAX, msg);
            }
        }
        if let [root, module, ..] = segs {
            let (root, module) = (root.to_string(), module.to_string());
            if ["std", "core", "alloc"].contains(&root.as_str())
                && listed(FORBIDDEN_MODULES, &module)
            {
                self.flag(segs[0].span(), rule::FORBIDDEN_PATH, format!("`{root}::{module}`"));
            }
        }
    }

    fn check_use_tree(&mut self, tree: &syn::UseTree, prefix: &mut Vec<Ident>) {
        let ident = match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.clone());
                self.check_use_tree(&p.tree, prefix);
                prefix.pop();
                return;
            }
            syn::UseTree::Group(g) => {
                return g.items.iter().for_each(|t| self.check_use_tree(t, prefix));
            }
            syn::UseTree::Name(n) => Some(n.ident.clone()),
            syn::UseTree::Rename(r) => Some(r.ident.clone()),
            syn::UseTree::Glob(_) => None,
        };
        let path: Vec<&Ident> = prefix.iter().chain(ident.as_ref()).collect();
        self.check_segments(&path);
    }

    /// A cast needs `cast:` in a comment on its lines, or in the block of `//`
    /// lines right above the line where it (or its `as`) starts.
    fn cast_justified(&self, first: usize, as_line: usize) -> bool {
        let line = |l: usize| self.lines.get(l.wrapping_sub(1)).copied().unwrap_or("");
        let comment_says = |text: &str| {
            let at = |c| text.find(c).is_some_and(|i| text[i..].contains("cast:"));
            at("//") || at("/*")
        };
        if (first..=as_line).any(|l| comment_says(line(l))) {
            return true;
        }
        [first, as_line].iter().any(|&start| {
            let above = (1..start).rev().map(line);
            let mut block = above.take_while(|l| l.trim_start().starts_with("//"));
            block.any(|l| l.contains("cast:"))
        })
    }

    /// Accepts exactly `cfg_attr(hax, hax_lib::requires(f(..)))` and
    /// `cfg_attr(hax, hax_lib::ensures(|r| f(..)))` with `f` a `fn .. -> bool`.
    fn check_hax_attr(&self, attr: &Attribute) -> Result<(), String> {
        let list = match &attr.meta {
            Meta::List(l) if l.path.is_ident("cfg_attr") => l,
            _ => return Err("`hax_lib` attribute outside `cfg_attr(hax, ..)`".into()),
        };
        let parsed = list.parse_args_with(|input: ParseStream| {
            let cfg: Ident = input.parse()?;
            input.parse::<Token![,]>()?;
            let path = syn::Path::parse_mod_style(input)?;
            let content;
            syn::parenthesized!(content in input);
            let inner: Expr = content.parse()?;
            input.parse::<Option<Token![,]>>()?;
            Ok((cfg, path, inner))
        });
        let (cfg, path, inner) = parsed.map_err(|e| format!("malformed hax contract ({e})"))?;
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if cfg != "hax" || names.len() != 2 || names[0] != "hax_lib" {
            return Err("unsupported hax attribute".into());
        }
        let call = match (names[1].as_str(), inner) {
            ("requires", e) => e,
            ("ensures", Expr::Closure(c)) if c.inputs.len() == 1 => *c.body,
            ("ensures", _) => return Err("`ensures` takes a closure `|r| post_f(..)`".into()),
            (other, _) => return Err(format!("`hax_lib::{other}` is not allowed")),
        };
        let name = match call {
            Expr::Call(syn::ExprCall { func, .. }) => match *func {
                Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(Ident::to_string),
                _ => None,
            },
            _ => None,
        };
        let name = name.ok_or("a contract must be one call `pre_f(..)` to a predicate")?;
        if !self.bool_fns.contains(&name) {
            return Err(format!("`{name}` is not a plain `fn {name}(..) -> bool` of the spec"));
        }
        Ok(())
    }
}

/// Visitor methods that flag every node of a kind, then look inside it:
/// `method(node type) => span of the node, rule, what is forbidden`.
macro_rules! flag_all {
    ($($method:ident($ty:ty) => |$n:ident| $span:expr, $rule:expr, $what:expr;)*) => {$(
        fn $method(&mut self, $n: &'ast $ty) {
            self.flag($span, $rule, $what);
            visit::$method(self, $n);
        }
    )*};
}

impl<'ast> Visit<'ast> for Checker<'_> {
    flag_all! {
        visit_expr_unsafe(syn::ExprUnsafe) => |e| e.unsafe_token.span, rule::UNSAFE, "an `unsafe` block";
        visit_item_static(syn::ItemStatic) => |i| i.static_token.span, rule::STATIC, "a `static` item";
        visit_item_foreign_mod(syn::ItemForeignMod) => |i| i.abi.extern_token.span, rule::EXTERN, "an `extern` block";
        visit_item_extern_crate(syn::ItemExternCrate) => |i| i.extern_token.span, rule::EXTERN, "`extern crate`";
        visit_expr_async(syn::ExprAsync) => |e| e.async_token.span, rule::ASYNC, "an `async` block";
        visit_expr_await(syn::ExprAwait) => |e| e.await_token.span, rule::ASYNC, "`.await`";
        visit_expr_closure(syn::ExprClosure) => |e| e.or1_token.span, rule::CLOSURE, "a closure";
        visit_type_trait_object(syn::TypeTraitObject) => |t| t.span(), rule::DYN, "a `dyn` trait object";
        visit_type_impl_trait(syn::TypeImplTrait) => |t| t.impl_token.span, rule::IMPL_TRAIT, "an `impl Trait` type";
        visit_type_bare_fn(syn::TypeBareFn) => |t| t.fn_token.span, rule::FN_POINTER, "a function pointer type";
        visit_type_ptr(syn::TypePtr) => |t| t.star_token.span, rule::RAW_POINTER, "a raw pointer type";
        visit_expr_raw_addr(syn::ExprRawAddr) => |e| e.and_token.span, rule::RAW_POINTER, "`&raw`";
        visit_expr_while(syn::ExprWhile) => |e| e.while_token.span, rule::WHILE, "a `while` loop";
        visit_expr_loop(syn::ExprLoop) => |e| e.loop_token.span, rule::LOOP, "`loop`";
    }

    fn visit_item(&mut self, i: &'ast syn::Item) {
        if let syn::Item::Verbatim(t) = i {
            self.report(t.span(), rule::PARSE, "unsupported item syntax".into());
        }
        visit::visit_item(self, i);
    }

    fn visit_expr(&mut self, e: &'ast Expr) {
        if let Expr::Verbatim(t) = e {
            self.report(t.span(), rule::PARSE, "unsupported expression syntax".into());
        }
        visit::visit_expr(self, e);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.check_pub_doc(&f.vis, &f.attrs, &f.sig);
        self.in_fn(|c| visit::visit_item_fn(c, f));
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.check_pub_doc(&f.vis, &f.attrs, &f.sig);
        self.in_fn(|c| visit::visit_impl_item_fn(c, f));
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.in_fn(|c| visit::visit_trait_item_fn(c, f));
    }

    fn visit_signature(&mut self, sig: &'ast Signature) {
        if let Some(u) = &sig.unsafety {
            self.flag(u.span, rule::UNSAFE, "`unsafe fn`");
        }
        if let Some(a) = &sig.asyncness {
            self.flag(a.span, rule::ASYNC, "`async fn`");
        }
        if let Some(abi) = &sig.abi {
            self.flag(abi.extern_token.span, rule::EXTERN, "an `extern` ABI");
        }
        let mut refs = MutRefs(Vec::new());
        refs.visit_signature(sig);
        for span in refs.0 {
            self.flag(span, rule::MUT_REF, "`&mut` in a function signature");
        }
        visit::visit_signature(self, sig);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if let Some(u) = &i.unsafety {
            self.flag(u.span, rule::UNSAFE, "`unsafe impl`");
        }
        visit::visit_item_impl(self, i);
    }

    fn visit_item_trait(&mut self, i: &'ast syn::ItemTrait) {
        if let Some(u) = &i.unsafety {
            self.flag(u.span, rule::UNSAFE, "`unsafe trait`");
        }
        visit::visit_item_trait(self, i);
    }

    fn visit_item_macro(&mut self, i: &'ast syn::ItemMacro) {
        if i.mac.path.is_ident("macro_rules") {
            self.flag(i.mac.path.span(), rule::MACRO_RULES, "a `macro_rules!` definition");
        } else {
            visit::visit_item_macro(self, i);
        }
    }

    /// Every macro invocation (item, statement, expression, type, pattern).
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if !m.path.is_ident("vec") {
            let name = m.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
            let instead = match name.as_str() {
                "assert" | "assert_eq" | "assert_ne" | "debug_assert" | "panic" | "unreachable"
                | "todo" | "unimplemented" => "nothing may panic: return `Err(Error::..)`",
                "matches" => "write a `match` expression",
                _ => "only `vec![..]` may be invoked (no I/O or formatting): write the code out",
            };
            self.report(
                m.path.span(),
                rule::MACRO,
                format!("macro `{name}!` is forbidden: {instead}"),
            );
            return self.visit_path(&m.path);
        }
        // `vec![x; n]` or `vec![a, b, ..]`: the element expressions are code too.
        let parsed = m.parse_body_with(|input: ParseStream| {
            if input.is_empty() {
                return Ok(Vec::new());
            }
            let first: Expr = input.parse()?;
            if input.parse::<Option<Token![;]>>()?.is_some() {
                return Ok(vec![first, input.parse()?]);
            }
            input.parse::<Option<Token![,]>>()?;
            let rest = Punctuated::<Expr, Token![,]>::parse_terminated(input)?;
            Ok(std::iter::once(first).chain(rest).collect())
        });
        match parsed {
            Ok(exprs) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Err(e) => self.report(e.span(), rule::PARSE, format!("cannot parse `vec!`: {e}")),
        }
    }

    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        match &*e.expr {
            Expr::Range(r) if r.start.is_none() || r.end.is_none() => {
                self.flag(r.span(), rule::FOR_RANGE, "`for` over an unbounded range");
            }
            Expr::Range(r) => {
                if let RangeLimits::Closed(t) = r.limits {
                    self.flag(t.span(), rule::FOR_RANGE, "`for` over an inclusive range `a..=b`");
                }
            }
            other => self.flag(other.span(), rule::FOR_RANGE, "`for` over anything but `a..b`"),
        }
        e.attrs.iter().for_each(|a| self.visit_attribute(a));
        self.visit_pat(&e.pat);
        self.visit_expr(&e.expr);
        self.ctx.push(Ctx::ForBody);
        self.visit_block(&e.body);
        self.ctx.pop();
    }

    fn visit_expr_break(&mut self, e: &'ast syn::ExprBreak) {
        if matches!(self.ctx.last(), Some(Ctx::ForBody)) {
            self.flag(e.break_token.span, rule::LOOP_EXIT, "`break` in a loop body (hax)");
        }
        visit::visit_expr_break(self, e);
    }

    fn visit_expr_continue(&mut self, e: &'ast syn::ExprContinue) {
        if matches!(self.ctx.last(), Some(Ctx::ForBody)) {
            self.flag(e.continue_token.span, rule::LOOP_EXIT, "`continue` in a loop body (hax)");
        }
        visit::visit_expr_continue(self, e);
    }

    fn visit_expr_return(&mut self, e: &'ast syn::ExprReturn) {
        if matches!(self.ctx.last(), Some(Ctx::ForBody)) {
            self.flag(e.return_token.span, rule::LOOP_EXIT, "`return` in a loop body (hax)");
        }
        visit::visit_expr_return(self, e);
    }

    fn visit_expr_method_call(&mut self, e: &'ast syn::ExprMethodCall) {
        let name = e.method.to_string();
        if listed(ITER_METHODS, &name) {
            self.flag(e.method.span(), rule::ITER_METHOD, format!("iterator method `.{name}()`"));
        }
        if listed(PANIC_METHODS, &name) {
            self.flag(e.method.span(), rule::PANIC, format!("`.{name}()` (it may panic)"));
        }
        visit::visit_expr_method_call(self, e);
    }

    fn visit_expr_call(&mut self, e: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*e.func {
            let segs = &p.path.segments;
            let last = segs.last().filter(|_| segs.len() > 1);
            if let Some(s) = last.filter(|s| listed(PANIC_METHODS, &s.ident.to_string())) {
                self.flag(s.ident.span(), rule::PANIC, format!("`{}` (it may panic)", s.ident));
            }
        }
        visit::visit_expr_call(self, e);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.check_segments(&p.segments.iter().map(|s| &s.ident).collect::<Vec<_>>());
        visit::visit_path(self, p);
    }

    fn visit_item_use(&mut self, i: &'ast syn::ItemUse) {
        self.check_use_tree(&i.tree, &mut Vec::new());
    }

    fn visit_expr_cast(&mut self, e: &'ast syn::ExprCast) {
        let first = e.expr.span().start().line;
        if !self.cast_justified(first, e.as_token.span.start().line) {
            self.flag(e.as_token.span, rule::CAST, "an `as` cast without a `cast:` comment");
        }
        visit::visit_expr_cast(self, e);
    }

    fn visit_attribute(&mut self, a: &'ast Attribute) {
        let is_doc = a.path().is_ident("doc");
        if is_doc || !a.to_token_stream().to_string().contains("hax_lib") {
            return visit::visit_attribute(self, a);
        }
        if let Err(msg) = self.check_hax_attr(a) {
            self.report(a.span(), rule::HAX, format!("{msg}: {HAX_FORM}"));
        }
    }
}
