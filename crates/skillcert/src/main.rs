use clap::Parser;
use skillcert::cli::{self, Cli, Command};
use skillcert::config::Config;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("skillcert: configuration error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // The bench runs the application in-process: its request logs would drown the bench's own
    // progress, so it logs warnings and errors only, whatever `log` the configuration sets.
    let log = match cli.command {
        Some(Command::Bench(_)) => "warn",
        _ => config.log.as_str(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(log))
        .init();
    match cli::run(cli, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("skillcert: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
