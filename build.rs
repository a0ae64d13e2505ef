// The migrations are embedded by `sqlx::migrate!` at compile time; tell cargo to rebuild when
// they change, or a binary could carry a stale schema.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
