mod common;
use ndarray::array;
use relu_regions::{Layer, Network};

/// The 1-D breakpoint counter on a hand net: |x| - style net with units x, -x, x-1 → breakpoints 0 and 1.
#[test]
fn segment_counter_finds_hand_breakpoints() {
    let net = Network::new(vec![
        Layer::new(array![[1.0], [-1.0], [1.0]], array![0.0, 0.0, -1.0]),
        Layer::new(array![[1.0, 1.0, 1.0]], array![0.0]),
    ])
    .unwrap();
    let pats = common::exact_patterns_on_segment(&net, &array![0.0], &array![1.0], -2.0, 2.0);
    assert_eq!(pats.len(), 3);
    let pats = common::exact_patterns_on_segment(&net, &array![0.0], &array![1.0], 0.5, 0.9);
    assert_eq!(pats.len(), 1);
}
