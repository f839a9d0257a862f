"""examples/brian2/custom_events.py: Brian2's custom events example (a boolean variable
gates the event gspike; pathways of one Synapses on a spike and on gspike), run once per
session at its quick scale (tests/examples/conftest.py's ``run``)."""


def test_each_excursion_of_g_above_one_gives_one_gspike(run):
    r, _ = run("custom_events")
    # a gspike clears allow_gspike; end_gspike or a spike's reset sets it again
    assert r["n_gspikes"] == r["n_end_gspikes"] + r["n_spikes"] or \
        r["n_gspikes"] == r["n_end_gspikes"] + r["n_spikes"] + 1
    assert r["mean_g_at_gspike"] > 1.0 and r["mean_v_at_spike"] > 1.0


def test_each_pathway_of_h_counts_its_own_event(run):
    r, _ = run("custom_events")
    assert r["H_x_increments"] == r["n_spikes"] > 0
    assert r["H_y_increments"] == r["n_gspikes"] > r["n_spikes"]


def test_the_input_fires_near_its_rate_and_drives_several_gspikes(run):
    r, _ = run("custom_events")
    assert 80 < r["input_spikes"] < 170          # 250 Hz for 0.5 s: 125 expected
    assert 20 < r["n_gspikes"] < 70              # Brian2 2.9, seeds 1-3: 37, 43, 37
