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
Teacher/student role exchange (Algorithm 1, step 2) at three granularities.

Returns, for each network, a weight map saying where it is the *student* (receives the
distillation and structure terms). The teacher's outputs are detached by the caller, so
gradients only ever reach the student, and per pixel only where the other network is better.
"""
from collections import deque

import torch


class GlobalRoles:
    """Literal Algorithm 1: compare average errors e_dsr, e_de over the last ``window`` steps."""

    def __init__(self, window=50):
        self.e_dsr = deque(maxlen=window)
        self.e_de = deque(maxlen=window)

    def update(self, err_dsr, err_de):
        self.e_dsr.append(float(err_dsr))
        self.e_de.append(float(err_de))

    def dsr_is_student(self):
        if not self.e_dsr:
            return False
        return sum(self.e_dsr) / len(self.e_dsr) > sum(self.e_de) / len(self.e_de)

    def state_dict(self):
        return {'e_dsr': list(self.e_dsr), 'e_de': list(self.e_de)}

    def load_state_dict(self, state):
        self.e_dsr.clear()
        self.e_dsr.extend(state['e_dsr'])
        self.e_de.clear()
        self.e_de.extend(state['e_de'])


def student_maps(granularity, err_sr, err_de, valid, dsr_is_student=False):
    """
    (B,1,H,W) per-pixel errors -> (dsr_student, de_student) weight maps (B,1,H,W), 0/1 floats.

    global: one role for everyone, ``dsr_is_student`` (the loop takes it from GlobalRoles'
    running averages, all-reduced across DDP ranks); per_sample: per image of the batch
    from masked mean errors; per_pixel: each pixel where the other network is closer to D_hr.
    """
    err_sr, err_de = err_sr.detach(), err_de.detach()
    if granularity == 'per_pixel':
        dsr_student = (err_de < err_sr).float() * valid
        de_student = (err_sr < err_de).float() * valid
        return dsr_student, de_student
    if granularity == 'per_sample':
        den = valid.flatten(1).sum(1).clamp_min(1)
        e_sr = (err_sr * valid).flatten(1).sum(1) / den
        e_de = (err_de * valid).flatten(1).sum(1) / den
        flag = (e_sr > e_de).float().view(-1, 1, 1, 1)
        return flag * valid, (1 - flag) * valid
    if granularity == 'global':
        flag = 1.0 if dsr_is_student else 0.0
        return flag * valid, (1.0 - flag) * valid
    raise ValueError(f'unknown granularity {granularity!r}')


def pooled_rows(student_map, grid):
    """Student weight per affinity row: fraction of the grid cell where the network is student."""
    return torch.nn.functional.adaptive_avg_pool2d(student_map, grid).flatten(1)
