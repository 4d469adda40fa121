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

"""
Adapting a model (--init) and depth-only bags, end to end.

Real bags, real training for a few steps of a tiny model, the node serving the result over DDS.
"""
import json
from pathlib import Path
import signal
import subprocess
import sys

from bag_factory import write_rgbd_bag
import cv2
from depth_sr_ros.cli import folder_to_bag, train, train_from_bag
from depth_sr_ros.data.bags import BagReadOptions, read_bag
from depth_sr_ros.data.synthetic import render_stream, to_uint16_mm
from depth_sr_ros.inference.export import load_model, sha256_file
from depth_sr_ros.training import fit
from depth_sr_ros.training.init_model import blended, describe_init, load_init_weights
from depth_sr_ros.training.loop import make_schedule
import pytest
from ros_helpers import Probe, ramp_depth_mm, send_until_served
from sensor_msgs.msg import CameraInfo, Image
import torch
from training_helpers import synthetic_pairs, tiny_config

EXE = str(Path(sys.executable).parent / 'depth_sr_node')


def _train(bag, out, *options):
    return train_from_bag.main(['--bag', str(bag), '--out', str(out), '--max-steps', '2',
                                '--no-cache', '--dedup', '0', '--quiet', *options])


def _weights(path):
    return {k: v.clone() for k, v in load_model(path)[0].state_dict().items()}


def test_init_round_trip_records_the_init_model_and_compares(tmp_path, tiny_model_dir, capsys):
    bag = tmp_path / 'bag'
    write_rgbd_bag(bag, storage='sqlite3', n=8, size=(64, 48))
    out = tmp_path / 'adapted'
    assert _train(bag, out, '--init', str(tiny_model_dir), '--compare-scratch') == 0, \
        capsys.readouterr().err
    meta = json.loads((out / 'model.json').read_text())
    init_sha = sha256_file(tiny_model_dir / 'model.safetensors')
    assert meta['init_model'] == {'name': str(tiny_model_dir), 'sha256': init_sha, 'blend': 0.5}
    # the network (a tiny dbpn, not the default preset) and the schedule came from --init
    assert meta['architecture'] == load_model(tiny_model_dir)[1]['architecture']
    t = meta['training']
    assert (t['lr_schedule'], t['scheme'], t['max_steps']) == ('warmup_cosine', 'dsr_only', 2)
    assert t['init']['sha256'] == init_sha
    before, after = _weights(tiny_model_dir), _weights(out)
    assert any(not torch.equal(before[k], after[k]) for k in before)     # it was trained
    report = json.loads((out / 'report.json').read_text())
    assert report['init_model']['sha256'] == init_sha and report['depth_only'] is False
    comp = report['comparison']
    assert set(comp['held_out']) == {'init model as shipped', 'adapted', 'from scratch'}
    for row in comp['held_out'].values():
        assert row['rmse_cm'] > 0 and row['bicubic_rmse_cm'] > 0
    assert set(comp['reference']) == {'init model as shipped', 'adapted'}
    ref = comp['reference']
    assert comp['forgetting_points'] == pytest.approx(
        ref['init model as shipped']['gain_pct'] - ref['adapted']['gain_pct'])
    md = (out / 'report.md').read_text()
    assert f'Started from `{tiny_model_dir}` (weights sha256 `{init_sha}`)' in md
    assert '| init model as shipped | adapted | from scratch |' in md and 'Forgetting' in md
    # the forgetting reference is the shipped Middlebury scenes, scored in their own units
    assert report['comparison']['reference_scenes'] == 18
    assert report['comparison']['reference_unit'] == 'disparity units (0..255)'
    assert '18 Middlebury scenes in models/reference/' in md


