# Copyright 2026 depth_sr_ros developers
# SPDX-License-Identifier: Apache-2.0
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""train_from_bag and folder_to_bag end to end (real bags, real training for 3 steps)."""
from datetime import datetime
import json
import subprocess
import sys

from bag_factory import bag_data_file, write_rgbd_bag
import cv2
from depth_sr_ros.cli import folder_to_bag, train_from_bag
from depth_sr_ros.data.bags import BagReadOptions, read_bag
from depth_sr_ros.data.synthetic import render_stream, to_uint16_mm
import numpy as np
import pytest


def _leftovers(parent):
    return [p.name for p in parent.iterdir() if '.tmp' in p.name]


def test_train_from_realsense_style_bag_and_load_model(tmp_path, capsys):
    bag = tmp_path / 'rs_bag'
    write_rgbd_bag(
        bag,
        storage='mcap',
        n=12,
        size=(64, 48),
        color='jpeg',
        extra_topics=True,
        depth_delay_s=0.004,
    )
    out = tmp_path / 'model'
    code = train_from_bag.main(
        [
            '--bag',
            str(bag),
            '--out',
            str(out),
            '--scale',
            '4',
            '--max-steps',
            '3',
            '--cache-dir',
            str(tmp_path / 'cache'),
            '--dedup',
            '0',
            '--quiet',
        ]
    )
    assert code == 0, capsys.readouterr().err
    for name in (
        'model.safetensors',
        'model.json',
        'report.json',
        'report.md',
        'curve.png',
        'panel.png',
    ):
        assert (out / name).is_file(), name
    assert not _leftovers(tmp_path)
    report = json.loads((out / 'report.json').read_text())
    v = report['held_out']
    assert v['frames'] == 2 and v['rmse_cm'] > 0 and v['bicubic_rmse_cm'] > 0
    bag_info = report['data']['bags'][0]
    assert bag_info['rgb_topic'] == '/camera/color/image_raw/compressed'
    assert bag_info['depth_topic'] == '/camera/aligned_depth_to_color/image_raw'
    assert report['data']['split']['train_pairs'] + report['data']['split']['val_pairs'] <= 12
    md = (out / 'report.md').read_text()
    assert 'Training LR: `blind`' in md
    for sampling in ('bicubic_aa', 'cubic', 'area', 'nearest'):  # the matrix row of every sampling
        assert f'| {sampling} | ' in md and f'bicubic_rmse_cm_{sampling}' in v
    meta = json.loads((out / 'model.json').read_text())
    assert meta['degradation'] == 'blind'
    assert meta['training_data']['source'] == 'rosbag' and meta['scale'] == 4
    assert meta['training']['scheme'] == 'ctkt'
    from depth_sr_ros.inference import DepthSuperResolver
    sr = DepthSuperResolver.load(str(out), device='cpu')
    lr = np.full((12, 16), 2.0, np.float32)
    lr[3:6, 4:9] = 1.0
    up = sr.upsample(lr)
    assert up.shape == (48, 64) and np.isfinite(up).all()
    assert 'held-out RMSE' in capsys.readouterr().out
    # a second run into the same --out is refused and leaves it untouched
    before = sorted(p.name for p in out.iterdir())
    assert (
        train_from_bag.main(['--bag', str(bag), '--out', str(out), '--max-steps', '3', '--quiet'])
        == 1
    )
    assert 'not an empty directory' in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == before


def _train_two_steps(tmp_path, out_name, *options):
    """Train on a small sqlite3 bag for 2 steps with ``options``; return (bag, out, exit code)."""
    bag = tmp_path / 'bag'
    write_rgbd_bag(bag, storage='sqlite3', n=8, size=(64, 48))
    out = tmp_path / out_name
    code = train_from_bag.main(
        [
            '--bag',
            str(bag),
            '--out',
            str(out),
            '--scale',
            '4',
            '--max-steps',
            '2',
            *options,
            '--no-cache',
            '--dedup',
            '0',
            '--quiet',
        ]
    )
    return bag, out, code


def test_scheme_dsr_only_trains_dsrnet_alone(tmp_path, capsys):
    _, out, code = _train_two_steps(tmp_path, 'alone', '--scheme', 'dsr_only')
    assert code == 0, capsys.readouterr().err
    assert json.loads((out / 'model.json').read_text())['training']['scheme'] == 'dsr_only'


def test_degradation_option_trains_and_reports_the_chosen_recipe(tmp_path, capsys):
    bag, out, code = _train_two_steps(tmp_path, 'sensor', '--degradation', 'sensor_like')
    assert code == 0, capsys.readouterr().err
    meta = json.loads((out / 'model.json').read_text())
    assert meta['degradation'] == 'sensor_like' and meta['degradation_recipe']['noise_std'] > 0
    assert '| sensor_like (the training recipe) |' in (out / 'report.md').read_text()
    bad = train_from_bag.main(
        [
            '--bag',
            str(bag),
            '--out',
            str(tmp_path / 'bad'),
            '--max-steps',
            '2',
            '--degradation',
            'lanczos',
            '--no-cache',
            '--quiet',
        ]
    )
    assert bad != 0 and 'unknown degradation' in capsys.readouterr().err
    assert not (tmp_path / 'bad').exists() or not any((tmp_path / 'bad').iterdir())


def test_no_depth_topic_exits_nonzero_and_out_stays_empty(tmp_path):
    bag = tmp_path / 'colour_only'
    write_rgbd_bag(bag, n=3, depth='none', extra_topics=True)
    out = tmp_path / 'out'
    out.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            '-m',
            'depth_sr_ros.cli.train_from_bag',
            '--bag',
            str(bag),
            '--out',
            str(out),
            '--max-steps',
            '3',
            '--no-cache',
            '--quiet',
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert 'no depth topic in the bag' in proc.stderr and '/camera/color/image_raw' in proc.stderr
    assert list(out.iterdir()) == [] and not (tmp_path / 'out.work').exists()


def test_ambiguous_topics_list_candidates(tmp_path, capsys):
    bag = tmp_path / 'b'
    write_rgbd_bag(
        bag, n=3, depth_topic='/left/depth/image_raw', also_depth_topic='/right/depth/image_raw'
    )
    code = train_from_bag.main(
        ['--bag', str(bag), '--out', str(tmp_path / 'm'), '--no-cache', '--quiet']
    )
    err = capsys.readouterr().err
    assert code == 1 and '--depth-topic' in err
    assert '/left/depth/image_raw' in err and '/right/depth/image_raw' in err and '16UC1' in err
    assert not (tmp_path / 'm').exists()


def test_list_topics(tmp_path, capsys):
    bag = tmp_path / 'b.bag'
    write_rgbd_bag(bag, storage='ros1', n=3, extra_topics=True)
    assert train_from_bag.main(['--bag', str(bag), '--list-topics']) == 0
    out = capsys.readouterr().out
    assert 'ros1' in out and 'topic' in out and 'frame_id' in out
    line = next(ln for ln in out.splitlines() if ln.startswith('/camera/color/image_raw '))
    assert 'rgb8' in line and ' 3 ' in line and 'camera_color_optical_frame' in line


def test_corrupt_bag_and_resume_guard(tmp_path, capsys):
    bag = tmp_path / 'b.mcap'
    write_rgbd_bag(bag, storage='mcap-file', n=3)
    data = bag.read_bytes()
    bag.write_bytes(data[: len(data) // 3])
    assert (
        train_from_bag.main(
            ['--bag', str(bag), '--out', str(tmp_path / 'm'), '--no-cache', '--quiet']
        )
        == 1
    )
    err = capsys.readouterr().err
    assert 'b.mcap' in err and 'truncated' in err and not (tmp_path / 'm').exists()
    (tmp_path / 'm.work').mkdir()
    (tmp_path / 'm.work' / 'checkpoint.pt').write_bytes(b'x')
    assert train_from_bag.main(['--bag', str(bag), '--out', str(tmp_path / 'm'), '--quiet']) == 1
    assert '--resume' in capsys.readouterr().err


def _write_folder(root, ids, frames):
    (root / 'rgb').mkdir(parents=True)
    (root / 'depth').mkdir()
    for cid, f in zip(ids, frames):
        cv2.imwrite(str(root / 'rgb' / f'{cid}.png'), f.rgb[:, :, ::-1])
        cv2.imwrite(str(root / 'depth' / f'{cid}.png'), to_uint16_mm(f))


def test_folder_to_bag_round_trip_in_time_order(tmp_path, capsys):
    frames = list(render_stream(4, rate_hz=1.0, width=40, height=30, seed=5))
    ids = [
        '20200509121402',
        '20200509114606',
        '20200509150021',
        '20200509114740',
    ]  # not in time order
    _write_folder(tmp_path / 'folder', ids, frames)
    out = tmp_path / 'folder_bag'
    assert (
        folder_to_bag.main(
            [str(tmp_path / 'folder'), '--out', str(out), '--storage', 'mcap', '--quiet']
        )
        == 0
    )
    pairs, summary = read_bag(out, BagReadOptions(dedup_threshold=0), progress=False)
    order = sorted(range(4), key=lambda i: ids[i])
    assert [p.timestamp for p in pairs] == [
        datetime.strptime(ids[i], '%Y%m%d%H%M%S').timestamp() for i in order
    ]
    for p, i in zip(pairs, order):
        np.testing.assert_array_equal(p.rgb, frames[i].rgb)
        np.testing.assert_array_equal(p.valid, frames[i].valid)
        assert np.abs(p.depth - frames[i].depth)[p.valid].max() <= 0.0005 + 1e-6
    assert summary['depth_topic'] == '/camera/aligned_depth_to_color/image_raw'
    assert 'already registered' in summary['registration']
    # compressed colour; ids that are not timestamps are spaced by --rate; existing --out refused
    _write_folder(tmp_path / 'mb', ['01', '02', '03'], frames[:3])
    out2 = tmp_path / 'mb_bag'
    assert (
        folder_to_bag.main(
            [str(tmp_path / 'mb'), '--out', str(out2), '--compressed', '--rate', '5', '--quiet']
        )
        == 0
    )
    pairs, summary = read_bag(out2, BagReadOptions(dedup_threshold=0), progress=False)
    assert summary['rgb_topic'] == '/camera/color/image_raw/compressed'
    assert np.diff([p.timestamp for p in pairs]) == pytest.approx([0.2, 0.2])
    assert folder_to_bag.main([str(tmp_path / 'mb'), '--out', str(out2), '--quiet']) == 1
    assert 'exists' in capsys.readouterr().err
    assert (
        folder_to_bag.main([str(tmp_path / 'nothing'), '--out', str(tmp_path / 'x'), '--quiet'])
        == 1
    )
    assert not (tmp_path / 'x').exists() and not _leftovers(tmp_path)


def test_no_pairs_within_slop_is_reported(tmp_path, capsys):
    bag = tmp_path / 'late'
    write_rgbd_bag(bag, n=4, depth_delay_s=0.03)
    code = train_from_bag.main(
        [
            '--bag',
            str(bag),
            '--out',
            str(tmp_path / 'm'),
            '--slop',
            '0.01',
            '--no-cache',
            '--quiet',
        ]
    )
    assert code == 1 and 'no colour/depth pairs within slop 10.0 ms' in capsys.readouterr().err
    assert bag_data_file(bag).exists() and not (tmp_path / 'm').exists()


def test_resume_continues_the_work_dir(tmp_path, capsys):
    bag = tmp_path / 'b'
    write_rgbd_bag(bag, n=8, size=(64, 48))
    out = tmp_path / 'm'
    args = [
        '--bag',
        str(bag),
        '--out',
        str(out),
        '--max-steps',
        '3',
        '--cache-dir',
        str(tmp_path / 'c'),
        '--quiet',
    ]
    assert train_from_bag.main(['--resume'] + args) == 1
    assert 'no checkpoint' in capsys.readouterr().err
    assert train_from_bag.main(args) == 0
    import shutil

    shutil.rmtree(out)  # e.g. the user removed the output, keeps the run
    assert train_from_bag.main(args) == 1  # refuses to start over the kept run silently
    assert (
        train_from_bag.main(['--resume'] + args) == 0
    )  # continues it (already at step 3) and exports again
    assert json.loads((out / 'report.json').read_text())['steps'] == 3
