//! The facade's control of a running count: typed stop reasons, the cancellation token and the
//! progress observer. Every partial outcome must stay an honest sandwich around the exact count
//! (computed here by the same facade without limits, itself checked against brute force in
//! `enumerate_api.rs` and `enumerate_brute.rs`).

mod common;

use common::random_network;
use ndarray::array;
use num_bigint::BigUint;
use relu_regions::{
    count, CancelToken, CountOptions, CountOutcome, Domain, Norm, Observer, Progress, Stop,
};
use std::sync::{Arc, Mutex};

/// Records every snapshot and the `finished` calls; optionally trips a token on the first
/// snapshot.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<Progress>>,
    finished: Mutex<u32>,
    trip: Option<CancelToken>,
}

impl Observer for Recorder {
    fn progress(&self, p: &Progress) {
        self.seen.lock().unwrap().push(*p);
        if let Some(t) = &self.trip {
            t.cancel();
        }
    }

    fn finished(&self) {
        *self.finished.lock().unwrap() += 1;
    }
}

fn assert_sandwich(partial: &CountOutcome, exact: u64) {
    assert!(!partial.exact, "{partial:?}");
    assert!(!partial.stop.is_exact());
    assert_eq!(partial.lower, partial.regions);
    assert!(partial.lower <= exact, "{} > {exact}", partial.lower);
    assert!(
        partial.upper >= BigUint::from(exact),
        "{} < {exact}",
        partial.upper
    );
}

#[test]
fn a_cancelled_count_is_an_honest_sandwich() {
    let net = random_network(&[2, 12, 12, 1], 5, 0.5);
    let domain = Domain::ball(array![0.1, -0.1], 1.0, Norm::L2).unwrap();
    let full = count(&net, &domain, &CountOptions::new()).unwrap();
    assert_eq!(full.stop, Stop::Exact);
    assert!(full.exact && full.regions > 20);
    for threads in [1, 2] {
        let token = CancelToken::new();
        token.cancel();
        let options = CountOptions::new().threads(threads).cancel(token.clone());
        let r = count(&net, &domain, &options).unwrap();
        assert_eq!(r.stop, Stop::Cancelled);
        assert_eq!(r.stop.reason().as_deref(), Some("cancelled"));
        assert_sandwich(&r, full.regions);
    }
    // an untripped token changes nothing
    let r = count(
        &net,
        &domain,
        &CountOptions::new().cancel(CancelToken::new()),
    )
    .unwrap();
    assert_eq!((r.regions, r.stop), (full.regions, Stop::Exact));
}

#[test]
fn the_observer_sees_the_count_grow_to_its_final_figure() {
    let net = random_network(&[2, 16, 16, 1], 9, 0.5);
    let domain = Domain::ball(array![0.0, 0.0], 2.0, Norm::Linf).unwrap();
    for threads in [1, 2] {
        let recorder = Arc::new(Recorder::default());
        let options = CountOptions::new()
            .threads(threads)
            .observer(recorder.clone());
        let r = count(&net, &domain, &options).unwrap();
        assert!(r.exact);
        let seen = recorder.seen.lock().unwrap();
        assert!(!seen.is_empty());
        assert!(seen
            .windows(2)
            .all(|w| w[0].regions <= w[1].regions && w[0].elapsed <= w[1].elapsed));
        let last = seen.last().unwrap();
        assert_eq!(last.regions, r.regions);
        assert_eq!(last.solver_calls, r.solver_calls);
        assert_eq!(last.open_tasks, 0);
        assert_eq!(*recorder.finished.lock().unwrap(), 1);
    }
}

