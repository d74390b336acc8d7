//! The combinatorial bounds: hand values, an independent brute-force sum over the J-set, and
//! the relations between the bounds.

use num_bigint::BigUint;
use num_traits::{One, Zero};
use proptest::prelude::*;
use relu_regions::bounds::{
    binomial, global_bounds, jset_bound, log10, montufar2017, serra2018, zaslavsky, LayerCounts,
};

fn big(v: u64) -> BigUint {
    BigUint::from(v)
}

/// C(n, k) by Pascal's rule, independently of the library.
fn pascal(n: usize, k: usize) -> BigUint {
    let mut row = vec![BigUint::one()];
    for _ in 0..n {
        let mut next = vec![BigUint::one(); row.len() + 1];
        for i in 1..row.len() {
            next[i] = &row[i - 1] + &row[i];
        }
        row = next;
    }
    row.get(k).cloned().unwrap_or_else(BigUint::zero)
}

/// The J-set sum by enumerating every tuple (j_1..j_L), for small shapes: the definition.
fn brute_force_jset(n0: usize, layers: &[LayerCounts]) -> BigUint {
    fn go(l: usize, cap: usize, layers: &[LayerCounts]) -> BigUint {
        if l == layers.len() {
            return BigUint::one();
        }
        let lc = layers[l];
        let mut total = BigUint::zero();
        for j in 0..=lc.unstable.min(cap) {
            let next_cap = cap.min(lc.width - lc.stably_inactive - j);
            total += pascal(lc.unstable, j) * go(l + 1, next_cap, layers);
        }
        total
    }
    go(0, n0, layers)
}

#[test]
fn hand_values() {
    // m lines in general position cut the plane into 1 + m + C(m, 2) regions
    for m in 0..12u64 {
        assert_eq!(
            zaslavsky(m as usize, 2),
            big(1 + m + m * m.saturating_sub(1) / 2)
        );
    }
    assert_eq!(binomial(10, 3), big(120));
    assert_eq!(binomial(3, 10), BigUint::zero());
    // one hidden layer: Σ_{j ≤ n0} C(n1, j) for both bounds
    assert_eq!(serra2018(2, &[4]), big(1 + 4 + 6));
    assert_eq!(montufar2017(2, &[4]), big(11));
    assert_eq!(serra2018(5, &[3]), big(8));
    // n0 = 1: Π (n_l + 1)
    assert_eq!(serra2018(1, &[3, 4, 5]), big(4 * 5 * 6));
    // the 2-2 net in the plane: J = {(j1, j2) : j1 ≤ 2, j2 ≤ min(2, 2 − j1)}
    // = 1·(1+2+1) + 2·(1+2) + 1·1 = 11
    assert_eq!(serra2018(2, &[2, 2]), big(11));
    assert_eq!(montufar2017(2, &[2, 2]), big(16));
    assert_eq!(serra2018(3, &[]), BigUint::one());
    assert_eq!(serra2018(1, &[1, 1]), big(3));
}

#[test]
fn log10_of_huge_values() {
    let x = BigUint::from(7u32).pow(5000);
    assert!((log10(&x) - 5000.0 * 7f64.log10()).abs() < 1e-6);
    assert_eq!(log10(&BigUint::zero()), f64::NEG_INFINITY);
}

#[test]
fn huge_shapes_are_ordered() {
    // (their speed is measured in benches/bounds.rs, not asserted here)
    let a = global_bounds(784, &[256, 256]);
    let b = global_bounds(10, &[50; 6]);
    let c = global_bounds(784, &[1024, 1024, 1024]);
    for g in [&a, &b, &c] {
        assert!(g.serra2018 <= g.montufar2017);
        assert!(g.serra2018 > BigUint::from(u128::MAX));
    }
    // L = 2 with n0 ≥ n1 = n2 = 256: Serra = Σ_{j1} C(256, j1) Σ_{j2 ≤ 256 − j1} C(256, j2) < 2^512
    assert!(a.serra2018 < BigUint::one() << 512);
    assert_eq!(a.montufar2017, BigUint::one() << 512);
}

