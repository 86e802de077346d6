"""Generate the PyTorch reference fixtures in test/fixtures/torch/ (run with /usr/bin/python3,
Debian's python3-torch 1.13). Deterministic: fixed seeds, one thread; two runs give identical bytes.

    /usr/bin/python3 scripts/make-fixtures.py

For every cell in {rnn_tanh, rnn_relu, lstm, gru} x layers in {1, 2} x bias in {true, false}
(small sizes, hidden 3-8, input 3-4) plus one larger config per cell (1 layer, bias, hidden 16),
two files named `{cell}_l{L}_{bias|nobias}_h{H}.*`:

`.model.safetensors`: exactly the `state_dict()` of `nn.RNN(nonlinearity=tanh|relu)` /
`nn.LSTM` / `nn.GRU` (batch_first=True), dtype F32, every parameter drawn from U(-0.8, 0.8)
(wider than PyTorch's default so the dynamics are not trivially contracting and relu
pre-activations have both signs). `__metadata__`: {"cell", "format": "pytorch"}.

`.expect.safetensors` (F64 unless stated; B = 2 sequences, T = 6 steps, h0 = c0 = 0):
  inputs          [B, T, I]  standard normal, exactly representable in float32
  output          [B, T, H]  top layer's h at every step, module cast with .double()
  h_n, c_n        [L, B, H]  final states (c_n for LSTM only)
  output_f32, h_n_f32, c_n_f32 (F32)  the same computed by the float32 module
  jacobian        [B, T, n, n]  d s_{t+1} / d s_t of one trajectory's full state, by
                  torch.autograd.functional.jacobian of one call of the module itself on a
                  sequence of length 1. State layout (project convention): layers in order;
                  within a layer [h_l] (RNN/GRU, n = L*H) or [h_l, c_l] (LSTM, n = 2*L*H).
  jacobian_f32    (F32) the same with the float32 module along the float32 trajectory
  jacobian_h      [B, T, L*H, L*H]  LSTM only: d(all layers' new h)/d(all layers' old h) at
                  fixed old c (the authors' "h-only" tangent map)
  logabsdet       [B, T]  log|det jacobian| (torch.linalg.slogdet; -inf where J is singular,
                  which happens for relu whenever a unit is inactive)
  readout.weight  [O, H], readout.bias [O]  a readout nn.Linear(H, O = 5) on the top layer
  targets         [B, T] (I64) class indices in [0, O)
  loss            [1]  F.cross_entropy(logits.reshape(-1, O), targets.reshape(-1)), mean over B*T
  grad.<param>    d loss / d param for every state-dict parameter, grad.readout.weight/bias
  mse_targets     [B, T, O]  standard normal
  loss_mse        [1]  F.mse_loss(logits, mse_targets) (mean over all B*T*O entries)
  grad_mse.<param>  its gradients, same names as grad.*
  `__metadata__`: cell, layers, hidden, input_size, bias, batch, steps, output_size,
  state_layout, and for LSTM lstm_jacobian_h.

Compatibility fixtures (docs/compat-vogt2020.md describes the authors' algorithm):
`compat_vogt2020_{lstm,gru}.model.safetensors`: 1 layer, no bias, H = 6, I = 4, U(-0.8, 0.8).
`compat_vogt2020_{lstm,gru}.expect.safetensors`: inputs [3, 40, 4]; warmup [1] (I64);
exponents [3, 6] (bits per step, per sequence); exponents_mean [6]; exponents_std [6]
(unbiased, as torch.std); parameters in `__metadata__`.

At the end a self-check reads every file back, checks names, shapes and dtypes, compares
central finite-difference Jacobians with the autograd ones for every config (full and LSTM
h-only), and prints OK; the compat generator checks the sum rule as it goes.
"""

import copy
import math
import os
import sys
import zlib
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__ (nothing ignores it)
from safetensors_io import read_safetensors, write_safetensors

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch")
BATCH, STEPS, OUTPUT_SIZE = 2, 6, 5
INIT_SCALE = 0.8
CELLS = ("rnn_tanh", "rnn_relu", "lstm", "gru")
# Hidden sizes per cell for (L=1 bias, L=1 nobias, L=2 bias, L=2 nobias): varied so that a
# transposed or mis-strided weight cannot pass by symmetry; LSTM kept small (n = 2*L*H).
SMALL_HIDDEN = {
    "rnn_tanh": (4, 5, 3, 4),
    "rnn_relu": (8, 3, 4, 3),
    "lstm": (4, 3, 3, 4),
    "gru": (5, 4, 3, 4),
}
LARGE_HIDDEN = 16

