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
folder_to_bag: a folder of registered RGB-D pairs (rgb/<id>.jpg|png, depth/<id>.png) -> rosbag2.

A folder without rgb/ (a depth camera without colour) becomes a depth-only bag: depth and its
CameraInfo on /camera/depth/ (train_from_bag then trains DSRNet alone on it).

So image-folder data and recorded bags go through one path (train_from_bag). Frames are
written in capture-time order: ids that are YYYYMMDDhhmmss timestamps (RGB-D-D) give the
header stamps; other ids (Middlebury 01, 02, ...) are spaced 1/--rate s apart in name order.
Exit 0 on success, 1 with one clear message otherwise (no partial bag is left).
"""
import argparse
from pathlib import Path
import sys

import numpy as np

T0_WITHOUT_TIMESTAMPS = 1_600_000_000.0     # start time for ids that are not capture times
MIN_CAPTURE_TIME = 946_684_800.0             # 2000-01-01: smaller "timestamps" are folder ranks


def build_parser():
    p = argparse.ArgumentParser(prog='folder_to_bag', description=__doc__.strip().split('\n')[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('folder', help='folder with depth/ and (unless depth-only) rgb/ sub-folders')
    p.add_argument('--out', required=True, help='output rosbag2 directory (must not exist)')
    p.add_argument('--storage', choices=('sqlite3', 'mcap'), default='sqlite3')
    p.add_argument(
        '--compressed', action='store_true', help='colour as JPEG CompressedImage (.../compressed)'
    )
    p.add_argument(
        '--depth-scale',
        type=float,
        default=0.001,
        help='metres per stored depth unit (0.001 for millimetre PNGs; with 0.001 Middlebury '
        'disparity-like uint8 values are copied as they are)',
    )
    p.add_argument(
        '--fx',
        type=float,
        default=None,
        help='focal length in pixels for the CameraInfo (default: 0.9 * width, a nominal value; '
        'the pairs are already registered so training does not use it)',
    )
    p.add_argument(
        '--rate', type=float, default=10.0, help='frame rate for ids that are not capture times'
    )
    p.add_argument('--max-pairs', type=int, default=None)
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    return p


def _stamps(pairs, rate):
    """Strictly increasing stamps: capture times when the ids are timestamps, else i / rate."""
    stamps = np.array([p.timestamp for p in pairs], dtype=np.float64)
    if stamps.size and stamps.min() < MIN_CAPTURE_TIME:
        return T0_WITHOUT_TIMESTAMPS + np.arange(len(pairs)) / rate
    for i in range(1, len(stamps)):                 # ids with one-second resolution may repeat
        if stamps[i] <= stamps[i - 1]:
            stamps[i] = stamps[i - 1] + 1e-3
    return stamps


def convert(
    folder,
    out,
    storage='sqlite3',
    compressed=False,
    depth_scale=0.001,
    fx=None,
    rate=10.0,
    max_pairs=None,
    progress=True,
):
    """Write the folder as a bag; returns the number of pairs written."""
    from depth_sr_ros.data.bags.writer import RGBDBagWriter
    from depth_sr_ros.data.image_folder import load_image_folder
    from depth_sr_ros.data.synthetic import default_intrinsics
    if rate <= 0:
        raise ValueError(f'--rate must be positive, got {rate}')
    if Path(out).exists():
        raise FileExistsError(f'{out} exists; choose a new output path')
    depth_only = not (Path(folder) / 'rgb').is_dir()
    pairs = load_image_folder(folder, depth_scale=depth_scale, max_pairs=max_pairs,
                              progress=progress, depth_only=depth_only)
    if not pairs:
        raise ValueError(f'{folder}: no rgb/depth pairs with matching ids')
    pairs.sort(key=lambda p: (p.timestamp, p.capture_id))
    stamps = _stamps(pairs, rate)
    iterator = zip(pairs, stamps)
    if progress:
        from tqdm import tqdm
        iterator = tqdm(iterator, total=len(pairs), desc=f'writing {Path(out).name}', unit='pair')
    with RGBDBagWriter(out, storage=storage, compressed=compressed) as writer:
        for pair, stamp in iterator:
            units = np.round(np.where(pair.valid, pair.depth, 0) / depth_scale)
            if units.max() > 65535:
                raise ValueError(
                    f'{pair.capture_id}: depth {units.max() * depth_scale:.2f} m does not fit '
                    f'16UC1 at {depth_scale} m per unit'
                )
            h, w = pair.depth.shape
            writer.write(None if depth_only else pair.rgb, units.astype(np.uint16),
                         default_intrinsics(w, h, fx), float(stamp))
    return len(pairs)


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        n = convert(
            args.folder,
            args.out,
            args.storage,
            args.compressed,
            args.depth_scale,
            args.fx,
            args.rate,
            args.max_pairs,
            progress=not args.quiet,
        )
    except (OSError, ValueError) as exc:
        print(f'folder_to_bag: error: {exc}', file=sys.stderr)
        return 1
    print(f'folder_to_bag: wrote {n} pairs to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
