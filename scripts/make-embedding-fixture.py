"""The embedding char-LM fixture and its independent PyTorch float64 reference spectrum, in
test/fixtures/embedding/ (run with /usr/bin/python3, Debian's python3-torch 1.13):

    /usr/bin/python3 scripts/make-embedding-fixture.py            # write the fixtures
    /usr/bin/python3 scripts/make-embedding-fixture.py --check    # recompute the reference, print it as JSON

A character-level language model `CharLM` (embedding = nn.Embedding(V, 16), lstm = nn.LSTM(16,
24, batch_first=True), fc = nn.Linear(24, V)) is trained 30 Adam steps on text.txt (committed
beside it; V = the text's distinct characters, sorted) and saved three ways:

  charlm.safetensors   model.state_dict() as F32 safetensors (embedding.weight, lstm.*, fc.*)
  charlm.pt            torch.save(model.state_dict()), the same tensors
  charlm.vocab.json    the vocabulary: a JSON list of the V symbols, index = token id

charlm.reference.json: the Lyapunov spectrum of the LSTM's joint (h, c) state driven by the
text through the embedding, computed here independently of rnn-lyapunov: the text is cut into
B windows of W = transient + steps characters at evenly spaced offsets
floor(b (N - W) / (B - 1)) (b = 0 .. B-1; offset 0 when B = 1), the rule `spectrum --text`
documents; each window is embedded (the embedding's rows), the float64 LSTM is run from
h = c = 0; at every step the Jacobian d(h', c')/d(h, c) of one step of the module is taken by
torch.autograd.functional.jacobian, multiplied into an orthonormal basis (a random orthogonal
matrix, all 48 columns; `exponents_identity_basis`: the identity) and re-orthonormalised by QR; the exponents are the mean of log|R_ii|
over the `steps` steps after the first `transient` (which evolve the state and the basis but
are not averaged), over all windows.

seq2seq.safetensors: an encoder (nn.GRU(8, 5) with its own nn.Embedding(11, 8)) and a decoder
(nn.LSTM(6, 4) with nn.Embedding(11, 6)), untrained: two RNNs in one file, for --prefix.
decoder_lstm.safetensors: the decoder's nn.LSTM state dict alone, bare names.
"""

import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "test", "fixtures", "embedding")
EMBED, HIDDEN = 16, 24
# The reference spectrum's drive: B windows of TRANSIENT + STEPS characters.
BATCH, TRANSIENT, STEPS = 4, 50, 500


class CharLM(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, EMBED)
        self.lstm = nn.LSTM(EMBED, HIDDEN, batch_first=True)
        self.fc = nn.Linear(HIDDEN, vocab_size)

    def forward(self, ids):
        out, _ = self.lstm(self.embedding(ids))
        return self.fc(out)


def read_text():
    with open(os.path.join(OUT, "text.txt"), encoding="utf-8") as f:
        return f.read()


def train(text, vocab):
    torch.manual_seed(0)
    model = CharLM(len(vocab))
    ids = torch.tensor([vocab.index(ch) for ch in text])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(1)
    length = 64
    for _ in range(30):
        starts = torch.randint(0, len(ids) - length - 1, (16,), generator=generator)
        batch = torch.stack([ids[s : s + length + 1] for s in starts.tolist()])
        logits = model(batch[:, :-1])
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), batch[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"trained 30 Adam steps, last loss {loss.item():.4f}")
    return model


