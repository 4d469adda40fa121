"""What every DSRNet family's config shares: the checks of the common fields and the dict round
trip of model metadata (nets/dsrnet.py DSRNetConfig, nets/lrres.py LRResConfig)."""
from dataclasses import asdict, fields

SCALES = (2, 4, 8, 16)


class ArchConfig:
    """Mixin for a family's frozen config dataclass (fields ``scale``, ``family``, ``up_kernel``).

    FAMILY: the tag the config must carry; POSITIVE: fields that must be >= 1; LABEL: how error
    messages name the config.
    """

    FAMILY = ''
    POSITIVE = ()
    LABEL = ''

    def check_common(self):
        if self.family != self.FAMILY:
            raise ValueError(f'{type(self).__name__} family must be {self.FAMILY!r}, got {self.family!r}')
        if self.scale not in SCALES:
            raise ValueError(f'scale must be one of {SCALES}, got {self.scale}')
        for name in self.POSITIVE:
            if getattr(self, name) < 1:
                raise ValueError(f'{name} must be >= 1')
        if self.up_kernel % 2 != 1:
            raise ValueError('up_kernel must be odd')

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f'unknown {cls.LABEL} config keys: {sorted(unknown)}')
        return cls(**data)
