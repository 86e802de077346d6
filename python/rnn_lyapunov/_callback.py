"""`LyapunovCallback`: spectra of a PyTorch training run as it learns, recorded as a run directory
that `rnn-lyapunov report`, `serve`, `plot` and `analyze` read like the runs of `rnn-lyapunov train`."""
import json
import os
import time
import warnings

from ._cli import CLIError, run_cli
from ._run_directory import RunDirectoryWriter
from ._spectrum import drive_arguments, spectrum_arguments
from ._tensors import cell_metadata, rnn_modules, save_model


def _number_or_none(name, value):
    """A loss as a float (a 0-d tensor or numpy scalar too); None stays None."""
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number (or a 0-d tensor), got {type(value).__name__}") from None


class LyapunovCallback:
    """Call `cb(model, epoch, train_loss=…, val_loss=…)` after each epoch (and, if you like, with
    epoch 0 before training). Every `every` epochs it computes the spectrum of the model's RNN with
    the CLI, driven by `inputs` (an array [B, T, I] or a safetensors path) or `text`/`vocab`/`tokens`
    (as the CLI's options); each call saves the weights as checkpoints/epoch-NNNN.safetensors and
    appends one line to metrics.jsonl (and one to spectra.jsonl when a spectrum was taken).

    metrics.jsonl's fields that a plain loop may not know: `lr` comes from `lr=` or `optimizer=`
    (its first parameter group), `step` from `step=` (default: the epoch), and what the loop does not
    give (an omitted loss, an unknown lr) is written as null; `seconds` is the wall time since
    the previous call, spectra excluded. A spectrum the CLI refuses (e.g. weights that diverged) is
    recorded as `spectrum: null` with its error and a warning, and training goes on.
    """

    def __init__(self, out, every=1, inputs=None, *, text=None, vocab=None, tokens=None, k=None, steps=200,
                 transient=50, seed=0, threads=None, cell=None, prefix=None, compat=None, epochs=None, config=None):
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be an integer ≥ 1, got {every!r}")
        self.run = RunDirectoryWriter(out)
        self.every = every
        self.drive = dict(inputs=inputs, text=text, vocab=vocab, tokens=tokens)
        self.options = dict(cell=cell, k=k, steps=steps, transient=transient, seed=seed, threads=threads, compat=compat, prefix=prefix)
        self.epochs = epochs
        self.user_config = dict(config or {})
        self.last_epoch = None
        self.last_call_end = time.monotonic()
        self.drive_arguments = None

    @property
    def out(self):
        return self.run.path

    def __call__(self, model, epoch, train_loss=None, val_loss=None, *, val_accuracy=None, lr=None, optimizer=None, step=None):
        """Records the epoch; returns its metrics line (a dict)."""
        seconds = 0.0 if epoch == 0 else time.monotonic() - self.last_call_end
        if not isinstance(epoch, int) or epoch < 0 or (self.last_epoch is not None and epoch <= self.last_epoch):
            raise ValueError(f"epoch must be an integer ≥ 0 greater than the last one recorded ({self.last_epoch}), got {epoch!r}")
        step = epoch if step is None else step
        if not isinstance(step, int) or step < 0:
            raise ValueError(f"step must be an integer ≥ 0, got {step!r}")
        if not self.run.started:
            self._start(model)
        model_path = self.run.write_checkpoint_model(epoch, lambda path: save_model(path, model, self.options["prefix"]))
        spectrum = self._spectrum(model_path, epoch, step) if epoch % self.every == 0 else None
        metrics = {
            "epoch": epoch, "step": step, "lr": self._lr(lr, optimizer),
            "trainLoss": None if epoch == 0 else _number_or_none("train_loss", train_loss),
            "gradNorm": None, "gradNormMax": None, "clippedFraction": None,
            "valLoss": _number_or_none("val_loss", val_loss),
            "valAccuracy": _number_or_none("val_accuracy", val_accuracy),
            "lambda": spectrum["exponents"] if spectrum else None,
            "kaplanYorke": spectrum.get("kaplanYorke") if spectrum else None,
            "entropy": spectrum.get("entropy") if spectrum else None,
            "seconds": round(seconds, 3),
        }
        self.run.append("metrics", metrics)
        self.run.write_manifest(epoch, step)
        self.last_epoch = epoch
        self.last_call_end = time.monotonic()
        return metrics

    def _start(self, model):
        self.run.start()
        try:
            arguments = drive_arguments(self.run.path, **self.drive)
            # Files the run holds (arrays given as inputs/tokens) are named relative to it; others by their path.
            drive = {flag[2:]: os.path.relpath(value, self.run.path) if os.path.dirname(value) == self.run.path else value
                     for flag, value in zip(arguments[::2], arguments[1::2])}
            self.run.write_config({"source": "python", "model": type(model).__name__, **_rnn_config(model, self.options["prefix"]),
                                   "epochs": self.epochs, "spectrum": {"every": self.every, **self.options, "drive": drive},
                                   **self.user_config})
        except BaseException:
            self.run.discard()
            raise
        self.drive_arguments = arguments

    def _spectrum(self, model_path, epoch, step):
        """The spectrum's JSON as the CLI wrote it (infinities as strings, as the logs keep them), or None when refused."""
        try:
            document = json.loads(run_cli(spectrum_arguments(model_path, self.drive_arguments, **self.options)))
        except CLIError as error:
            warnings.warn(f"epoch {epoch}: no spectrum: {error.message}", RuntimeWarning, stacklevel=3)
            self.run.append("spectra", {"scope": "epoch", "epoch": epoch, "step": step, "spectrum": None, "error": error.message})
            return None
        self.run.append("spectra", {"scope": "epoch", "epoch": epoch, "step": step, "spectrum": document})
        return document

    @staticmethod
    def _lr(lr, optimizer):
        if lr is None and optimizer is not None:
            lr = optimizer.param_groups[0]["lr"]
        return _number_or_none("lr", lr)


def _rnn_config(model, prefix):
    """cell, hidden, layers, bias and input size of the model's RNN, where there is one RNN to describe."""
    modules = rnn_modules(model)
    if prefix is not None:
        modules = {p: m for p, m in modules.items() if p.rstrip(".") == prefix.rstrip(".")}
    if len(modules) != 1:
        return {}
    (name, rnn), = modules.items()
    return {**cell_metadata(rnn), "hidden": rnn.hidden_size, "layers": rnn.num_layers, "bias": bool(rnn.bias),
            "inputSize": rnn.input_size, **({"prefix": name} if name else {})}