#[test]
fn jset_with_stable_units_matches_its_definition() {
    let layers = [
        LayerCounts {
            width: 6,
            unstable: 3,
            stably_active: 1,
            stably_inactive: 2,
            tied: 0,
        },
        LayerCounts {
            width: 5,
            unstable: 5,
            stably_active: 0,
            stably_inactive: 0,
            tied: 0,
        },
        LayerCounts {
            width: 4,
            unstable: 1,
            stably_active: 3,
            stably_inactive: 0,
            tied: 0,
        },
    ];
    assert_eq!(jset_bound(3, &layers), brute_force_jset(3, &layers));
    // a fully stable first layer: one region, and an inactive one caps the dimension at 0
    let dead = LayerCounts {
        width: 4,
        unstable: 0,
        stably_active: 0,
        stably_inactive: 4,
        tied: 0,
    };
    let free = LayerCounts::all_unstable(7);
    assert_eq!(jset_bound(3, &[dead, free]), BigUint::one());
    let alive = LayerCounts {
        width: 4,
        unstable: 0,
        stably_active: 4,
        stably_inactive: 0,
        tied: 0,
    };
    assert_eq!(jset_bound(3, &[alive, free]), zaslavsky(7, 3));
}

fn shape() -> impl Strategy<Value = (usize, Vec<usize>)> {
    (1usize..6, prop::collection::vec(1usize..7, 1..5))
}

fn counts() -> impl Strategy<Value = (usize, Vec<LayerCounts>)> {
    (
        1usize..6,
        prop::collection::vec((0usize..5, 0usize..5, 0usize..5), 1..5),
    )
        .prop_map(|(n0, v)| {
            let layers = v
                .into_iter()
                .map(|(m, a, i)| LayerCounts {
                    width: m + a + i,
                    unstable: m,
                    stably_active: a,
                    stably_inactive: i,
                    tied: 0,
                })
                .collect();
            (n0, layers)
        })
}

proptest! {
    #[test]
    fn serra_matches_brute_force_and_montufar_dominates((n0, widths) in shape()) {
        let layers: Vec<_> = widths.iter().map(|&n| LayerCounts::all_unstable(n)).collect();
        let s = serra2018(n0, &widths);
        prop_assert_eq!(&s, &brute_force_jset(n0, &layers));
        prop_assert_eq!(&s, &jset_bound(n0, &layers));
        prop_assert!(s <= montufar2017(n0, &widths));
        if widths.len() == 1 {
            let want: BigUint = (0..=n0).map(|j| pascal(widths[0], j)).sum();
            prop_assert_eq!(&s, &want);
        }
        // n0 = 1: Π (n_l + 1) when no layer before the last has a single unit (a width-1 layer
        // whose unit is off leaves a 0-dimensional image: a 1-1-1 net has at most 3 regions)
        if n0 == 1 && widths[..widths.len() - 1].iter().all(|&n| n >= 2) {
            let want: BigUint = widths.iter().map(|&n| BigUint::from(n + 1)).product();
            prop_assert_eq!(&s, &want);
        }
    }

    #[test]
    fn jset_matches_brute_force_and_is_monotone((n0, layers) in counts(), pick in 0usize..4) {
        let b = jset_bound(n0, &layers);
        prop_assert_eq!(&b, &brute_force_jset(n0, &layers));
        let widths: Vec<usize> = layers.iter().map(|l| l.width).collect();
        prop_assert!(b <= serra2018(n0, &widths));
        // a stable unit turning unstable never lowers the bound
        let mut looser = layers.clone();
        let l = &mut looser[pick % layers.len()];
        if l.stably_inactive > 0 {
            l.stably_inactive -= 1;
            l.unstable += 1;
        } else if l.stably_active > 0 {
            l.stably_active -= 1;
            l.unstable += 1;
        }
        prop_assert!(b <= jset_bound(n0, &looser));
    }
}
