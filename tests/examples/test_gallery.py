"""examples/gallery.py: every library neuron and synapse runs, is summarised and plotted, and
each spiking neuron's drive makes it fire.

The gallery runs once per module, with 40 ms of drive instead of 100 (a few seconds on
two cores once its two networks are compiled).
"""
import contextlib
import io
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike as ps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import gallery  # noqa: E402

DRIVE_MS = 40.0


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The PNG, the printed summary (one line per model) and the traces."""
    out = tmp_path_factory.mktemp("gallery") / "gallery.png"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        traces = gallery.main(["--out", str(out), "--duration", str(DRIVE_MS)])
    return out, printed.getvalue().splitlines(), traces


def test_the_gallery_saves_one_png_where_out_says(run):
    out, _, _ = run
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_library_neuron_and_synapse_has_a_line_in_the_summary(run):
    _, lines, _ = run
    named = [line.split()[0] for line in lines if line.strip()]
    assert set(ps.models.neurons) | set(ps.models.synapses) <= set(named)
    assert len(named) == len(ps.models.neurons) + len(ps.models.synapses) + 1   # + total


def test_every_neuron_with_a_threshold_fires_under_its_drive(run):
    _, _, traces = run
    counted = {tr.name: tr.spikes for tr in traces if not tr.synapse}
    spiking = {n for n, m in ps.models.neurons.items() if m.threshold}
    assert {n for n, k in counted.items() if k is not None} == spiking
    assert [n for n in spiking if counted[n] == 0] == []


def test_every_trace_covers_the_onset_and_the_drive_and_stays_finite(run):
    _, _, traces = run
    for tr in traces:
        assert tr.t[-1] == pytest.approx(gallery.ONSET + DRIVE_MS - gallery.DT), tr.name
        assert np.isfinite(tr.y).all(), tr.name


def test_a_model_without_an_entry_in_the_drive_table_gets_the_default_on_its_input(
        monkeypatch):
    monkeypatch.setattr(gallery, "DRIVES", {})
    assert gallery.input_of("Lif", ps.models.neurons["Lif"]) == ("I", gallery.DEFAULT_DRIVE)
    assert gallery.input_of("clif", ps.models.neurons["clif"]) == \
        ("Iext", gallery.DEFAULT_DRIVE)
    assert gallery.input_of("WilsonCowan", ps.models.neurons["WilsonCowan"]) == \
        ("x_ext", gallery.DEFAULT_DRIVE)


def test_a_panel_shows_the_membrane_not_an_input():
    shown = {name: gallery.membrane_of(ps.models.neurons[name], [])
             for name in ("Lif", "Gif", "brette_hh", "meanfield", "null", "ThresholdLinear")}
    assert shown == {"Lif": "V", "Gif": "V", "brette_hh": "v", "meanfield": "U",
                     "null": "O", "ThresholdLinear": "nu_e"}
