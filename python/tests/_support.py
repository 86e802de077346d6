"""What the tests share: the repository (these tests run from its python/tests), the CLI as the
tests run it directly, and the repository's own safetensors writer (scripts/safetensors_io.py),
an implementation independent of the package's, to write the oracle's files."""
import importlib.util
import json
import os
import shlex
import subprocess
import unittest
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]

try:
    import torch
except ImportError:
    torch = None

needs_torch = unittest.skipIf(torch is None, "torch is not installed")


def _load_reference_writer():
    spec = importlib.util.spec_from_file_location("safetensors_io", REPOSITORY / "scripts" / "safetensors_io.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference_safetensors = _load_reference_writer()


def cli_command():
    """The CLI as the tests' environment names it (RNN_LYAPUNOV_CLI), else the repository's sources through tsx."""
    line = os.environ.get("RNN_LYAPUNOV_CLI")
    if line:
        return shlex.split(line)
    return ["node", "--import", (REPOSITORY / "node_modules" / "tsx" / "dist" / "loader.mjs").as_uri(),
            str(REPOSITORY / "src" / "cli" / "main.ts")]


def run_cli_directly(*arguments):
    """(exit code, stdout, stderr) of the CLI run without the package."""
    done = subprocess.run(cli_command() + [str(a) for a in arguments], capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, done.stderr


def cli_spectrum_directly(*arguments):
    code, stdout, stderr = run_cli_directly("spectrum", *arguments, "--json")
    if code != 0:
        raise AssertionError(f"the CLI failed ({code}): {stderr}")
    return json.loads(stdout)


def ensure_cli_environment():
    """The package under test finds the CLI through RNN_LYAPUNOV_CLI, as the tests do."""
    os.environ.setdefault("RNN_LYAPUNOV_CLI", shlex.join(cli_command()))
