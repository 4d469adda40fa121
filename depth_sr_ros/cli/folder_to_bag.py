"""folder_to_bag entry point (placeholder until the bag issue lands)."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog='folder_to_bag', description='Write an RGB-D image folder as a rosbag2.')
    parser.parse_known_args(argv)
    print('folder_to_bag: not implemented yet', file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
