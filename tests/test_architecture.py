"""The layers contract (pyproject.toml, ``[tool.importlinter]``) holds, and a wrong import breaks it.

Each breaking test copies the package to a scratch folder, adds one wrong import and runs ``lint-imports``
there: the run fails and its message names the import.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (make test installs it)")


def lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300)


def scratch_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "forecast", root / "forecast", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "import_contracts.py", root / "tests" / "import_contracts.py")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")


def test_the_repository_keeps_every_contract():
    out = lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Contracts: 4 kept, 0 broken." in out.stdout


def test_a_data_module_importing_the_app_breaks_the_layers(tmp_path):
    root = scratch_copy(tmp_path)
    add_line(root / "forecast" / "data" / "catalog.py", "from forecast.app import pages  # noqa: E402")
    out = lint(root)
    assert out.returncode == 1
    assert "Folders are layers" in out.stdout and "BROKEN" in out.stdout
    assert "forecast.data.catalog -> forecast.app.pages" in out.stdout


def test_an_engine_module_importing_decisions_breaks_the_layers(tmp_path):
    root = scratch_copy(tmp_path)
    add_line(root / "forecast" / "engine" / "combine.py", "from forecast.decisions import targets  # noqa: E402")
    out = lint(root)
    assert out.returncode == 1
    assert "forecast.engine.combine -> forecast.decisions.targets" in out.stdout


def test_importing_another_modules_private_name_breaks_the_contract(tmp_path):
    root = scratch_copy(tmp_path)
    add_line(root / "forecast" / "engine" / "combine.py", "from forecast.data.ytd import _MODES  # noqa: E402")
    out = lint(root)
    assert out.returncode == 1
    assert "forecast.engine.combine" in out.stdout and "imports _MODES from forecast.data.ytd" in out.stdout


def test_a_cycle_hidden_in_a_function_breaks_the_contract(tmp_path):
    root = scratch_copy(tmp_path)
    # candidates is imported by auto; an import of auto inside a function of candidates closes a cycle
    add_line(root / "forecast" / "engine" / "candidates.py",
             "def _late():\n    from forecast.engine import auto\n    return auto")
    out = lint(root)
    assert out.returncode == 1
    assert "cycle of 2" in out.stdout
    assert "forecast.engine.auto -> forecast.engine.candidates" in out.stdout
    assert "forecast.engine.candidates -> forecast.engine.auto" in out.stdout
