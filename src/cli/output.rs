//! Standard output. A reader that stops early (`hongbao stats g.txt | head -1`) closes the pipe;
//! the write then fails with `BrokenPipe`, which [`super::main`] turns into a quiet exit 0, as
//! the best command-line tools do, instead of a panic from `println!`.

use std::io::Write;

use anyhow::Result;

/// Writes `text` to stdout and flushes it.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Whether an error is a closed stdout (the reader went away).
pub fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
