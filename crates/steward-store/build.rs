//! The migrations are embedded by `sqlx::migrate!`, which on stable Rust cannot tell Cargo it
//! read them: without this, a changed or added migration file is not built in until some Rust
//! file of the crate changes too.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
