"""What pyspike computes is recorded before a refactor and checked after it, bit for bit
(issue 13): scripts/record_behaviour.py, with the record of this machine in
tests/records/ (made with the code of commit 070d8e9; the code of 6592aa6, before issue
12, records the same 342 arrays bit for bit)."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "record_behaviour.py"


def _recorder():
    spec = importlib.util.spec_from_file_location("record_behaviour", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_case_computes_what_was_recorded_on_this_machine():
    recorder = _recorder()
    record = recorder.default_path()
    if not record.exists():
        pytest.skip(f"no behaviour record for this machine ({record.name}): make one with "
                    "`python scripts/record_behaviour.py record` from the code to compare with")
    out = subprocess.run([sys.executable, str(SCRIPT), "check", "--record", str(record)],
                         capture_output=True, text=True, cwd="/", env=dict(os.environ))
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    assert "0 of" in out.stdout


def test_a_spike_that_moved_one_step_is_a_difference():
    recorder = _recorder()
    recorded = {"cuba/cpu/double/1.t": np.array([1.0, 2.5])}
    now = {"cuba/cpu/double/1.t": np.array([1.0, 2.6])}
    (key, what), = recorder.differences(recorded, now)
    assert key == "cuba/cpu/double/1.t" and "flat index 1" in what


def test_a_state_that_is_nan_in_both_is_no_difference():
    recorder = _recorder()
    a = {"x/0.v": np.array([np.nan, 1.0])}
    assert recorder.differences(a, {"x/0.v": a["x/0.v"].copy()}) == []


def test_a_dtype_change_or_a_missing_array_is_a_difference():
    recorder = _recorder()
    recorded = {"a": np.zeros(2), "b": np.zeros(1)}
    now = {"a": np.zeros(2, dtype=np.float32)}
    assert [k for k, _ in recorder.differences(recorded, now)] == ["a", "b"]


def test_the_record_names_the_machine_it_was_made_on():
    for path in (ROOT / "tests" / "records").glob("*.npz"):
        with np.load(path, allow_pickle=False) as f:
            assert str(f["__machine__"]) == path.stem
