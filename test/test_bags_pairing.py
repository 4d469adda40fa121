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

"""Time pairing, subsampling, near-duplicate skip and the decoded-pair cache."""
import os

from bag_factory import write_rgbd_bag
from depth_sr_ros.data.bags import BagReadOptions, read_bag, read_bags
from depth_sr_ros.data.bags import cache as bag_cache
from depth_sr_ros.data.bags.pairing import default_slop, match_by_time, subsample
import numpy as np
import pytest


def test_match_by_time_one_to_one_with_reasons():
    colour = [0.0, 0.1, 0.2, 0.3, 0.4]
    depth = [
        0.004,
        0.104,
        0.25,
        0.404,
        0.41,
        0.9,
    ]  # 0.2 has its depth 50 ms late; 0.41 is a repeat
    m = match_by_time(colour, depth, slop_s=0.02)
    assert m.pairs == [(0, 0), (1, 1), (4, 3)]
    assert m.dropped == {
        'colour_without_depth_within_slop': 2,
        'depth_without_colour_within_slop': 3,
    }
    assert m.offsets_s == pytest.approx([0.004, 0.004, 0.004])
    assert default_slop(np.arange(10) / 30, np.arange(10) / 15) == pytest.approx(0.5 / 15)
    with pytest.raises(ValueError, match='slop'):
        match_by_time(colour, depth, 0)


def test_subsample_every_and_max_pairs_spread():
    pairs = [(i, i) for i in range(100)]
    kept, dropped = subsample(pairs, every=2)
    assert len(kept) == 50 and dropped == {'every': 50}
    kept, dropped = subsample(pairs, every=1, max_pairs=5)
    assert [p[0] for p in kept] == [0, 25, 50, 74, 99] and dropped == {'max_pairs': 95}
    with pytest.raises(ValueError, match='--every'):
        subsample(pairs, every=0)


def test_bag_pairing_counts_and_options(tmp_path):
    bag = tmp_path / 'b'
    write_rgbd_bag(bag, n=12, depth_delay_s=0.006)
    pairs, s = read_bag(
        bag, BagReadOptions(every=2, max_pairs=4, dedup_threshold=0), progress=False
    )
    assert len(pairs) == 4 and s['matched'] == 12
    assert s['dropped'] == {'every': 6, 'max_pairs': 2}
    # a slop below the 6 ms lag pairs nothing and says so
    with pytest.raises(Exception, match=r'no colour/depth pairs within slop 2\.0 ms'):
        read_bag(bag, BagReadOptions(slop_s=0.002), progress=False)


def test_robot_standing_still_is_skipped(tmp_path):
    bag = tmp_path / 'still'
    write_rgbd_bag(bag, n=6, static=True)
    pairs, s = read_bag(bag, BagReadOptions(), progress=False)
    assert len(pairs) == 1 and s['dropped'] == {'near_duplicate': 5}
    pairs, s = read_bag(bag, BagReadOptions(dedup_threshold=0), progress=False)
    assert len(pairs) == 6


def test_empty_depth_frames_are_dropped_or_fail_clearly(tmp_path):
    bag = tmp_path / 'b'
    write_rgbd_bag(bag, n=3)
    with pytest.raises(Exception, match='are empty'):
        read_bag(bag, BagReadOptions(min_valid_fraction=0.999), progress=False)


def test_cache_hit_skips_decoding_and_is_keyed_by_options_and_content(tmp_path):
    bag = tmp_path / 'b'
    write_rgbd_bag(bag, n=4)
    cache = tmp_path / 'cache'
    opts = BagReadOptions(dedup_threshold=0)
    first, s1 = read_bags([bag], opts, cache_dir=cache, progress=False)
    assert s1['bags'][0]['cache'].startswith('miss')
    entries = list(cache.glob('*.npz'))
    assert len(entries) == 1 and not list(cache.glob('.*tmp'))
    second, s2 = read_bags([bag], opts, cache_dir=cache, progress=False)
    assert s2['bags'][0]['cache'] == 'hit'
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.rgb, b.rgb)
        np.testing.assert_array_equal(a.depth, b.depth)
        np.testing.assert_array_equal(a.valid, b.valid)
        assert (a.capture_id, a.timestamp, a.meta) == (b.capture_id, b.timestamp, b.meta)
    # other options -> another entry
    read_bags([bag], BagReadOptions(every=2, dedup_threshold=0), cache_dir=cache, progress=False)
    assert len(list(cache.glob('*.npz'))) == 2
    # changed bag content -> miss
    data_file = next(p for p in bag.iterdir() if p.suffix == '.db3')
    os.utime(data_file, ns=(1, 1))
    _, s3 = read_bags([bag], opts, cache_dir=cache, progress=False)
    assert s3['bags'][0]['cache'].startswith('miss')
    # a damaged entry is ignored and rebuilt
    key = bag_cache.cache_path(cache, bag, opts.to_dict())
    key.write_bytes(b'garbage')
    _, s4 = read_bags([bag], opts, cache_dir=cache, progress=False)
    assert (
        s4['bags'][0]['cache'].startswith('miss')
        and bag_cache.load_pairs(key, str(bag)) is not None
    )
