use std::process::ExitCode;

use server::{cli::Cli, commands, telemetry};

// Server-side rendering allocates many small strings per request; glibc's malloc spent a fifth of
// the CPU of a page render in the benchmark, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // SAFETY: mi_collect has no preconditions; it only returns free pages to the OS.
    domain::heavy::on_memory_freed(|| unsafe { libmimalloc_sys::mi_collect(true) });
    // The settings, loaded once: defaults, the settings file, the environment, the flags (and
    // the OpenID Connect providers). A bad one exits with 2, naming it.
    let cli = Cli::parse();
    let telemetry = telemetry::init(&cli.server.log);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let code = match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "stopped by an error");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    };
    drop(runtime);
    telemetry.shutdown();
    code
}
