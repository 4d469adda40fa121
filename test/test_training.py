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

"""Algorithm 1 mechanics, resume, export and DDP equivalence on tiny synthetic data."""
import dataclasses
import json
import os
from pathlib import Path
import signal
import subprocess
import sys
import time

from depth_sr_ros.data.crops import CropBatches
from depth_sr_ros.data.degradation import make_recipe
from depth_sr_ros.data.image_folder import load_image_folder
from depth_sr_ros.data.splits import split_by_time_blocks
from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.training import fit
from depth_sr_ros.training.checkpoint import load_checkpoint
from depth_sr_ros.training.roles import GlobalRoles, student_maps
from depth_sr_ros.training.system import CTKTSystem
import numpy as np
import pytest
from safetensors.torch import load_file
import torch
from training_helpers import synthetic_pairs, tiny_config, write_image_folder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope='module')
def pairs():
    return synthetic_pairs(n=6)


def _batch(pairs, cfg, step=0):
    return CropBatches(pairs, cfg.scale, cfg.crop, cfg.batch_size, cfg.seed).batch(step)


def _grads(module):
    return {
        n: (p.grad.abs().sum().item() if p.grad is not None else 0.0)
        for n, p in module.named_parameters()
    }


def test_crop_batches_are_a_pure_function_of_seed_and_step(pairs):
    cfg = tiny_config()
    a = CropBatches(pairs, 4, 32, 4, seed=3).batch(7)
    b = CropBatches(pairs, 4, 32, 4, seed=3).batch(7)
    c = CropBatches(pairs, 4, 32, 4, seed=3).batch(8)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a['hr'], c['hr'])
    assert (
        a['lr'].shape == (4, 1, 8, 8)
        and a['hr'].shape == (4, 1, 32, 32)
        and a['rgb'].shape == (4, 3, 32, 32)
    )
    halves = [CropBatches(pairs, 4, 32, 4, seed=3).batch(7, rank=r, world_size=2) for r in (0, 1)]
    assert torch.equal(halves[0]['hr'], a['hr'][0::2]) and torch.equal(
        halves[1]['hr'], a['hr'][1::2]
    )
    del cfg


def test_replay_draws_its_share_of_crops_and_leaves_runs_without_it_unchanged(pairs):
    # replay frames told apart by their black colour (depth-only frames load that way)
    replay = [dataclasses.replace(p, rgb=np.zeros_like(p.rgb)) for p in pairs]
    plain = CropBatches(pairs, 4, 32, 32, seed=3).batch(5)
    off = CropBatches(pairs, 4, 32, 32, seed=3, replay=replay, replay_fraction=0.0).batch(5)
    assert all(torch.equal(plain[k], off[k]) for k in plain)
    mixed = CropBatches(pairs, 4, 32, 32, seed=3, replay=replay, replay_fraction=0.5).batch(5)
    from_replay = int((mixed['rgb'].flatten(1).amax(1) == 0).sum())
    assert 6 <= from_replay <= 26          # about half of 32 (binomial, p = 0.5)
    with pytest.raises(ValueError, match='replay_fraction > 0 needs replay frames'):
        CropBatches(pairs, 4, 32, 4, replay_fraction=0.25)


def test_a_checkpoint_written_before_an_option_existed_resumes_with_its_default(pairs, tmp_path):
    cfg = tiny_config(max_steps=2)
    fit(pairs[:4], pairs[4:], cfg, tmp_path / 'run', progress=False)
    ckpt = tmp_path / 'run' / 'checkpoint.pt'
    state = load_checkpoint(ckpt)
    del state['config']['val_max_frames']              # as written by a release without the option
    torch.save(state, ckpt)
    fit(pairs[:4], pairs[4:], cfg, tmp_path / 'run', progress=False, resume=True)
    with pytest.raises(ValueError, match='val_max_frames'):
        fit(
            pairs[:4],
            pairs[4:],
            cfg.replace(val_max_frames=1),
            tmp_path / 'run',
            progress=False,
            resume=True,
        )


