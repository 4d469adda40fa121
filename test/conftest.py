"""Shared fixtures: keep torch to one thread per test process so parallel work stays fair."""
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture
def tiny_model_dir(tmp_path):
    """An exported (untrained) tiny DSRNet x4 model directory."""
    from depth_sr_ros.inference import save_model
    from depth_sr_ros.nets.dsrnet import DSRNet, DSRNetConfig
    torch.manual_seed(0)
    net = DSRNet(DSRNetConfig(scale=4, channels=8, hr_channels=2, num_blocks=2, up_kernel=1))
    return save_model(tmp_path / 'tiny_x4', net, {'training_data': 'none (test model)'})
