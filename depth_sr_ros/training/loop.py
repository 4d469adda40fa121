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

"""fit(): Algorithm 1 (or DSRNet alone) with validation, checkpoints, resume, DDP and reports."""
from contextlib import nullcontext
import gc
import math
from pathlib import Path
import time

from depth_sr_ros.data.crops import CropBatches
from depth_sr_ros.inference import onnx_export
from depth_sr_ros.inference.export import save_model
from depth_sr_ros.inference.resolver import DepthSuperResolver, select_device
from depth_sr_ros.training import distributed, reports
from depth_sr_ros.training.blend_choice import choose_blend
from depth_sr_ros.training.checkpoint import CHECKPOINT_NAME, load_checkpoint, save_checkpoint
from depth_sr_ros.training.config import TrainConfig
from depth_sr_ros.training.evaluate import bicubic_upsample, evaluate_samplings, sampling_frames
from depth_sr_ros.training.init_model import blended, freeze_all_but, load_init_weights
from depth_sr_ros.training.roles import GlobalRoles
from depth_sr_ros.training.system import CTKTSystem
import numpy as np
import torch

RESUME_MAY_CHANGE = ('threads', 'device')     # TrainConfig fields a resumed run may set anew

LOSS_KEYS = ('total', 'l_dsr', 'l_de', 'l_heads', 'l_struc', 'l_p', 'l_a', 'l_pull',
             'dsr_student_frac')


def warmup_factor(step, warmup_steps):
    """Return the rate factor of a linear warm-up over ``warmup_steps`` (1 after it)."""
    return min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0


def warmup_cosine_factor(step, warmup_steps, total_steps):
    """Return the rate factor at ``step``: linear warm-up, then a cosine decay to 0 at the end."""
    if step < warmup_steps:
        return warmup_factor(step, warmup_steps)
    span = max(1, total_steps - warmup_steps)
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, (step - warmup_steps) / span)))


def make_schedule(opt, lr, total_steps, kind='onecycle', warmup_steps=0):
    """
    Make the learning-rate schedule ``kind`` for ``opt``.

    'onecycle' (5% warm-up, at least 2 steps) for runs from scratch; constant for tiny smoke
    runs, where OneCycle's phases would be empty (it divides by zero). 'warmup_constant' (fine-
    tuning): linear warm-up over ``warmup_steps``, then ``lr``; it ignores the run's length, so
    the model at step n is the same in every run of at least n steps. 'warmup_cosine': the same
    warm-up, then a cosine decay to 0 at ``total_steps`` (the run ends on settled weights).
    """
    if kind == 'warmup_constant':
        return torch.optim.lr_scheduler.LambdaLR(
            opt, lambda step: warmup_factor(step, warmup_steps))
    if kind == 'warmup_cosine':
        return torch.optim.lr_scheduler.LambdaLR(
            opt, lambda step: warmup_cosine_factor(step, warmup_steps, total_steps))
    if total_steps < 8:
        return torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0)
    pct = min(0.5, max(0.05, 2.0 / total_steps))
    return torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=lr, total_steps=total_steps, pct_start=pct
    )


def phase_at(cfg, step):
    if cfg.scheme == 'dsr_only':
        return 'dsr_only'
    return 'warmup' if step < cfg.warmup_steps else 'transfer'


