"""ament_pep257 (docstring conventions, ament's selection) over the package."""
from pathlib import Path

from ament_pep257.main import main
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.linter
@pytest.mark.pep257
def test_pep257(monkeypatch):
    monkeypatch.chdir(ROOT)   # paths are reported relative to the package root
    rc = main(argv=['.'])
    assert rc == 0, 'Found code style errors / warnings'
