use std::process::ExitCode;

use clap::Parser;
use server::{cli::Cli, commands, config_file, telemetry};

// Server-side rendering allocates many small strings per request; glibc's malloc spent a fifth of
// the CPU of a page render in the benchmark, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    if let Err(err) = config_file::load_into_env() {
        eprintln!("error: {err:#}");
        return ExitCode::from(2);
    }
    let mut cli = Cli::parse();
    cli.domain.oidc = match domain::oidc::OidcConfig::from_env() {
        Ok(oidc) => oidc,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(2);
        }
    };
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