class _Trainer:
    """One training run: state, steps, validation, checkpoints and the exported model."""

    def __init__(self, train_pairs, val_pairs, cfg, run_dir, progress, replay_pairs=(),
                 forgetting_pairs=()):
        self.cfg, self.run_dir, self.progress = cfg, Path(run_dir), progress
        # The exported blend: cfg.init_blend, or chosen at the end (cfg.max_forgetting).
        self.init_blend, self.blend_choice = cfg.init_blend, None
        self.forgetting_pairs = list(forgetting_pairs)
        if cfg.max_forgetting > 0 and not (cfg.init and self.forgetting_pairs):
            raise ValueError('max_forgetting needs an init model and frames to measure '
                             'forgetting on (fit(forgetting_pairs=))')
        self.rank, self.world = distributed.init_from_env()
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        self.device = distributed.local_device(select_device(cfg.device), self.rank)
        torch.manual_seed(cfg.seed)
        self.system = CTKTSystem(cfg)
        if cfg.init:
            load_init_weights(self.system.dsr, cfg.init)
            if cfg.finetune_params != 'all':   # freezes the rest (before DDP sees them)
                freeze_all_but(self.system.dsr, cfg.finetune_params)
        self.system.to(self.device)
        # L2-SP (Li et al. 2018): a pull toward the init weights while fine-tuning (init_pull)
        self.init_params = ([p.detach().clone() for p in self.system.dsr.parameters()]
                            if cfg.init and cfg.init_pull > 0 else [])
        self.model = self.system
        if self.world > 1:
            from torch.nn.parallel import DistributedDataParallel as DDP
            ids = [self.device.index] if self.device.type == 'cuda' else None
            # Unused parameters differ by phase (warm-up has no SPNet, the last block's
            # down-projection only feeds the heads), so DDP must look for them.
            self.model = DDP(self.system, device_ids=ids, find_unused_parameters=True)
        self.total_steps = cfg.total_steps(len(train_pairs))
        self.opt = torch.optim.Adam([p for p in self.system.parameters() if p.requires_grad],
                                    lr=cfg.lr)
        self.sched = make_schedule(self.opt, cfg.lr, self.total_steps, cfg.lr_schedule,
                                   cfg.lr_warmup_steps)
        self.batches = CropBatches(
            train_pairs, cfg.scale, cfg.crop, cfg.batch_size, cfg.seed, cfg.recipe(),
            replay=replay_pairs, replay_fraction=cfg.replay_fraction,
        )
        val = val_pairs[:cfg.val_max_frames] if cfg.val_max_frames else val_pairs
        self.val_frames = sampling_frames(val, cfg.scale, cfg.val_degradations) if val else {}
        self.roles = GlobalRoles(cfg.role_window)
        self.step, self.history, self.samples_seen, self.train_time = 0, [], 0, 0.0
        self._running = {}
        self.amp = cfg.amp and self.device.type == 'cuda'
        self.cpu_bf16 = cfg.cpu_bf16 and self.device.type == 'cpu'

    # -- state -------------------------------------------------------------------------------
    def state(self):
        return {
            'step': self.step,
            'system': self.system.state_dict(),
            'opt': self.opt.state_dict(),
            'sched': self.sched.state_dict(),
            'roles': self.roles.state_dict(),
            'history': self.history,
            'samples_seen': self.samples_seen,
            'train_time': self.train_time,
            'running': self._running,
            'config': self.cfg.to_dict(),
            'torch_rng': torch.get_rng_state(),
        }

    def load(self, state):
        # Options added after a checkpoint was written read as their defaults; where the run
        # executes (threads, device) may change between runs, what it learns may not.
        now = self.cfg.to_dict()
        written = {
            **TrainConfig().to_dict(),
            **state['config'],
            **{k: now[k] for k in RESUME_MAY_CHANGE},
        }
        if written != now:
            diff = sorted(k for k in written if written[k] != now.get(k))
            raise ValueError(
                f'checkpoint was written with other training options ({", ".join(diff)}); '
                'resume with the same options or start a new run directory'
            )
        self.system.load_state_dict(state['system'])
        self.opt.load_state_dict(state['opt'])
        self.sched.load_state_dict(state['sched'])
        self.roles.load_state_dict(state['roles'])
        self.step, self.history = state['step'], state['history']
        self.samples_seen, self.train_time = state['samples_seen'], state['train_time']
        self._running = state['running']
        torch.set_rng_state(state['torch_rng'])

    def checkpoint(self):
        if self.rank == 0:
            save_checkpoint(self.run_dir / CHECKPOINT_NAME, self.state())

    # -- steps -------------------------------------------------------------------------------
    def train_step(self):
        cfg = self.cfg
        batch = {
            k: v.to(self.device)
            for k, v in self.batches.batch(self.step, self.rank, self.world).items()
        }
        phase = phase_at(cfg, self.step)
        self.model.train()
        autocast = (
            torch.autocast('cuda', dtype=torch.bfloat16)
            if self.amp
            else torch.autocast('cpu', dtype=torch.bfloat16)
            if self.cpu_bf16
            else nullcontext()
        )
        with autocast:
            out = self.model(batch, phase, self.roles.dsr_is_student())
        total = out['total']
        if self.init_params:
            pull = sum(((p - p0) ** 2).sum()
                       for p, p0 in zip(self.system.dsr.parameters(), self.init_params))
            total = total + cfg.init_pull * pull
            out['l_pull'] = pull.detach()
        self.opt.zero_grad(set_to_none=True)
        total.backward()
        self.opt.step()
        self.sched.step()
        if phase == 'transfer' and cfg.granularity == 'global':
            e_dsr, e_de = distributed.all_mean(
                [float(out['l_dsr']), float(out['l_de'])], self.world
            )
            self.roles.update(e_dsr, e_de)
        for key in LOSS_KEYS:
            if key in out:
                r = self._running.setdefault(key, [0.0, 0])
                r[0] += float(out[key].detach())
                r[1] += 1
        self.step += 1
        self.samples_seen += cfg.batch_size

    def validate(self):
        row = {'step': self.step}
        keys = sorted(self._running)
        means = distributed.all_mean([self._running_mean(k) for k in keys], self.world)
        row.update(zip(keys, means))   # losses of the global batch, not of this rank's half
        self._running = {}
        if self.val_frames and self.rank == 0:
            row.update(evaluate_samplings(self.resolver(), self.val_frames))
        self.history.append(row)
        return row

    def _running_mean(self, key):
        """Mean of a logged loss term since the last validation (0 before the first step)."""
        total, count = self._running.get(key, (0.0, 0))
        return total / max(count, 1)

    def resolver(self):
        """Return the model as it will be exported (blended with the init model when asked)."""
        net = self.export_net().to(self.device).eval()
        return DepthSuperResolver(net, {}, self.device, torchscript=False)

    # -- run ---------------------------------------------------------------------------------
    def run(self):
        cfg = self.cfg
        bar = None
        if self.progress and self.rank == 0:
            from tqdm import tqdm

            bar = tqdm(
                total=self.total_steps,
                initial=self.step,
                desc=f'train x{cfg.scale} {cfg.scheme}',
                unit='step',
                dynamic_ncols=True,
            )
        while self.step < self.total_steps:
            t0 = time.perf_counter()
            self.train_step()
            self.train_time += time.perf_counter() - t0
            if bar:
                bar.update(1)
                bar.set_postfix(l_dsr=f"{self._running_mean('l_dsr'):.4f}",
                                sps=f'{self.samples_seen / max(self.train_time, 1e-9):.0f}')
            last = self.step == self.total_steps
            if last and cfg.max_forgetting > 0:
                self.choose_blend(bar)
            if self.step % cfg.val_every == 0 or last:
                row = self.validate()
                if bar and 'rmse_cm' in row:
                    bar.write(
                        f"step {self.step}: held-out RMSE {row['rmse_cm']:.3f} cm "
                        f"(bicubic {row['bicubic_rmse_cm']:.3f}), MAE {row['mae_cm']:.3f} cm"
                    )
            if self.step in cfg.snapshot_steps and self.rank == 0:
                save_model(self.run_dir / f'model_step{self.step}', self.export_net(),
                           self.metadata())
            if self.step % cfg.checkpoint_every == 0 or last:
                self.checkpoint()
        if bar:
            bar.close()
        return self.finish()

    def finish(self):
        if self.cfg.max_forgetting > 0 and self.blend_choice is None:
            # resumed from the last step's checkpoint: the choice was not kept
            self.choose_blend()
            if self.val_frames:
                self.validate()
        final = dict(self.history[-1]) if self.history else {}
        summary = {
            'steps': self.step,
            'samples_per_s': self.samples_seen / max(self.train_time, 1e-9),
            'world_size': self.world,
            'device': str(self.device),
            'val': {
                k: v
                for k, v in final.items()
                if k.split('_')[0] in ('rmse', 'mae', 'bicubic', 'frames')
            },
        }
        if self.rank != 0:
            return summary
        reports.write_metrics(self.run_dir, self.history, summary)
        reports.learning_curve(self.run_dir / 'curve.png', self.history,
                               f'x{self.cfg.scale} {self.cfg.scheme} ({self.cfg.preset})')
        if self.val_frames:
            self.panel()
        meta = self.metadata(validation=summary['val'])
        summary['model_dir'] = save_model(self.run_dir / 'model', self.export_net().cpu(), meta,
                                          onnx=onnx_export.available())
        self.system.dsr.to(self.device)
        return summary

    def export_net(self):
        """
        Return the DSRNet to export.

        As trained, or blended with the init model (``init_blend``, or the blend chosen by
        ``max_forgetting``).
        """
        if self.cfg.init and self.init_blend < 1.0:
            return blended(self.system.dsr, self.cfg.init, self.init_blend)
        return self.system.dsr

    def choose_blend(self, bar=None):
        """Set the exported blend: the largest within cfg.max_forgetting (blend_choice)."""
        log = (bar.write if bar else None) if self.rank == 0 else None
        blend, tried = choose_blend(self.system.dsr, self.cfg.init, self.forgetting_pairs,
                                    self.cfg.scale, self.cfg.val_degradations,
                                    self.cfg.max_forgetting, log=log)
        self.system.dsr.to(self.device)
        self.init_blend = blend
        self.blend_choice = {'max_forgetting': self.cfg.max_forgetting, 'blend': blend,
                             'frames': len(self.forgetting_pairs), 'tried': tried,
                             'within_limit': tried[-1]['forgetting_points']
                             <= self.cfg.max_forgetting}

    def metadata(self, validation=None):
        """model.json fields besides the architecture (export.save_model adds those)."""
        meta = {'training': {**self.cfg.to_dict(), 'init_blend': self.init_blend},
                'training_data': self.cfg.data_summary,
                'validation': validation or {}, 'degradation': self.cfg.degradation,
                'degradation_recipe': self.cfg.recipe().to_dict(), 'steps': self.step}
        if self.cfg.init:
            meta['init_model'] = {**{k: self.cfg.init[k] for k in ('name', 'sha256')},
                                  'blend': self.init_blend}
        if self.blend_choice:
            meta['blend_choice'] = self.blend_choice
        return meta

    def panel(self):
        sampling = self.cfg.val_degradations[0]
        frames = self.val_frames[sampling]
        hr, hv, lr, lv, pair = frames[len(frames) // 2]
        sr = self.resolver().upsample(np.where(lv, lr, np.nan).astype(np.float32))
        bic = bicubic_upsample(lr, lv, self.cfg.scale)
        reports.before_after_panel(
            self.run_dir / 'panel.png',
            np.where(lv, lr, 0),
            bic,
            sr,
            hr,
            hv,
            f'held-out {pair.capture_id} x{self.cfg.scale} ({self.cfg.scheme}, {sampling} LR)',
        )


def fit(train_pairs, val_pairs, cfg, run_dir, resume=False, progress=True, replay_pairs=(),
        forgetting_pairs=()):
    """
    Train per ``cfg`` into ``run_dir``; returns the summary (held-out metrics, speed, model_dir).

    A run directory holding a checkpoint is only continued with ``resume=True`` (so a finished
    or killed run is never overwritten by accident).
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    trainer = _Trainer(train_pairs, val_pairs, cfg, run_dir, progress, replay_pairs,
                       forgetting_pairs)
    ckpt = run_dir / CHECKPOINT_NAME
    if ckpt.exists():
        if not resume:
            raise ValueError(
                f'{run_dir} already holds a checkpoint; pass resume=True (--resume) to '
                'continue it or choose a new run directory'
            )
        trainer.load(load_checkpoint(ckpt))
    try:
        return trainer.run()
    finally:
        if trainer.world > 1:
            # Free the DDP wrapper and what it holds now, in this thread with the interpreter
            # whole, not at exit (distributed.shutdown covers gloo's worker threads; see
            # training/distributed.py for the SIGABRT this is about).
            trainer.model = trainer.system
            del trainer
            gc.collect()
