"""Finding the rnn-lyapunov CLI and running it.

Order: the RNN_LYAPUNOV_CLI environment variable (a command line, split as a shell would), else
the repository this package was installed from (its built dist/cli/main.js, or src/cli/main.ts
through the repository's own tsx), else `rnn-lyapunov` on PATH.
"""
import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

ENV_VARIABLE = "RNN_LYAPUNOV_CLI"
PROGRAM = "rnn-lyapunov"
_NON_FINITE = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


class CLIError(Exception):
    """The CLI refused its input (exit code 2); the message is the CLI's one line, `rnn-lyapunov: …`."""

    def __init__(self, message, command=None):
        super().__init__(message)
        self.message = message
        self.command = command


class CLIFailure(RuntimeError):
    """The CLI failed unexpectedly (a bug: any exit code other than 0 and 2); the message holds its stderr."""

    def __init__(self, returncode, stderr, command):
        super().__init__(f"{shlex.join(command)} exited with code {returncode}:\n{stderr.rstrip()}")
        self.returncode = returncode
        self.stderr = stderr
        self.command = command


class CLINotFoundError(FileNotFoundError):
    """No way to run the CLI was found; the message lists each place tried."""


def installed_repository():
    """The repository recorded when the package was built, or this source tree's repository
    (an editable install or a checkout on sys.path); None when neither is known."""
    try:
        from ._installed_from import REPOSITORY  # written by setup.py into the build only
        return REPOSITORY
    except ImportError:
        source_parent = Path(__file__).resolve().parents[2]
        return str(source_parent) if (source_parent / "package.json").is_file() else None


def _repository_command(repository):
    """How to run the CLI of a repository checkout, or (None, why not)."""
    root = Path(repository)
    built = root / "dist" / "cli" / "main.js"
    if built.is_file():
        return ["node", str(built)], None
    source = root / "src" / "cli" / "main.ts"
    tsx = root / "node_modules" / "tsx" / "dist" / "loader.mjs"
    if source.is_file() and tsx.is_file():
        return ["node", "--import", tsx.as_uri(), str(source)], None
    return None, f"{repository} has neither dist/cli/main.js (npm run build) nor src/cli/main.ts with node_modules/tsx"


def find_cli(environ=None, repository=None, search_path=None):
    """The CLI as an argument list, and a line saying where it came from.

    `environ`, `repository` and `search_path` default to os.environ, `installed_repository()` and
    PATH; tests pass their own to check the order.
    """
    environ = os.environ if environ is None else environ
    tried = []
    line = environ.get(ENV_VARIABLE, "").strip()
    if line:
        return shlex.split(line), f"{ENV_VARIABLE}={line}"
    tried.append(f"{ENV_VARIABLE} (not set)")
    repository = installed_repository() if repository is None else repository
    if repository:
        if shutil.which("node", path=environ.get("PATH") if search_path is None else search_path) is None:
            tried.append(f"the repository {repository} (node is not on PATH)")
        else:
            command, why_not = _repository_command(repository)
            if command is not None:
                return command, f"the repository {repository}"
            tried.append(f"the repository: {why_not}")
    else:
        tried.append("the repository the package was installed from (not recorded)")
    on_path = shutil.which(PROGRAM, path=environ.get("PATH") if search_path is None else search_path)
    if on_path:
        return [on_path], f"{PROGRAM} on PATH ({on_path})"
    tried.append(f"{PROGRAM} on PATH (not found)")
    raise CLINotFoundError(
        "cannot find the rnn-lyapunov CLI; tried " + "; ".join(tried) +
        f". Set {ENV_VARIABLE}, e.g. {ENV_VARIABLE}='node /path/to/rnn-lyapunov/dist/cli/main.js'"
    )


def run_cli(arguments):
    """Runs the CLI with `arguments` and returns its stdout; raises CLIError (exit 2) or CLIFailure."""
    command = find_cli()[0] + [str(a) for a in arguments]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise CLINotFoundError(f"cannot run {shlex.join(command)}: {error}") from None
    if done.returncode == 0:
        return done.stdout
    if done.returncode == 2:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        own = [line for line in lines if line.startswith(f"{PROGRAM}:")]
        raise CLIError((own or lines or [f"{shlex.join(command)} exited with code 2"])[0], command)
    raise CLIFailure(done.returncode, done.stderr, command)


def decode_document(text):
    """The CLI's JSON, with lists of numbers as numpy arrays and "-Infinity"/"Infinity"/"NaN" as floats."""
    return _numeric(json.loads(text))


def _numeric(value):
    import numpy as np

    if isinstance(value, dict):
        return {k: _numeric(v) for k, v in value.items()}
    if isinstance(value, str):
        return _NON_FINITE.get(value, value)
    if isinstance(value, list):
        items = [_numeric(v) for v in value]
        if items and all(_is_numeric(v) for v in items):
            try:
                return np.array(items)
            except ValueError:  # ragged rows stay a list of arrays
                return items
        return items
    return value


def _is_numeric(value):
    import numpy as np

    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "if"
