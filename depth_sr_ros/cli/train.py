"""train entry point (placeholder until the trainer issue lands)."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog='train', description='Train DSRNet from RGB-D image folders.')
    parser.parse_known_args(argv)
    print('train: not implemented yet', file=sys.stderr)
    return 1


if __name__ == '__main__':
    sys.exit(main())
