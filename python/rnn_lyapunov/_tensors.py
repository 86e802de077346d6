"""State dicts and input arrays as safetensors files the CLI reads (no `safetensors` package needed).

Format: u64 little-endian header length N, N bytes of JSON
`{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}`, then the raw
little-endian row-major data, tensors in sorted name order.
"""
import json
import os
import struct
from collections.abc import Mapping

import numpy as np

_DTYPE_NAMES = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i8"): "I64"}
# torch's RNN modes, as the CLI names cells (nn.RNN's mode carries its nonlinearity).
_CELL_OF_MODE = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu"}


def to_numpy(name, value):
    """A tensor or array as float32, float64 or int64 numpy data (half floats widen exactly; integers and booleans become int64)."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor, without importing torch
        value = value.detach().cpu()
        if value.is_floating_point() and value.element_size() < 4:
            value = value.float()
        value = value.numpy()
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return array.astype("<f8" if array.dtype.itemsize > 4 else "<f4", copy=False)
    if array.dtype.kind in "iub":
        return array.astype("<i8", copy=False)
    raise TypeError(f"tensor {name!r}: dtype {array.dtype} is not a float, integer or boolean type")


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor or array} and {str: str} metadata to `path`."""
    arrays = {name: np.ascontiguousarray(to_numpy(name, value)) for name, value in tensors.items()}
    header = {"__metadata__": dict(metadata or {})}
    offset = 0
    for name in sorted(arrays):
        header[name] = {"dtype": _DTYPE_NAMES[arrays[name].dtype], "shape": list(arrays[name].shape),
                        "data_offsets": [offset, offset + arrays[name].nbytes]}
        offset += arrays[name].nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((-(8 + len(text))) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for name in sorted(arrays):
            f.write(arrays[name].tobytes(order="C"))


def rnn_modules(model):
    """The torch RNN modules (nn.RNN/LSTM/GRU) in a module, by their state-dict prefix ('' for the model itself)."""
    if not hasattr(model, "named_modules"):
        return {}
    return {f"{name}." if name else "": module for name, module in model.named_modules()
            if getattr(module, "mode", None) in _CELL_OF_MODE and hasattr(module, "hidden_size")}


def state_dict_of(model):
    """{name: tensor} of an nn.Module (its whole state dict: the CLI picks the RNN) or of a mapping."""
    if isinstance(model, Mapping):
        tensors = dict(model)
    elif callable(getattr(model, "state_dict", None)):
        tensors = dict(model.state_dict())
    else:
        raise TypeError(f"expected an nn.Module or a state dict (a mapping of names to tensors or arrays), got {type(model).__name__}")
    for name in tensors:
        if not isinstance(name, str):
            raise TypeError(f"state dict key {name!r} is not a string")
    if not tensors:
        raise ValueError("the state dict is empty")
    return tensors


def cell_metadata(model, prefix=None):
    """{'cell': kind} when the model's RNN is known (it tells nn.RNN's tanh from relu, which the weights cannot)."""
    modules = rnn_modules(model)
    if prefix is not None:
        modules = {p: m for p, m in modules.items() if p.rstrip('.') == prefix.rstrip('.')}
    kinds = {_CELL_OF_MODE[m.mode] for m in modules.values()}
    return {"cell": kinds.pop()} if len(kinds) == 1 else {}


def save_model(path, model, prefix=None):
    write_safetensors(path, state_dict_of(model), cell_metadata(model, prefix))


def save_array(path, name, array):
    """One array as the tensor `name` (`inputs` [B, T, I] or `tokens` [B, T])."""
    write_safetensors(path, {name: array})


def is_path(value):
    return isinstance(value, (str, os.PathLike))