def test_a_resumed_run_may_change_threads_but_not_what_it_learns(pairs, tmp_path):
    cfg = tiny_config(max_steps=4)
    fit(pairs[:4], pairs[4:], cfg, tmp_path / 'run', progress=False)
    state = load_checkpoint(tmp_path / 'run' / 'checkpoint.pt')
    state['step'] = 2                                   # as if killed half-way
    torch.save(state, tmp_path / 'run' / 'checkpoint.pt')
    fit(
        pairs[:4], pairs[4:], cfg.replace(threads=2), tmp_path / 'run', progress=False, resume=True
    )
    assert load_checkpoint(tmp_path / 'run' / 'checkpoint.pt')['config']['threads'] == 2
    with pytest.raises(ValueError, match=r'\(lr\)'):
        fit(
            pairs[:4],
            pairs[4:],
            cfg.replace(threads=2, lr=0.5),
            tmp_path / 'run',
            progress=False,
            resume=True,
        )


def test_per_pixel_roles_send_distillation_gradient_only_where_the_other_network_is_better():
    err_sr = torch.tensor([[[[0.1, 0.5], [0.3, 0.2]]]])
    err_de = torch.tensor([[[[0.4, 0.2], [0.1, 0.9]]]])
    valid = torch.ones_like(err_sr)
    dsr_st, de_st = student_maps('per_pixel', err_sr, err_de, valid)
    assert dsr_st.tolist() == [[[[0.0, 1.0], [1.0, 0.0]]]]
    assert de_st.tolist() == [[[[1.0, 0.0], [0.0, 1.0]]]]
    side_sr = torch.rand(1, 1, 2, 2, requires_grad=True)
    side_de = torch.rand(1, 1, 2, 2, requires_grad=True)
    from depth_sr_ros.nets.losses import masked_l1
    masked_l1(side_sr, side_de.detach(), dsr_st).backward()
    assert side_de.grad is None                       # the teacher receives nothing
    assert ((side_sr.grad != 0).float() == dsr_st).all()  # the student only where DE is better


def test_global_roles_follow_running_average_errors():
    roles = GlobalRoles(window=2)
    roles.update(0.1, 0.3)
    assert not roles.dsr_is_student()
    roles.update(0.6, 0.1)   # mean dsr 0.35 > mean de 0.2
    assert roles.dsr_is_student()
    valid = torch.ones(2, 1, 2, 2)
    dsr_st, de_st = student_maps('global', valid, valid, valid, roles.dsr_is_student())
    assert dsr_st.sum() == 8 and de_st.sum() == 0


def test_per_sample_roles():
    err_sr = torch.stack([torch.full((1, 2, 2), 0.1), torch.full((1, 2, 2), 0.5)])
    err_de = torch.full((2, 1, 2, 2), 0.3)
    dsr_st, de_st = student_maps('per_sample', err_sr, err_de, torch.ones_like(err_sr))
    assert dsr_st[:, 0, 0, 0].tolist() == [0.0, 1.0] and de_st[:, 0, 0, 0].tolist() == [1.0, 0.0]


def test_global_frozen_teacher_gets_no_gradient_and_student_gets_distillation(pairs):
    cfg = tiny_config(granularity='global', teacher_update='frozen')
    torch.manual_seed(0)
    system = CTKTSystem(cfg)
    batch = _batch(pairs, cfg)
    out = system(batch, 'transfer', dsr_student_global=False)   # DSRNet is the teacher
    out['total'].backward()
    assert all(p.grad is None for p in system.dsr.parameters()), (
        'frozen DSRNet teacher must not move'
    )
    assert sum(_grads(system.de).values()) > 0
    system.zero_grad()
    out = system(batch, 'transfer', dsr_student_global=True)
    out['total'].backward()
    assert sum(_grads(system.dsr).values()) > 0


def test_distillation_reaches_dsrnet_only_through_the_student_terms(pairs):
    """
    With the reconstruction loss removed, DSRNet's gradient comes only from L_P/L_A/L_struc.

    Those must vanish when DSRNet is the teacher everywhere.
    """
    cfg = tiny_config(granularity='global')
    torch.manual_seed(0)
    system = CTKTSystem(cfg)
    batch = _batch(pairs, cfg)
    sr, f_sr = system.dsr.forward_with_features(batch['lr'], batch['lr_valid'])
    de, f_de = system.de(batch['rgb'])
    valid = batch['hr_valid']
    for dsr_student, expect in ((False, 0.0), (True, None)):
        system.zero_grad()
        dsr_st = valid * float(dsr_student)
        de_st = valid * float(not dsr_student)
        l_p, l_a = system._distill(f_sr, f_de, dsr_st, de_st, batch['hr'].shape[-2:])
        (l_p + l_a).backward(retain_graph=True)
        total = sum(_grads(system.dsr).values())
        assert (total == 0) if expect == 0.0 else (total > 0)


