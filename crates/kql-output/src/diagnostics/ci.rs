//! One line per diagnostic: the concise form people read, and the commands CI systems turn into
//! annotations on the changed lines.

use super::Placed;
use kql_common::Severity;
use std::io::{self, Write};

/// `file:line:column: severity[CODE] message`.
pub(super) fn concise(out: &mut impl Write, found: &[Placed]) -> io::Result<()> {
    for p in found {
        let d = &p.r.diagnostic;
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            p.r.file,
            p.line,
            p.column,
            d.severity.as_str(),
            d.code.id,
            d.message
        )?;
    }
    Ok(())
}

/// A GitHub workflow command's message, escaped as the runner expects (`%`, CR, LF).
pub fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A GitHub workflow command's property value (`file=`, `title=`): also `:` and `,`.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: `::error file=F,line=L,col=C,endLine=..,endColumn=..,
/// title=CODE::message`, escaped as the runner expects (`%`, CR, LF; and `:` `,` in values).
/// <https://docs.github.com/actions/reference/workflow-commands-for-github-actions>
pub(super) fn github(out: &mut impl Write, found: &[Placed]) -> io::Result<()> {
    let (data, property) = (github_data, github_property);
    for p in found {
        let d = &p.r.diagnostic;
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&p.r.file),
            p.line,
            p.column,
            p.end_line,
            p.end_column,
            property(&format!("{} {}", d.code.id, d.code.title)),
            data(&d.message)
        )?;
    }
    Ok(())
}

/// Azure Pipelines logging commands: `##vso[task.logissue type=error;sourcepath=F;linenumber=L;
/// columnnumber=C;code=CODE]message`, escaped as the agent expects.
/// <https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands>
pub(super) fn azure(out: &mut impl Write, found: &[Placed]) -> io::Result<()> {
    let escape = |s: &str| {
        s.replace('%', "%AZP25")
            .replace(';', "%3B")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
            .replace(']', "%5D")
    };
    for p in found {
        let d = &p.r.diagnostic;
        // Azure knows errors and warnings only.
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning | Severity::Info => "warning",
        };
        writeln!(
            out,
            "##vso[task.logissue type={kind};sourcepath={};linenumber={};columnnumber={};code={}]{}",
            escape(&p.r.file),
            p.line,
            p.column,
            d.code.id,
            escape(&d.message)
        )?;
    }
    Ok(())
}
