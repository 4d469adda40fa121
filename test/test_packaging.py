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

"""The ROS-free core must import without rclpy; entry points must be wired."""
import subprocess
import sys
import textwrap


def test_core_imports_without_rclpy():
    # Make rclpy unimportable, then import every ROS-free subpackage.
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == 'rclpy' or name.startswith('rclpy.'):
                    raise ImportError('rclpy blocked for this test')
        sys.meta_path.insert(0, Block())
        import depth_sr_ros, depth_sr_ros.nets, depth_sr_ros.training, depth_sr_ros.data
        import depth_sr_ros.inference, depth_sr_ros.ros.node, depth_sr_ros.data.bags
        import depth_sr_ros.training.loop, depth_sr_ros.cli.train, depth_sr_ros.cli.train_from_bag
        import depth_sr_ros.cli.folder_to_bag, depth_sr_ros.data.synthetic
        import depth_sr_ros.data.image_folder
        assert 'rclpy' not in sys.modules
        print('ok')
    """)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == 'ok'