COMPAT_CELLS = ("lstm", "gru")
COMPAT_BATCH, COMPAT_STEPS, COMPAT_HIDDEN, COMPAT_INPUT = 3, 40, 6, 4
# Short on purpose: the authors' warm-up multiplies J^T without re-orthonormalising, so the
# product's condition number grows like exp((lambda_1 - lambda_n) * warmup); beyond ~1e8 the
# trailing columns after the single QR would be rounding noise no other code could reproduce.
COMPAT_WARMUP = 5
COMPAT_MAX_WARMUP_COND = 1e8


@dataclass(frozen=True)
class Config:
    cell: str
    layers: int
    bias: bool
    hidden: int
    input_size: int

    @property
    def name(self):
        return f"{self.cell}_l{self.layers}_{'bias' if self.bias else 'nobias'}_h{self.hidden}"

    @property
    def is_lstm(self):
        return self.cell == "lstm"

    @property
    def state_dim(self):
        return (2 if self.is_lstm else 1) * self.layers * self.hidden

    @property
    def seed(self):
        # Derived from the name, so adding a config never changes another one's numbers.
        return zlib.crc32(self.name.encode())


def fixture_configs():
    configs = []
    for cell in CELLS:
        combos = [(1, True), (1, False), (2, True), (2, False)]
        for index, ((layers, bias), hidden) in enumerate(zip(combos, SMALL_HIDDEN[cell])):
            configs.append(Config(cell, layers, bias, hidden, 3 + index % 2))
        configs.append(Config(cell, 1, True, LARGE_HIDDEN, 4))
    return configs


def compat_config(cell):
    return Config(cell, 1, False, COMPAT_HIDDEN, COMPAT_INPUT)


# ---------------------------------------------------------------- modules and states

def make_module(cfg, generator):
    kwargs = dict(input_size=cfg.input_size, hidden_size=cfg.hidden, num_layers=cfg.layers,
                  bias=cfg.bias, batch_first=True)
    if cfg.cell.startswith("rnn_"):
        module = nn.RNN(nonlinearity=cfg.cell[4:], **kwargs)
    else:
        module = (nn.LSTM if cfg.is_lstm else nn.GRU)(**kwargs)
    with torch.no_grad():
        for name, _ in module.named_parameters():
            values = torch.rand(getattr(module, name).shape, generator=generator, dtype=torch.float64)
            getattr(module, name).copy_((2 * values - 1) * INIT_SCALE)
    return module.eval()


def split_state(cfg, s):
    """State vector [n] of one trajectory -> PyTorch hidden argument (h or (h, c)), batch 1."""
    if cfg.is_lstm:
        hc = s.reshape(cfg.layers, 2, cfg.hidden)
        return (hc[:, 0, :].unsqueeze(1).contiguous(), hc[:, 1, :].unsqueeze(1).contiguous())
    return s.reshape(cfg.layers, 1, cfg.hidden)


def join_state(cfg, hidden):
    if cfg.is_lstm:
        h, c = hidden
        return torch.stack([h[:, 0, :], c[:, 0, :]], dim=1).reshape(-1)
    return hidden.reshape(-1)


def step(module, cfg, x_t, s):
    """One call of the module on a length-1 sequence: state before step t -> state after."""
    _, hidden = module(x_t.reshape(1, 1, -1), split_state(cfg, s))
    return join_state(cfg, hidden)


def step_h_only(module, cfg, x_t, s):
    """LSTM: all layers' new h as a function of all layers' old h, old c held fixed."""
    c_old = s.reshape(cfg.layers, 2, cfg.hidden)[:, 1, :]

    def new_h(h_old):
        full = torch.stack([h_old.reshape(cfg.layers, cfg.hidden), c_old], dim=1).reshape(-1)
        return step(module, cfg, x_t, full).reshape(cfg.layers, 2, cfg.hidden)[:, 0, :].reshape(-1)

    return new_h


def h_part(cfg, s):
    return s.reshape(cfg.layers, 2, cfg.hidden)[:, 0, :].reshape(-1) if cfg.is_lstm else s


def trajectory(module, cfg, x, dtype):
    """States s_0 = 0, s_1, ..., s_T of one sequence x [T, I], stepping the module."""
    states = [torch.zeros(cfg.state_dim, dtype=dtype)]
    with torch.no_grad():
        for t in range(x.shape[0]):
            states.append(step(module, cfg, x[t], states[-1]))
    return states


