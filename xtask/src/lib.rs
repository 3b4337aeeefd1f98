//! Project automation behind `cargo xtask`: client code generation, its drift check, and the
//! spec linter. Kept as a library so the failure modes are tested, not just run.

pub mod bench;
pub mod codegen;
pub mod lint;

use std::path::{Path, PathBuf};

/// The workspace root (the parent of this crate's manifest directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A spec file on disk: its stem (`glp-sso`) and YAML text.
#[derive(Debug, Clone)]
pub struct SpecText {
    /// File stem, e.g. `glp-workspaces`.
    pub name: String,
    /// Path shown in messages, e.g. `openapi/glp-workspaces.yaml`.
    pub display_path: String,
    /// The YAML source.
    pub text: String,
}

impl SpecText {
    /// The generated module name (`glp_workspaces`).
    pub fn module(&self) -> String {
        self.name.replace('-', "_")
    }
}

/// Read every `*.yaml` in `dir`, sorted by name.
pub fn read_specs(dir: &Path) -> anyhow::Result<Vec<SpecText>> {
    let mut specs = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot read spec folder {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        specs.push(SpecText {
            display_path: format!("openapi/{name}.yaml"),
            name,
            text,
        });
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(specs)
}
