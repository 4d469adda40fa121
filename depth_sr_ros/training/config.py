"""TrainConfig: every training choice in one place (stored in checkpoints and model metadata)."""
import dataclasses
from dataclasses import asdict, dataclass, field
from pathlib import Path

from depth_sr_ros.data.degradation import BICUBIC, SENSOR_LIKE, DegradationSpec
from depth_sr_ros.nets.registry import PRESETS, preset_config

SCHEMES = ('dsr_only', 'ctkt')
GRANULARITIES = ('global', 'per_sample', 'per_pixel')
TEACHER_UPDATES = ('own_loss', 'frozen')


@dataclass(frozen=True)
class TrainConfig:
    """scheme 'dsr_only' trains DSRNet alone (the baseline); 'ctkt' runs Algorithm 1.

    Step 1 (warm-up, ``warmup_steps``): DSRNet and DENet each learn their own L1 loss.
    Step 2: SPNet joins; each step the student (the network that is worse, per
    ``granularity``) adds p1 * L_struc + p2 * (w_p * L_P + w_a * L_A) against the detached
    teacher. ``teacher_update='frozen'`` is the literal reading (the teacher is not updated);
    'own_loss' (default) keeps training the teacher on its own reconstruction loss.
    ``sensor_like_fraction`` of crops use the sensor-like degradation instead of bicubic.
    """

    scale: int = 4
    preset: str = 'fast'
    arch: dict = field(default_factory=dict)          # architecture overrides (nets/registry.preset_config)
    scheme: str = 'ctkt'
    granularity: str = 'per_pixel'
    teacher_update: str = 'own_loss'
    role_source: str = 'output'                        # per_pixel L_P roles from 'output' or 'side' errors
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
    max_steps: int = 3000
    epochs: float = 0.0                                # > 0 overrides max_steps (epochs of crops)
    val_every: int = 500
    checkpoint_every: int = 250
    seed: int = 0
    device: str = 'auto'
    amp: bool = True                                   # bf16/fp16 autocast on CUDA only
    threads: int = 0                                   # torch CPU threads (0 = torch default)
    degradation: dict = field(default_factory=BICUBIC.to_dict)
    sensor_like: dict = field(default_factory=SENSOR_LIKE.to_dict)
    sensor_like_fraction: float = 0.0
    val_max_frames: int = 0                            # 0 = all held-out frames
    data_summary: dict = field(default_factory=dict)

    def __post_init__(self):
        checks = [(self.scheme in SCHEMES, f'scheme must be one of {SCHEMES}'),
                  (self.granularity in GRANULARITIES, f'granularity must be one of {GRANULARITIES}'),
                  (self.teacher_update in TEACHER_UPDATES, f'teacher_update must be one of {TEACHER_UPDATES}'),
                  (self.role_source in ('output', 'side'), "role_source must be 'output' or 'side'"),
                  (self.preset in PRESETS, f'preset must be one of {sorted(PRESETS)}'),
                  (self.crop % self.scale == 0, f'crop {self.crop} must be a multiple of scale {self.scale}'),
                  (self.batch_size >= 1 and self.max_steps >= 1, 'batch_size and max_steps must be >= 1'),
                  (0.0 <= self.sensor_like_fraction <= 1.0, 'sensor_like_fraction must be in [0, 1]')]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        self.dsrnet_config()  # validates arch overrides

    def dsrnet_config(self):
        """The preset's family config at this scale with ``arch`` overrides (e.g. {'num_blocks': 6})."""
        return preset_config(self.preset, self.scale, self.arch)

    def degradations(self):
        """(specs, weights) for the crop sampler."""
        specs = [DegradationSpec(**self.degradation)]
        if self.sensor_like_fraction <= 0:
            return specs, None
        specs.append(DegradationSpec(**self.sensor_like))
        return specs, [1 - self.sensor_like_fraction, self.sensor_like_fraction]

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
        import yaml
        data = yaml.safe_load(Path(path).read_text()) or {}
        if not isinstance(data, dict):
            raise ValueError(f'{path}: expected a mapping of training options')
        return cls.from_dict(data)
