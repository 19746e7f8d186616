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
        Err(_) => Some(Command::new("less")),
    }
    .map(|mut c| {
        // `less` quits when the text fits, keeps colours and leaves the text on the screen.
        if std::env::var_os("LESS").is_none() {
            c.env("LESS", "FRX");
        }
        c
    })
}

/// Writes `text` to standard output, through the pager when it is taller than the terminal
/// (and the pager can be started). A pager quit early is not an error.
pub(crate) fn show_paged(text: &[u8]) -> io::Result<()> {
    let tall = lines().is_some_and(|h| text.iter().filter(|b| **b == b'\n').count() + 2 > h);
    if tall
        && let Some(mut command) = pager()
        && let Ok(mut child) = command.stdin(Stdio::piped()).spawn()
    {
        let written = match child.stdin.take() {
            Some(mut stdin) => stdin.write_all(text),
            None => Ok(()),
        };
        // Ctrl-C belongs to the pager while it runs (as with git): kqlite only notes it.
        let noted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let hold = signal_hook::flag::register(signal_hook::consts::SIGINT, noted).ok();
        let status = child.wait();
        if let Some(id) = hold {
            signal_hook::low_level::unregister(id);
        }
        let status = status?;
        match written {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
            _ => {}
        }
        // The shell could not run the pager (126, 127): the text is shown without it.
        if !matches!(status.code(), Some(126 | 127)) {
            return Ok(());
        }
    }
    let mut out = io::stdout().lock();
    out.write_all(text)?;
    out.flush()
}