def test_init_mismatches_are_one_clear_error(tmp_path, tiny_model_dir, capsys):
    bag = tmp_path / 'bag'
    write_rgbd_bag(bag, storage='sqlite3', n=6, size=(64, 48))
    assert _train(bag, tmp_path / 'a', '--init', str(tiny_model_dir), '--scale', '8') == 1
    err = capsys.readouterr().err
    assert 'scale: init x4, requested x8' in err and err.count('\n') == 1
    assert _train(bag, tmp_path / 'b', '--init', str(tiny_model_dir), '--config', 'lrres_mid') == 1
    assert 'family: init dbpn, requested lrres' in capsys.readouterr().err
    assert _train(bag, tmp_path / 'c', '--init', 'no_such_model') == 1
    assert "no bundled model named 'no_such_model'" in capsys.readouterr().err
    for name in ('a', 'b', 'c'):
        assert not (tmp_path / name).exists() and not (tmp_path / f'{name}.work').exists()
    # `train` checks the same way: same family, other size
    code = train.main(['--data', str(tmp_path), '--run-dir', str(tmp_path / 'run'), '--init',
                       str(tiny_model_dir), '--config', 'fast'])
    assert code == 2 and 'size: ' in capsys.readouterr().err


def test_blend_averages_with_the_init_weights_and_leaves_the_net_alone(tiny_model_dir):
    init = describe_init(str(tiny_model_dir))
    net, _ = load_model(tiny_model_dir)
    trained = {k: v + 2.0 for k, v in net.state_dict().items()}
    net.load_state_dict(trained)
    out = blended(net, init, 0.25).state_dict()
    base = _weights(tiny_model_dir)
    for k in base:
        assert torch.allclose(out[k], base[k] + 0.5)
        assert torch.equal(net.state_dict()[k], trained[k])


def test_init_weights_must_still_be_the_recorded_ones(tmp_path, tiny_model_dir):
    init = describe_init(str(tiny_model_dir))
    net, _ = load_model(tiny_model_dir)
    state = {k: v + 1.0 for k, v in net.state_dict().items()}
    from safetensors.torch import save_file
    save_file(state, str(tiny_model_dir / 'model.safetensors'))
    with pytest.raises(ValueError, match='changed since the run started'):
        load_init_weights(net, init)


def test_warmup_constant_schedule_makes_shorter_runs_prefixes(tmp_path):
    """The 2-step snapshot of a 4-step run is the 2-step run (budgets as checkpoints)."""
    pairs = synthetic_pairs(6)
    common = {
        'scheme': 'dsr_only',
        'lr_schedule': 'warmup_constant',
        'lr_warmup_steps': 2,
        'val_every': 100,
    }
    fit(pairs[:4], [], tiny_config(max_steps=4, snapshot_steps=(2,), **common), tmp_path / 'long',
        progress=False)
    fit(pairs[:4], [], tiny_config(max_steps=2, **common), tmp_path / 'short', progress=False)
    snap = _weights(tmp_path / 'long' / 'model_step2')
    short = _weights(tmp_path / 'short' / 'model')
    final = _weights(tmp_path / 'long' / 'model')
    assert all(torch.equal(snap[k], short[k]) for k in snap)
    assert any(not torch.equal(snap[k], final[k]) for k in snap)
    assert json.loads((tmp_path / 'long' / 'model_step2' / 'model.json').read_text())['steps'] == 2