def window_offsets(length, batch, window):
    if length < window:
        raise ValueError(f"text of {length} symbols is shorter than a window of {window}")
    return [0] if batch == 1 else [b * (length - window) // (batch - 1) for b in range(batch)]


def reference_spectrum(state_dict, text, vocab):
    """The float64 spectrum, from the saved state dict (as the CLI reads it: float32 values),
    from a random initial basis and from the identity."""
    random = reference_exponents(state_dict, text, vocab, "random")
    identity = reference_exponents(state_dict, text, vocab, "identity")
    return {
        "exponents": random,
        "exponents_identity_basis": identity,
        "units": "nats/step",
        "batch": BATCH,
        "transient": TRANSIENT,
        "steps": STEPS,
        "offsets": window_offsets(len(text), BATCH, TRANSIENT + STEPS),
        "state": "joint (h, c), n = 48",
        "method": "torch.autograd.functional.jacobian of one nn.LSTM step in float64, QR every step",
        "torch": torch.__version__,
    }


def reference_exponents(state_dict, text, vocab, basis):
    torch.set_default_dtype(torch.float64)
    model = CharLM(len(vocab)).double()
    model.load_state_dict({name: value.double() for name, value in state_dict.items()})
    lstm, embedding = model.lstm, model.embedding.weight.detach()
    ids = [vocab.index(ch) for ch in text]
    window = TRANSIENT + STEPS
    offsets = window_offsets(len(ids), BATCH, window)
    n = 2 * HIDDEN
    generator = torch.Generator().manual_seed(5)

    def step(x, s):
        _, (h, c) = lstm(x.view(1, 1, EMBED), (s[:HIDDEN].view(1, 1, HIDDEN), s[HIDDEN:].view(1, 1, HIDDEN)))
        return torch.cat([h.view(HIDDEN), c.view(HIDDEN)])

    sums = torch.zeros(n)
    for offset in offsets:
        s = torch.zeros(n)
        q = torch.linalg.qr(torch.randn(n, n, generator=generator))[0] if basis == "random" else torch.eye(n)
        for t in range(window):
            x = embedding[ids[offset + t]]
            jac = torch.autograd.functional.jacobian(lambda state: step(x, state), s, vectorize=True)
            q, r = torch.linalg.qr(jac @ q)
            if t >= TRANSIENT:
                sums += torch.log(torch.abs(torch.diagonal(r)))
            with torch.no_grad():
                s = step(x, s)
    return (sums / (BATCH * STEPS)).tolist()


def seq2seq():
    torch.manual_seed(3)
    module = nn.ModuleDict({
        "encoder": nn.ModuleDict({"embedding": nn.Embedding(11, 8), "rnn": nn.GRU(8, 5, batch_first=True)}),
        "decoder": nn.ModuleDict({"embedding": nn.Embedding(11, 6), "rnn": nn.LSTM(6, 4, batch_first=True)}),
    })
    state = {name: value.detach().numpy() for name, value in module.state_dict().items()}
    write_safetensors(os.path.join(OUT, "seq2seq.safetensors"), state, {"format": "pt"})
    decoder = {name: value.detach().numpy() for name, value in module["decoder"]["rnn"].state_dict().items()}
    write_safetensors(os.path.join(OUT, "decoder_lstm.safetensors"), decoder, {"format": "pt"})


def main():
    torch.set_num_threads(1)
    text = read_text()
    if "--check" in sys.argv:
        from safetensors_io import read_safetensors

        tensors, _ = read_safetensors(os.path.join(OUT, "charlm.safetensors"))
        with open(os.path.join(OUT, "charlm.vocab.json"), encoding="utf-8") as f:
            vocab = json.load(f)
        state = {name: torch.from_numpy(np.array(value)) for name, value in tensors.items()}
        print(json.dumps(reference_spectrum(state, text, vocab)))
        return
    vocab = sorted(set(text))
    model = train(text, vocab)
    state = {name: value.detach().clone() for name, value in model.state_dict().items()}
    write_safetensors(os.path.join(OUT, "charlm.safetensors"), {k: v.numpy() for k, v in state.items()}, {"format": "pt"})
    torch.save(model.state_dict(), os.path.join(OUT, "charlm.pt"))
    with open(os.path.join(OUT, "charlm.vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
        f.write("\n")
    reference = reference_spectrum(state, text, vocab)
    with open(os.path.join(OUT, "charlm.reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print("reference λ1..λ5:", " ".join(f"{x:.6f}" for x in reference["exponents"][:5]))
    seq2seq()
    print("OK")


if __name__ == "__main__":
    main()
