"""Generate the PyTorch `.pt` fixtures in test/fixtures/pytorch/ with real torch.save (run with
/usr/bin/python3, Debian's python3-torch 1.13). The weights are those of the safetensors fixtures
in test/fixtures/torch/ (written by scripts/make-fixtures.py), loaded into the nn module with
load_state_dict, so a test can compare the two files' tensors and spectra.

    /usr/bin/python3 scripts/make-pt-fixtures.py

Files (`{stem}` is a test/fixtures/torch/{stem}.model.safetensors):
  {stem}.pt                   torch.save(module.state_dict()) for every 1-2 layer fixture (H < 16)
  checkpoint_gru_l2_bias_h3.pt  {'model': Net.state_dict() (rnn.* and fc.*), 'optimizer': Adam's
                              state_dict after one step, 'epoch': 3, 'loss': 0.25}
  lightning_lstm_l1_bias_h4.ckpt  Lightning's layout: {'epoch', 'global_step', 'state_dict' with
                              'model.rnn.*' and 'model.fc.*', 'optimizer_states': [Adam], ...}
  rnn_tanh_l1_bias_h4.f64.pt  the state dict cast to float64
  gru_l1_bias_h5.views.pt     weight_hh_l0 a transposed (non-contiguous) view, weight_ih_l0 a view
                              at a storage offset, bias_ih_l0 a stride-2 slice, all saved as is
  lstm_l2_bias_h3.shared.pt   every tensor a view into one flat storage (as cuDNN's flattened
                              weights are saved)
  encoder_decoder_gru.pt      two RNNs: encoder.* (gru_l1_bias_h5) and decoder.* (gru_l2_bias_h3)
  zip64_gru_l2_bias_h3.pt     gru_l2_bias_h3.pt's entries re-zipped with zip64 records (what a writer
                              uses for archives over 4 GiB or 65535 entries, forced here by lowering
                              Python's limits)
  model_and_ema_gru.pt        {'model': gru_l2_bias_h3's state dict, 'ema': gru_l1_bias_h5's, 'epoch': 1}:
                              two dicts holding RNN weights
  dtypes.pt + dtypes.expect.safetensors  one tensor per dtype (F64 F32 F16 BF16 I64 I32 U8 BOOL)
                              and the values torch gives for each, as F64 (floats) or I64
  int16.pt                    a state dict holding an int16 tensor (torch.ShortStorage)
  whole_module.pt             torch.save(nn.GRU(...)): a pickled module, not a state dict
  legacy_rnn_tanh_l1_bias_h4.pt  the pre-1.6 format (_use_new_zipfile_serialization=False)
  hostile_reduce.pt           torch.save of a dict whose 'evil' entry pickles as a REDUCE of
                              os.system('touch /tmp/rnn-lyapunov-hostile-pickle-ran')
  hostile_handwritten.pt      a zip laid out like torch.save's whose hand-written data.pkl is
                              GLOBAL 'os system' + REDUCE of the same harmless command
Nothing here loads the hostile files; the command only creates an empty file, so a test can check
that reading them ran nothing. Two runs give the same bytes, except the legacy file (that format
names storages by their memory address).
"""

import os
import sys
import zipfile
from collections import OrderedDict
from pathlib import Path

import torch
import torch.nn as nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "test/fixtures/torch"
OUT = ROOT / "test/fixtures/pytorch"
HOSTILE_COMMAND = "touch /tmp/rnn-lyapunov-hostile-pickle-ran"


def rnn_module(cell, layers, bias, input_size, hidden):
    kinds = {"lstm": nn.LSTM, "gru": nn.GRU}
    if cell in kinds:
        return kinds[cell](input_size, hidden, num_layers=layers, bias=bias, batch_first=True)
    return nn.RNN(input_size, hidden, num_layers=layers, bias=bias, batch_first=True, nonlinearity=cell[4:])


def load_fixture(stem):
    """The nn module of test/fixtures/torch/{stem}.model.safetensors, with its weights."""
    tensors, metadata = read_safetensors(SOURCE / f"{stem}.model.safetensors")
    weights = {name: torch.from_numpy(array.copy()) for name, array in tensors.items()}
    hidden, input_size = weights["weight_hh_l0"].shape[1], weights["weight_ih_l0"].shape[1]
    layers = 1 + max(int(name.rsplit("_l", 1)[1]) for name in weights)
    module = rnn_module(metadata["cell"], layers, "bias_ih_l0" in weights, input_size, hidden)
    module.load_state_dict(weights)
    return module


class Net(nn.Module):
    """A model holding an RNN and a readout, as users' models do."""

    def __init__(self, rnn, outputs=5):
        super().__init__()
        self.rnn = rnn
        self.fc = nn.Linear(rnn.hidden_size, outputs)

    def forward(self, x):
        return self.fc(self.rnn(x)[0])


def trained_optimizer(net, stem):
    """Adam's state after one step on `net`, whose RNN weights are then restored from `stem`."""
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    net(torch.randn(2, 4, net.rnn.input_size)).pow(2).mean().backward()
    optimizer.step()
    net.rnn.load_state_dict(load_fixture(stem).state_dict())
    return optimizer


def state_dicts():
    stems = sorted(p.name[: -len(".model.safetensors")] for p in SOURCE.glob("*_l[12]_*.model.safetensors"))
    for stem in stems:
        if not stem.endswith("_h16"):
            torch.save(load_fixture(stem).state_dict(), OUT / f"{stem}.pt")


