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
The node's own Fast DDS participant settings, applied before rclpy.init when the user set none.

Why: with Fast DDS's default transports a writer's shared-memory segment is 512 KB. A 640x480
16UC1 output image (614 KB, sent as ~64 KB fragments) does not fit, so while it is written the
segment recycles its oldest buffers that the reader has not started reading - often the
CameraInfo published just before it. Fragments of the image are repaired at once (a large
sample brings a heartbeat with it); the small CameraInfo waits for a later heartbeat, its resend
meets the next image's fragments, and the keep-last history drops it: the consumer gets the
image without its CameraInfo (docs/research/camera_info_pairing.md).

What: unless the user configured Fast DDS (a profile file variable, RMW_FASTRTPS_USE_QOS_FROM_XML
or FASTDDS_BUILTIN_TRANSPORTS) or another RMW is selected, give this process the shipped
config/fastdds_shm.xml (16 MB segment). The variable's name depends on the Fast DDS version:
2.x (Humble, Jazzy) reads only FASTRTPS_DEFAULT_PROFILES_FILE, 3.x (Kilted on) reads
FASTDDS_DEFAULT_PROFILES_FILE and warns about the old name; a profile given under the other
version's name is passed on under the right one. DEPTH_SR_FASTDDS_PROFILE overrides the choice:
a path to use instead, or 'none' for Fast DDS's defaults. :func:`in_force` says what applies,
for the start-up log line.
"""
import os
from pathlib import Path

PROFILE_ENV = 'FASTDDS_DEFAULT_PROFILES_FILE'          # Fast DDS 3.x
LEGACY_PROFILE_ENV = 'FASTRTPS_DEFAULT_PROFILES_FILE'  # Fast DDS 2.x
CHOICE_ENV = 'DEPTH_SR_FASTDDS_PROFILE'
# Any of these set means the user configured Fast DDS: theirs wins.
USER_ENV = (PROFILE_ENV, LEGACY_PROFILE_ENV, 'RMW_FASTRTPS_USE_QOS_FROM_XML',
            'FASTDDS_BUILTIN_TRANSPORTS')
FASTDDS_2_DISTROS = ('foxy', 'galactic', 'humble', 'iron', 'jazzy')
SHIPPED = 'config/fastdds_shm.xml'

_in_force = None


def shipped_profile():
    """config/fastdds_shm.xml in the package share directory, else in the source tree."""
    try:
        from ament_index_python.packages import get_package_share_directory, PackageNotFoundError
        try:
            path = Path(get_package_share_directory('depth_sr_ros')) / SHIPPED
            if path.is_file():
                return path
        except (PackageNotFoundError, OSError):
            pass
    except ImportError:
        pass
    return Path(__file__).resolve().parents[2] / SHIPPED


def fastdds_major(environ):
    """Return 2 or 3 for the Fast DDS this process will load; None when it cannot tell."""
    from importlib import metadata
    for dist, major in (('ros-fastdds', 3), ('ros-fastrtps', 2)):  # the PyPI wheels
        try:
            metadata.version(dist)
            return major
        except metadata.PackageNotFoundError:
            pass
    distro = environ.get('ROS_DISTRO', '').strip().lower()
    if distro:
        return 2 if distro in FASTDDS_2_DISTROS else 3
    return None


def profile_variables(major):
    """Return the profile-file variable names this Fast DDS reads (both when unknown)."""
    both = (PROFILE_ENV, LEGACY_PROFILE_ENV)
    return {2: (LEGACY_PROFILE_ENV,), 3: (PROFILE_ENV,)}.get(major, both)


def apply(environ=None):
    """
    Choose this process's Fast DDS participant profile (call before rclpy.init).

    Returns and remembers a one-line description of what is in force.
    """
    global _in_force
    env = os.environ if environ is None else environ
    rmw = env.get('RMW_IMPLEMENTATION', '') or 'rmw_fastrtps_cpp'
    choice = env.get(CHOICE_ENV, '').strip()
    user = [name for name in USER_ENV if env.get(name)]
    wanted = profile_variables(fastdds_major(env))
    if not rmw.startswith('rmw_fastrtps'):
        _in_force = f'transport: {rmw} (its own settings; the Fast DDS profile does not apply)'
    elif user:
        names = wanted + tuple(n for n in (PROFILE_ENV, LEGACY_PROFILE_ENV) if n not in wanted)
        given = next((env[name] for name in names if env.get(name)), '')
        passed = [name for name in wanted if given and not env.get(name)]
        for name in passed:
            env[name] = given
        _in_force = (f'transport: Fast DDS as configured by the environment ({", ".join(user)}'
                     + (f'; profile {given}' if given else '')
                     + (f', passed on as {", ".join(passed)}' if passed else '') + ')')
    elif choice.lower() == 'none':
        _in_force = (f'transport: Fast DDS defaults ({CHOICE_ENV}=none: images over 512 KB can '
                     'lose their CameraInfo between processes)')
    else:
        path = Path(choice) if choice else shipped_profile()
        if not path.is_file():
            _in_force = (f'transport: Fast DDS defaults (profile {path} not found: images over '
                         '512 KB can lose their CameraInfo between processes)')
        else:
            for name in wanted:
                env[name] = str(path)
            _in_force = (f'transport: Fast DDS with profile {path} (16 MB shared memory; set by '
                         f'depth_sr_node as {", ".join(wanted)})')
    return _in_force


def in_force():
    """Return what :func:`apply` chose (a placeholder when it was not called: in-process node)."""
    return _in_force or 'transport: as configured by the process (in-process node)'
