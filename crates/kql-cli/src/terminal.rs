//! The terminal: its size, and long output shown through a pager, as `psql` and `git` do.

use std::io::{self, IsTerminal, Write};
use std::process::{Command, Stdio};

/// The terminal's width in columns (100 where it cannot be told).
pub(crate) fn columns() -> usize {
    terminal_size::terminal_size()
        .map(|(w, _)| usize::from(w.0))
        .filter(|c| *c >= 40)
        .unwrap_or(100)
}

/// The terminal's height in lines, if standard output is one.
fn lines() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(_, h)| usize::from(h.0))
}

/// The pager to use: `$PAGER` (run by the shell; empty: none), else `less` that quits when the
/// text fits, keeps colours and leaves the text on the screen.
fn pager() -> Option<Command> {
    match std::env::var("PAGER") {
        Ok(p) if p.trim().is_empty() => None,
        Ok(p) => {
            let mut c = Command::new("sh");
            c.arg("-c").arg(p);
            Some(c)
        }
        Err(_) => {
            let mut c = Command::new("less");
            if std::env::var_os("LESS").is_none() {
                c.env("LESS", "FRX");
            }
            Some(c)
        }
    }
}

/// Writes `text` to standard output, through the pager when it is taller than the terminal
/// (and the pager can be started). A pager quit early is not an error.
pub(crate) fn show_paged(text: &[u8]) -> io::Result<()> {
    let tall = lines().is_some_and(|h| text.iter().filter(|b| **b == b'\n').count() + 2 > h);
    if tall
        && let Some(mut command) = pager()
        && let Ok(mut child) = command.stdin(Stdio::piped()).spawn()
    {
        if let Some(mut stdin) = child.stdin.take() {
            match stdin.write_all(text) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
                _ => {}
            }
        }
        child.wait()?;
        return Ok(());
    }
    let mut out = io::stdout().lock();
    out.write_all(text)?;
    out.flush()
}