def test_warmup_cosine_schedule_warms_up_then_decays_to_zero_at_the_end():
    """Linear warm-up to the peak, half the peak midway through the decay, 0 on the last step."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    sched = make_schedule(opt, 1e-3, 110, 'warmup_cosine', warmup_steps=10)
    rates = []
    for _ in range(111):
        rates.append(opt.param_groups[0]['lr'])
        opt.step()
        sched.step()
    assert rates[0] == pytest.approx(1e-4) and rates[9] == pytest.approx(1e-3)
    assert rates[60] == pytest.approx(5e-4)
    assert rates[110] == pytest.approx(0.0, abs=1e-12)
    assert all(a >= b for a, b in zip(rates[9:], rates[10:]))


def _depth_only_folder(root, n=8):
    (root / 'depth').mkdir(parents=True)
    for i, f in enumerate(render_stream(n, rate_hz=1.0, width=64, height=48, seed=3)):
        cv2.imwrite(str(root / 'depth' / f'{i:02d}.png'), to_uint16_mm(f))
    return root


def test_depth_only_bag_end_to_end_served_over_dds(tmp_path, tiny_model_dir, capsys):
    bag = tmp_path / 'depth_bag'
    assert folder_to_bag.main([str(_depth_only_folder(tmp_path / 'folder')), '--out', str(bag),
                               '--quiet']) == 0
    pairs, summary = read_bag(bag, BagReadOptions(dedup_threshold=0), progress=False)
    assert summary['rgb_topic'] is None and summary['depth_topic'] == '/camera/depth/image_raw'
    assert len(pairs) == 8 and not any(p.meta['has_rgb'] for p in pairs)
    assert _train(bag, tmp_path / 'ctkt', '--scheme', 'ctkt') == 1
    assert 'no colour topic' in capsys.readouterr().err
    out = tmp_path / 'model'
    assert _train(bag, out, '--init', str(tiny_model_dir)) == 0, capsys.readouterr().err
    report = json.loads((out / 'report.json').read_text())
    assert report['depth_only'] is True and report['training']['scheme'] == 'dsr_only'
    md = (out / 'report.md').read_text()
    assert "learns your sensor's statistics one scale down" in md and 'none (depth only)' in md
    _serve_once(out)


def _serve_once(model_dir):
    proc = subprocess.Popen([EXE, '--ros-args', '-p', f'model:={model_dir}', '-p',
                             'torch_threads:=1'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    probe = Probe()
    try:
        pub_img = probe.publisher(Image, 'depth/image_raw')
        pub_info = probe.publisher(CameraInfo, 'depth/camera_info')
        out_img = probe.collect(Image, 'depth_sr/image_raw')
        out_info = probe.collect(CameraInfo, 'depth_sr/camera_info')
        if not probe.connected([pub_img, pub_info], [out_img, out_info], timeout=120):
            proc.kill()
            pytest.fail('node never matched the probe topics; its stderr:\n'
                        + proc.communicate()[1])
        img = send_until_served(pub_img, pub_info, out_img, ramp_depth_mm(32, 24), out_info,
                                sec0=5, tries=20)
        assert (img.width, img.height, img.encoding) == (128, 96, '16UC1')
    finally:
        probe.close()
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert proc.returncode == 0, err


def test_folder_to_bag_without_rgb_writes_only_depth(tmp_path):
    bag = tmp_path / 'bag'
    assert folder_to_bag.main([str(_depth_only_folder(tmp_path / 'f', n=3)), '--out', str(bag),
                               '--storage', 'mcap', '--quiet']) == 0
    from depth_sr_ros.data.bags import list_topics
    topics = {r.name: r.kind for r in list_topics(bag)}
    assert topics == {'/camera/depth/image_raw': 'depth',
                      '/camera/depth/camera_info': 'camera_info'}


def test_init_pull_keeps_fine_tuned_weights_near_the_init_model(tmp_path, tiny_model_dir):
    """L2-SP (init_pull): the same run with a strong pull ends closer to the init weights."""
    from depth_sr_ros.training import TrainConfig
    from depth_sr_ros.training.init_model import finetune_config
    init = describe_init(str(tiny_model_dir))
    pairs = synthetic_pairs(6)
    base = _weights(tiny_model_dir)
    distance = {}
    for pull in (0.0, 50.0):
        cfg = finetune_config(TrainConfig(batch_size=4, crop=32, val_every=100, device='cpu'),
                              init).replace(max_steps=20, lr=3e-2, lr_warmup_steps=0,
                                            init_blend=1.0, init_pull=pull)
        run = tmp_path / f'pull{pull:g}'
        fit(pairs[:4], [], cfg, run, progress=False)
        w = _weights(run / 'model')
        distance[pull] = sum(float(((w[k] - base[k]) ** 2).sum()) for k in base) ** 0.5
        metrics = json.loads((run / 'metrics.json').read_text())
        logged = [row for row in metrics['history'] if 'l_pull' in row]
        assert bool(logged) == (pull > 0), metrics['history']
    assert 0 < distance[50.0] < 0.5 * distance[0.0], distance
    with pytest.raises(ValueError, match='init_pull must be >= 0'):
        TrainConfig(init_pull=-1.0)


def test_finetune_params_trains_only_the_chosen_group(tmp_path):
    """finetune_params='tail' leaves every other weight of the init model as it was."""
    from depth_sr_ros.inference import save_model
    from depth_sr_ros.nets.registry import build_dsrnet, preset_config
    from depth_sr_ros.training import TrainConfig
    from depth_sr_ros.training.init_model import finetune_config
    torch.manual_seed(0)
    init_dir = save_model(tmp_path / 'lrres_x4', build_dsrnet(preset_config('lrres_mid', 4)),
                          {'training_data': 'none (test model)'})
    init = describe_init(str(init_dir))
    cfg = finetune_config(TrainConfig(batch_size=2, crop=32, val_every=100, device='cpu'),
                          init).replace(max_steps=3, lr_warmup_steps=0, lr=1e-2, init_blend=1.0,
                                        finetune_params='tail')
    fit(synthetic_pairs(4), [], cfg, tmp_path / 'run', progress=False)
    before, after = _weights(init_dir), _weights(tmp_path / 'run' / 'model')
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith(('body_tail.', 'up.', 'tail.')) for k in changed), changed
    with pytest.raises(ValueError, match='finetune_params must be one of'):
        TrainConfig(finetune_params='middle')


def test_x8_and_x16_train_on_larger_crops_unless_the_user_sets_them(tmp_path):
    """CROPS_BY_SCALE: x8, x16 from a bag or fine-tuned take 192 x 4; a set crop, x2, x4 don't."""
    from depth_sr_ros.training import TrainConfig
    from depth_sr_ros.training.init_model import finetune_config

    def from_bag(*options):
        args = train_from_bag.build_parser().parse_args(['--bag', 'b', '--out', 'o', *options])
        init = describe_init(args.init) if args.init else None
        cfg = train_from_bag._train_config(args, {}, init)
        return cfg.scale, cfg.crop, cfg.batch_size

    assert from_bag('--scale', '8') == (8, 192, 4)
    assert from_bag('--init', 'x8') == (8, 192, 4)
    assert from_bag('--scale', '16') == (16, 192, 4)
    assert from_bag('--init', 'x16') == (16, 192, 4)
    assert from_bag('--init', 'x2') == (2, 96, 16)
    assert from_bag('--scale', '4') == (4, 96, 16)
    assert from_bag('--init', 'x4') == (4, 96, 16)
    own = tmp_path / 'own.yaml'          # sets the crop to TrainConfig's default: still the user's
    own.write_text('preset: lrres_mid_deep\ncrop: 96\n')
    assert from_bag('--config', str(own), '--scale', '8') == (8, 96, 16)
    assert from_bag('--config', str(own), '--init', 'x8') == (8, 96, 16)
    assert finetune_config(TrainConfig(batch_size=8), describe_init('x8'),
                           {'batch_size'}).batch_size == 8


