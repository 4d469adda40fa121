"""Copy an exported model into models/ under a bundled name (verifies it loads first).

  .venv/bin/python scripts/bundle_model.py runs/default/x4/model x4
"""
import shutil
import sys
from pathlib import Path

from depth_sr_ros.inference import DepthSuperResolver
from depth_sr_ros.inference.export import model_files

MODELS = Path(__file__).resolve().parents[1] / 'models'


def main(src, name):
    resolver = DepthSuperResolver.load(src, device='cpu')
    weights, meta = model_files(src)
    for source, suffix in ((weights, '.safetensors'), (meta, '.json')):
        tmp = MODELS / f'.{name}{suffix}.tmp'
        shutil.copyfile(source, tmp)
        tmp.replace(MODELS / f'{name}{suffix}')
    print(f'bundled {src} as models/{name}.safetensors (x{resolver.scale}, {resolver.model_id})')


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2])
