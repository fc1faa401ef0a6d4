//! What a run did: campaigns built and left as they were, files written, and every
//! problem, each one a typed value that says which campaign it is about.
//!
//! The exit status is derived from the problems (docs/export-format.md, "Exit
//! status"), never counted by hand.

use std::fmt;
use std::path::PathBuf;

use crate::export::InputError;
use crate::output::OutputError;
use crate::render::html::TemplateError;

/// Why one campaign was not built.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    /// Its data is bad (the error names the file, line and field).
    #[error("{0}")]
    Input(#[from] InputError),
    #[error("{0}")]
    Template(#[from] TemplateError),
    #[error("{0}")]
    Output(#[from] OutputError),
}

/// One problem of a run. Each skipped a campaign, a file or a PDF; the others were built.
#[derive(Debug)]
pub enum Problem {
    /// An input file, or a campaign that could not be placed (its error names the file).
    Input(InputError),
    /// A campaign that was read but not built.
    Campaign { id: String, error: CampaignError },
    /// A campaign built whose PDF was not printed (`rel` is the PDF's path in the snapshot).
    Pdf { rel: String, reason: String },
    /// The device ran out of space: the run changed nothing in `folder`.
    NoSpace { folder: PathBuf, error: OutputError },
    /// No PDF could be printed in an output folder: the browser is missing or did not
    /// start. `written` says what was written nonetheless.
    Printer { reason: String, missing: usize, folder: PathBuf, written: &'static str },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Input(e) => write!(f, "{e}"),
            // A data error already names the campaign's file and field.
            Problem::Campaign { error: CampaignError::Input(e), .. } => write!(f, "{e}"),
            Problem::Campaign { id, error } => write!(f, "campaign {id}: {error}"),
            Problem::Pdf { rel, reason } => write!(f, "{rel}: the PDF was not printed: {reason}"),
            Problem::NoSpace { folder, error } => write!(
                f,
                "{error}; nothing was changed in {}: the previous snapshot is as it was. Free some space and run again",
                folder.display()
            ),
            Problem::Printer { reason, missing, folder, written } => {
                let count = match missing {
                    1 => "1 PDF was".to_string(),
                    n => format!("{n} PDFs were"),
                };
                write!(f, "{reason}. {written}; {count} not printed (under {}/campaigns/)", folder.display())
            }
        }
    }
}

impl Problem {
    /// PDFs this problem left unprinted.
    fn pdfs_missing(&self) -> usize {
        match self {
            Problem::Pdf { .. } => 1,
            Problem::Printer { missing, .. } => *missing,
            _ => 0,
        }
    }

    /// Whether a campaign (or an input file) went unbuilt, rather than only a PDF.
    fn is_failure(&self) -> bool {
        matches!(self, Problem::Input(_) | Problem::Campaign { .. } | Problem::NoSpace { .. })
    }
}

/// How a run ended, as its exit status says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Every campaign built (0).
    Success,
    /// Some campaigns or PDFs failed; the others were built (1).
    SomeFailed,
    /// Nothing could be built (2).
    NothingBuilt,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::SomeFailed => 1,
            ExitStatus::NothingBuilt => 2,
        }
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Campaigns built (`check`: campaigns found valid).
    pub built: usize,
    /// Campaigns left as they were because nothing they depend on changed.
    pub unchanged: usize,
    /// Files written.
    pub files: usize,
    /// Every problem, in the order found.
    pub problems: Vec<Problem>,
    /// Remarks that are not errors.
    pub notes: Vec<String>,
}

impl Report {
    /// Campaigns (or input files) that could not be built.
    pub fn failed(&self) -> usize {
        self.problems.iter().filter(|p| p.is_failure()).count()
    }

    /// PDFs that could not be printed (their campaigns' other files were written).
    pub fn pdfs_missing(&self) -> usize {
        self.problems.iter().map(Problem::pdfs_missing).sum()
    }

    /// The exit status of `build`: 0 without a problem, 2 when nothing was built or
    /// left in place, 1 otherwise.
    pub fn build_status(&self) -> ExitStatus {
        match (self.problems.is_empty(), self.built + self.unchanged) {
            (true, _) => ExitStatus::Success,
            (false, 0) => ExitStatus::NothingBuilt,
            (false, _) => ExitStatus::SomeFailed,
        }
    }

    /// The exit status of `check`: 1 as soon as it found a problem (a check builds
    /// nothing, so "nothing built" does not apply).
    pub fn check_status(&self) -> ExitStatus {
        if self.problems.is_empty() { ExitStatus::Success } else { ExitStatus::SomeFailed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input_problem() -> Problem {
        Problem::Input(InputError::file(std::path::Path::new("a/campaign.json"), "bad"))
    }

    #[test]
    fn the_exit_status_follows_the_problems() {
        let mut report = Report { built: 3, ..Report::default() };
        assert_eq!(report.build_status(), ExitStatus::Success);
        report.problems.push(Problem::Pdf { rel: "campaigns/a/a.pdf".into(), reason: "timeout".into() });
        assert_eq!((report.build_status(), report.failed(), report.pdfs_missing()), (ExitStatus::SomeFailed, 0, 1));
        let nothing = Report { problems: vec![input_problem()], ..Report::default() };
        assert_eq!(nothing.build_status(), ExitStatus::NothingBuilt);
        assert_eq!(nothing.check_status(), ExitStatus::SomeFailed);
        let kept = Report { unchanged: 2, problems: vec![input_problem()], ..Report::default() };
        assert_eq!(kept.build_status(), ExitStatus::SomeFailed);
    }

    #[test]
    fn problems_name_their_campaign_once() {
        let output = CampaignError::Output(OutputError::Unsafe { path: "out/x".into(), reason: "a link" });
        let problem = Problem::Campaign { id: "q3".into(), error: output };
        assert_eq!(problem.to_string(), "campaign q3: refusing to write out/x: a link");
        let data = Problem::Campaign {
            id: "q3".into(),
            error: CampaignError::Input(InputError::file("q3.json".as_ref(), "bad")),
        };
        assert_eq!(data.to_string(), "q3.json: bad");
        let written = "The HTML and JSON were written";
        let printer = Problem::Printer { reason: "no browser".into(), missing: 1, folder: "out".into(), written };
        assert_eq!(
            printer.to_string(),
            "no browser. The HTML and JSON were written; 1 PDF was not printed (under out/campaigns/)"
        );
        assert_eq!(printer.pdfs_missing(), 1);
    }
}
