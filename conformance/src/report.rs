//! Reporting: a per-family summary for the terminal and JUnit XML for CI (via `quick-junit`).

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::properties::{FamilyOutcome, Verdict};

/// The terminal summary: one line per family with cases, steps, requests and time, then the
/// number of checks per property, then every failing case in full.
pub fn summary(outcomes: &[FamilyOutcome]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<18} {:<8} {:>7} {:>7} {:>9} {:>9}",
        "family", "result", "cases", "steps", "requests", "time"
    );
    for o in outcomes {
        let result = match &o.verdict {
            Verdict::Passed => "pass",
            Verdict::Failed { .. } => "FAIL",
            Verdict::Skipped(_) => "skipped",
        };
        let _ = writeln!(
            s,
            "{:<18} {:<8} {:>7} {:>7} {:>9} {:>8.1}s",
            o.family,
            result,
            o.stats.cases,
            o.stats.steps,
            o.stats.requests,
            o.elapsed.as_secs_f64()
        );
        if let Verdict::Skipped(why) = &o.verdict {
            let _ = writeln!(s, "    notice: {why}");
        }
        if o.stats.skipped_steps > 0 {
            let _ = writeln!(
                s,
                "    {} steps skipped (no admin API or nothing to act on)",
                o.stats.skipped_steps
            );
        }
        for (p, n) in &o.stats.checks {
            let _ = writeln!(s, "    {p:<22} {n:>9} checks");
        }
    }
    for o in outcomes {
        if let Verdict::Failed { case, reason } = &o.verdict {
            let _ = writeln!(s, "\n{} FAILED", o.family);
            match case {
                Some(c) => {
                    let _ = write!(s, "{c}");
                }
                None => {
                    let _ = writeln!(s, "  {reason}");
                }
            }
        }
    }
    s
}

/// JUnit XML: one test suite `msp-conformance`, one test case per family.
pub fn junit(outcomes: &[FamilyOutcome]) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("msp-conformance");
    let mut suite = TestSuite::new("msp-conformance");
    for o in outcomes {
        let status = match &o.verdict {
            Verdict::Passed => TestCaseStatus::success(),
            Verdict::Skipped(why) => {
                let mut st = TestCaseStatus::skipped();
                st.set_message(why.as_str());
                st
            }
            Verdict::Failed { case, reason } => {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                match case {
                    Some(c) => {
                        st.set_message(format!("property `{}` failed", c.failure.property));
                        st.set_type(c.failure.property);
                        st.set_description(c.to_string());
                    }
                    None => {
                        st.set_message(reason.as_str());
                    }
                }
                st
            }
        };
        let mut tc = TestCase::new(o.family, status);
        tc.set_classname("msp-conformance");
        tc.set_time(o.elapsed);
        tc.set_assertions(o.stats.checks.values().sum::<u64>() as usize);
        tc.set_system_out(format!(
            "cases {} (asked {}), steps {}, requests {}",
            o.stats.cases, o.cases_requested, o.stats.steps, o.stats.requests
        ));
        suite.add_test_case(tc);
    }
    report.add_test_suite(suite);
    report.to_string()
}
