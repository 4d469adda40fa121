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

"""TrainConfig: every training choice in one place (stored in checkpoints and model metadata)."""
import dataclasses
from dataclasses import asdict, dataclass, field
from pathlib import Path

from depth_sr_ros.data.degradation import EVALUATION, make_recipe
from depth_sr_ros.nets.registry import preset_config, PRESETS

SCHEMES = ('dsr_only', 'ctkt')
LR_SCHEDULES = ('onecycle', 'warmup_constant', 'warmup_cosine')
GRANULARITIES = ('global', 'per_sample', 'per_pixel')
TEACHER_UPDATES = ('own_loss', 'frozen')
FINETUNE_GROUPS = ('all', 'head', 'tail', 'bias')    # init_model.FINETUNE_PARAMS names the rest
# HR crop side and crops per step of train_from_bag and fine-tuning, per scale where measured
# better than TrainConfig's 96 x 16: at x8 a 96-pixel crop is 12 LR pixels (x16: 6), mostly
# border for a 10-block network; 192 x 4 (the same pixels per step) gained 4.3 points from
# scratch and 3.3-4.4 fine-tuned on two Kinect sets at x8, 9.0 and 8.2 at x16
# (docs/research/adaptation.md, table 15).
CROPS_BY_SCALE = {8: (192, 4), 16: (192, 4)}


