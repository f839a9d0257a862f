"""The SPAIC examples (examples/spaic/) at their quick scale."""
import pytest


def test_rstdp_choice_learns_to_answer_each_pattern_with_its_own_neuron(load_example):
    r = load_example("rstdp_choice", "spaic").main(quick=True)
    assert r["correct_held_out"] >= 0.9
    assert r["w_own"] > r["w_other"]


def test_the_readme_network_built_by_class_and_by_with_is_the_same(load_example):
    r = load_example("readme_structure", "spaic").main(quick=True)
    assert r["class_members"] == r["with_members"]
    assert r["same"] and sum(map(sum, r["predict_class"])) > 0
    assert r["v_shape"] == [4, 100, 200]


def test_diehl_cook_on_digits_learns_above_chance_at_the_quick_scale(load_example, tmp_path):
    # 30 neurons, 300 samples, one epoch: far from the full run's 82-86 % (seeds 1-3),
    # well above 10 %
    png = tmp_path / "fields.png"
    r = load_example("diehl_cook_digits", "spaic").main(quick=True, plot=png)
    assert r["accuracy"] > 0.3
    # the receptive fields: a 6 x 6 grid of 100-pixel panels (30 neurons)
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(head[16:20], "big") == int.from_bytes(head[20:24], "big") == 600
    # rows normalised to 78.4 at every step (float64 sums of 784 weights): within 1e-9
    assert r["w_mean"] == pytest.approx(0.1, rel=1e-9)
