"""The node's own Fast DDS participant settings, applied before rclpy.init when the user set none.

Why: with Fast DDS's default transports a writer's shared-memory segment is 512 KB. A 640x480
16UC1 output image (614 KB, sent as ~64 KB fragments) does not fit, so while it is written the
segment recycles its oldest buffers that the reader has not started reading - the CameraInfo the
node published just before it. The reliable protocol repairs such a loss only after the reader
hears a heartbeat for that sample, and a small CameraInfo sample carries none of its own, so the
CameraInfo is often replaced in the keep-last history before it is resent: the consumer gets the
image without its CameraInfo (docs/NODE.md, "CameraInfo pairing").

What: unless the user configured Fast DDS (FASTDDS_DEFAULT_PROFILES_FILE, the legacy
FASTRTPS_DEFAULT_PROFILES_FILE, RMW_FASTRTPS_USE_QOS_FROM_XML or FASTDDS_BUILTIN_TRANSPORTS in
the environment) or another RMW is selected, point FASTDDS_DEFAULT_PROFILES_FILE at the shipped
config/fastdds_shm.xml for this process. DEPTH_SR_FASTDDS_PROFILE overrides the choice: a path
to use instead, or 'none' to leave Fast DDS's defaults. :func:`in_force` says which applies, for
the start-up log line.
"""
import os
from pathlib import Path

PROFILE_ENV = 'FASTDDS_DEFAULT_PROFILES_FILE'
CHOICE_ENV = 'DEPTH_SR_FASTDDS_PROFILE'
# Any of these set means the user configured Fast DDS: theirs wins.
USER_ENV = (PROFILE_ENV, 'FASTRTPS_DEFAULT_PROFILES_FILE', 'RMW_FASTRTPS_USE_QOS_FROM_XML',
            'FASTDDS_BUILTIN_TRANSPORTS')
SHIPPED = 'config/fastdds_shm.xml'

_in_force = None


def shipped_profile():
    """config/fastdds_shm.xml in the package share directory, else in the source tree."""
    try:
        from ament_index_python.packages import PackageNotFoundError, get_package_share_directory
        try:
            path = Path(get_package_share_directory('depth_sr_ros')) / SHIPPED
            if path.is_file():
                return path
        except (PackageNotFoundError, OSError):
            pass
    except ImportError:
        pass
    return Path(__file__).resolve().parents[2] / SHIPPED


def apply(environ=None):
    """Choose this process's Fast DDS participant profile (call before rclpy.init).

    Returns and remembers a one-line description of what is in force."""
    global _in_force
    env = os.environ if environ is None else environ
    rmw = env.get('RMW_IMPLEMENTATION', 'rmw_fastrtps_cpp') or 'rmw_fastrtps_cpp'
    choice = env.get(CHOICE_ENV, '').strip()
    user = [name for name in USER_ENV if env.get(name)]
    if not rmw.startswith('rmw_fastrtps'):
        _in_force = f'transport: {rmw} (its own settings; the Fast DDS profile does not apply)'
    elif user:
        _in_force = (f'transport: Fast DDS as configured by the environment ({", ".join(user)}'
                     + (f'={env[PROFILE_ENV]}' if PROFILE_ENV in user else '') + ')')
    elif choice.lower() == 'none':
        _in_force = (f'transport: Fast DDS defaults ({CHOICE_ENV}=none; frames larger than '
                     '512 KB may lose their CameraInfo, see docs/NODE.md)')
    else:
        path = Path(choice) if choice else shipped_profile()
        if not path.is_file():
            _in_force = (f'transport: Fast DDS defaults (profile {path} not found; frames larger '
                         'than 512 KB may lose their CameraInfo)')
        else:
            env[PROFILE_ENV] = str(path)
            _in_force = f'transport: Fast DDS with profile {path} (set by depth_sr_node)'
    return _in_force


def in_force():
    """What :func:`apply` chose, or what the environment says when it was not called."""
    return _in_force or 'transport: as configured by the process (in-process node)'
