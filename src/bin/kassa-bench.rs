fn main() {
    println!("kassa-bench: see BENCHMARKS.md");
}