/// An observer that cancels on its first snapshot (as the Python front end will on an
/// interrupt): whichever of the count and the cancellation wins, the outcome is either the exact
/// count or an honest sandwich marked cancelled — never a partial count marked exact.
#[test]
fn cancelling_from_the_observer_stops_honestly() {
    let net = random_network(&[2, 24, 24, 24, 1], 3, 0.5);
    let domain = Domain::ball(array![0.0, 0.0], 3.0, Norm::Linf).unwrap();
    let full = count(&net, &domain, &CountOptions::new().threads(2)).unwrap();
    assert!(full.exact);
    let mut cancelled = 0;
    for threads in [1, 2] {
        let token = CancelToken::new();
        let recorder = Arc::new(Recorder {
            trip: Some(token.clone()),
            ..Default::default()
        });
        let options = CountOptions::new()
            .threads(threads)
            .cancel(token)
            .observer(recorder.clone());
        let r = count(&net, &domain, &options).unwrap();
        match r.stop {
            Stop::Exact => assert_eq!(r.regions, full.regions),
            Stop::Cancelled => {
                assert_sandwich(&r, full.regions);
                cancelled += 1;
            }
            ref other => panic!("unexpected stop {other}"),
        }
        assert_eq!(*recorder.finished.lock().unwrap(), 1);
    }
    eprintln!(
        "{cancelled} of 2 counts ({} regions) were cancelled",
        full.regions
    );
}

/// The reasons read as the JSON output's `stopped_by` has always spelled them.
#[test]
fn stop_reasons_keep_their_words() {
    use relu_regions::Undecided;
    assert_eq!(Stop::Exact.reason(), None);
    for (stop, words) in [
        (Stop::TimeLimit, "time limit"),
        (Stop::MaxRegions, "max regions"),
        (Stop::Cancelled, "cancelled"),
    ] {
        assert_eq!(stop.reason().as_deref(), Some(words));
    }
    let off = Stop::Undecided(Undecided::FallbackOff).to_string();
    assert!(off.starts_with("undecided: ") && off.ends_with("the exact fallback is off"));
    let range = Stop::Undecided(Undecided::OutOfRange {
        detail: "layer 2".into(),
    });
    assert_eq!(range.to_string(), "out of range: layer 2");
}

/// A bound whose token is tripped stops at once: no LP is solved, no split depth is counted, and
/// every bound reached stays certified (≥ the exact count, lower ≤ count). The same bound without
/// a token solves its LPs; a token tripped from another thread mid-way ends a long `all`.
#[test]
fn a_cancelled_bound_stops_early_and_stays_certified() {
    use relu_regions::{bound, BoundMethod, BoundOptions};
    let net = random_network(&[3, 12, 12, 10, 1], 17, 0.5);
    let domain = Domain::ball(array![0.1, -0.2, 0.3], 1.5, Norm::L2).unwrap();
    let exact = count(&net, &domain, &CountOptions::new()).unwrap();
    assert!(exact.stop.is_exact());
    let n = BigUint::from(exact.regions);
    for method in [BoundMethod::Lp, BoundMethod::Split, BoundMethod::All] {
        let free = bound(&net, &domain, &BoundOptions::new(method)).unwrap();
        let token = CancelToken::new();
        token.cancel();
        let stopped = bound(&net, &domain, &BoundOptions::new(method).cancel(token)).unwrap();
        let (free_lp, stopped_lp) = (free.lp.as_ref().unwrap(), stopped.lp.as_ref().unwrap());
        assert!(free_lp.stats.lps > 0, "{method:?}: the LP bound solves LPs");
        assert_eq!(stopped_lp.stats.lps, 0, "{method:?}: no LP after the token");
        assert!(stopped.split.as_ref().is_none_or(|s| s.stages.len() == 1));
        for b in [&free, &stopped] {
            assert!(b.upper >= n && BigUint::from(b.lower) <= n, "{method:?}");
        }
        assert!(stopped.upper >= free.upper);
        assert_eq!(free.exact, method != BoundMethod::Lp, "{method:?}");
        assert!(
            !stopped.exact,
            "{method:?}: a cancelled bound claims no exact count"
        );
    }
    // tripped from another thread while `all` enumerates a larger ball
    let big = Domain::ball(array![0.0, 0.0, 0.0], 40.0, Norm::L2).unwrap();
    let token = CancelToken::new();
    let tripper = token.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        tripper.cancel();
    });
    let options = BoundOptions::new(BoundMethod::All).cancel(token);
    let b = bound(&net, &big, &options).unwrap();
    t.join().unwrap();
    let whole = count(&net, &big, &CountOptions::new()).unwrap();
    assert!(b.upper >= BigUint::from(whole.regions) && b.lower <= whole.regions);
}