@dataclass(frozen=True)
class TrainConfig:
    """
    scheme 'dsr_only' trains DSRNet alone (the baseline); 'ctkt' runs Algorithm 1.

    Step 1 (warm-up, ``warmup_steps``): DSRNet and DENet each learn their own L1 loss.
    Step 2: SPNet joins; each step the student (the network that is worse, per
    ``granularity``) adds p1 * L_struc + p2 * (w_p * L_P + w_a * L_A) against the detached
    teacher. ``teacher_update='frozen'`` is the literal reading (the teacher is not updated);
    'own_loss' (default) keeps training the teacher on its own reconstruction loss.
    ``degradation`` names the LR recipe (data.degradation.RECIPES; default 'blind': sampling
    kernel and sensor effects drawn per crop) and ``degradation_params`` overrides its fields;
    ``val_degradations`` are the evaluation samplings validation reports (mean = 'rmse_cm').
    """

    scale: int = 4
    preset: str = 'fast'
    arch: dict = field(
        default_factory=dict
    )  # architecture overrides (nets/registry.preset_config)
    scheme: str = 'ctkt'
    granularity: str = 'per_pixel'
    teacher_update: str = 'own_loss'
    role_source: str = 'output'  # per_pixel L_P roles from 'output' or 'side' errors
    p1: float = 0.01                                   # L_struc weight
    p2: float = 0.01                                   # L_distill weight
    w_p: float = 1.0                                   # L_P share of L_distill
    w_a: float = 1.0                                   # L_A share of L_distill
    use_sp: bool = True
    warmup_steps: int = 500
    role_window: int = 50                              # steps averaged into e_dsr / e_de (global)
    denet_channels: int = 32
    denet_stride: int = 4
    affinity_grid: int = 12
    sp_channels: int = 16
    sp_tau: float = 0.02
    edge_threshold: float = 0.08
    batch_size: int = 16
    crop: int = 96
    lr: float = 1e-3
    lr_schedule: str = 'onecycle'                      # 'warmup_cosine': init_model.FINETUNE
    lr_warmup_steps: int = 0                           # linear warm-up of 'warmup_*'
    init: dict = field(default_factory=dict)           # init model {name, path, sha256} (--init)
    init_blend: float = 1.0                            # export a*trained + (1-a)*init weights
    init_pull: float = 0.0                             # L2-SP: + init_pull*|w - w_init|^2;
    # measured worse than init_blend at every strength (docs/research/adaptation.md, table 7)
    finetune_params: str = 'all'                       # with init: all | head | tail | bias
    # (parts alone measured no better than the blend: docs/research/adaptation.md, table 8)
    flying_weight: float = 0.0                         # + w x nets.losses.flying_loss (dsr_only)
    replay_fraction: float = 0.0                       # share of crops from fit(replay_pairs=)
    replay: str = ''                                   # what the replay frames are (metadata)
    max_forgetting: float = 0.0                        # > 0: export the largest blend losing at
    # most this many points on fit(forgetting_pairs=) instead of init_blend (blend_choice.py)
    snapshot_steps: tuple = ()                         # also export the model at these steps
    max_steps: int = 3000
    epochs: float = 0.0                                # > 0 overrides max_steps (epochs of crops)
    val_every: int = 500
    checkpoint_every: int = 250
    seed: int = 0
    device: str = 'auto'
    amp: bool = True  # bf16/fp16 autocast on CUDA only
    cpu_bf16: bool = False  # bf16 autocast on CPU (oneDNN): faster steps
    threads: int = 0                                   # torch CPU threads (0 = torch default)
    degradation: str = 'blind'
    degradation_params: dict = field(default_factory=dict)
    val_degradations: tuple = ('bicubic_aa', 'cubic', 'area', 'nearest')
    val_max_frames: int = 0                            # 0 = all held-out frames
    data_summary: dict = field(default_factory=dict)

    def __post_init__(self):
        checks = [
            (self.scheme in SCHEMES, f'scheme must be one of {SCHEMES}'),
            (self.granularity in GRANULARITIES, f'granularity must be one of {GRANULARITIES}'),
            (
                self.teacher_update in TEACHER_UPDATES,
                f'teacher_update must be one of {TEACHER_UPDATES}',
            ),
            (self.role_source in ('output', 'side'), "role_source must be 'output' or 'side'"),
            (self.lr_schedule in LR_SCHEDULES, f'lr_schedule must be one of {LR_SCHEDULES}'),
            (self.lr_warmup_steps >= 0, 'lr_warmup_steps must be >= 0'),
            (0.0 < self.init_blend <= 1.0, 'init_blend must be in (0, 1]'),
            (self.init_pull >= 0.0, 'init_pull must be >= 0'),
            (0.0 <= self.replay_fraction < 1.0, 'replay_fraction must be in [0, 1)'),
            (self.max_forgetting >= 0.0, 'max_forgetting must be >= 0'),
            (self.flying_weight >= 0.0, 'flying_weight must be >= 0'),
            (self.finetune_params in FINETUNE_GROUPS,
             f'finetune_params must be one of {", ".join(FINETUNE_GROUPS)}'),
            (self.preset in PRESETS, f'preset must be one of {sorted(PRESETS)}'),
            (
                self.crop % self.scale == 0,
                f'crop {self.crop} must be a multiple of scale {self.scale}',
            ),
            (
                self.batch_size >= 1 and self.max_steps >= 1,
                'batch_size and max_steps must be >= 1',
            ),
            (
                set(self.val_degradations) <= set(EVALUATION) and len(self.val_degradations) > 0,
                f'val_degradations must be some of {sorted(EVALUATION)}',
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        object.__setattr__(self, 'val_degradations', tuple(self.val_degradations))
        object.__setattr__(self, 'snapshot_steps', tuple(int(s) for s in self.snapshot_steps))
        self.recipe()  # validates the degradation name and params
        self.dsrnet_config()  # validates arch overrides

    def dsrnet_config(self):
        """
        Return the preset's family config at this scale with ``arch`` overrides.

        For example ``arch={'num_blocks': 6}``.
        """
        return preset_config(self.preset, self.scale, self.arch)

    def recipe(self):
        """Return the LR recipe for the crop sampler (a fixed DegradationSpec or a BlindRecipe)."""
        return make_recipe(self.degradation, self.degradation_params)

    def total_steps(self, num_pairs):
        if self.epochs > 0:
            return max(1, int(round(self.epochs * num_pairs / self.batch_size)))
        return self.max_steps

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f'unknown training option(s): {sorted(unknown)}')
        return cls(**data)

    @classmethod
    def from_preset(cls, name, scale=4, **changes):
        return cls(preset=name, scale=scale, **changes)

    @classmethod
    def from_yaml(cls, path):
        return cls.from_dict(_yaml_mapping(path))

    @staticmethod
    def fields_in_yaml(path):
        """Return the options a YAML file sets (even to their defaults: the user chose them)."""
        return set(_yaml_mapping(path))

    def with_scale_crop(self, given=()):
        """
        Return this config with CROPS_BY_SCALE's crop and batch for its scale.

        Unless ``crop`` or ``batch_size`` is in ``given`` (set by the user), or the scale has no
        entry (then TrainConfig's 96 x 16 stays).
        """
        if {'crop', 'batch_size'} & set(given) or self.scale not in CROPS_BY_SCALE:
            return self
        crop, batch = CROPS_BY_SCALE[self.scale]
        return self.replace(crop=crop, batch_size=batch)


def _yaml_mapping(path):
    import yaml
    data = yaml.safe_load(Path(path).read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f'{path}: expected a mapping of training options')
    return data
