//! The translations are compiled in (`static_loader!`); rebuild when any of them changes or a
//! locale is added.

fn main() {
    println!("cargo:rerun-if-changed=../locales");
}
