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

Localhost-only discovery (ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST, or ROS_LOCALHOST_ONLY=1):
rmw_fastrtps then adds its own shared-memory transport, with Fast DDS's default 512 KB segment,
beside the profile's transports, and the node's samples go through that segment too (the node
maps a 549,408-byte segment beside the 16 MB one), so the loss above came back in one CI run.
With the shipped profile the node then uses config/fastdds_shm_localhost.xml, which sets up the
same discovery rmw's LOCALHOST mode does (unicast to 127.0.0.1 for up to 32 participants, no
multicast) with only the 16 MB segment, and asks rmw for nothing more
(ROS_AUTOMATIC_DISCOVERY_RANGE=SYSTEM_DEFAULT for this process). With ROS_STATIC_PEERS set, or a
profile of the user's, rmw's LOCALHOST handling is left as it is.
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
LOCALHOST_PROFILE = 'fastdds_shm_localhost.xml'   # beside SHIPPED

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


def localhost_only(environ):
    """Return True when rmw will run this process's discovery in its LOCALHOST mode."""
    wanted = environ.get('ROS_AUTOMATIC_DISCOVERY_RANGE', '').strip().upper()
    return wanted == 'LOCALHOST' or (not wanted and environ.get('ROS_LOCALHOST_ONLY') == '1')


def for_discovery_range(path, environ):
    """
    Return (profile path, note): the shipped profile's localhost variant where it is needed.

    Only for the shipped profile (a file named like it with the variant beside it), in
    localhost-only discovery without static peers; the process's discovery range is then left
    to the profile (see the module docstring).
    """
    variant = Path(path).with_name(LOCALHOST_PROFILE)
    if (Path(path).name != Path(SHIPPED).name or not variant.is_file()
            or not localhost_only(environ) or environ.get('ROS_STATIC_PEERS')):
        return Path(path), ''
    environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'SYSTEM_DEFAULT'
    environ.pop('ROS_LOCALHOST_ONLY', None)
    return variant, ', localhost-only discovery set up by the profile'


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
        note = ''
        if given:
            variant, note = for_discovery_range(given, env)
            if note:
                given = str(variant)
                passed = [name for name in wanted if env.get(name) != given]
        for name in passed:
            env[name] = given
        _in_force = (f'transport: Fast DDS as configured by the environment ({", ".join(user)}'
                     + (f'; profile {given}' if given else '')
                     + (f', passed on as {", ".join(passed)}' if passed else '') + note + ')')
    elif choice.lower() == 'none':
        _in_force = (f'transport: Fast DDS defaults ({CHOICE_ENV}=none: images over 512 KB can '
                     'lose their CameraInfo between processes)')
    else:
        path = Path(choice) if choice else shipped_profile()
        note = ''
        if path.is_file():
            path, note = for_discovery_range(path, env)
        if not path.is_file():
            _in_force = (f'transport: Fast DDS defaults (profile {path} not found: images over '
                         '512 KB can lose their CameraInfo between processes)')
        else:
            for name in wanted:
                env[name] = str(path)
            _in_force = (f'transport: Fast DDS with profile {path} (16 MB shared memory{note}; '
                         f'set by depth_sr_node as {", ".join(wanted)})')
    return _in_force


def in_force():
    """Return what :func:`apply` chose (a placeholder when it was not called: in-process node)."""
    return _in_force or 'transport: as configured by the process (in-process node)'
