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
RGB-D rosbags -> RGBDPairs (rosbags library, no ROS install).

Topics, decoding, pairing, registration, cache. Entry points: :func:`read_bags`,
:func:`list_topics`.
"""
from depth_sr_ros.data.bags.errors import (
    BagError,
    BagReadError,
    DecodeError,
    RegistrationError,
    TopicError,
)
from depth_sr_ros.data.bags.reader import (
    BagReadOptions,
    find_bags,
    list_topics,
    read_bag,
    read_bags,
)

__all__ = [
    'BagError',
    'BagReadError',
    'DecodeError',
    'RegistrationError',
    'TopicError',
    'BagReadOptions',
    'find_bags',
    'list_topics',
    'read_bag',
    'read_bags',
]