def test_fit_trains_exports_and_reports(pairs, tmp_path):
    cfg = tiny_config(max_steps=4)
    result = fit(pairs[:4], pairs[4:], cfg, tmp_path / 'run', progress=False)
    for name in ('checkpoint.pt', 'metrics.csv', 'metrics.json', 'curve.png', 'panel.png',
                 'model/model.onnx'):
        assert (tmp_path / 'run' / name).stat().st_size > 0, name
    assert result['steps'] == 4 and result['samples_per_s'] > 0
    assert set(result['val']) >= {
        'rmse_cm',
        'mae_cm',
        'bicubic_rmse_cm',
        'bicubic_mae_cm',
        'frames',
    }
    resolver = DepthSuperResolver.load(tmp_path / 'run' / 'model', device='cpu', torchscript=False)
    meta = json.loads((tmp_path / 'run' / 'model' / 'model.json').read_text())
    assert meta['training']['scheme'] == 'ctkt' and meta['validation']['frames'] == 2
    assert set(load_file(str(tmp_path / 'run' / 'model' / 'model.safetensors'))) == set(
        resolver.net.state_dict()
    )
    ckpt = load_checkpoint(tmp_path / 'run' / 'checkpoint.pt')
    net = CTKTSystem(cfg)
    net.load_state_dict(ckpt['system'])
    lr = torch.rand(1, 1, 12, 16)
    assert torch.equal(
        net.dsr.eval()(lr, torch.ones_like(lr)), resolver.net(lr, torch.ones_like(lr))
    )
    # the LR recipe round-trips: config -> checkpoint -> model metadata, and validation covered
    # every sampling
    assert ckpt['config']['degradation'] == 'blind' and ckpt['config'] == cfg.to_dict()
    assert (
        meta['degradation'] == 'blind'
        and make_recipe('blind', meta['degradation_recipe']) == cfg.recipe()
    )
    assert type(cfg).from_dict(json.loads(json.dumps(meta['training']))) == cfg
    assert {f'rmse_cm_{s}' for s in cfg.val_degradations} <= set(meta['validation'])
    with pytest.raises(ValueError, match='already holds a checkpoint'):
        fit(pairs[:4], pairs[4:], cfg, tmp_path / 'run', progress=False)
    with pytest.raises(ValueError, match='other training options'):
        fit(
            pairs[:4],
            pairs[4:],
            cfg.replace(p2=0.5),
            tmp_path / 'run',
            resume=True,
            progress=False,
        )
    with pytest.raises(ValueError, match='other training options'):
        fit(
            pairs[:4],
            pairs[4:],
            cfg.replace(degradation='cubic'),
            tmp_path / 'run',
            resume=True,
            progress=False,
        )


@pytest.mark.parametrize('scheme', ['dsr_only', 'ctkt'])
def test_cpu_bf16_autocast_trains_every_network_and_is_recorded(pairs, tmp_path, scheme):
    """
    cpu_bf16 really changes the arithmetic (same seed, other weights than float32).

    It also keeps the losses finite through DENet/SPNet, and is part of the options a resume must
    match.
    """
    runs = {}
    for bf16 in (False, True):
        cfg = tiny_config(max_steps=4, scheme=scheme, cpu_bf16=bf16)
        fit(pairs[:4], pairs[4:], cfg, tmp_path / str(bf16), progress=False)
        ckpt = load_checkpoint(tmp_path / str(bf16) / 'checkpoint.pt')
        assert all(
            np.isfinite(v) for row in ckpt['history'] for k, v in row.items() if k != 'step'
        )
        runs[bf16] = ckpt
    assert runs[True]['config']['cpu_bf16'] is True
    meta = json.loads((tmp_path / 'True' / 'model' / 'model.json').read_text())
    assert meta['training']['cpu_bf16'] is True
    assert all(
        w.dtype == torch.float32 for w in runs[True]['system'].values() if w.is_floating_point()
    )
    assert any(
        not torch.equal(runs[False]['system'][k], runs[True]['system'][k])
        for k in runs[True]['system']
    )
    with pytest.raises(ValueError, match='cpu_bf16'):
        fit(
            pairs[:4],
            pairs[4:],
            tiny_config(max_steps=6, scheme=scheme),
            tmp_path / 'True',
            resume=True,
            progress=False,
        )