def jacobian(fn, s):
    return torch.autograd.functional.jacobian(fn, s)


def full_jacobians(module, cfg, x, states):
    return torch.stack([jacobian(lambda s, t=t: step(module, cfg, x[t], s), states[t])
                        for t in range(x.shape[0])])


def h_only_jacobians(module, cfg, x, states):
    return torch.stack([jacobian(step_h_only(module, cfg, x[t], states[t]), h_part(cfg, states[t]))
                        for t in range(x.shape[0])])


# ---------------------------------------------------------------- ordinary fixtures

def standard_normal_f32_exact(shape, generator):
    # Drawn in float32 and widened, so the float32 and float64 runs see identical inputs.
    return torch.randn(shape, generator=generator, dtype=torch.float32).double()


def forward_fixture(module, cfg, inputs, suffix, tensors):
    with torch.no_grad():
        output, hidden = module(inputs)
    h_n, c_n = hidden if cfg.is_lstm else (hidden, None)
    tensors["output" + suffix] = output
    tensors["h_n" + suffix] = h_n
    if c_n is not None:
        tensors["c_n" + suffix] = c_n


def jacobian_fixture(module, cfg, inputs, dtype):
    states = [trajectory(module, cfg, inputs[b], dtype) for b in range(inputs.shape[0])]
    full = torch.stack([full_jacobians(module, cfg, inputs[b], states[b]) for b in range(inputs.shape[0])])
    h_only = None
    if cfg.is_lstm:
        h_only = torch.stack([h_only_jacobians(module, cfg, inputs[b], states[b])
                              for b in range(inputs.shape[0])])
    return states, full, h_only


def gradient_fixture(module64, readout, inputs, targets, mse_targets, tensors):
    named = list(module64.named_parameters()) + [("readout." + n, p) for n, p in readout.named_parameters()]
    params = [p for _, p in named]
    for prefix, loss_name, loss_fn in (
        ("grad.", "loss", lambda logits: F.cross_entropy(logits.reshape(-1, OUTPUT_SIZE), targets.reshape(-1))),
        ("grad_mse.", "loss_mse", lambda logits: F.mse_loss(logits, mse_targets)),
    ):
        output, _ = module64(inputs)
        loss = loss_fn(readout(output))
        grads = torch.autograd.grad(loss, params)
        tensors[loss_name] = loss.detach().reshape(1)
        for (name, _), grad in zip(named, grads):
            tensors[prefix + name] = grad


def check_relu_mixed_sign(cfg, states):
    # h = relu(pre-activation): zeros are exactly the negative pre-activations.
    h = torch.stack([torch.stack(s[1:]) for s in states])
    inactive = (h == 0).double().mean().item()
    if not 0.1 < inactive < 0.9:
        raise AssertionError(f"{cfg.name}: relu inactive fraction {inactive:.2f}, wanted mixed signs")


def expect_metadata(cfg):
    layout = ("layers in order; within a layer [h_l, c_l]; n = 2*L*H" if cfg.is_lstm
              else "layers in order; within a layer [h_l]; n = L*H")
    meta = {
        "cell": cfg.cell, "layers": str(cfg.layers), "hidden": str(cfg.hidden),
        "input_size": str(cfg.input_size), "bias": "true" if cfg.bias else "false",
        "batch": str(BATCH), "steps": str(STEPS), "output_size": str(OUTPUT_SIZE),
        "state_layout": layout, "initial_state": "zeros",
        "init": f"every parameter U(-{INIT_SCALE}, {INIT_SCALE})",
        "generator": f"scripts/make-fixtures.py, torch {torch.__version__}",
    }
    if cfg.is_lstm:
        meta["lstm_jacobian_h"] = "d(all layers' new h)/d(all layers' old h) at fixed old c"
    return meta


def to_numpy(tensors):
    return {name: value.detach().numpy() for name, value in tensors.items()}


def write_model(cfg, module, prefix):
    state = {name: value.detach().float().numpy() for name, value in module.state_dict().items()}
    write_safetensors(os.path.join(OUT_DIR, prefix + ".model.safetensors"), state,
                      {"cell": cfg.cell, "format": "pytorch"})


