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
Start training from an exported model (``--init``): describe it, check it fits, load it.

Fine-tuning keeps the init model's network, so its family, size, scale and normalisation must be
the requested ones; by default they are simply taken from it. The init model is recorded by
name and weights sha256 (in the checkpoint, the model metadata and the report), and the sha256
is checked again when the weights are loaded, so a resumed run cannot silently switch models.
"""
from pathlib import Path

from depth_sr_ros.data.degradation import RECIPES
from depth_sr_ros.data.normalization import NORMALIZATION_ID
from depth_sr_ros.inference.bundled import resolve
from depth_sr_ros.inference.export import load_model, model_files, sha256_file
from depth_sr_ros.nets.registry import config_from_dict, preset_config, PRESETS

# Fine-tuning schedule (benchmarks/adaptation.py, docs/research/adaptation.md, table 11): linear
# warm-up, then a cosine decay to 0 at the last step. Against a constant rate it forgot 0.5-0.6
# points less at the default blend on all four measured cells, for the same gain at equal
# forgetting or up to 0.9 points more (x8).
FINETUNE_LR = 3e-4
FINETUNE_WARMUP_STEPS = 100
FINETUNE_STEPS = 2000
# The exported model is the average of the fine-tuned and the init weights: on the pilot it kept
# 70% of the gain on the new sensor and cut the loss on the init model's own data from 9 points
# to 2 (docs/research/adaptation.md). Training itself never sees the blend.
FINETUNE_BLEND = 0.5
# Replaying recordings the init model must stay good on (train_from_bag --replay-bag): a fifth of
# the crops, and the exported blend chosen on their held-out frames as the largest that loses at
# most REPLAY_MAX_FORGETTING points there (training.blend_choice; the 2-point forgetting target
# less a margin for the estimate). Replaying RGB-D-D's training captures while adapting the
# bundled x8 to Kinect depth, the fine-tuned weights lost 0.9-2.0 points on RGB-D-D's held-out
# captures, against 8.3-8.8 without replay (docs/research/adaptation.md, table 18).
REPLAY_FRACTION = 0.2
REPLAY_MAX_FORGETTING = 1.5
FINETUNE = {'lr': FINETUNE_LR, 'lr_schedule': 'warmup_cosine',
            'lr_warmup_steps': FINETUNE_WARMUP_STEPS, 'scheme': 'dsr_only',
            'max_steps': FINETUNE_STEPS, 'epochs': 0.0, 'init_blend': FINETUNE_BLEND}


def describe_init(name_or_path):
    """
    Describe a bundled name or model path (loaded once to check it).

    Returns {'name', 'path', 'sha256', 'architecture', 'scale', 'normalization',
    'degradation', 'degradation_params'}.
    """
    path = resolve(name_or_path)
    _, meta = load_model(path)
    weights, _ = model_files(path)
    training = meta.get('training') if isinstance(meta.get('training'), dict) else {}
    recipe = meta.get('degradation', training.get('degradation'))
    return {'name': str(name_or_path), 'path': str(Path(path).resolve()),
            'sha256': sha256_file(weights), 'architecture': dict(meta['architecture']),
            'scale': int(meta.get('scale', meta['architecture'].get('scale', 0))),
            'normalization': meta.get('normalization', NORMALIZATION_ID),
            # Models from before named recipes store a dict: then the requested recipe is used.
            'degradation': recipe if isinstance(recipe, str) and recipe in RECIPES else None,
            'degradation_params': dict(training.get('degradation_params') or {})}


def record(init):
    """Return what the checkpoint, model metadata and report keep of the init model."""
    return {'name': init['name'], 'path': init['path'], 'sha256': init['sha256']}


def _preset_and_arch(architecture):
    """
    Return (preset, arch overrides) that rebuild ``architecture`` at any scale.

    A preset that is exactly it when one exists (readable metadata), else its family's first
    preset overridden.
    """
    architecture = config_from_dict(architecture).to_dict()
    family, scale = architecture['family'], architecture['scale']
    fields = {k: v for k, v in architecture.items() if k != 'scale'}
    for name, (fam, _) in PRESETS.items():
        if fam == family and preset_config(name, scale).to_dict() == {**fields, 'scale': scale}:
            return name, {}
    name = next(n for n, (fam, _) in PRESETS.items() if fam == family)
    return name, fields


def mismatches(init, cfg):
    """Human-readable differences between the init model and what ``cfg`` would train."""
    want = cfg.dsrnet_config().to_dict()
    have = config_from_dict(init['architecture']).to_dict()
    out = []
    if have['family'] != want['family']:
        out.append(f"family: init {have['family']}, requested {want['family']}")
    else:
        size = sorted(k for k in have if k not in ('family', 'scale') and have[k] != want.get(k))
        if size:
            pairs = (f'{k} init {have[k]} vs requested {want.get(k)}' for k in size)
            out.append('size: ' + ', '.join(pairs))
    if init['scale'] != cfg.scale:
        out.append(f"scale: init x{init['scale']}, requested x{cfg.scale}")
    if init['normalization'] != NORMALIZATION_ID:
        out.append(f"normalisation: init {init['normalization']!r}, "
                   f'this package {NORMALIZATION_ID!r}')
    return out


def apply_init(cfg, init, architecture_given=False, scale_given=False, degradation_given=False):
    """
    ``cfg`` set up to fine-tune ``init`` (from :func:`describe_init`).

    Architecture and scale come from the init model unless given (then they must match it:
    ValueError naming every mismatch); its degradation recipe too unless given.
    """
    changes = {'init': record(init)}
    if not architecture_given:
        changes['preset'], changes['arch'] = _preset_and_arch(init['architecture'])
    if not scale_given:
        changes['scale'] = init['scale']
    if not degradation_given and init['degradation']:
        changes.update(degradation=init['degradation'],
                       degradation_params=init['degradation_params'])
    out = cfg.replace(**changes)
    problems = mismatches(init, out)
    if problems:
        raise ValueError(f"--init {init['name']} does not fit the requested network: "
                         + '; '.join(problems)
                         + ' (leave out --config/--scale to take them from the init model)')
    return out


def blended(net, init, alpha, init_net=None):
    """
    Return a copy of ``net`` with weights ``alpha * net + (1 - alpha) * init``.

    Weight-space interpolation toward the init model, which limits forgetting; ``net`` itself
    is unchanged. ``alpha``: a number, or a function of the weight's name (one per layer group).
    ``init_net``: the init weights already loaded (load_init_weights), to blend several alphas
    with one read of the file.
    """
    import copy
    weight = alpha if callable(alpha) else (lambda name: alpha)
    if init_net is None:
        init_net = load_init_weights(copy.deepcopy(net).cpu(), init)
    base = init_net.state_dict()
    out = copy.deepcopy(net).cpu()
    out.load_state_dict({k: weight(k) * v.detach().cpu() + (1 - weight(k)) * base[k]
                         if v.is_floating_point() else v.detach().cpu()
                         for k, v in net.state_dict().items()})
    return out


def load_init_weights(net, init):
    """
    Copy the init model's weights into ``net``.

    After checking the file is still the one recorded (same sha256) and the architectures
    agree.
    """
    weights, _ = model_files(init['path'])
    sha = sha256_file(weights)
    if sha != init['sha256']:
        raise ValueError(f"init model {init['path']} changed since the run started "
                         f"(sha256 {sha[:12]}, recorded {init['sha256'][:12]})")
    source, _ = load_model(init['path'])
    if source.cfg.to_dict() != net.cfg.to_dict():
        raise ValueError(f"init model {init['name']}: architecture {source.cfg.to_dict()} is not "
                         f'the one being trained ({net.cfg.to_dict()})')
    net.load_state_dict(source.state_dict())
    return net


def finetune_config(cfg, init, given=()):
    """
    Return ``cfg`` set up to fine-tune ``init``.

    Network, scale and LR recipe from the init model unless named in ``given`` (then they must
    match it), and the FINETUNE schedule and the scale's crop (TrainConfig.with_scale_crop) for
    every field not in ``given`` (the TrainConfig fields the user set explicitly).
    """
    given = set(given)
    cfg = apply_init(cfg, init, architecture_given=bool({'preset', 'arch'} & given),
                     scale_given='scale' in given, degradation_given='degradation' in given)
    defaults = {k: v for k, v in FINETUNE.items() if k not in given}
    if 'epochs' in given:
        defaults.pop('max_steps', None)
    return cfg.replace(**defaults).with_scale_crop(given)


def with_replay(cfg, given, source):
    """
    Return ``cfg`` set up to replay ``source`` (what it is, for the metadata) while fine-tuning.

    REPLAY_FRACTION unless ``given`` names replay_fraction; the blend chosen by forgetting
    (REPLAY_MAX_FORGETTING) unless ``given`` names init_blend or max_forgetting (not both).
    """
    if {'init_blend', 'max_forgetting'} <= set(given):
        raise ValueError('give a fixed blend (--init-blend) or a forgetting limit to choose it '
                         '(--max-forgetting), not both')
    changes = {'replay': source}
    if 'replay_fraction' not in given:
        changes['replay_fraction'] = REPLAY_FRACTION
    if 'init_blend' not in given:
        changes['init_blend'] = 1.0              # the choice starts from the fine-tuned weights
        if 'max_forgetting' not in given:
            changes['max_forgetting'] = REPLAY_MAX_FORGETTING
    cfg = cfg.replace(**changes)
    if cfg.replay_fraction <= 0:
        raise ValueError(f'replay_fraction must be > 0 with replay frames, got '
                         f'{cfg.replay_fraction:g}')
    return cfg


# Which DSRNet parameters fine-tuning trains (TrainConfig.finetune_params): name rules for the
# lrres family (head conv + first two residual blocks; reconstruction tail; every bias).
FINETUNE_PARAMS = {
    'head': lambda name: name.startswith(('head.', 'blocks.0.', 'blocks.1.')),
    'tail': lambda name: name.startswith(('body_tail.', 'up.', 'tail.')),
    'bias': lambda name: name.endswith('.bias'),
}


def freeze_all_but(net, which):
    """
    Freeze every parameter of ``net`` outside the ``which`` group of FINETUNE_PARAMS.

    Raises ValueError naming the group when it selects nothing (another network family).
    """
    rule = FINETUNE_PARAMS[which]
    kept = 0
    for name, p in net.named_parameters():
        p.requires_grad_(rule(name))
        kept += p.requires_grad
    if not kept:
        raise ValueError(f'finetune_params={which!r} selects no parameter of this network')
