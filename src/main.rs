//! The `hongbao` binary: a thin shell over the library. Parsing, printing, progress and exit codes
//! live in `cli`; everything else is in the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