def test_replay_bag_is_replayed_and_scored_for_forgetting(tmp_path, tiny_model_dir, capsys):
    """--replay-bag: its training part is in the crops, its held-out part in the report."""
    bag = tmp_path / 'bag'
    write_rgbd_bag(bag, storage='sqlite3', n=8, size=(64, 48))
    keep = tmp_path / 'keep_bag'
    assert folder_to_bag.main([str(_depth_only_folder(tmp_path / 'keep', n=10)), '--out',
                               str(keep), '--quiet']) == 0
    out = tmp_path / 'adapted'
    assert _train(bag, out, '--init', str(tiny_model_dir), '--replay-bag', str(keep)) == 0, \
        capsys.readouterr().err
    meta = json.loads((out / 'model.json').read_text())
    assert (meta['training']['replay'], meta['training']['replay_fraction']) == (str(keep), 0.2)
    # the blend was chosen on the replay bag's held-out frames, from 1.0 down
    choice = meta['blend_choice']
    assert choice['max_forgetting'] == 1.5 and choice['tried'][0]['blend'] == 1.0
    lost = [t['forgetting_points'] for t in choice['tried']]
    assert all(x > 1.5 for x in lost[:-1])
    assert choice['within_limit'] == (lost[-1] <= 1.5)
    assert meta['init_model']['blend'] == choice['blend'] == choice['tried'][-1]['blend']
    assert meta['training']['init_blend'] == choice['blend']
    summary = meta['training_data']['replay']
    assert summary['bags'][0]['depth_topic'] == '/camera/depth/image_raw'
    assert summary['frames'] == 10 and summary['held_out_frames'] > 0
    assert summary['train_frames'] + summary['held_out_frames'] <= 10   # minus the gap frames
    comp = json.loads((out / 'report.json').read_text())['comparison']
    assert set(comp['replay']) == {'init model as shipped', 'adapted'}
    assert comp['replay_frames'] == summary['held_out_frames']
    replay = comp['replay']
    assert comp['replay_forgetting_points'] == pytest.approx(
        replay['init model as shipped']['gain_pct'] - replay['adapted']['gain_pct'])
    # the report scores the exported model: what the choice measured for its blend
    assert comp['replay_forgetting_points'] == pytest.approx(lost[-1], abs=1e-6)
    md = (out / 'report.md').read_text()
    assert 'Forgetting check: your --replay-bag recordings' in md
    assert f"Exported blend {choice['blend']:.1f} x fine-tuned" in md
    assert 'With --replay-bag the replayed recordings are protected' in md
    # the replayed frames change what is trained: same run without them, other weights
    plain = tmp_path / 'plain'
    assert _train(bag, plain, '--init', str(tiny_model_dir), '--init-blend', '1') == 0
    replayed, alone = _weights(out), _weights(plain)
    assert any(not torch.equal(replayed[k], alone[k]) for k in replayed)
    assert 'replay' not in json.loads((plain / 'report.json').read_text())['comparison']


