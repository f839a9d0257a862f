"""bench/bench_cuda.py works end to end before a GPU session spends its minutes on it:
every case, down-scaled, on the CPU backend, and its results merged case by case."""
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_cuda.py"


def test_every_case_of_the_gpu_benchmark_runs_on_the_cpu_down_scaled(tmp_path):
    out = subprocess.run(
        [sys.executable, str(BENCH), "--backend", "cpu", "--scale", "0.02", "--duration",
         "10", "--repeats", "1", "--batch", "2", "--sequential", "1",
         "--precisions", "single"],   # (double is the same code with another type)
        capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    for heading in ("### PD14 microcircuit", "### Synaptic events per second", "### Batching"):
        assert heading in out.stdout
    assert "| PD14 scale 0.02 | single |" in out.stdout
    assert "Brunel C (2,000 neurons" in out.stdout


def test_results_of_separate_calls_are_kept_case_by_case(tmp_path, monkeypatch):
    sys.path.insert(0, str(BENCH.parent))
    try:
        import bench_cuda
    finally:
        sys.path.remove(str(BENCH.parent))
    monkeypatch.setattr(bench_cuda, "HERE", str(tmp_path))
    (tmp_path / "RESULTS.md").write_text("# Benchmark results\n\n## Earlier\n\ntext\n")
    bench_cuda.write({"pd14": "### PD14 microcircuit\n\nfirst", "batch": "### Batching\n\nold"})
    bench_cuda.write({"batch": "### Batching\n\nnew"})
    text = (tmp_path / "RESULTS.md").read_text()
    assert "## Earlier\n\ntext" in text and "first" in text and "new" in text
    assert "old" not in text
    assert text.index("### PD14") < text.index("### Batching")


def test_the_gpu_training_benchmark_runs_on_the_cpu_down_scaled(tmp_path):
    script = BENCH.parent / "bench_cuda_training.py"
    out = subprocess.run(
        [sys.executable, str(script), "--backend", "cpu", "--steps", "4", "--batch", "2",
         "--neurons", "64", "--repeats", "1", "--net-batch", "2"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert '"case": "lif"' in out.stdout and '"case": "net"' in out.stdout
