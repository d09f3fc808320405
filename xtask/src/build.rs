//! `cargo xtask build`: the server binary, then the site (WASM bundle, CSS and assets),
//! the same layout cargo-leptos produces.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::tools;
use crate::util::{self, Paths, Result};

/// The name the page asks for (`/pkg/plumbline.js`, `.wasm`, `.css`); it matches
/// `LEPTOS_OUTPUT_NAME` in .cargo/config.toml.
pub const OUTPUT_NAME: &str = "plumbline";

const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn build(paths: &Paths, release: bool) -> Result {
    build_server(release)?;
    let wasm = build_wasm(paths, release)?;
    let pkg = paths.site.join("pkg");
    bindgen(&wasm, &pkg)?;
    if release {
        optimize(&pkg.join(format!("{OUTPUT_NAME}.wasm")))?;
    }
    copy_assets(paths, &pkg)?;
    println!("server: {}", paths.server_bin(release).display());
    println!("site:   {}", paths.site.display());
    Ok(())
}

fn build_server(release: bool) -> Result {
    let mut cmd = util::cargo();
    cmd.args(["build", "-p", "server"]);
    if release {
        cmd.arg("--release");
    }
    util::run(&mut cmd)
}

/// Builds the `hydrate` side of the app and returns the path of `app.wasm`.
fn build_wasm(paths: &Paths, release: bool) -> Result<std::path::PathBuf> {
    let mut cmd = util::cargo();
    cmd.args(["build", "-p", "app", "--lib", "--target", WASM_TARGET]);
    cmd.args(["--no-default-features", "--features", "hydrate"]);
    // A separate profile keeps size optimisations away from the server's release build.
    let profile_dir = if release {
        cmd.args(["--profile", "wasm-release"]);
        "wasm-release"
    } else {
        "debug"
    };
    util::run(&mut cmd)?;
    let wasm = paths.target.join(WASM_TARGET).join(profile_dir).join("app.wasm");
    if wasm.is_file() { Ok(wasm) } else { Err(format!("the WASM build did not produce {}", wasm.display())) }
}

/// wasm-bindgen writes `plumbline.js` and `plumbline_bg.wasm`; the page loads `plumbline.wasm`.
fn bindgen(wasm: &Path, pkg: &Path) -> Result {
    // Start from an empty pkg/ so no stale snippets or bundles are served.
    if pkg.exists() {
        fs::remove_dir_all(pkg).map_err(|e| format!("cannot clear {}: {e}", pkg.display()))?;
    }
    let mut cmd = Command::new("wasm-bindgen");
    cmd.args(["--target", "web", "--no-typescript", "--out-dir"]);
    cmd.arg(pkg).args(["--out-name", OUTPUT_NAME]).arg(wasm);
    util::run(&mut cmd)?;
    let from = pkg.join(format!("{OUTPUT_NAME}_bg.wasm"));
    let to = pkg.join(format!("{OUTPUT_NAME}.wasm"));
    fs::rename(&from, &to).map_err(|e| format!("cannot rename {} to {}: {e}", from.display(), to.display()))
}

/// `wasm-opt -Oz` from npm's binaryen (Debian's older one breaks hydration).
fn optimize(wasm: &Path) -> Result {
    let wasm_opt = tools::ensure_wasm_opt()?;
    let optimized = wasm.with_extension("opt.wasm");
    let mut cmd = Command::new(&wasm_opt);
    cmd.arg("-Oz");
    // The features rustc enables by default for wasm32-unknown-unknown.
    for feature in
        ["bulk-memory", "mutable-globals", "nontrapping-float-to-int", "sign-ext", "reference-types", "multivalue"]
    {
        cmd.arg(format!("--enable-{feature}"));
    }
    cmd.arg(wasm).arg("-o").arg(&optimized);
    util::run(&mut cmd)?;
    fs::rename(&optimized, wasm).map_err(|e| format!("cannot replace {}: {e}", wasm.display()))
}

/// `style/main.css` becomes `pkg/plumbline.css`; `public/` is copied into the site root.
fn copy_assets(paths: &Paths, pkg: &Path) -> Result {
    let css = paths.root.join("style").join("main.css");
    let css_dest = pkg.join(format!("{OUTPUT_NAME}.css"));
    println!("copy {} -> {}", css.display(), css_dest.display());
    util::copy_file(&css, &css_dest)?;
    let public = paths.root.join("public");
    if public.is_dir() {
        println!("copy {}/ -> {}/", public.display(), paths.site.display());
        util::copy_dir(&public, &paths.site)?;
    }
    Ok(())
}
