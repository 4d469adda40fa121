"""train_from_bag entry point (placeholder until the bag issue lands)."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog='train_from_bag', description='Train DSRNet from RGB-D rosbags.')
    parser.parse_known_args(argv)
    print('train_from_bag: not implemented yet', file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