def _train_cmd(data, run_dir, steps):
    opts = tiny_config(max_steps=steps).to_dict()
    return [
        sys.executable,
        '-m',
        'depth_sr_ros.cli.train',
        '--data',
        str(data),
        '--run-dir',
        str(run_dir),
        '--val-fraction',
        '0.34',
        '--options',
        json.dumps(opts),
        '--resume',
        '--no-progress',
    ]


def test_resume_after_kill_is_bit_for_bit(pairs, tmp_path):
    data = write_image_folder(tmp_path / 'data', pairs)
    steps = 40
    straight = subprocess.run(
        _train_cmd(data, tmp_path / 'straight', steps), capture_output=True, text=True, timeout=300
    )
    assert straight.returncode == 0, straight.stderr
    proc = subprocess.Popen(
        _train_cmd(data, tmp_path / 'killed', steps),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ckpt = tmp_path / 'killed' / 'checkpoint.pt'
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if ckpt.exists() and load_checkpoint(ckpt)['step'] >= 5:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    killed_at = load_checkpoint(ckpt)['step']
    assert 0 < killed_at < steps, 'the run must be killed mid-way for this test to mean anything'
    assert not (tmp_path / 'killed' / 'model').exists()
    resumed = subprocess.run(
        _train_cmd(data, tmp_path / 'killed', steps), capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    a = load_file(str(tmp_path / 'straight' / 'model' / 'model.safetensors'))
    b = load_file(str(tmp_path / 'killed' / 'model' / 'model.safetensors'))
    assert all(torch.equal(a[k], b[k]) for k in a)
    ha = json.loads((tmp_path / 'straight' / 'metrics.json').read_text())['history']
    hb = json.loads((tmp_path / 'killed' / 'metrics.json').read_text())['history']
    assert [r['rmse_cm'] for r in ha] == [r['rmse_cm'] for r in hb]


def _ddp_worker(rank, world, port, pairs, cfg, run_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    fit(pairs[:4], pairs[4:], cfg, run_dir / f'rank{rank}', progress=False)
    # fit() must not leave its DDP wrapper alive (in reference cycles): it holds the process group,
    # so destroy_process_group would not destroy it, and gloo's worker threads could then release
    # a Python-owned tensor during interpreter finalization -> SIGABRT (training/distributed.py).
    import gc

    from torch.nn.parallel import DistributedDataParallel
    assert not [o for o in gc.get_objects() if isinstance(o, DistributedDataParallel)]
    import torch.distributed as dist
    dist.destroy_process_group()


@pytest.mark.parametrize('scheme', ['dsr_only', 'ctkt'])
def test_two_gloo_processes_match_one_process_with_the_same_global_batch(pairs, tmp_path, scheme):
    import socket

    import torch.multiprocessing as mp
    cfg = tiny_config(scheme=scheme, max_steps=4, checkpoint_every=4, val_every=4)
    fit(pairs[:4], pairs[4:], cfg, tmp_path / 'single', progress=False)
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    mp.spawn(_ddp_worker, args=(2, port, pairs, cfg, tmp_path), nprocs=2, join=True)
    one = load_checkpoint(tmp_path / 'single' / 'checkpoint.pt')
    two = load_checkpoint(tmp_path / 'rank0' / 'checkpoint.pt')
    for k, v in one['system'].items():
        torch.testing.assert_close(two['system'][k], v, rtol=1e-4, atol=1e-5, msg=k)
    l1 = [r['l_dsr'] for r in one['history']]
    l2 = [r['l_dsr'] for r in two['history']]
    np.testing.assert_allclose(l2, l1, rtol=1e-4)


def test_train_cli_reports_bad_input_and_exits_nonzero(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            '-m',
            'depth_sr_ros.cli.train',
            '--data',
            str(tmp_path / 'nope'),
            '--run-dir',
            str(tmp_path / 'r'),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert 'expected rgb/ and depth/' in out.stderr and 'Traceback' not in out.stderr


def test_train_cli_holds_out_the_last_train_only_images(pairs, tmp_path):
    """--train-only folders feed training only; --hold-out-last keeps the last N images unseen."""
    data = write_image_folder(tmp_path / 'data', pairs)
    extra = write_image_folder(tmp_path / 'extra', synthetic_pairs(n=5, seed=3))
    cmd = _train_cmd(data, tmp_path / 'run', 2) + [
        '--train-only',
        str(extra),
        '--hold-out-last',
        '2',
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    summary = json.loads((tmp_path / 'run' / 'model' / 'model.json').read_text())['training'][
        'data_summary'
    ]
    assert summary['train_only_pairs'] == 3 and summary['train_only_held_out_last'] == 2
    assert 3 < summary['train_pairs'] < 3 + len(pairs) - summary['val_pairs'] + 1


def test_train_only_weight_repeats_train_only_images_in_the_crop_pool(pairs, tmp_path):
    """
    --train-only-weight K: each train-only image is K entries of the list crops are drawn from.

    So K times as likely per crop as a capture; the summary counts distinct images.
    """
    from depth_sr_ros.cli.train import assemble_pairs, build_parser
    data = write_image_folder(tmp_path / 'data', pairs)
    extra = write_image_folder(tmp_path / 'extra', synthetic_pairs(n=5, seed=3))
    base = ['--data', str(data), '--run-dir', str(tmp_path / 'r'), '--train-only', str(extra),
            '--hold-out-last', '2', '--no-progress']
    one, _, s1 = assemble_pairs(build_parser().parse_args(base), 'dsr_only')
    three, _, s3 = assemble_pairs(
        build_parser().parse_args(base + ['--train-only-weight', '3']), 'dsr_only'
    )
    from_extra = [p for p in three if p.source == str(extra)]
    assert len(from_extra) == 9 and len({p.capture_id for p in from_extra}) == 3
    assert len(three) == len(one) + 6
    assert s1['train_pairs'] == s3['train_pairs'] and s3['train_only_pairs'] == 3
    assert s3['train_only_weight'] == 3
    with pytest.raises(ValueError, match='--train-only-weight'):
        assemble_pairs(build_parser().parse_args(base + ['--train-only-weight', '0']), 'dsr_only')


def test_train_cli_inner_validation_and_depth_only_folders(pairs, tmp_path):
    """
    --validation inner validates on blocks of the training captures.

    The held-out blocks stay unused. --depth-only folders (no rgb/) feed DSRNet alone, and are
    refused for the cross-task scheme.
    """
    import shutil
    data = write_image_folder(tmp_path / 'data', synthetic_pairs(n=12, seed=5))
    depth_only = write_image_folder(tmp_path / 'kinect', synthetic_pairs(n=3, seed=7))
    shutil.rmtree(depth_only / 'rgb')
    base = _train_cmd(data, tmp_path / 'run', 2) + [
        '--depth-only',
        str(depth_only),
        '--degradation',
        'cubic',
    ]
    refused = subprocess.run(base, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and '--scheme dsr_only' in refused.stderr
    ok = subprocess.run(
        base + ['--scheme', 'dsr_only', '--validation', 'inner'],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ok.returncode == 0, ok.stderr
    meta = json.loads((tmp_path / 'run' / 'model' / 'model.json').read_text())
    summary = meta['training']['data_summary']
    assert meta['degradation'] == 'cubic' and 'twice' in summary['split']
    assert summary['train_only_pairs'] == 3 and summary['depth_only_folders'] == [str(depth_only)]
    outer = load_image_folder(data)
    held_out = {p.capture_id for p in split_by_time_blocks(outer, val_fraction=0.34)[1]}
    assert summary['val_pairs'] + summary['train_pairs'] - 3 <= len(outer) - len(held_out)


def test_hold_out_last_keeps_file_order_and_rejects_impossible_counts():
    from depth_sr_ros.data.splits import hold_out_last
    items = list('abcdef')
    assert hold_out_last(items, 2) == (list('abcd'), list('ef'))
    assert hold_out_last(items, 0) == (items, [])
    with pytest.raises(ValueError, match='only 6'):
        hold_out_last(items, 6)
    with pytest.raises(ValueError, match='>= 0'):
        hold_out_last(items, -1)
