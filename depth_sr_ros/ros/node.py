"""depth_sr_node entry point (placeholder until the node issue lands)."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog='depth_sr_node', description='Depth super-resolution node.')
    parser.parse_known_args(argv)
    print('depth_sr_node: not implemented yet', file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
