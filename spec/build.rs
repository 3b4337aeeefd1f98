//! Embeds every `openapi/*.yaml` spec of the workspace into the crate as a static table.
use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = manifest.join("../openapi");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from(
        "/// Every spec in `openapi/`, sorted by name.\npub static SPECS: &[SpecFile] = &[\n",
    );
    for n in &names {
        let stem = n.trim_end_matches(".yaml");
        let path = dir.join(n);
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    SpecFile {{ name: {stem:?}, module: {module:?}, source: include_str!({path:?}) }},\n",
            module = stem.replace('-', "_"),
            path = path.display().to_string(),
        ));
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap_or_default());
    if let Err(e) = fs::write(out_dir.join("specs.rs"), out) {
        panic!("cannot write specs.rs: {e}");
    }
}
