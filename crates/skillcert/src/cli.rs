//! The command line: `serve` (the default), `migrate`, `admin create`, `config`, `bench`.

use std::path::PathBuf;

use anyhow::Context;
use chrono::Utc;
use clap::{Parser, Subcommand};
use domain::accounts::{StaffRole, parse_login_name};

use crate::config::Config;
use crate::startup::{self, Application};

#[derive(Debug, Parser)]
#[command(
    name = "skillcert",
    version,
    about = "职业技能等级认定平台: registration, review, exams and certificates"
)]
pub struct Cli {
    /// Configuration file (default: ./skillcert.toml if it exists). Environment variables
    /// SKILLCERT_* override it, e.g. SKILLCERT_DATABASE_URL and SKILLCERT_LISTEN.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, seed on first start, and serve the web application (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print the effective configuration (secrets hidden).
    Config,
    /// Load benchmark of registration opening (the opening minute), on throwaway databases;
    /// never touches the configured database. See bench/README.md.
    Bench(crate::bench::BenchArgs),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a staff account with a random password, printed once.
    Create {
        /// Login name: 3-32 of a-z 0-9 _ . -, starting with a letter.
        #[arg(long)]
        login: String,
        /// The person's name as shown in the console.
        #[arg(long, default_value = "系统管理员")]
        name: String,
        /// Roles: admin, reviewer, exam_admin, org_contact (repeat or comma-separate).
        #[arg(long, value_delimiter = ',', default_value = "admin")]
        role: Vec<String>,
        /// For an organization contact: the 报名单位 they speak for, as candidates write it.
        #[arg(long)]
        organization: Option<String>,
    },
}

pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = startup::open_database(&config).await?;
            startup::migrate(&db).await?;
            println!("migrations applied to {}", config.database_url_redacted());
            Ok(())
        }
        Command::Admin(AdminCommand::Create {
            login,
            name,
            role,
            organization,
        }) => create_staff(&config, &login, &name, &role, organization.as_deref()).await,
        Command::Config => {
            let mut shown = config.clone();
            shown.database_url = config.database_url_redacted();
            println!("{shown:#?}");
            Ok(())
        }
        // The configuration is not used: the bench makes its own databases and data folders.
        Command::Bench(args) => crate::bench::run(args).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let prepared = startup::prepare(&config).await?;
    if let Some(password) = &prepared.first_admin_password {
        // Printed to the terminal once, never logged or stored in clear.
        println!();
        println!("  An administrator account was created on this first start:");
        println!("    login name: admin");
        println!("    password:   {password}");
        println!("  It is shown only now. Sign in at /staff/login and keep it safe.");
        println!();
    }
    let app = Application::bind(&config, prepared.state).await?;
    tracing::info!(
        address = %app.local_addr(),
        database = %config.database_url_redacted(),
        "skillcert is listening"
    );
    println!("skillcert is listening on http://{}", app.local_addr());
    app.run(shutdown_signal()).await
}

async fn create_staff(
    config: &Config,
    login: &str,
    name: &str,
    roles: &[String],
    organization: Option<&str>,
) -> anyhow::Result<()> {
    let login = parse_login_name(login).map_err(|e| anyhow::anyhow!("{e}"))?;
    let roles = roles
        .iter()
        .map(|r| {
            StaffRole::parse(r.trim()).with_context(|| {
                format!("unknown role `{r}`: use admin, reviewer, exam_admin or org_contact")
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let organization = organization.map(str::trim).filter(|o| !o.is_empty());
    if organization.is_some() && !roles.contains(&StaffRole::OrganizationContact) {
        anyhow::bail!("--organization is for an organization contact (--role org_contact)");
    }
    let db = startup::open_database(config).await?;
    startup::migrate(&db).await?;
    let password = startup::random_password();
    let hash = store::passwords::hash(password.clone()).await?;
    match store::accounts::create_staff(&db, &login, name, &roles, hash, Utc::now()).await? {
        Ok(id) => {
            if let Some(organization) = organization {
                store::organizations::set_organization(
                    &db,
                    id,
                    Some(organization),
                    store::audit::NewEntry {
                        actor_account_id: None,
                        actor: "skillcert admin create",
                        action: "staff.set_organization",
                        subject_type: "account",
                        subject_id: id.to_string(),
                        before: None,
                        after: None,
                        client_address: None,
                    },
                    Utc::now(),
                )
                .await?;
            }
            println!("created staff account `{login}`; its password (shown only now): {password}");
            Ok(())
        }
        Err(store::accounts::StaffError::LoginNameTaken) => {
            anyhow::bail!("the login name `{login}` is taken")
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
