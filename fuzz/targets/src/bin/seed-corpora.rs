//! Writes the seed corpora (`fuzz/seeds/<target>/`) and the dictionaries
//! (`fuzz/dicts/<target>.dict`) from the committed vectors:
//! `cargo run --release -p xchat-fuzz-targets --bin seed-corpora`.
//! Each target's seed folder is replaced whole.

fn main() {
    let root = xchat_fuzz_targets::seeds::repo_root().join("fuzz");
    let seeds = xchat_fuzz_targets::seeds::all();
    let mut total = 0usize;
    for (target, files) in &seeds {
        let dir = root.join("seeds").join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        }
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut bytes = 0usize;
        for (name, data) in files {
            std::fs::write(dir.join(name), data).unwrap_or_else(|e| panic!("{name}: {e}"));
            bytes += data.len();
        }
        total += bytes;
        println!("{target}: {} seeds, {bytes} bytes", files.len());
        let dict = root.join("dicts").join(format!("{target}.dict"));
        std::fs::create_dir_all(root.join("dicts")).unwrap_or_else(|e| panic!("dicts: {e}"));
        std::fs::write(&dict, xchat_fuzz_targets::seeds::dictionary(target))
            .unwrap_or_else(|e| panic!("{}: {e}", dict.display()));
    }
    println!("total: {total} bytes");
}
