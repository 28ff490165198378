//! The one progress-bar factory, and what the terminal hears while a job runs: a bar on a
//! terminal, nothing when stderr is piped or `--quiet`; status lines unless `--quiet`.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use hongbao::graph::Graph;
use hongbao::study::{PlatformReport, Progress, Warning};

/// Prints a status line to stderr unless quiet.
pub fn say(quiet: bool, msg: impl AsRef<str>) {
    if !quiet {
        eprintln!("{}", msg.as_ref());
    }
}

/// A bar of runs on a terminal, hidden when piped or quiet.
fn bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{msg:28} [{bar:40.cyan/blue}] {pos}/{len} runs ({rate}, eta {eta})",
        )
        .expect("valid template")
        .with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} runs/s", s.per_sec());
            },
        )
        .progress_chars("=> "),
    );
    pb
}

/// What a job's progress looks like on the terminal.
pub enum Style {
    /// One graph file: say when it is loaded.
    Simulate { path: String },
    /// Platforms of a scenario: one line as each finishes.
    Compare,
}

/// A [`Progress`] for the terminal.
pub struct Terminal {
    pb: ProgressBar,
    /// Whether the bar is hidden, asked once: `ProgressBar::is_hidden` takes a lock, and
    /// `run_done` is called after every run from every thread.
    hidden: bool,
    quiet: bool,
    style: Style,
    /// Seconds the current platform's graph took.
    built: Mutex<f64>,
}

impl Terminal {
    pub fn new(quiet: bool, style: Style) -> Terminal {
        let pb = bar(quiet);
        Terminal {
            hidden: pb.is_hidden(),
            pb,
            quiet,
            style,
            built: Mutex::new(0.0),
        }
    }

    /// Prints a line without tearing the bar.
    fn line(&self, msg: String) {
        self.pb.suspend(|| say(self.quiet, msg));
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.pb.finish_and_clear();
    }
}

impl Progress for Terminal {
    fn started(&self, runs: u64) {
        self.pb.set_length(runs);
    }

    fn graph_ready(&self, _label: &str, g: &Graph, seconds: f64) {
        *self.built.lock().expect("not poisoned") = seconds;
        if let Style::Simulate { path } = &self.style {
            self.line(format!(
                "loaded {path}: {} nodes, {} edges in {seconds:.2} s",
                g.node_count(),
                g.edge_count()
            ));
        }
    }

    fn warn(&self, warning: Warning) {
        match warning {
            Warning::NoStrongTies => self.line(
                "note: the graph has no strong ties, so --p-strong has no effect (see --ties)"
                    .into(),
            ),
        }
    }

    fn runs_started(&self, label: &str, _runs: u64) {
        self.pb.set_message(label.to_string());
    }

    fn run_done(&self) {
        if !self.hidden {
            self.pb.inc(1);
        }
    }

    fn note(&self, text: String) {
        self.line(text);
    }

    fn platform_done(&self, r: &PlatformReport) {
        if let Style::Compare = self.style {
            let q = &r.parameters;
            self.line(format!(
                "  {}: {} nodes, {} edges (built in {:.1} s); {} runs in {:.1} s; final reach {:.1} %",
                r.label,
                q.nodes,
                q.edges,
                *self.built.lock().expect("not poisoned"),
                q.runs,
                r.sim_seconds,
                100.0 * r.outcome.final_reach.fraction
            ));
        }
    }
}
