//! `kqlite`: run and check KQL locally. This crate is the only one that knows about terminals,
//! colour, arguments and exit codes; the libraries never print.

mod alert;
mod chart_file;
mod check;
mod convert;
mod data_args;
mod events;
mod files;
mod follow;
mod generate;
mod interrupt;
mod json_rows;
mod logs;
mod output;
mod parse_rate;
mod print_format;
mod query;
mod repl;
mod rule_tests;
mod schema_file;
mod show;
mod status;
mod terminal;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "kqlite",
    version,
    about = "Kusto Query Language, locally: check and run KQL over Entra provisioning logs"
)]
struct Cli {
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Check KQL files and alert rule files for errors (exit 0: none, 1: errors found, 2: usage error).
    ///
    /// PATH is a .kql, .csl or .kusto file, an alert rule file (ARM JSON, Bicep, Sentinel YAML,
    /// Defender JSON, kqlite TOML), or a folder searched recursively for them.
    Check(check::CheckArgs),
    /// Run a KQL query over provisioning-log exports and print the rows.
    Query(query::QueryArgs),
    /// List provisioning log entries as the Entra portal does, filtered by time, status,
    /// identity, action or app (--kql prints the query it runs).
    Logs(logs::LogsArgs),
    /// One provisioning entry as the Entra portal's details pane shows it (ID: an entry's Id or
    /// ChangeId), or an identity's most recent entries (ID: an object id, UPN or name).
    Show(show::ShowArgs),
    /// Every provisioning job as the Entra portal's progress bar shows it: users and groups,
    /// the last cycle, the initial cycle, and quarantine (now and past) with its reason.
    Status(status::StatusArgs),
    /// Type queries interactively over exports or the demo week (also: `kqlite` on a terminal).
    Repl(repl::ReplArgs),
    /// Run alert rules (ARM, Bicep, Sentinel YAML, Defender, TOML, builtin:NAME) over the data once or
    /// replayed over time (exit 0: nothing fired, 1: something fired, 2: errors).
    #[command(subcommand)]
    Alert(alert::AlertCommand),
    /// Run query and rule tests (`*.test.toml`: a rule or query, its data, the expected fire /
    /// no-fire or rows); exit 0: all pass, 1: a test failed, 2: errors.
    Test(rule_tests::TestArgs),
    /// Load exports once and write a Parquet snapshot that loads fast as --data.
    Convert(convert::ConvertArgs),
    /// Write deterministic demo provisioning logs, in any export shape.
    Generate(generate::GenerateArgs),
    /// Developer tools.
    #[command(subcommand, hide = true)]
    Dev(DevCommand),
}

#[derive(Subcommand)]
enum DevCommand {
    /// Parse every query of an NDJSON corpus: parse rate, top failures, time, Display round-trip.
    ParseRate(parse_rate::ParseRateArgs),
}

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    let code = match cli.command {
        None if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() => {
            repl::run(&repl::ReplArgs::default(), cli.color)
        }
        None => {
            eprintln!(
                "error: a command is needed when not on a terminal (kqlite --help lists them)"
            );
            EXIT_USAGE
        }
        Some(Command::Repl(args)) => repl::run(&args, cli.color),
        Some(Command::Logs(args)) => logs::run(&args, cli.color, started),
        Some(Command::Show(args)) => show::run(&args),
        Some(Command::Status(args)) => status::run(&args),
        Some(Command::Alert(command)) => alert::run(&command),
        Some(Command::Test(args)) => rule_tests::run(&args),
        Some(Command::Check(args)) => check::run(&args, cli.color),
        Some(Command::Query(args)) => query::run(&args, cli.color, started),
        Some(Command::Convert(args)) => convert::run(&args),
        Some(Command::Generate(args)) => generate::run(&args),
        Some(Command::Dev(DevCommand::ParseRate(args))) => parse_rate::run(&args),
    };
    ExitCode::from(code)
}

/// Exit code for a usage or configuration problem (clap uses 2 as well).
pub(crate) const EXIT_USAGE: u8 = 2;

/// The async runtime queries run on (the error is reported here).
pub(crate) fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(kql_workspace::QUERY_STACK_SIZE)
        .build()
    {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            None
        }
    }
}
