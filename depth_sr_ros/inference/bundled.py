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

"""Bundled model names -> files in the package's share/models directory (no downloads ever)."""
import os
from pathlib import Path

DEFAULT_MODEL = 'x4'


def models_dir():
    """share/depth_sr_ros/models when installed (colcon/ament), else the source tree's models/."""
    try:
        from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
        try:
            share = Path(get_package_share_directory('depth_sr_ros')) / 'models'
            if share.is_dir():
                return share
        except (PackageNotFoundError, OSError):  # not installed via ament / no AMENT_PREFIX_PATH
            pass
    except ImportError:
        pass
    return Path(__file__).resolve().parents[2] / 'models'


def bundled_names():
    """Names of the bundled models (stems of models/*.safetensors)."""
    d = models_dir()
    return sorted(p.stem for p in d.glob('*.safetensors')) if d.is_dir() else []


def resolve(name_or_path=None):
    """Resolve a bundled name or a path to a path understood by :func:`export.load_model`."""
    if name_or_path is None or name_or_path == '':
        name_or_path = DEFAULT_MODEL
    text = os.fspath(name_or_path)
    looks_like_path = (
        os.sep in text or text.endswith(('.safetensors', '.json')) or Path(text).exists()
    )
    if looks_like_path:
        return Path(text).expanduser()
    candidate = models_dir() / f'{text}.safetensors'
    if candidate.is_file():
        return candidate
    from depth_sr_ros.inference.export import ModelLoadError
    raise ModelLoadError(f'no bundled model named {text!r} in {models_dir()} '
                         f'(available: {", ".join(bundled_names()) or "none"}); '
                         'pass a bundled name or the path of an exported model')
