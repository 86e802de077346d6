"""The Lyapunov spectrum step in PyTorch on CPU, the same problem as bench/spectrum.ts (run with
/usr/bin/python3, Debian's python3-torch): for each cell (rnn_tanh, lstm with the joint (h, c)
state, gru) and hidden size H, float64, a batch of B = 16 trajectories, k = D exponents where D is
the state dimension (H, or 2H for the joint LSTM). One step is the whole Lyapunov step as a
PyTorch user writes it, in the style of the authors' code:

  the cell's forward step on a batch of random inputs (torch.nn.RNNCell/LSTMCell/GRUCell),
  the analytic dense Jacobian J (B×D×D) assembled with batched torch ops,
  Q ← torch.bmm(J, Q), Q, R = torch.linalg.qr(Q) (reduced), signs of diag R moved into Q,
  log|diag R| accumulated.

Before timing, each cell's analytic Jacobian is checked against torch.autograd.functional.jacobian
at a small H (to 1e-10), so the timed loop is the real computation. One JSON line per
(cell, hidden, threads): {"cell", "hidden", "dim", "threads", "msPerStep", "medianMs", "steps",
"torch", "blas"}; msPerStep is the minimum over the timed steps after one warm-up step, timed steps are
bounded by --seconds (at least 2). threads: 1 and all cores (os.cpu_count(); torch's own default may
be 1 in containers).

    /usr/bin/python3 scripts/bench_torch.py [--sizes 64,128,256,512] [--cells rnn_tanh,lstm,gru] [--seconds 2] [--k K]
"""

from bench_args import bench_arguments, blas_library
import json
import math
import os
import statistics
import time

import torch
from torch import nn

BATCH, INPUT_SIZE = 16, 8
CELLS = {"rnn_tanh": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}


def state_dim(cell, hidden):
    return 2 * hidden if cell == "lstm" else hidden


def make_cell(cell, hidden, seed):
    torch.manual_seed(seed)
    module = CELLS[cell](INPUT_SIZE, hidden).double()
    bound = 1 / math.sqrt(hidden)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-bound, bound)
    return module


def diag_times(v, m):
    """D(v)·M for a batch of vectors v (B×n) and one matrix M (n×m): B×n×m."""
    return v.unsqueeze(2) * m


