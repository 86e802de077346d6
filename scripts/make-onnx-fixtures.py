"""Generate the ONNX fixtures in test/fixtures/onnx/ (run with /usr/bin/python3, Debian's
python3-torch 1.13; torch.onnx.export needs no `onnx` package). Deterministic: two runs give
identical bytes.

    /usr/bin/python3 scripts/make-onnx-fixtures.py

`{name}.onnx` for each small config of test/fixtures/torch/ (rnn_tanh, rnn_relu, lstm, gru x
1-2 layers x bias or none): nn.RNN / nn.LSTM / nn.GRU (batch_first=True) loaded with exactly the
weights of `{name}.model.safetensors` and exported with opset 14, so a reader of both files must
give the same state dict. Weights are float32 initialisers in raw_data, as torch writes them.

Models our reader refuses, each for a reason its test names:
  lstm_bidirectional.onnx  nn.LSTM(3, 4, bidirectional=True): direction = 'bidirectional'
  gru_side_by_side.onnx    two nn.GRU(3, 4) reading the same input: two RNNs, not one stack
  linear_only.onnx         nn.Linear(3, 4): no recurrent node at all
  gru_unfolded.onnx        nn.GRU(3, 4) exported with do_constant_folding=False: its weights are
                           computed (Slice, Concat, Unsqueeze) from the state dict, not stored

At the end a self-check reads every file back as bytes and checks that each weight tensor's
float32 bytes appear in it, so the export did not transform the weights it was given.
"""

import os
import sys

import numpy as np
import torch
from torch import nn

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__ (nothing ignores it)
from safetensors_io import read_safetensors

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")
TORCH_DIR = os.path.join(ROOT, "torch")
OUT_DIR = os.path.join(ROOT, "onnx")
OPSET = 14
STEPS = 2  # the length of the example input the export traces; any length gives the same graph


def module_for(cell, tensors):
    """The nn module whose state dict is `tensors` (shapes tell the sizes, names the layers)."""
    rows, hidden = tensors["weight_hh_l0"].shape
    layers = 1 + max(int(name.rsplit("_l", 1)[1]) for name in tensors)
    kwargs = dict(input_size=tensors["weight_ih_l0"].shape[1], hidden_size=hidden, num_layers=layers,
                  bias="bias_ih_l0" in tensors, batch_first=True)
    if cell.startswith("rnn_"):
        module = nn.RNN(nonlinearity=cell[4:], **kwargs)
    else:
        module = (nn.LSTM if cell == "lstm" else nn.GRU)(**kwargs)
    module.load_state_dict({name: torch.from_numpy(np.array(value)) for name, value in tensors.items()}, strict=True)
    return module


class SideBySide(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.GRU(3, 4, batch_first=True)
        self.decoder = nn.GRU(3, 4, batch_first=True)

    def forward(self, x):
        return self.encoder(x)[0] + self.decoder(x)[0]


def export(module, input_size, name, **options):
    path = os.path.join(OUT_DIR, name)
    module.eval()
    example = torch.zeros(1, STEPS, input_size)
    torch.onnx.export(module, (example,), path, opset_version=OPSET, input_names=["input"], output_names=["output"], **options)
    return path


def main():
    torch.manual_seed(0)
    os.makedirs(OUT_DIR, exist_ok=True)
    checks = []
    for file in sorted(os.listdir(TORCH_DIR)):
        if not file.endswith(".model.safetensors") or file.endswith("_h16.model.safetensors") or file.startswith("compat_"):
            continue
        tensors, metadata = read_safetensors(os.path.join(TORCH_DIR, file))
        name = file[: -len(".model.safetensors")]
        module = module_for(metadata["cell"], tensors)
        path = export(module, tensors["weight_ih_l0"].shape[1], f"{name}.onnx")
        checks.append((path, tensors))
    export(nn.LSTM(3, 4, bidirectional=True, batch_first=True), 3, "lstm_bidirectional.onnx")
    export(SideBySide(), 3, "gru_side_by_side.onnx")
    export(nn.Linear(3, 4), 3, "linear_only.onnx")
    export(nn.GRU(3, 4, batch_first=True), 3, "gru_unfolded.onnx", do_constant_folding=False)
    for path, tensors in checks:
        with open(path, "rb") as f:
            raw = f.read()
        for name, value in tensors.items():
            # Each gate block is stored whole (ONNX only reorders the blocks).
            rows = value.shape[0]
            hidden = tensors["weight_hh_l0"].shape[1]
            for block in range(rows // hidden):
                part = np.ascontiguousarray(value[block * hidden:(block + 1) * hidden], dtype="<f4").tobytes()
                assert part in raw, f"{path}: block {block} of {name} not found"
    print(f"OK: {len(checks) + 4} files in {os.path.relpath(OUT_DIR)}")


if __name__ == "__main__":
    main()
