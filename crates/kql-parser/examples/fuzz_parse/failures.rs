//! Failure files and reports.

use super::*;

// ---------------------------------------------------------------------------------------------
// Failure files

pub(crate) struct Saver {
    pub(crate) dir: PathBuf,
    pub(crate) saved: usize,
}

impl Saver {
    /// Writes `text` to the next free `<n>.kql` (and `<n>.min.kql` when given); returns the path.
    pub(crate) fn save(&mut self, text: &str, minimised: Option<&str>) -> Option<PathBuf> {
        if self.saved >= MAX_SAVED {
            return None;
        }
        std::fs::create_dir_all(&self.dir).ok()?;
        for n in 1.. {
            let p = self.dir.join(format!("{n}.kql"));
            let Ok(mut f) = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&p)
            else {
                continue;
            };
            f.write_all(text.as_bytes()).ok()?;
            if let Some(m) = minimised {
                std::fs::write(self.dir.join(format!("{n}.min.kql")), m).ok()?;
            }
            self.saved += 1;
            return Some(p);
        }
        None
    }
}

pub(crate) fn report(
    kind: &str,
    details: &str,
    input: &str,
    minimised: Option<&str>,
    path: Option<&Path>,
) {
    let mut s = String::new();
    let _ = writeln!(s, "fuzz: FAILURE {kind}: {details}");
    if let Some(p) = path {
        let _ = writeln!(s, "  saved to {}", p.display());
    }
    let _ = writeln!(s, "  input ({} bytes): {}", input.len(), preview(input));
    if let Some(m) = minimised {
        let _ = writeln!(s, "  minimised ({} bytes): {m:?}", m.len());
    }
    eprint!("{s}");
}

pub(crate) fn preview(s: &str) -> String {
    if s.len() <= 2000 {
        format!("{s:?}")
    } else {
        let cut = (0..=2000)
            .rev()
            .find(|i| s.is_char_boundary(*i))
            .unwrap_or(0);
        format!(
            "{:?}... ({} more bytes)",
            s.get(..cut).unwrap_or(""),
            s.len() - cut
        )
    }
}
