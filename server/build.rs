//! Points the embedded assets at the site folder cargo-leptos fills (wasm, JS, CSS, public/), so a
//! release binary carries its front end inside itself.

use std::path::PathBuf;

fn main() {
    let workspace = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    let site = std::env::var("LEPTOS_SITE_ROOT")
        .map(|root| workspace.join(root))
        .unwrap_or_else(|_| workspace.join("target/site"));
    std::fs::create_dir_all(&site).expect("cannot create the site folder");
    let site = site.canonicalize().expect("site folder path");
    println!("cargo:rustc-env=SMARTAI_SITE_ROOT={}", site.display());
    println!("cargo:rerun-if-changed={}", site.display());
    println!("cargo:rerun-if-env-changed=LEPTOS_SITE_ROOT");
}
