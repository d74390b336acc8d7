//! Cheap sanity invariants asserted on every whole count (issue 17): they cost nothing and turn
//! a would-be impossible "exact" answer into an honest not-exact one with the reason stated.
//!
//! - A non-empty open domain meets at least one region: an exact count of 0 is impossible.
//! - The count is at most the local analytic bound of the same domain (a certified upper bound
//!   computed independently of the search).
//!
//! Neither is a fix: a violation means some step behind the count went wrong (e.g. a value
//! outside the floating-point range), so the count is reported `exact: false` with
//! [`Undecided::Implausible`] and the local bound as its upper bound.

use super::control::{Stop, Undecided};
use super::settings::CountOutcome;
use num_bigint::BigUint;

/// Which invariant `r` violates, in words; `None` when it passes.
pub(super) fn violation(r: &CountOutcome, local: &BigUint) -> Option<String> {
    if r.exact && r.regions == 0 {
        return Some(
            "an exact count of 0 regions (a non-empty open domain meets at least one)".into(),
        );
    }
    if BigUint::from(r.regions) > *local {
        return Some(format!(
            "{} regions found, more than the local analytic bound {local}",
            r.regions
        ));
    }
    None
}

/// `r` unchanged when it passes the invariants; otherwise not exact, stopped by
/// [`Undecided::Implausible`], with the larger of the local bound and the regions found as its
/// upper bound (the regions found keep their proven witnesses).
pub(super) fn checked(mut r: CountOutcome, local: &BigUint) -> CountOutcome {
    let Some(detail) = violation(&r, local) else {
        return r;
    };
    r.exact = false;
    r.stop = Stop::Undecided(Undecided::Implausible { detail });
    r.upper = local
        .clone()
        .max(BigUint::from(r.regions))
        .max(BigUint::from(1u32));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(regions: u64, exact: bool) -> CountOutcome {
        let mut r =
            super::super::out_of_range(&BigUint::from(10u32), 1, std::time::Instant::now(), "test");
        r.regions = regions;
        r.lower = regions;
        r.exact = exact;
        r.stop = if exact { Stop::Exact } else { Stop::TimeLimit };
        r.upper = BigUint::from(regions);
        r
    }

    #[test]
    fn an_exact_zero_is_never_reported() {
        let r = checked(outcome(0, true), &BigUint::from(10u32));
        assert!(!r.exact);
        assert!(!r.stop.is_exact());
        assert!(r.stop.to_string().contains("0 regions"), "{}", r.stop);
        assert_eq!(r.upper, BigUint::from(10u32));
    }

    #[test]
    fn more_regions_than_the_local_bound_is_not_exact() {
        let r = checked(outcome(11, true), &BigUint::from(10u32));
        assert!(!r.exact);
        assert!(r.stop.to_string().contains("local analytic bound"));
        assert_eq!(r.upper, BigUint::from(11u32));
    }

    #[test]
    fn plausible_counts_pass_unchanged() {
        let r = checked(outcome(7, true), &BigUint::from(10u32));
        assert!(r.exact && r.stop.is_exact() && r.regions == 7);
        // a stopped count with nothing found yet is plausible
        let r = checked(outcome(0, false), &BigUint::from(10u32));
        assert_eq!(r.stop, Stop::TimeLimit);
    }
}
