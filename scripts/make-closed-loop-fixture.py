"""The closed-loop fixtures in test/fixtures/closed-loop/ and their independent PyTorch reference
(run with /usr/bin/python3, Debian's python3-torch 1.13):

    /usr/bin/python3 scripts/make-closed-loop-fixture.py            # write the fixtures
    /usr/bin/python3 scripts/make-closed-loop-fixture.py --check    # recompute the reference, print it as JSON

forecaster.safetensors: an untrained float64 `Forecaster` (rnn = nn.GRU(3, 6, num_layers=2,
batch_first=True), fc = nn.Linear(6, 3): output size = input size), PyTorch's initialisation
scaled by 2.5 so that the loop does not just fall to a fixed point.
bad_readout.safetensors: the same RNN with fc = nn.Linear(6, 4) (output size 4 ≠ input size 3).

forecaster.reference.json: the closed loop h ↦ GRU(fc(h_top), h) from h = 0 (x_0 = fc(0) =
fc.bias), run here independently of rnn-lyapunov: at every step the Jacobian of the whole
autonomous step d(h0', h1')/d(h0, h1) is taken by torch.autograd.functional.jacobian (so it
includes the feedback path through fc), and `mean_log_abs_det` is the mean of log|det J| over the
`steps` steps after the first `transient`: by the sum rule, the sum of all Lyapunov exponents.
`final_state` is the state after transient + steps steps.
"""

import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "test", "fixtures", "closed-loop")
INPUT, HIDDEN, LAYERS = 3, 6, 2
TRANSIENT, STEPS = 20, 200


class Forecaster(nn.Module):
    def __init__(self, outputs=INPUT):
        super().__init__()
        self.rnn = nn.GRU(INPUT, HIDDEN, num_layers=LAYERS, batch_first=True)
        self.fc = nn.Linear(HIDDEN, outputs)


def make_model(outputs=INPUT):
    torch.manual_seed(17)
    model = Forecaster(outputs).double()
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(2.5)
    return model


def step(model, state):
    """One autonomous step: state is [LAYERS·HIDDEN] (layer 0's h, then layer 1's)."""
    h = state.reshape(LAYERS, 1, HIDDEN)
    x = model.fc(h[-1]).reshape(1, 1, INPUT)
    _, h_new = model.rnn(x, h)
    return h_new.reshape(-1)


def reference(model):
    state = torch.zeros(LAYERS * HIDDEN, dtype=torch.float64)
    total = 0.0
    for t in range(TRANSIENT + STEPS):
        if t >= TRANSIENT:
            jac = torch.autograd.functional.jacobian(lambda s: step(model, s), state)
            total += torch.linalg.slogdet(jac)[1].item()
        with torch.no_grad():
            state = step(model, state)
    return {
        "transient": TRANSIENT, "steps": STEPS, "mean_log_abs_det": total / STEPS,
        "final_state": state.tolist(),
    }


def main():
    model = make_model()
    ref = reference(model)
    if "--check" in sys.argv:
        print(json.dumps(ref))
        return
    os.makedirs(OUT, exist_ok=True)
    tensors = {name: p.detach().numpy() for name, p in model.state_dict().items()}
    write_safetensors(os.path.join(OUT, "forecaster.safetensors"), tensors, {})
    bad = make_model(outputs=4)
    write_safetensors(os.path.join(OUT, "bad_readout.safetensors"), {name: p.detach().numpy() for name, p in bad.state_dict().items()}, {})
    with open(os.path.join(OUT, "forecaster.reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
