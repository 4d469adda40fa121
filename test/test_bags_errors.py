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

"""Broken inputs fail with one clear error naming the bag / topic / encoding."""
from bag_factory import _BagWriter, bag_data_file, image_msg, write_rgbd_bag
from depth_sr_ros.data.bags import (
    BagError,
    BagReadError,
    DecodeError,
    find_bags,
    read_bag,
    TopicError,
)
import numpy as np
import pytest

STORAGES = {'sqlite3': 'b', 'mcap': 'b', 'ros1': 'b.bag', 'mcap-file': 'b.mcap'}


@pytest.mark.parametrize('storage', list(STORAGES))
def test_truncated_bag(tmp_path, storage):
    bag = tmp_path / STORAGES[storage]
    write_rgbd_bag(bag, storage=storage, n=4, size=(64, 48))
    f = bag_data_file(bag)
    data = f.read_bytes()
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(BagError) as err:
        read_bag(bag, progress=False)
    assert str(bag) in str(err.value)
    assert isinstance(err.value, BagReadError) and 'truncated' in str(err.value)


@pytest.mark.parametrize('storage', list(STORAGES))
def test_garbage_bag(tmp_path, storage):
    bag = tmp_path / STORAGES[storage]
    write_rgbd_bag(bag, storage=storage, n=2)
    f = bag_data_file(bag)
    f.write_bytes(b'\x00garbage' * 1000)
    with pytest.raises(BagReadError, match='corrupt|truncated'):
        read_bag(bag, progress=False)


def test_not_a_bag(tmp_path):
    (tmp_path / 'x.txt').write_text('hello')
    with pytest.raises(BagReadError, match='not a bag'):
        find_bags([tmp_path / 'x.txt'])
    with pytest.raises(BagReadError, match='no such file'):
        find_bags([tmp_path / 'missing'])
    (tmp_path / 'empty').mkdir()
    with pytest.raises(BagReadError, match='holds no bags'):
        find_bags([tmp_path / 'empty'])


def test_no_depth_topic(tmp_path):
    write_rgbd_bag(tmp_path / 'b', n=2, depth='none', extra_topics=True)
    with pytest.raises(TopicError, match='no depth topic in the bag') as err:
        read_bag(tmp_path / 'b', progress=False)
    assert '/camera/color/image_raw' in str(err.value)         # the table of what is there


def test_unsupported_encoding(tmp_path):
    bag = tmp_path / 'b'
    w = _BagWriter(bag, 'sqlite3')
    for i in range(2):
        h = w.header(10.0 + i / 15, 'cam')
        w.write('/cam/color/image_raw', 'sensor_msgs/msg/Image',
                image_msg(w, h, np.zeros((4, 6, 3), np.uint8), 'rgb8'), 10.0 + i / 15)
        w.write('/cam/depth/image_raw', 'sensor_msgs/msg/Image',
                image_msg(w, h, np.zeros((4, 6), np.float64), '64FC1'), 10.0 + i / 15)
    w.close()
    # 64FC1 is not a depth encoding we know: the topic is listed but not a depth candidate
    with pytest.raises(TopicError, match='no depth topic'):
        read_bag(bag, progress=False)
    with pytest.raises(TopicError, match='64FC1'):
        read_bag(bag, progress=False)


def test_truncated_image_payload(tmp_path):
    bag = tmp_path / 'b'
    w = _BagWriter(bag, 'mcap')
    for i in range(2):
        h = w.header(10.0 + i / 15, 'cam')
        w.write('/cam/color/image_raw', 'sensor_msgs/msg/Image',
                image_msg(w, h, np.zeros((4, 6, 3), np.uint8), 'rgb8'), 10.0 + i / 15)
        msg = image_msg(w, h, np.full((4, 6), 1000, np.uint16), '16UC1')
        msg.data = msg.data[:20]                   # 4 rows x 12 bytes expected
        w.write('/cam/depth/image_raw', 'sensor_msgs/msg/Image', msg, 10.0 + i / 15)
    w.close()
    with pytest.raises(
        DecodeError, match=r'/cam/depth/image_raw message 0: Image data has 20 bytes, expected 48'
    ):
        read_bag(bag, progress=False)
