//! The command line: clap parses (`args`), flags become the library's typed options in one place
//! (`options`), each command is a few plain calls into `hongbao::study` and `hongbao::report`
//! (`commands`), the terminal hears progress (`progress`), and errors become exit codes here: 0
//! for success and for a reader that closed stdout early, 1 for any error the user can fix, 2 for
//! flags clap refuses.

mod args;
mod commands;
mod options;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// On SIGINT, SIGTERM or SIGHUP: remove what is being written (an earlier report stays as it
/// was) and exit with 130. A full disk or a file-size limit is an error like any other: SIGXFSZ
/// is ignored, so the write fails with the path instead of killing the process.
fn on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        hongbao::report::abandon_pending();
        eprintln!("hongbao: interrupted; nothing was written");
        std::process::exit(130);
    });
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" touches no memory of ours.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    on_interrupt();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Compare(a) => commands::compare(a),
        Command::Generate(a) => commands::generate(a),
        Command::Stats(a) => commands::stats(a),
        Command::Simulate(a) => commands::simulate(a),
        Command::Plot(a) => commands::plot(a),
        Command::Percolation(a) => commands::percolation(a),
        Command::Observed(a) => commands::observed(a),
        Command::Fit(a) => commands::fit(a),
        Command::Sweep(a) => commands::sweep(a),
        Command::Seeds(a) => commands::seeds(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if output::is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hongbao: error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap's own consistency checks on every command and flag (duplicate names, bad defaults,
    /// conflicting short flags).
    #[test]
    fn the_command_line_is_well_formed() {
        super::args::Cli::command().debug_assert();
    }
}
