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
The init blend chosen by measured forgetting (``TrainConfig.max_forgetting``).

How much a blend forgets differs between sensors and runs (docs/research/adaptation.md, tables
5 and 18), so no fixed blend keeps every user within a limit. Held-out frames of the data the
user wants to keep (``train_from_bag --replay-bag``) measure it: the exported weights are the
most fine-tuned blend that stays within the limit there.
"""
import copy

# Tried from the fine-tuned weights down; the first within the limit is exported.
BLENDS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)


def choose_blend(net, init, pairs, scale, samplings, limit, unit_to_cm=100.0, log=None):
    """
    Return (blend, tried): the largest of BLENDS losing at most ``limit`` points on ``pairs``.

    Points: % lower RMSE than bicubic, mean over ``samplings``, of the init model minus that of
    the blend. ``tried`` lists {'blend', 'gain_pct', 'forgetting_points'} per blend scored; when
    none is within the limit the smallest blend is returned (``tried`` shows by how much).
    """
    from depth_sr_ros.inference import DepthSuperResolver
    from depth_sr_ros.training.comparison import gain_pct
    from depth_sr_ros.training.evaluate import evaluate_samplings, sampling_frames
    from depth_sr_ros.training.init_model import blended, load_init_weights

    frames = sampling_frames(pairs, scale, samplings)

    def score(model):
        resolver = DepthSuperResolver(model.cpu().eval(), {}, 'cpu', torchscript=False)
        return gain_pct(evaluate_samplings(resolver, frames, unit_to_cm))

    init_net = load_init_weights(copy.deepcopy(net).cpu(), init)     # read and checked once
    kept = score(init_net)
    tried = []
    for blend in BLENDS:
        gain = score(blended(net, init, blend, init_net))
        tried.append({'blend': blend, 'gain_pct': gain, 'forgetting_points': kept - gain})
        if log:
            log(f'blend {blend:.1f}: {kept - gain:+.2f} points lost on {len(pairs)} held-out '
                f'frames (limit {limit:g})')
        if kept - gain <= limit:
            return blend, tried
    return BLENDS[-1], tried
