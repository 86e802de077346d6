"""Training throughput of PyTorch on CPU, served round by round to bench/train.ts (run with
/usr/bin/python3, Debian's python3-torch) so that its rounds alternate with ours in one run.
The problem is bench/train.ts's: batch 32, length 50, 64 one-hot inputs (dense, as
F.one_hot(...).float()), a one-layer nn.RNN (tanh) / nn.LSTM / nn.GRU, a linear readout to 64
classes, cross-entropy at every step, Adam, float32.

Protocol: one JSON request per line on stdin, {"cell", "hidden", "threads", "seconds"}; the reply
is one JSON line {"seqPerSec", "torch", "blas"}: sequences per second over one round of optimizer
steps lasting about `seconds`, on torch.set_num_threads(threads). The first request for a
(cell, hidden) builds the model and runs three warm-up steps. OpenBLAS's own thread count is
whatever OPENBLAS_NUM_THREADS said when this process started (bench/train.ts starts one server
per setting). An empty line or end of input ends the server.

    /usr/bin/python3 scripts/bench_torch_train.py < requests.jsonl
"""

import json
import sys
import time

from bench_args import blas_library

import torch
import torch.nn.functional as F
from torch import nn

BATCH, STEPS, VOCAB = 32, 50, 64
MODULES = {"rnn_tanh": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def optimizer_step(cell, hidden):
    """One optimizer step of the bench problem for this cell and size, as a closure."""
    torch.manual_seed(1)
    rnn = MODULES[cell](VOCAB, hidden, batch_first=True)
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
    return step


def main():
    steps = {}
    blas = blas_library()
    for line in sys.stdin:
        if not line.strip():
            break
        request = json.loads(line)
        key = (request["cell"], request["hidden"])
        torch.set_num_threads(request["threads"])
        if key not in steps:
            steps[key] = optimizer_step(*key)
        step = steps[key]
        step()
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < request["seconds"]:
            step()
            n += 1
        rate = n * BATCH / (time.perf_counter() - start)
        print(json.dumps({"seqPerSec": rate, "torch": torch.__version__, "blas": blas}), flush=True)


if __name__ == "__main__":
    main()
