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
Per-stream health counters and their /diagnostics form.

diagnostic_updater is not used: it is absent on PyPI, and a DiagnosticArray built here carries
the same information.

Counters are updated from two threads (subscription callbacks and the inference worker); a lock
keeps them consistent.
"""
import threading
import time

from depth_sr_ros.ros.conversions import CAUSES
import numpy as np

ALL_INVALID = (
    'all_invalid'  # counted and logged, yet published (an all-invalid frame is correct data)
)


class StreamStats:
    """Counts and timings of one input stream since start (totals) and since the last report."""

    def __init__(self, name, input_topic, output_topic):
        self.name, self.input_topic, self.output_topic = name, input_topic, output_topic
        self._lock = threading.Lock()
        self.received = self.published = self.dropped = 0
        self.rejected = {c: 0 for c in CAUSES}
        self.all_invalid = 0
        self.missing_info = 0
        self.info_size_mismatch = 0     # frames whose CameraInfo described another image size
        self.info_stamp_skew = 0  # frames whose CameraInfo stamp was far from theirs
        self.batched = 0  # frames that shared one upsample_batch call with other streams
        self.skipped_idle = 0           # frames not processed: no output had a subscriber (lazy)
        self.last_input = None          # monotonic time of the last image
        self._window_start = time.monotonic()
        self._win_in = self._win_out = 0
        self._inference_ms, self._latency_ms = [], []

    def on_input(self, replaced):
        with self._lock:
            self.received += 1
            self._win_in += 1
            self.dropped += int(replaced)
            self.last_input = time.monotonic()

    def on_rejected(self, cause):
        with self._lock:
            self.rejected[cause] += 1

    def on_all_invalid(self):
        with self._lock:
            self.all_invalid += 1

    def on_info_size_mismatch(self):
        with self._lock:
            self.info_size_mismatch += 1

    def on_info_stamp_skew(self):
        with self._lock:
            self.info_stamp_skew += 1

    def on_batched(self):
        with self._lock:
            self.batched += 1

    def on_skipped_idle(self):
        with self._lock:
            self.skipped_idle += 1

    def on_published(self, inference_ms, latency_ms, had_info):
        with self._lock:
            self.published += 1
            self._win_out += 1
            self.missing_info += int(not had_info)
            self._inference_ms.append(inference_ms)
            self._latency_ms.append(latency_ms)

    def seconds_without_input(self, started):
        last = self.last_input if self.last_input is not None else started
        return time.monotonic() - last

    def report(self):
        """Return a dict of figures for the window since the last report; start a new window."""
        with self._lock:
            now = time.monotonic()
            span = max(now - self._window_start, 1e-6)
            lat = np.array(self._latency_ms) if self._latency_ms else None
            out = {
                'input_rate_hz': self._win_in / span,
                'output_rate_hz': self._win_out / span,
                'inference_ms': float(np.mean(self._inference_ms)) if self._inference_ms else None,
                'latency_ms_median': float(np.median(lat)) if lat is not None else None,
                'latency_ms_max': float(lat.max()) if lat is not None else None,
                'frames_received': self.received, 'frames_published': self.published,
                'frames_dropped': self.dropped, 'frames_all_invalid': self.all_invalid,
                'frames_without_camera_info': self.missing_info,
                'frames_camera_info_size_mismatch': self.info_size_mismatch,
                'frames_camera_info_stamp_skew': self.info_stamp_skew,
                'frames_batched_with_other_streams': self.batched,
                'frames_skipped_idle': self.skipped_idle,
                **{f'rejected_{c}': n for c, n in self.rejected.items()},
            }
            self._window_start, self._win_in, self._win_out = now, 0, 0
            self._inference_ms, self._latency_ms = [], []
            return out


def _fmt(v):
    if v is None:
        return 'n/a'
    if isinstance(v, float):
        return f'{v:.2f}'
    return str(v)


def status_message(node_name, stats, figures, model_id, device, stale_s, warn_after_s, idle=None):
    """
    Build a DiagnosticStatus for one stream: OK, or WARN when input is stale or frames rejected.

    ``idle``: why the stream runs no inference now (lazy, inactive), said first in the message.
    """
    from diagnostic_msgs.msg import DiagnosticStatus, KeyValue
    st = DiagnosticStatus()
    st.name = f'{node_name}: {stats.input_topic}'
    st.hardware_id = stats.input_topic
    problems = []
    if stale_s >= warn_after_s:
        problems.append(f'no input for {stale_s:.1f} s')
    rejected = sum(v for k, v in figures.items() if k.startswith('rejected_'))
    if rejected:
        problems.append(f'{rejected} frames rejected')
    if figures.get('frames_camera_info_size_mismatch'):
        problems.append(
            f"{figures['frames_camera_info_size_mismatch']} frames with a CameraInfo of "
            'another image size'
        )
    if figures.get('frames_camera_info_stamp_skew'):
        problems.append(f"{figures['frames_camera_info_stamp_skew']} frames with a CameraInfo "
                        'stamped far from the image')
    st.level = DiagnosticStatus.WARN if problems else DiagnosticStatus.OK
    st.message = '; '.join(([idle] if idle else []) + problems) or 'ok'
    values = {'input_topic': stats.input_topic, 'output_topic': stats.output_topic,
              'model_id': model_id, 'device': device, **figures}
    st.values = [KeyValue(key=k, value=_fmt(v)) for k, v in values.items()]
    return st
