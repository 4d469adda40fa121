"""Networks and losses: DSRNet (deployed), DENet, side-output heads, affinity, SPNet (training only)."""
