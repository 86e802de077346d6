"""A run directory in the format of src/record (run-directory.ts, schema.ts), written from Python:

  config.json                   what was run
  metrics.jsonl                 one line per epoch: the fields of `EpochMetrics`
  spectra.jsonl                 one line per spectrum: {scope, epoch, step, spectrum}
  checkpoints/epoch-NNNN.safetensors and its manifest checkpoints/epoch-NNNN.json

Files are replaced atomically through temporary files named `.NAME.PID.RANDOM.tmp` (which the
readers skip), log lines are appended whole, and a checkpoint's manifest is written last, with the
number of log lines that belong to it. Non-finite numbers are written as the strings "NaN",
"Infinity", "-Infinity", which the readers turn back into numbers (JSON has no such numbers).
"""
import datetime
import json
import math
import os
import secrets
import shutil

CHECKPOINTS = "checkpoints"


def _finite_or_string(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {str(k): _finite_or_string(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_string(v) for v in value]
    return value


def encode_json(value, indent=None):
    separators = None if indent else (",", ":")  # log lines compact, as the CLI writes them
    return json.dumps(_finite_or_string(value), indent=indent, separators=separators, ensure_ascii=False, allow_nan=False)


def _replace_atomically(path, write):
    """Calls write(temporary_path), then puts the complete file in place of `path` in one rename."""
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    try:
        write(temporary)
        with open(temporary, "rb") as f:
            os.fsync(f.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _write_bytes(data):
    def write(path):
        with open(path, "wb") as f:
            f.write(data)
    return write


class RunDirectoryWriter:
    """A new run directory; refuses one that already holds anything (results are never overwritten)."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        if os.path.exists(self.path) and not os.path.isdir(self.path):
            raise FileExistsError(f"{self.path}: exists and is not a directory")
        if os.path.isdir(self.path) and os.listdir(self.path):
            raise FileExistsError(f"{self.path}: already holds {len(os.listdir(self.path))} entries; "
                                  "choose a new directory: results are never overwritten")
        self.lines = {"metrics": 0, "spectra": 0}
        self.created_directory = not os.path.exists(self.path)
        self.started = False

    def start(self):
        """Creates the directory, its empty logs and checkpoints/; the run counts as one once `write_config` wrote config.json."""
        os.makedirs(os.path.join(self.path, CHECKPOINTS), exist_ok=True)
        for log in self.lines:
            self.write_file(f"{log}.jsonl", b"")
        self.started = True

    def discard(self):
        """Undoes a start that failed before the first epoch was recorded (the directory was empty or absent)."""
        if self.created_directory:
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            for name in os.listdir(self.path):
                path = os.path.join(self.path, name)
                if os.path.isdir(path):
                    shutil.rmtree(path)
                else:
                    os.remove(path)
        self.started = False

    def write_config(self, config):
        self.write_file("config.json", (encode_json(config, indent=2) + "\n").encode("utf-8"))

    def write_file(self, name, data):
        path = os.path.join(self.path, name)
        _replace_atomically(path, _write_bytes(data))
        return path

    def append(self, log, record):
        with open(os.path.join(self.path, f"{log}.jsonl"), "ab") as f:
            f.write((encode_json(record) + "\n").encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        self.lines[log] += 1

    def checkpoint_path(self, epoch, suffix):
        return os.path.join(self.path, CHECKPOINTS, f"epoch-{epoch:04d}.{suffix}")

    def write_checkpoint_model(self, epoch, write_safetensors):
        """The checkpoint's model file, written with write_safetensors(path); it counts only once `write_manifest` vouches for it."""
        path = self.checkpoint_path(epoch, "safetensors")
        _replace_atomically(path, write_safetensors)
        return path

    def write_manifest(self, epoch, step, state=None):
        """Completes the checkpoint of `epoch`: its file sizes and the log lines written so far (call after the epoch's lines)."""
        model = self.checkpoint_path(epoch, "safetensors")
        saved_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        manifest = {"format": "rnn-lyapunov.checkpoint", "version": 1, "epoch": epoch, "step": step, "savedAt": saved_at,
                    "lines": dict(self.lines), "files": {"safetensors": {"name": os.path.basename(model), "bytes": os.path.getsize(model)}},
                    "state": state}
        self.write_file(os.path.join(CHECKPOINTS, f"epoch-{epoch:04d}.json"), (encode_json(manifest, indent=2) + "\n").encode("utf-8"))
