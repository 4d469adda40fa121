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
Errors raised while reading RGB-D bags.

Each message names the bag, topic or transform at fault.
"""


class BagError(Exception):
    """Any problem turning a bag into RGB-D pairs (the CLI prints it and exits non-zero)."""


class BagReadError(BagError):
    """The bag cannot be opened or read (missing, corrupt, truncated, unknown storage)."""


class TopicError(BagError):
    """
    A needed topic is missing or the automatic choice is ambiguous.

    The message lists the candidates.
    """


class DecodeError(BagError):
    """An image message cannot be decoded (unsupported encoding, wrong size, bad payload)."""


class RegistrationError(BagError):
    """
    Depth must be registered into the colour camera but cannot be.

    The CameraInfo or the transform is missing.
    """
