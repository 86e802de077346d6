"""Training throughput of PyTorch on CPU, the same problem as bench/train.ts (run with
/usr/bin/python3, Debian's python3-torch): batch 32, length 50, 64 one-hot inputs, a linear
readout to 64 classes, cross-entropy at every step, Adam, float32. One JSON line per
(cell, hidden, threads): {"cell", "hidden", "threads", "seqPerSec"}; threads 1 and all
cores (os.cpu_count(); torch's own default may be 1 in containers). Throughput is the best of several ~0.3 s rounds, as in bench/train.ts.

    /usr/bin/python3 scripts/bench_torch_train.py [--sizes 64,128,256] [--cells lstm,gru] [--seconds 3]
"""

from bench_args import bench_arguments
import json
import os
import time

import torch
import torch.nn.functional as F
from torch import nn

BATCH, STEPS, VOCAB = 32, 50, 64


def throughput(cell, hidden, seconds):
    torch.manual_seed(1)
    rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(VOCAB, hidden, batch_first=True)
    readout = nn.Linear(hidden, VOCAB)
    optimizer = torch.optim.Adam(list(rnn.parameters()) + list(readout.parameters()), lr=1e-3)
    x = F.one_hot(torch.randint(0, VOCAB, (BATCH, STEPS)), VOCAB).float()
    y = torch.randint(0, VOCAB, (BATCH, STEPS))

    def step():
        optimizer.zero_grad()
        out, _ = rnn(x)
        loss = F.cross_entropy(readout(out).reshape(-1, VOCAB), y.reshape(-1))
        loss.backward()
        optimizer.step()

    for _ in range(3):
        step()
    best = 0.0
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < 0.3:
            step()
            n += 1
        best = max(best, n * BATCH / (time.perf_counter() - start))
    return best


def main():
    parser = bench_arguments(sizes="64,128,256", cells="lstm,gru", seconds=3.0)
    args = parser.parse_args()
    default_threads = torch.get_num_threads()
    for cell in args.cells.split(","):
        for hidden in map(int, args.sizes.split(",")):
            for threads in sorted({1, os.cpu_count() or 1}):
                torch.set_num_threads(threads)
                rate = throughput(cell, hidden, args.seconds)
                print(json.dumps({"cell": cell, "hidden": hidden, "threads": threads, "seqPerSec": rate}), flush=True)
    torch.set_num_threads(default_threads)


if __name__ == "__main__":
    main()