def forward_and_jacobian(cell, module, x, state):
    """The cell's step from `state` (B×D: h, or (h, c) concatenated for the LSTM) and the
    analytic Jacobian ∂state'/∂state (B×D×D), following docs/method.md section 3."""
    hidden = module.hidden_size
    w_hh, b_hh = module.weight_hh, module.bias_hh
    if cell == "rnn_tanh":
        h_new = module(x, state)
        return h_new, diag_times(1 - h_new * h_new, w_hh)
    if cell == "lstm":
        h, c = state[:, :hidden], state[:, hidden:]
        h_new, c_new = module(x, (h, c))
        pre = torch.addmm(module.bias_ih, x, module.weight_ih.t()) + torch.addmm(b_hh, h, w_hh.t())
        i, f, g, o = pre.split(hidden, dim=1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        u_i, u_f, u_g, u_o = w_hh.split(hidden, dim=0)
        dc_dh = diag_times(c * f * (1 - f), u_f) + diag_times(g * i * (1 - i), u_i) + diag_times(i * (1 - g * g), u_g)
        tanh_c = torch.tanh(c_new)
        out_gain = o * (1 - tanh_c * tanh_c)
        dh_dh = out_gain.unsqueeze(2) * dc_dh + diag_times(tanh_c * o * (1 - o), u_o)
        jac = torch.cat([
            torch.cat([dh_dh, torch.diag_embed(out_gain * f)], dim=2),
            torch.cat([dc_dh, torch.diag_embed(f)], dim=2),
        ], dim=1)
        return torch.cat([h_new, c_new], dim=1), jac
    # gru, gate order r, z, n
    h = state
    h_new = module(x, h)
    gi = torch.addmm(module.bias_ih, x, module.weight_ih.t())
    gh = torch.addmm(b_hh, h, w_hh.t())
    i_r, i_z, i_n = gi.split(hidden, dim=1)
    h_r, h_z, h_n = gh.split(hidden, dim=1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    u_r, u_z, u_n = w_hh.split(hidden, dim=0)
    cand_gain = (1 - z) * (1 - n * n)
    jac = (
        torch.diag_embed(z)
        + diag_times((h - n) * z * (1 - z), u_z)
        + diag_times(cand_gain * h_n * r * (1 - r), u_r)
        + diag_times(cand_gain * r, u_n)
    )
    return h_new, jac


def check_jacobian(cell):
    """The analytic Jacobian equals autograd's, trajectory by trajectory, at a small H."""
    hidden, batch = 5, 3
    module = make_cell(cell, hidden, seed=7)
    dim = state_dim(cell, hidden)
    x = torch.randn(batch, INPUT_SIZE, dtype=torch.float64)
    state = torch.randn(batch, dim, dtype=torch.float64)
    with torch.no_grad():
        _, jac = forward_and_jacobian(cell, module, x, state)
    for b in range(batch):
        step = lambda s: forward_and_jacobian(cell, module, x[b:b + 1], s.unsqueeze(0))[0].squeeze(0)
        expected = torch.autograd.functional.jacobian(step, state[b])
        err = (jac[b] - expected).abs().max().item()
        assert err < 1e-10, f"{cell}: analytic Jacobian differs from autograd by {err} in trajectory {b}"


def time_steps(cell, hidden, seconds, k=None):
    """ms per Lyapunov step with k exponents (all D when None): one warm-up step, then at least 2
    timed steps, more while within `seconds`."""
    dim = state_dim(cell, hidden)
    k = dim if k is None else min(k, dim)
    module = make_cell(cell, hidden, seed=1)
    state = torch.zeros(BATCH, dim, dtype=torch.float64)
    q, _ = torch.linalg.qr(torch.randn(BATCH, dim, k, dtype=torch.float64))
    log_sums = torch.zeros(BATCH, k, dtype=torch.float64)

    def step():
        nonlocal state, q
        x = torch.randn(BATCH, INPUT_SIZE, dtype=torch.float64)
        state, jac = forward_and_jacobian(cell, module, x, state)
        q, r = torch.linalg.qr(torch.bmm(jac, q))
        r_diag = torch.diagonal(r, dim1=1, dim2=2)
        q = q * torch.sign(r_diag).unsqueeze(1)
        log_sums.add_(torch.log(r_diag.abs()))

    times = []
    with torch.no_grad():
        step()
        until = time.perf_counter() + seconds
        while len(times) < 2 or time.perf_counter() < until:
            start = time.perf_counter()
            step()
            times.append((time.perf_counter() - start) * 1000)
    assert torch.isfinite(log_sums).all(), f"{cell} H={hidden}: non-finite log|R_ii|"
    return min(times), statistics.median(times), len(times)


def main():
    parser = bench_arguments(sizes="64,128,256,512", cells="rnn_tanh,lstm,gru", seconds=2.0)
    parser.add_argument("--k", type=int, default=None, help="exponents per trajectory (default: all D)")
    args = parser.parse_args()
    cells = args.cells.split(",")
    unknown = [c for c in cells if c not in CELLS]
    if unknown:
        parser.error(f"unknown cells {unknown}; expected some of {sorted(CELLS)}")
    default_threads = torch.get_num_threads()
    blas = blas_library()
    for cell in cells:
        check_jacobian(cell)
        for hidden in map(int, args.sizes.split(",")):
            for threads in sorted({1, os.cpu_count() or 1}):
                torch.set_num_threads(threads)
                best, median, steps = time_steps(cell, hidden, args.seconds, args.k)
                print(json.dumps({
                    "cell": cell, "hidden": hidden, "dim": state_dim(cell, hidden), "k": min(args.k or 10**9, state_dim(cell, hidden)), "threads": threads,
                    "msPerStep": best, "medianMs": median, "steps": steps, "torch": torch.__version__, "blas": blas,
                }), flush=True)
    torch.set_num_threads(default_threads)


if __name__ == "__main__":
    main()
