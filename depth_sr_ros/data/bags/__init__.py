"""RGB-D rosbags -> RGBDPairs (rosbags library, no ROS install): topics, decoding, pairing,
registration, cache. Entry points: :func:`read_bags`, :func:`list_topics`."""
from depth_sr_ros.data.bags.errors import BagError, BagReadError, DecodeError, RegistrationError, TopicError
from depth_sr_ros.data.bags.reader import BagReadOptions, find_bags, list_topics, read_bag, read_bags

__all__ = ['BagError', 'BagReadError', 'DecodeError', 'RegistrationError', 'TopicError', 'BagReadOptions',
           'find_bags', 'list_topics', 'read_bag', 'read_bags']