def make_fixture(cfg):
    generator = torch.Generator().manual_seed(cfg.seed)
    module32 = make_module(cfg, generator)
    module64 = copy.deepcopy(module32).double()
    inputs = standard_normal_f32_exact((BATCH, STEPS, cfg.input_size), generator)

    tensors = {"inputs": inputs}
    forward_fixture(module64, cfg, inputs, "", tensors)
    forward_fixture(module32, cfg, inputs.float(), "_f32", tensors)

    states64, jac64, jac_h = jacobian_fixture(module64, cfg, inputs, torch.float64)
    _, jac32, _ = jacobian_fixture(module32, cfg, inputs.float(), torch.float32)
    tensors["jacobian"] = jac64
    tensors["jacobian_f32"] = jac32
    tensors["logabsdet"] = torch.linalg.slogdet(jac64).logabsdet
    if jac_h is not None:
        tensors["jacobian_h"] = jac_h
    if cfg.cell == "rnn_relu":
        check_relu_mixed_sign(cfg, states64)
    # The stepped trajectory must agree with the module's own full-sequence run.
    stepped_top = torch.stack([torch.stack([h_part(cfg, s).reshape(cfg.layers, cfg.hidden)[-1] for s in st[1:]])
                               for st in states64])
    assert torch.allclose(stepped_top, tensors["output"], atol=1e-13, rtol=0), cfg.name

    readout = nn.Linear(cfg.hidden, OUTPUT_SIZE).double()
    with torch.no_grad():
        readout.weight.copy_((2 * torch.rand(readout.weight.shape, generator=generator, dtype=torch.float64) - 1) * INIT_SCALE)
        readout.bias.copy_((2 * torch.rand(readout.bias.shape, generator=generator, dtype=torch.float64) - 1) * INIT_SCALE)
    targets = torch.randint(0, OUTPUT_SIZE, (BATCH, STEPS), generator=generator, dtype=torch.int64)
    mse_targets = standard_normal_f32_exact((BATCH, STEPS, OUTPUT_SIZE), generator)
    tensors["readout.weight"] = readout.weight
    tensors["readout.bias"] = readout.bias
    tensors["targets"] = targets
    tensors["mse_targets"] = mse_targets
    gradient_fixture(module64, readout, inputs, targets, mse_targets, tensors)

    write_model(cfg, module32, cfg.name)
    write_safetensors(os.path.join(OUT_DIR, cfg.name + ".expect.safetensors"), to_numpy(tensors),
                      expect_metadata(cfg))
    return module64, inputs, jac64, jac_h


# ---------------------------------------------------------------- authors' algorithm (vogt2020)

def vogt2020_exponents(module64, cfg, x, warmup):
    """Our re-implementation of the authors' calc_LEs_an for one sequence x [T, I]
    (docs/compat-vogt2020.md): tangent vectors pushed with J^T, Q_0 = identity, LSTM h-only,
    un-normalised warm-up on the first `warmup` inputs closed by one QR, then one QR per step
    over all T inputs again, positive diag(R), log base 2, divided by T.
    Returns (exponents [n], sum over main steps of log2|det J_t|, condition of warm-up product)."""
    n = cfg.layers * cfg.hidden
    s = torch.zeros(cfg.state_dim, dtype=torch.float64)
    q = torch.eye(n, dtype=torch.float64)

    def tangent_map(t, s):
        if cfg.is_lstm:
            return jacobian(step_h_only(module64, cfg, x[t], s), h_part(cfg, s))
        return jacobian(lambda v: step(module64, cfg, x[t], v), s)

    for t in range(min(warmup, x.shape[0])):
        j = tangent_map(t, s)
        with torch.no_grad():
            s = step(module64, cfg, x[t], s)
        q = j.T @ q
    warmup_cond = torch.linalg.cond(q).item()
    q, _ = torch.linalg.qr(q)

    log2_r = torch.zeros(n, dtype=torch.float64)
    log2_det = 0.0
    for t in range(x.shape[0]):
        j = tangent_map(t, s)
        with torch.no_grad():
            s = step(module64, cfg, x[t], s)
        q, r = torch.linalg.qr(j.T @ q)
        signs = torch.sign(torch.diagonal(r))
        q = q * signs
        log2_r += torch.log2(torch.diagonal(r) * signs)
        log2_det += torch.linalg.slogdet(j).logabsdet.item() / math.log(2)
    return log2_r / x.shape[0], log2_det, warmup_cond


