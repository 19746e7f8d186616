//! JUnit XML (what CI systems show in their test tabs), built with `quick-junit`: one suite,
//! one test case per file checked, failing when the file has errors (warnings are listed in
//! its output but do not fail it).

use super::Placed;
use kql_common::Severity;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::io::{self, Write};

pub(super) fn write(out: &mut impl Write, found: &[Placed], files: &[String]) -> io::Result<()> {
    let mut suite = TestSuite::new("kqlite check");
    for file in files {
        let mine: Vec<&Placed> = found.iter().filter(|p| p.r.file == *file).collect();
        let lines: Vec<String> = mine
            .iter()
            .map(|p| {
                let d = &p.r.diagnostic;
                format!(
                    "{}:{}:{}: {}[{}] {}",
                    file,
                    p.line,
                    p.column,
                    d.severity.as_str(),
                    d.code.id,
                    d.message
                )
            })
            .collect();
        let errors = mine
            .iter()
            .filter(|p| p.r.diagnostic.severity == Severity::Error)
            .count();
        let status = if errors == 0 {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(format!(
                "{errors} error{} in {file}",
                if errors == 1 { "" } else { "s" }
            ));
            s.set_description(lines.join("\n"));
            s
        };
        let mut case = TestCase::new(file.as_str(), status);
        case.set_classname("kqlite.check");
        if errors == 0 && !lines.is_empty() {
            case.set_system_out(lines.join("\n"));
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("kqlite");
    report.add_test_suite(suite);
    report.serialize(&mut *out).map_err(io::Error::other)?;
    writeln!(out)
}
