"""RGBDPair: the one in-memory form of a training pair, whatever it was read from."""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class RGBDPair:
    """An RGB image and the registered high-resolution depth (metres) of one capture.

    ``valid`` marks measured depth; invalid pixels carry no meaning in ``depth``.
    ``timestamp`` orders captures so held-out splits can be taken by time block.
    """

    rgb: np.ndarray          # uint8 HxWx3, RGB order
    depth: np.ndarray        # float32 HxW, metres
    valid: np.ndarray        # bool HxW
    capture_id: str = ''
    timestamp: float = 0.0
    source: str = ''
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.rgb.ndim != 3 or self.rgb.shape[2] != 3 or self.rgb.dtype != np.uint8:
            raise ValueError(f'rgb must be uint8 HxWx3, got {self.rgb.dtype} {self.rgb.shape}')
        if self.depth.shape != self.rgb.shape[:2] or self.valid.shape != self.depth.shape:
            raise ValueError(f'rgb {self.rgb.shape[:2]}, depth {self.depth.shape} and valid '
                             f'{self.valid.shape} must have the same size (registered pair)')
        self.depth = np.asarray(self.depth, dtype=np.float32)
        self.valid = np.asarray(self.valid, dtype=bool) & np.isfinite(self.depth)

    @property
    def shape(self):
        return self.depth.shape
