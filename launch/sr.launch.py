"""Placeholder: replaced by the node issue."""
