const WORKERS: usize = 4;

#[runtime::main(worker_threads = WORKERS)]
async fn main() {}
