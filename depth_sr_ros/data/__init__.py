"""Data: image folders, rosbags, degradation (HR -> LR), normalisation, crops."""
