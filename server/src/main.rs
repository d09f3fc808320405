// Ingestion allocates many short-lived strings on two threads; mimalloc handles that pattern
// far better than glibc's malloc (the 1 M-row benchmark spent half its time in malloc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::cli::run().await
}
