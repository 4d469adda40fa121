"""The ROS 2 node and message conversion. The only part of the package that imports rclpy."""
