"""atomic_path: the target is replaced only by a complete write; a failed write leaves nothing."""
import pytest

from depth_sr_ros.atomic import atomic_path, write_text_atomic


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / 'sub' / 'metrics.json'
    write_text_atomic(target, 'old')
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent == target.parent and tmp.suffix == '.json' and tmp != target
            tmp.write_text('half')
            raise RuntimeError('crash mid-write')
    assert target.read_text() == 'old'
    assert sorted(p.name for p in target.parent.iterdir()) == ['metrics.json']
    write_text_atomic(target, 'new')
    assert target.read_text() == 'new'


def test_written_files_get_the_usual_permissions(tmp_path):
    """Reports and model files must be readable like any other file, not mkstemp's 0600."""
    import os
    mask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / 'report.json', '{}')
    finally:
        os.umask(mask)
    assert (tmp_path / 'report.json').stat().st_mode & 0o777 == 0o644
