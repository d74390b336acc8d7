//! The CLI's progress bar (indicatif, on stderr), drawn from the enumerator's [`Observer`]:
//! regions found, open tasks, regions per second, solver calls.

use crate::enumerate::{Observer, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner line on stderr, cleared when the count ends.
pub struct ProgressBarObserver {
    bar: ProgressBar,
}

impl ProgressBarObserver {
    /// A bar drawn on stderr.
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}") {
            bar.set_style(style);
        }
        ProgressBarObserver { bar }
    }
}

impl Default for ProgressBarObserver {
    fn default() -> Self {
        Self::new()
    }
}

impl Observer for ProgressBarObserver {
    fn progress(&self, p: &Progress) {
        let secs = p.elapsed.as_secs_f64().max(1e-9);
        self.bar.set_message(format!(
            "{} regions, {} open tasks, {:.0} regions/s, {} solver calls",
            p.regions,
            p.open_tasks,
            p.regions as f64 / secs,
            p.solver_calls
        ));
        self.bar.tick();
    }

    fn finished(&self) {
        self.bar.finish_and_clear();
    }
}
