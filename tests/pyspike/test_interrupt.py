"""Ctrl-C stops a run within a fraction of a second and loses nothing: the clock, the
state and every monitor agree on the last completed step, and the next run continues as
if there had been no interruption."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import pyspike as ps
from pyspike import pacing

MODEL = dict(equations="dv/dt = (I - v)/tau + 0.5*xi/sqrt(tau) : 1 (unless refractory)",
             threshold="v > 1", reset="v = 0", refractory=1.0,
             params={"I": 1.2, "tau": 10.0})


def _net(backend):
    net = ps.Network(dt=0.1, seed=5, backend=backend)
    with net:
        G = ps.NeuronGroup(30, ps.NeuronModel(**MODEL))
        mons = (ps.SpikeMonitor(G), ps.StateMonitor(G, "v", record=[0, 29], every=3),
                ps.PopulationRateMonitor(G))
    return net, G, mons


def _interrupted(backend, k):
    """A network whose run of 1000 ms got SIGINT right after its chunk ``k``."""
    net, G, mons = _net(backend)
    net.build()
    run, calls = net.backend.run, []

    def wrapped(*args):
        done = run(*args)
        calls.append(done)
        if len(calls) == k:
            signal.raise_signal(signal.SIGINT)
        return done
    net.backend.run = wrapped
    with pytest.raises(KeyboardInterrupt) as err:
        net.run(1000.0)
    return err.value, net, G, mons


@pytest.fixture
def chunks_of_50(monkeypatch):
    monkeypatch.setattr(pacing.Pacer, "next", lambda self, left: min(left, 50))


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_an_interrupted_run_keeps_the_clock_state_and_monitors_of_its_last_chunk(
        backend, chunks_of_50):
    err, net, G, (spikes, volts, rate) = _interrupted(backend, 3)
    assert "150 of 10000 steps" in str(err)
    assert net.step == 150
    assert volts.t[-1] == pytest.approx(14.7) and len(volts.t) == 50   # steps 0, 3, ..., 147
    assert volts.v.shape == (2, 50)
    assert len(rate.t) == 150 and len(rate.rate) == 150
    assert spikes.t.max() <= net.t + 1e-9


@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_a_run_continued_after_an_interrupt_equals_an_uninterrupted_run(
        backend, chunks_of_50):
    _, net, G, (spikes, volts, rate) = _interrupted(backend, 2)
    net.run(30.0 - net.t)
    whole, H, (spikes2, volts2, rate2) = _net(backend)
    whole.run(30.0)
    np.testing.assert_array_equal(G.v, H.v)
    np.testing.assert_array_equal(spikes.i, spikes2.i)
    np.testing.assert_array_equal(spikes.t, spikes2.t)
    np.testing.assert_array_equal(volts.v, volts2.v)
    np.testing.assert_array_equal(rate.rate, rate2.rate)


def test_after_a_run_the_sigint_handler_is_python_s_own_again(chunks_of_50):
    net, _, _ = _net("cpu")
    net.run(20.0)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


_CHILD = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import pyspike as ps
    model = ps.NeuronModel(**{model!r})
    def make():
        net = ps.Network(dt=0.1, seed=5, backend="cpu", progress=False)
        with net:
            G = ps.NeuronGroup(1000, model)
            s = ps.SpikeMonitor(G)
            m = ps.StateMonitor(G, "v", record=[0, 999])
        return net, G, s, m
    net, G, s, m = make()
    net.build()
    print("running", flush=True)
    try:
        net.run(2_000_000.0)
        print(json.dumps({{"interrupted": False}}), flush=True)
        sys.exit(0)
    except KeyboardInterrupt:
        caught = time.time()
    step = net.step
    consistent = (len(m.t) == step and m.v.shape == (2, step)
                  and bool((s.t <= net.t + 1e-9).all()))
    net.run(round((step + 500) * 0.1, 6) - net.t)      # continue a little
    whole, H, s2, m2 = make()
    whole.run(round((step + 500) * 0.1, 6))
    same = (bool((G.v == H.v).all()) and bool((s.i == s2.i).all())
            and bool((s.t == s2.t).all()) and bool((m.v == m2.v).all()))
    print(json.dumps({{"interrupted": True, "caught": caught, "step": step,
                      "consistent": consistent, "same": same}}), flush=True)
""")


def test_sigint_stops_a_long_compiled_run_within_a_second_and_it_continues_exactly(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(_CHILD.format(model=MODEL))
    env = dict(os.environ, PYTHONPATH="")
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=str(tmp_path))
    try:
        assert child.stdout.readline().strip() == "running", child.stderr.read()
        time.sleep(1.0)
        sent = time.time()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
    finally:
        child.kill()
    result = json.loads(out.strip().splitlines()[-1])
    assert result["interrupted"], err
    assert result["caught"] - sent < 1.0
    assert result["step"] > 0 and result["consistent"] and result["same"]


def test_progress_true_draws_a_bar_of_steps_on_stderr(monkeypatch, capsys, chunks_of_50):
    monkeypatch.setattr(pacing, "PROGRESS_DELAY", 0.0)
    net = ps.Network(dt=0.1, seed=5, backend="cpu", progress=True)
    with net:
        ps.NeuronGroup(3, ps.NeuronModel(**MODEL))
    net.run(20.0)
    err = capsys.readouterr().err
    assert "pyspike run (20 ms)" in err and "/200" in err and "step" in err


def test_progress_is_off_by_default_where_stderr_is_no_terminal(monkeypatch, capsys):
    monkeypatch.setattr(pacing, "PROGRESS_DELAY", 0.0)
    net, _, _ = _net("cpu")
    net.run(20.0)
    assert "pyspike run" not in capsys.readouterr().err
