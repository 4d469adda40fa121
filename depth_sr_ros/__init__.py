"""depth_sr_ros: single depth super-resolution for ROS 2.

The core (nets, training, data, inference) is ROS-free and never imports rclpy; only
``depth_sr_ros.ros`` does, and only when a node is started.
"""
__version__ = '0.1.0'
