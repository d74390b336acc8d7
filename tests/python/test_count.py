"""Counts: exact against an independent 1-D count, witnesses that prove their regions, honest
partial results, count_many against a loop, and Ctrl-C."""

import _thread
import threading
import time

import numpy as np
import pytest
import relu_regions as rr

from test_network import random_layers


def exact_regions_on_interval(layers, lo, hi):
    """Regions of a 1-input network meeting the open interval (lo, hi), in exact piecewise-linear
    tracking: each piece carries its hidden units' pre-activations as affine functions of t, and
    splits where one changes sign. Independent of the library (pure NumPy)."""
    pieces = [(lo, hi, np.array([[1.0, 0.0]]), ())]  # rows: value = a*t + c per input coordinate
    for k, (w, b) in enumerate(layers[:-1]):
        out = []
        for a_lo, a_hi, x, pattern in pieces:
            pre = w @ x + np.column_stack([np.zeros_like(b), b])  # (units, 2): slope, offset
            cuts = sorted(
                {-c / s for s, c in pre if s != 0 and a_lo < -c / s < a_hi}
            )
            edges = [a_lo, *cuts, a_hi]
            for p, q in zip(edges[:-1], edges[1:]):
                mid = (p + q) / 2
                active = pre[:, 0] * mid + pre[:, 1] > 0
                out.append((p, q, pre * active[:, None], pattern + tuple(active)))
        pieces = out
    return len({pattern for *_, pattern in pieces})


@pytest.mark.parametrize("seed", range(6))
def test_one_input_counts_equal_exact_interval_tracking(seed):
    layers = random_layers([1, 8, 8, 6, 1], seed=seed)
    net = rr.Network.from_layers(layers)
    for center, radius in [(0.0, 1.0), (0.7, 0.3), (-2.0, 4.0)]:
        want = exact_regions_on_interval(layers, center - radius, center + radius)
        for norm in ("l2", "linf"):
            r = net.count([center], radius=radius, norm=norm)
            assert r.exact and r.regions == want, (seed, center, radius, norm)


def test_witnesses_lie_in_the_ball_and_have_their_patterns(digits, digits_net):
    c = digits[11]
    r = digits_net.count(c, radius=0.4, witnesses=True, threads=2)
    assert r.exact
    assert r.witnesses.shape == (r.regions, 64) and r.patterns.shape == (r.regions, 32)
    assert np.all(np.linalg.norm(r.witnesses - c, axis=1) < 0.4)
    np.testing.assert_array_equal(digits_net.activation_pattern(r.witnesses), r.patterns)
    assert len({p.tobytes() for p in r.patterns}) == r.regions
    assert digits_net.count(c, radius=0.4).witnesses is None


def test_a_region_cap_gives_an_honest_sandwich(digits, digits_net):
    full = digits_net.count(digits[0], radius=0.6)
    capped = digits_net.count(digits[0], radius=0.6, max_regions=10, threads=1)
    assert not capped.exact and capped.stopped_by == "max regions"
    assert capped.lower <= full.regions <= capped.upper
    # nothing was undecided: the cap alone made the sandwich
    assert capped.undecided_bound == 0 == full.undecided_bound and isinstance(capped.undecided_bound, int)
    assert isinstance(capped.upper, int) and capped.to_dict()["upper"] == str(capped.upper)
    assert "exact=False" in repr(capped)


def test_count_many_equals_a_loop_of_count(digits, digits_net):
    centers = digits[:24]
    many = digits_net.count_many(centers, radius=0.3, threads=2, witnesses=True)
    assert len(many) == len(centers)
    for c, m in zip(centers, many):
        one = digits_net.count(c, radius=0.3, threads=1, witnesses=True)
        assert (m.regions, m.exact, m.lower, m.upper) == (one.regions, one.exact, one.lower, one.upper)
        np.testing.assert_array_equal(m.patterns, one.patterns)
    boxes = digits_net.count_many(centers[:4].tolist(), radius=0.05, norm="linf", threads=2)
    assert [b.regions for b in boxes] == [digits_net.count(c, radius=0.05, norm="linf").regions for c in centers[:4]]
    with pytest.raises(ValueError, match="centers: has shape"):
        digits_net.count_many(centers[0], radius=0.3)


