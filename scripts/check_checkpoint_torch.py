"""Load a checkpoint written by `rnn-lyapunov train` into PyTorch with load_state_dict(strict=True)
and check it computes the same outputs (run with /usr/bin/python3, Debian's python3-torch).

    /usr/bin/python3 scripts/check_checkpoint_torch.py STEM --inputs FILE
    /usr/bin/python3 scripts/check_checkpoint_torch.py STEM --write FILE

STEM is a checkpoint without its suffix, e.g. runs/NAME/checkpoints/epoch-0003: the recurrent
network is STEM.safetensors (an nn.RNN/LSTM/GRU state dict; the cell is in its metadata) and the
readout STEM.readout.safetensors (an nn.Linear state dict). Both are loaded strictly, the modules
cast to float64, and the logits readout(rnn(x)) computed at every step (batch_first, zero state).

--inputs FILE: a safetensors file with `inputs` [B, T, I] and `outputs` [B, T, O], the logits
rnn-lyapunov computed for the same checkpoint; prints the largest difference and exits 1 when it
exceeds 1e-9 relative to the largest logit.
--write FILE: draws inputs (standard normal, numpy seed 0, B = 3, T = 7) and writes them with
PyTorch's logits as `inputs` and `outputs` (F64): the fixture of test/train.checkpoint-torch.test.ts.
"""

import argparse
import sys

import numpy as np
import torch
from torch import nn

from safetensors_io import read_safetensors, write_safetensors

MODULES = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn_tanh": nn.RNN, "rnn_relu": nn.RNN}


def load(stem):
    state, metadata = read_safetensors(f"{stem}.safetensors")
    cell = metadata["cell"]
    layers = 1 + max(int(name.rsplit("_l", 1)[1]) for name in state)
    gates = {"lstm": 4, "gru": 3}.get(cell, 1)
    hidden = state["weight_hh_l0"].shape[1]
    inputs = state["weight_ih_l0"].shape[1]
    assert state["weight_hh_l0"].shape[0] == gates * hidden
    kwargs = {"nonlinearity": cell[4:]} if cell.startswith("rnn_") else {}
    rnn = MODULES[cell](inputs, hidden, num_layers=layers, bias="bias_ih_l0" in state, batch_first=True, **kwargs)
    rnn.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()}, strict=True)
    readout_state, _ = read_safetensors(f"{stem}.readout.safetensors")
    readout = nn.Linear(hidden, readout_state["weight"].shape[0])
    readout.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in readout_state.items()}, strict=True)
    return rnn.double(), readout.double(), inputs


def logits(rnn, readout, x):
    with torch.no_grad():
        out, _ = rnn(torch.from_numpy(x))
        return readout(out).numpy()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("stem")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--inputs")
    group.add_argument("--write")
    args = parser.parse_args()
    rnn, readout, input_size = load(args.stem)
    if args.write:
        x = np.random.default_rng(0).standard_normal((3, 7, input_size))
        write_safetensors(args.write, {"inputs": x, "outputs": logits(rnn, readout, x)}, {"checkpoint": args.stem.rsplit("/", 1)[-1]})
        print(f"wrote {args.write}")
        return
    tensors, _ = read_safetensors(args.inputs)
    ours = tensors["outputs"]
    theirs = logits(rnn, readout, tensors["inputs"].astype(np.float64))
    diff = float(np.max(np.abs(ours - theirs)))
    scale = float(np.max(np.abs(theirs)))
    print(f"loaded strictly; largest logit difference {diff:.3e} (largest logit {scale:.3e})")
    sys.exit(0 if diff <= 1e-9 * scale else 1)


if __name__ == "__main__":
    main()
