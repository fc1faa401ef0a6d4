//! Reading `workspace.json` (or `--workspace FILE`) into the model's [`Workspace`],
//! with its errors pinned to a line and field like any export's.

use std::path::Path;

use super::InputError;
use super::json::{decode_utf8, path_error, serde_error};
use crate::model::Workspace;

/// Reads workspace settings from `path`.
pub fn load(path: &Path) -> Result<Workspace, InputError> {
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::file(path, format!("cannot read workspace settings: {}", crate::os::describe(&e))))?;
    let text = decode_utf8(path, &bytes)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let ws: Workspace = serde_path_to_error::deserialize(&mut de).map_err(|e| path_error(path, text, 1, 1, e))?;
    de.end().map_err(|e| serde_error(path, None, 1, 1, String::new(), &e))?;
    Ok(ws)
}
