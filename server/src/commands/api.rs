//! `smartai api`: the REST API's OpenAPI document, and checking it against an older one.

use anyhow::{Context, bail};

use crate::cli::ApiAction;

pub(super) fn run(action: ApiAction) -> anyhow::Result<()> {
    let spec = crate::api::spec_json();
    match action {
        ApiAction::Spec => {
            println!("{spec}");
            Ok(())
        }
        ApiAction::CheckCompat { against } => {
            let old =
                std::fs::read_to_string(&against).with_context(|| format!("cannot read {}", against.display()))?;
            let old: serde_json::Value =
                serde_json::from_str(&old).with_context(|| format!("{} is not JSON", against.display()))?;
            let new: serde_json::Value = serde_json::from_str(&spec)?;
            let breaking = crate::api::compat::breaking_changes(&old, &new);
            if breaking.is_empty() {
                println!("no breaking changes against {}", against.display());
                return Ok(());
            }
            for change in &breaking {
                eprintln!("breaking: {change}");
            }
            bail!("{} breaking API changes against {} (see docs/api.md)", breaking.len(), against.display())
        }
    }
}
