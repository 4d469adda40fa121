"""Inference: load an exported DSRNet and super-resolve depth frames (ROS-free)."""
from depth_sr_ros.inference.export import ModelLoadError, load_model, save_model
from depth_sr_ros.inference.resolver import DepthSuperResolver, select_device

__all__ = ['DepthSuperResolver', 'ModelLoadError', 'load_model', 'save_model', 'select_device']
