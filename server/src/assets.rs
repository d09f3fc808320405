//! The site's script, WebAssembly module and stylesheet under content-hashed names
//! (`/pkg/plumbline-<hash>.js`, `.wasm`, `.css`), read once at start-up and served with
//! `Cache-Control: immutable`. Pages name the hashed files, so a browser never pairs a page with
//! another build's script, and a replica asked for a build it does not have answers 404 instead
//! of serving its own. The plain names (`/pkg/plumbline.css`, …) stay available, revalidated on
//! every use, for the sign-in pages and older pages still open.

use std::collections::HashMap;
use std::path::Path;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// The files' base name without hashing (what the build writes).
pub const PLAIN_NAME: &str = "plumbline";

struct Asset {
    bytes: Bytes,
    content_type: &'static str,
    immutable: bool,
}

/// The site's hashed assets.
#[derive(Default)]
pub struct Assets {
    /// `plumbline-<hash>`, or `plumbline` when the site is missing (a server built without one).
    name: String,
    files: HashMap<String, Asset>,
}

impl Assets {
    /// Reads `SITE_ROOT/pkg/plumbline.{js,wasm,css}`; without all three, pages use the plain
    /// names (served from disk, if at all).
    pub fn load(site_root: &Path) -> Assets {
        let pkg = site_root.join("pkg");
        let kinds = [("js", "text/javascript"), ("wasm", "application/wasm"), ("css", "text/css")];
        let mut read = Vec::with_capacity(kinds.len());
        for (extension, content_type) in kinds {
            match std::fs::read(pkg.join(format!("{PLAIN_NAME}.{extension}"))) {
                Ok(bytes) => read.push((extension, content_type, Bytes::from(bytes))),
                Err(error) => {
                    tracing::warn!(%error, site = %site_root.display(), "site files missing: pages will not hydrate");
                    return Assets { name: PLAIN_NAME.to_owned(), files: HashMap::new() };
                }
            }
        }
        let mut digest = Sha256::new();
        for (_, _, bytes) in &read {
            digest.update((bytes.len() as u64).to_le_bytes());
            digest.update(bytes);
        }
        let hash = hex::encode(digest.finalize());
        let name = format!("{PLAIN_NAME}-{}", &hash[..16]);
        let mut files = HashMap::new();
        for (extension, content_type, bytes) in read {
            let hashed = Asset { bytes: bytes.clone(), content_type, immutable: true };
            files.insert(format!("{name}.{extension}"), hashed);
            files.insert(format!("{PLAIN_NAME}.{extension}"), Asset { bytes, content_type, immutable: false });
        }
        tracing::info!(%name, "site assets loaded");
        Assets { name, files }
    }

    /// The base name pages use for the script, module and stylesheet.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn response(&self, file: &str) -> Response {
        let Some(asset) = self.files.get(file) else {
            return (StatusCode::NOT_FOUND, "no such file in this build").into_response();
        };
        let cache = if asset.immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        ([(header::CONTENT_TYPE, asset.content_type), (header::CACHE_CONTROL, cache)], asset.bytes.clone())
            .into_response()
    }
}

/// `GET /pkg/{file}`: a hashed asset of this build (immutable), or a plain-named one.
#[utoipa::path(get, path = "/pkg/{file}", tag = "operations",
    params(("file" = String, Path, description = "`plumbline-<hash>.js|.wasm|.css` (immutable) or `plumbline.js|.wasm|.css`")),
    responses((status = 200, description = "The file; hashed names are cached for good"),
        (status = 404, description = "Not a file of this build")))]
pub async fn serve(State(state): State<AppState>, UrlPath(file): UrlPath<String>) -> Response {
    state.assets.response(&file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_changes_with_any_file_and_plain_names_stay() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir(dir.path().join("pkg")).expect("pkg");
        let write = |ext: &str, text: &str| std::fs::write(dir.path().join(format!("pkg/plumbline.{ext}")), text);
        write("js", "js").and(write("wasm", "wasm")).and(write("css", "css")).expect("files");
        let first = Assets::load(dir.path());
        assert!(first.name().starts_with("plumbline-") && first.name().len() == "plumbline-".len() + 16);
        assert_eq!(first.response(&format!("{}.wasm", first.name())).status(), StatusCode::OK);
        assert_eq!(first.response("plumbline.css").status(), StatusCode::OK);
        assert_eq!(first.response("plumbline-0000000000000000.js").status(), StatusCode::NOT_FOUND);
        write("css", "css changed").expect("css");
        assert_ne!(Assets::load(dir.path()).name(), first.name());
        let missing = Assets::load(&dir.path().join("nowhere"));
        assert_eq!(missing.name(), "plumbline");
    }
}
