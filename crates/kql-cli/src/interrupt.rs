//! Ctrl-C (SIGINT), SIGTERM and SIGHUP while `convert` or `generate` write: the process is ended
//! by the signal without running destructors, so the temporary files being written are removed
//! here first, and the exit code is the shell's for a signal (128 + its number: 130 for Ctrl-C).

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// From now on, a stopping signal removes unfinished output files and ends the process.
pub(crate) fn remove_outputs_on_signal() {
    // Without the handler a signal still stops the process, only leaving a hidden temporary
    // file: not worth refusing to write.
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            kql_workspace::output_file::remove_unfinished();
            std::process::exit(128 + signal);
        }
    });
}
