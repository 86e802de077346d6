"""The command line both PyTorch benchmarks share: sizes, cells and seconds per timing."""
import argparse


def bench_arguments(sizes, cells, seconds):
    """A parser with --sizes, --cells and --seconds and these defaults (more arguments may be added)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=sizes)
    parser.add_argument("--cells", default=cells)
    parser.add_argument("--seconds", type=float, default=seconds)
    return parser
