"""Training (ROS-free): Algorithm 1 of CTKT and the DSRNet-alone baseline."""
from depth_sr_ros.training.config import TrainConfig
from depth_sr_ros.training.loop import fit

__all__ = ['TrainConfig', 'fit']