def make_compat_fixture(cell):
    cfg = compat_config(cell)
    generator = torch.Generator().manual_seed(zlib.crc32(f"compat_vogt2020_{cell}".encode()))
    module32 = make_module(cfg, generator)
    module64 = copy.deepcopy(module32).double()
    inputs = standard_normal_f32_exact((COMPAT_BATCH, COMPAT_STEPS, cfg.input_size), generator)

    results = [vogt2020_exponents(module64, cfg, inputs[b], COMPAT_WARMUP) for b in range(COMPAT_BATCH)]
    exponents = torch.stack([r[0] for r in results])
    for b, (lam, log2_det, cond) in enumerate(results):
        # Sum rule: with k = n, sum of exponents = time average of log2|det J_t| exactly.
        assert abs(lam.sum().item() * COMPAT_STEPS - log2_det) < 1e-9 * max(1.0, abs(log2_det)), (cell, b)
        assert cond < COMPAT_MAX_WARMUP_COND, f"{cell} sequence {b}: warm-up condition {cond:.3g}"
    max_cond = max(r[2] for r in results)

    prefix = f"compat_vogt2020_{cell}"
    write_model(cfg, module32, prefix)
    tensors = {
        "inputs": inputs,
        "warmup": torch.tensor([COMPAT_WARMUP], dtype=torch.int64),
        "exponents": exponents,
        "exponents_mean": exponents.mean(dim=0),
        "exponents_std": exponents.std(dim=0),
    }
    meta = {
        "cell": cell, "compat": "vogt2020", "layers": "1", "hidden": str(cfg.hidden),
        "input_size": str(cfg.input_size), "bias": "false", "batch": str(COMPAT_BATCH),
        "steps": str(COMPAT_STEPS), "warmup": str(COMPAT_WARMUP),
        "warmup_inputs": "the first `warmup` inputs of the same sequence, then all `steps` inputs again",
        "warmup_qr": "none during warm-up; one QR (no sign fix) at its end",
        "q0": "identity", "tangent": "Z = J_t^T Q, forward in time",
        "lstm_state": "h only, c held fixed", "qr_every": "1", "r_sign": "diag(R) made positive",
        "log_base": "2", "units": "bits per step", "average": "sum over the `steps` main steps / steps",
        "initial_state": "zeros", "std": "unbiased (torch.std) over the batch",
        "init": f"every parameter U(-{INIT_SCALE}, {INIT_SCALE})",
        "warmup_condition_max": f"{max_cond:.3e}",
        "source": "docs/compat-vogt2020.md",
        "generator": f"scripts/make-fixtures.py, torch {torch.__version__}",
    }
    write_safetensors(os.path.join(OUT_DIR, prefix + ".expect.safetensors"), to_numpy(tensors), meta)
    print(f"{prefix}: exponents_mean (bits/step) = {np.round(exponents.mean(dim=0).numpy(), 4)}, "
          f"warm-up condition <= {max_cond:.2e}")


# ---------------------------------------------------------------- self-check

def expected_expect_shapes(cfg, param_shapes):
    B, T, L, H, I, O, n = BATCH, STEPS, cfg.layers, cfg.hidden, cfg.input_size, OUTPUT_SIZE, cfg.state_dim
    shapes = {
        "inputs": ((B, T, I), "F64"), "output": ((B, T, H), "F64"), "output_f32": ((B, T, H), "F32"),
        "h_n": ((L, B, H), "F64"), "h_n_f32": ((L, B, H), "F32"),
        "jacobian": ((B, T, n, n), "F64"), "jacobian_f32": ((B, T, n, n), "F32"),
        "logabsdet": ((B, T), "F64"),
        "readout.weight": ((O, H), "F64"), "readout.bias": ((O,), "F64"),
        "targets": ((B, T), "I64"), "mse_targets": ((B, T, O), "F64"),
        "loss": ((1,), "F64"), "loss_mse": ((1,), "F64"),
    }
    if cfg.is_lstm:
        shapes["c_n"] = ((L, B, H), "F64")
        shapes["c_n_f32"] = ((L, B, H), "F32")
        shapes["jacobian_h"] = ((B, T, L * H, L * H), "F64")
    for name, shape in list(param_shapes.items()) + [("readout.weight", (O, H)), ("readout.bias", (O,))]:
        shapes["grad." + name] = (shape, "F64")
        shapes["grad_mse." + name] = (shape, "F64")
    return shapes