def checkpoints():
    net = Net(load_fixture("gru_l2_bias_h3"))
    optimizer = trained_optimizer(net, "gru_l2_bias_h3")
    torch.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3, "loss": 0.25},
               OUT / "checkpoint_gru_l2_bias_h3.pt")

    class Lightning(nn.Module):
        def __init__(self):
            super().__init__()
            self.model = Net(load_fixture("lstm_l1_bias_h4"))

    lightning = Lightning()
    optimizer = trained_optimizer(lightning.model, "lstm_l1_bias_h4")
    torch.save({
        "epoch": 3, "global_step": 30, "pytorch-lightning_version": "2.1.0",
        "state_dict": lightning.state_dict(), "loops": {}, "callbacks": {},
        "optimizer_states": [optimizer.state_dict()], "lr_schedulers": [],
    }, OUT / "lightning_lstm_l1_bias_h4.ckpt")


def variants():
    torch.save(load_fixture("rnn_tanh_l1_bias_h4").double().state_dict(), OUT / "rnn_tanh_l1_bias_h4.f64.pt")

    sd = load_fixture("gru_l1_bias_h5").state_dict()
    transposed = sd["weight_hh_l0"].t().contiguous().t()
    assert not transposed.is_contiguous()
    shifted = torch.cat([torch.full((7,), 99.0), sd["weight_ih_l0"].flatten()])[7:].view(sd["weight_ih_l0"].shape)
    assert shifted.storage_offset() == 7
    strided = torch.stack([sd["bias_ih_l0"], torch.full_like(sd["bias_ih_l0"], 99.0)], dim=1)[:, 0]
    assert strided.stride() == (2,)
    views = OrderedDict(sd, weight_hh_l0=transposed, weight_ih_l0=shifted, bias_ih_l0=strided)
    torch.save(views, OUT / "gru_l1_bias_h5.views.pt")

    sd = load_fixture("lstm_l2_bias_h3").state_dict()
    flat = torch.cat([tensor.flatten() for tensor in sd.values()])
    shared, start = OrderedDict(), 0
    for name, tensor in sd.items():
        shared[name] = flat[start : start + tensor.numel()].view(tensor.shape)
        start += tensor.numel()
    torch.save(shared, OUT / "lstm_l2_bias_h3.shared.pt")

    encoder, decoder = load_fixture("gru_l1_bias_h5").state_dict(), load_fixture("gru_l2_bias_h3").state_dict()
    both = OrderedDict([(f"encoder.{k}", v) for k, v in encoder.items()] + [(f"decoder.{k}", v) for k, v in decoder.items()])
    torch.save(both, OUT / "encoder_decoder_gru.pt")
    torch.save({"model": decoder, "ema": encoder, "epoch": 1}, OUT / "model_and_ema_gru.pt")


def dtypes():
    values = torch.tensor([-2.5, -1.0, 0.0, 0.1, 1.0, 3.75], dtype=torch.float64)
    saved, expected = OrderedDict(), {}
    for name, dtype in [("f64", torch.float64), ("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16)]:
        saved[name] = values.to(dtype).view(2, 3)
        expected[name] = saved[name].double().numpy()
    for name, dtype in [("i64", torch.int64), ("i32", torch.int32), ("u8", torch.uint8), ("bool", torch.bool)]:
        saved[name] = torch.tensor([0, 1, 2, 3, 200, 7], dtype=torch.int64).to(dtype)
        expected[name] = saved[name].long().numpy()
    saved["i64"][0] = -(2**40)
    expected["i64"][0] = -(2**40)
    torch.save(saved, OUT / "dtypes.pt")
    write_safetensors(OUT / "dtypes.expect.safetensors", expected, {})
    torch.save({"weight_ih_l0": torch.zeros(3, 2, dtype=torch.int16)}, OUT / "int16.pt")
    torch.save(nn.GRU(2, 3), OUT / "whole_module.pt")
    legacy = load_fixture("rnn_tanh_l1_bias_h4").state_dict()
    torch.save(legacy, OUT / "legacy_rnn_tanh_l1_bias_h4.pt", _use_new_zipfile_serialization=False)


class Evil:
    """Pickles as a call of os.system: what torch.load(weights_only=False) would run."""

    def __reduce__(self):
        return (os.system, (HOSTILE_COMMAND,))


def hostile():
    torch.save({"weight_ih_l0": torch.zeros(3, 2), "evil": Evil()}, OUT / "hostile_reduce.pt")
    command = HOSTILE_COMMAND.encode()
    # protocol 2; GLOBAL os system; BINUNICODE command; TUPLE1; REDUCE; STOP
    pickle = b"\x80\x02cos\nsystem\n" + b"X" + len(command).to_bytes(4, "little") + command + b"\x85R."
    with zipfile.ZipFile(OUT / "hostile_handwritten.pt", "w", zipfile.ZIP_STORED) as archive:
        for name, content in [("data.pkl", pickle), ("version", b"3\n")]:
            archive.writestr(zipfile.ZipInfo(f"hostile_handwritten/{name}", date_time=(1980, 1, 1, 0, 0, 0)), content)


def zip64():
    source = zipfile.ZipFile(OUT / "gru_l2_bias_h3.pt")
    limits = zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT
    zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 1, 1
    try:
        with zipfile.ZipFile(OUT / "zip64_gru_l2_bias_h3.pt", "w", zipfile.ZIP_STORED) as archive:
            for info in source.infolist():
                name = info.filename.replace("gru_l2_bias_h3/", "zip64_gru_l2_bias_h3/")
                archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), source.read(info))
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = limits


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    state_dicts()
    checkpoints()
    variants()
    zip64()
    dtypes()
    hostile()


if __name__ == "__main__":
    main()
