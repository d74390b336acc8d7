//! The progress bar (indicatif, on stderr): regions found, open tasks, regions per second.

use super::search::Shared;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Redraws the bar every 200 ms until `done` is set.
pub fn run(sh: &Shared, done: &AtomicBool, start: Instant) {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}") {
        bar.set_style(style);
    }
    while !done.load(Ordering::SeqCst) {
        let regions = sh.regions.load(Ordering::Relaxed);
        let secs = start.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!(
            "{regions} regions, {} open tasks, {:.0} regions/s, {} solver calls",
            sh.open_tasks.load(Ordering::Relaxed),
            regions as f64 / secs,
            sh.solver_calls.load(Ordering::Relaxed)
        ));
        bar.tick();
        for _ in 0..10 {
            if done.load(Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    bar.finish_and_clear();
}