def test_replay_options_need_init_and_a_replay_bag(tmp_path, capsys):
    bag = tmp_path / 'bag'
    write_rgbd_bag(bag, storage='sqlite3', n=6, size=(64, 48))
    assert _train(bag, tmp_path / 'a', '--replay-bag', str(bag)) == 1
    assert '--replay-bag keeps what the --init model knows' in capsys.readouterr().err
    assert _train(bag, tmp_path / 'b', '--init', 'x4', '--max-forgetting', '1') == 1
    assert '--max-forgetting and --replay-depth-topic need --replay-bag' in \
        capsys.readouterr().err
    assert not (tmp_path / 'a').exists() and not (tmp_path / 'b').exists()

    def config(*options):
        args = train_from_bag.build_parser().parse_args(['--bag', 'b', '--out', 'o', *options])
        return train_from_bag._train_config(args, {}, describe_init(args.init))

    cfg = config('--init', 'x8', '--replay-bag', 'old')
    assert (cfg.replay, cfg.replay_fraction, cfg.init_blend, cfg.max_forgetting) == \
        ('old', 0.2, 1.0, 1.5)
    cfg = config('--init', 'x8', '--replay-bag', 'old', '--replay-fraction', '0.1',
                 '--init-blend', '0.7')
    assert (cfg.replay_fraction, cfg.init_blend, cfg.max_forgetting) == (0.1, 0.7, 0.0)
    cfg = config('--init', 'x8', '--replay-bag', 'old', '--max-forgetting', '3')
    assert (cfg.init_blend, cfg.max_forgetting) == (1.0, 3.0)
    with pytest.raises(ValueError, match='replay_fraction must be > 0'):
        config('--init', 'x8', '--replay-bag', 'old', '--replay-fraction', '0')
    with pytest.raises(ValueError, match='not both'):
        config('--init', 'x8', '--replay-bag', 'old', '--init-blend', '1', '--max-forgetting', '1')


def test_blend_choice_stops_at_the_first_blend_within_the_limit(tiny_model_dir):
    from depth_sr_ros.training.blend_choice import BLENDS, choose_blend
    init = describe_init(str(tiny_model_dir))
    pairs = synthetic_pairs(3)
    net = load_model(tiny_model_dir)[0]
    blend, tried = choose_blend(net, init, pairs, 4, ('bicubic_aa', 'area'), limit=0.0)
    assert blend == 1.0 and len(tried) == 1                       # the init model itself
    assert tried[0]['forgetting_points'] == pytest.approx(0.0, abs=1e-9)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(torch.randn_like(p))                          # far from the init weights
    blend, tried = choose_blend(net, init, pairs, 4, ('bicubic_aa',), limit=-1e9)
    assert blend == BLENDS[-1] and [t['blend'] for t in tried] == list(BLENDS)
