//! Completion of a query being typed, for interactive front ends: tabular operators after `|`,
//! chart kinds after `render`, and elsewhere the columns the pipeline so far has (planned, so a
//! column made by an earlier `extend` is there), the tables, kept definitions and functions.

use crate::workspace::Workspace;
use kql_parser::ast::{ClosedSet, Visualization};

/// What may replace the word that ends at the cursor: it starts at byte `start` of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// Where the word being completed starts.
    pub start: usize,
    /// The candidates that begin with it, sorted, each once.
    pub candidates: Vec<String>,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl Workspace {
    /// Candidates for the word before byte `pos` of `text` (a query being typed), with `now()`
    /// at `now` for planning the pipeline before it.
    pub fn complete(&self, text: &str, pos: usize, now: i64) -> Completion {
        // A position inside a character counts from that character's start.
        let mut pos = pos.min(text.len());
        while !text.is_char_boundary(pos) {
            pos -= 1;
        }
        let before = text.get(..pos).unwrap_or("");
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_word(*c))
            .last()
            .map_or(pos, |(i, _)| i);
        let word = &before[start..];
        let head = before[..start].trim_end();
        let previous_word = head.rsplit(|c: char| !is_word(c)).next().unwrap_or("");
        let mut candidates: Vec<String> = if head.ends_with('|') {
            kql_parser::syntax::tabular_operators()
                .map(str::to_owned)
                .collect()
        } else if previous_word == "render" {
            Visualization::ALL
                .iter()
                .map(|v| v.as_str().to_owned())
                .collect()
        } else {
            let mut names = self.columns_before(head, now);
            names.extend(self.table_names());
            names.extend(self.definition_names());
            names.extend(kql_planner::registry::names().map(str::to_owned));
            names
        };
        candidates.retain(|c| c.starts_with(word) && c != word);
        candidates.sort();
        candidates.dedup();
        Completion { start, candidates }
    }

    /// The columns of the pipeline before the last `|` of `head`, planned as a query; none when
    /// that does not plan (yet).
    fn columns_before(&self, head: &str, now: i64) -> Vec<String> {
        let Some(pipe) = head.rfind('|') else {
            return Vec::new();
        };
        self.prepare(head[..pipe].trim_end(), now)
            .map(|p| p.schema().names().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    fn definition_names(&self) -> Vec<String> {
        use kql_parser::ast::Statement;
        self.definitions
            .lock()
            .map(|kept| {
                kept.iter()
                    .filter_map(|s| match s {
                        Statement::Let { name, .. } | Statement::LetFunction { name, .. } => {
                            Some(name.name.clone())
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use crate::{AttachOptions, Silent, Source, Workspace};

    fn complete(ws: &Workspace, text: &str) -> Vec<String> {
        ws.complete(text, text.len(), 0).candidates
    }

    #[test]
    fn completion_knows_operators_charts_tables_and_the_pipeline_s_columns() {
        let ws = Workspace::new();
        ws.attach(
            "AADProvisioningLogs",
            Source::Demo,
            AttachOptions::default(),
            Silent::shared(),
        )
        .expect("attached");
        assert!(complete(&ws, "AADProvisioningLogs | summ").contains(&"summarize".to_owned()));
        assert_eq!(complete(&ws, "T | render timec"), ["timechart"]);
        assert_eq!(complete(&ws, "AADProv"), ["AADProvisioningLogs"]);
        let text = "AADProvisioningLogs\n| extend FailedApp = ServicePrincipal\n| project Fail";
        assert_eq!(complete(&ws, text), ["FailedApp"]);
        let c = ws.complete(text, text.len(), 0);
        assert_eq!(c.start, text.len() - "Fail".len());
        assert!(complete(&ws, "print x = tolo").contains(&"tolower".to_owned()));
        // A position inside a character (a UTF-8 continuation byte) is not a panic.
        let text = "print é";
        let c = ws.complete(text, text.len() - 1, 0);
        assert!(c.start <= text.len() - 2);
    }
}
