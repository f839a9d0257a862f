"""The tree stays readable: ruff's small rule set (pyproject.toml) finds nothing, and no
module of the package outgrows its line budget."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Lines a module of codegen/ or pyspike/ may have (STYLE.md: ~400).
BUDGET = 400


def test_ruff_finds_nothing():
    folders = [f for f in ("codegen", "pyspike", "tests", "bench", "examples", "scripts")
               if (ROOT / f).is_dir()]
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *folders],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_module_is_within_its_line_budget():
    modules = sorted(ROOT.glob("codegen/**/*.py")) + sorted(ROOT.glob("pyspike/**/*.py"))
    assert modules
    over = {str(m.relative_to(ROOT)): n for m in modules
            if (n := len(m.read_text().splitlines())) > BUDGET}
    assert not over, f"over {BUDGET} lines: {over}"


def test_no_two_test_files_share_a_name():
    # CI collects the tests with --doctest-modules, which imports test files by their
    # basename: two of the same name in different folders stop the whole run.
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