def dtype_name(array):
    return {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64", np.dtype("<i8"): "I64"}[array.dtype]


def check_file(path, expected):
    tensors, meta = read_safetensors(path)
    if set(tensors) != set(expected):
        raise AssertionError(f"{path}: names differ: {sorted(set(tensors) ^ set(expected))}")
    for name, (shape, dtype) in expected.items():
        got = (tuple(tensors[name].shape), dtype_name(tensors[name]))
        if got != (tuple(shape), dtype):
            raise AssertionError(f"{path}: {name} is {got}, expected {(tuple(shape), dtype)}")
    return tensors, meta


def param_shapes(cfg):
    G = {"lstm": 4, "gru": 3}.get(cfg.cell, 1)
    shapes = {}
    for k in range(cfg.layers):
        shapes[f"weight_ih_l{k}"] = (G * cfg.hidden, cfg.input_size if k == 0 else cfg.hidden)
        shapes[f"weight_hh_l{k}"] = (G * cfg.hidden, cfg.hidden)
        if cfg.bias:
            shapes[f"bias_ih_l{k}"] = (G * cfg.hidden,)
            shapes[f"bias_hh_l{k}"] = (G * cfg.hidden,)
    return shapes


def central_difference_jacobian(fn, s, eps=1e-6):
    columns = []
    with torch.no_grad():
        for i in range(s.numel()):
            e = torch.zeros_like(s)
            e[i] = eps
            columns.append((fn(s + e) - fn(s - e)) / (2 * eps))
    return torch.stack(columns, dim=1)


def check_finite_differences(cfg, module64, inputs, jac64, jac_h):
    worst = 0.0
    for b in range(inputs.shape[0]):
        states = trajectory(module64, cfg, inputs[b], torch.float64)
        for t in range(inputs.shape[1]):
            fd = central_difference_jacobian(lambda s: step(module64, cfg, inputs[b, t], s), states[t])
            worst = max(worst, (fd - jac64[b, t]).abs().max().item())
            if jac_h is not None:
                fd_h = central_difference_jacobian(step_h_only(module64, cfg, inputs[b, t], states[t]),
                                                   h_part(cfg, states[t]))
                worst = max(worst, (fd_h - jac_h[b, t]).abs().max().item())
    if worst > 1e-8:
        raise AssertionError(f"{cfg.name}: finite-difference Jacobian differs by {worst:.3g}")
    return worst


def self_check(configs, fd_subjects):
    for cfg in configs:
        base = os.path.join(OUT_DIR, cfg.name)
        model_expected = {name: (shape, "F32") for name, shape in param_shapes(cfg).items()}
        _, meta = check_file(base + ".model.safetensors", model_expected)
        assert meta == {"cell": cfg.cell, "format": "pytorch"}, meta
        tensors, meta = check_file(base + ".expect.safetensors", expected_expect_shapes(cfg, param_shapes(cfg)))
        assert meta["cell"] == cfg.cell and meta["hidden"] == str(cfg.hidden), meta
        assert np.isfinite(tensors["jacobian"]).all() and np.isfinite(tensors["loss"]).all(), cfg.name
    for cell in COMPAT_CELLS:
        cfg = compat_config(cell)
        base = os.path.join(OUT_DIR, f"compat_vogt2020_{cell}")
        check_file(base + ".model.safetensors", {n: (s, "F32") for n, s in param_shapes(cfg).items()})
        H = cfg.hidden
        check_file(base + ".expect.safetensors", {
            "inputs": ((COMPAT_BATCH, COMPAT_STEPS, cfg.input_size), "F64"), "warmup": ((1,), "I64"),
            "exponents": ((COMPAT_BATCH, H), "F64"), "exponents_mean": ((H,), "F64"),
            "exponents_std": ((H,), "F64"),
        })
    worst = max(check_finite_differences(*subject) for subject in fd_subjects)
    print(f"finite differences vs autograd (all {len(fd_subjects)} configs, full and LSTM h-only): "
          f"max |diff| = {worst:.2e}")
    total = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in os.listdir(OUT_DIR))
    print(f"{len(os.listdir(OUT_DIR))} files, {total / 1024:.1f} KiB")
    print("OK")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    configs = fixture_configs()
    fd_subjects = []
    for cfg in configs:
        fd_subjects.append((cfg, *make_fixture(cfg)))
        print(f"wrote {cfg.name}")
    for cell in COMPAT_CELLS:
        make_compat_fixture(cell)
    self_check(configs, fd_subjects)


if __name__ == "__main__":
    sys.exit(main())