def test_ctrl_c_stops_a_long_count_and_raises_keyboard_interrupt(digits, digits_net):
    # this count runs for minutes; the interrupt arrives after 0.5 s
    fired = []
    timer = threading.Timer(0.5, lambda: (fired.append(time.perf_counter()), _thread.interrupt_main()))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        digits_net.count(digits[0], radius=3.0, threads=2)
    latency = time.perf_counter() - fired[0]
    print(f"KeyboardInterrupt {latency * 1e3:.0f} ms after the interrupt")
    # the workers stopped: the next count runs normally
    assert digits_net.count(digits[0], radius=0.2).regions >= 1
    assert latency < 30  # not a speed assertion: without the interrupt this count runs for minutes


def test_ctrl_c_stops_a_long_bound_too(digits, digits_net):
    fired = []
    timer = threading.Timer(0.5, lambda: (fired.append(time.perf_counter()), _thread.interrupt_main()))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        digits_net.bound(digits[0], radius=3.0, method="all", threads=2)
    latency = time.perf_counter() - fired[0]
    print(f"KeyboardInterrupt {latency * 1e3:.0f} ms after the interrupt")
    assert latency < 30  # not a speed assertion: without the interrupt this bound runs for minutes


def test_a_rust_panic_becomes_a_runtime_error():
    from relu_regions import _native

    with pytest.raises(RuntimeError, match="internal error in relu-regions .*deliberate panic"):
        _native._panic_for_tests()
    # the module still works afterwards
    net = rr.Network.from_layers(random_layers([2, 3, 1]))
    assert net.count([0.0, 0.0], radius=1.0).exact


def test_the_gil_is_released_while_counting(digits, digits_net):
    # a count on a background thread; the main thread keeps running Python meanwhile
    done = threading.Event()
    result = []

    def work():
        result.append(digits_net.count(digits[0], radius=3.0, time_limit=1.0, threads=1))
        done.set()

    ticks = 0
    thread = threading.Thread(target=work)
    thread.start()
    time.sleep(0.1)
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    thread.join()
    assert result[0].stopped_by == "time limit"
    assert ticks > 50, f"the main thread ran only {ticks} times during a 1 s count"


def test_a_progress_bar_does_not_change_the_count(digits, digits_net):
    with_bar = digits_net.count(digits[2], radius=0.5, progress=True)
    assert with_bar.to_dict()["regions"] == digits_net.count(digits[2], radius=0.5).regions
    assert with_bar.exact


def test_split_parts_and_unfinished_rests_add_up_to_the_count(digits, digits_net):
    c = digits[4]
    whole = digits_net.count(c, radius=0.8)
    parts = digits_net.split(c, radius=0.8, at_least=10)
    assert len(parts) >= 10 and len(set(parts)) == len(parts)
    counts = [digits_net.count_subproblems([p], c, radius=0.8) for p in parts]
    assert all(r.exact for r in counts)
    assert sum(r.regions for r in counts) == whole.regions
    # a time-limited count's unfinished rest, counted afterwards, completes it exactly
    first = digits_net.count_subproblems([""], c, radius=0.8, time_limit=0.05, threads=1, frontier=True)
    if first.exact:
        pytest.skip("the count finished within 50 ms: nothing left to resume")
    assert first.stopped_by == "time limit" and first.unfinished
    rest = digits_net.count_subproblems(first.unfinished, c, radius=0.8)
    assert rest.exact and first.regions + rest.regions == whole.regions
    with pytest.raises(ValueError, match="subproblem"):
        digits_net.count_subproblems(["01x"], c, radius=0.8)
    # overlapping parts would count a subtree twice
    for overlapping in (["", parts[0]], [parts[0], parts[0]]):
        with pytest.raises(ValueError, match="overlap"):
            digits_net.count_subproblems(overlapping, c, radius=0.8)
