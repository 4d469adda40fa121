"""ament_pep257 (docstring conventions, ament's selection) over the package."""
from lint_residual import beyond_residual, pep257_findings, ROOT
import pytest


@pytest.mark.linter
@pytest.mark.pep257
def test_pep257(monkeypatch):
    monkeypatch.chdir(ROOT)   # paths are reported relative to the package root
    new = beyond_residual('pep257', pep257_findings())   # ament_pep257's own report
    assert not new, 'Found code style errors beyond test/lint_residual.json:\n' + '\n'.join(new)
