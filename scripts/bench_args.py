"""What the PyTorch benchmarks share: the command line (sizes, cells and seconds per timing) and
the name of the BLAS library torch runs on."""
import argparse
import os

import torch


def bench_arguments(sizes, cells, seconds):
    """A parser with --sizes, --cells and --seconds and these defaults (more arguments may be added)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=sizes)
    parser.add_argument("--cells", default=cells)
    parser.add_argument("--seconds", type=float, default=seconds)
    return parser


def blas_library():
    """The BLAS torch actually called (Debian's torch links libblas.so.3, which the alternatives
    system points at the reference BLAS or at OpenBLAS: their speeds differ several-fold)."""
    torch.mm(torch.ones(64, 64, dtype=torch.float64), torch.ones(64, 64, dtype=torch.float64))
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line or "mkl" in line}
    except OSError:
        return "unknown"
    return ", ".join(sorted(os.path.realpath(p) for p in paths if p.startswith("/"))) or "built in"
