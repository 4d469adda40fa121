"""Inference: load an exported DSRNet and super-resolve depth frames (ROS-free)."""
