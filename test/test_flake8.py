"""ament_flake8 with ament's configuration and plugins, as `ros2 pkg create` sets it up."""
from ament_flake8.main import main_with_errors
from lint_residual import beyond_residual, flake8_findings, ROOT
import pytest


@pytest.mark.flake8
@pytest.mark.linter
def test_flake8(monkeypatch):
    monkeypatch.chdir(ROOT)   # ament_flake8 checks the current directory
    rc, errors = main_with_errors(argv=[])
    new = beyond_residual('flake8', flake8_findings(errors))
    assert rc == 0 or not new, \
        '\n'.join(errors) + '\n\nbeyond test/lint_residual.json:\n' + '\n'.join(new)
