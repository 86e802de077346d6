import json
import os
import stat
import subprocess
import tempfile
import unittest
from pathlib import Path

import rnn_lyapunov
from rnn_lyapunov._cli import ENV_VARIABLE, find_cli, installed_repository

from _support import REPOSITORY


def touch(path, executable=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    if executable:
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


class DiscoveryTest(unittest.TestCase):
    """The order: RNN_LYAPUNOV_CLI, else the repository the package came from, else rnn-lyapunov on PATH."""

    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.root = Path(scratch.name)
        self.bin = self.root / "bin"
        touch(self.bin / "node", executable=True)
        self.program = touch(self.bin / "rnn-lyapunov", executable=True)
        self.built = self.root / "built-repo"
        self.main_js = touch(self.built / "dist" / "cli" / "main.js")
        self.environ = {"PATH": str(self.bin)}

    def test_the_environment_variable_comes_first_split_as_a_shell_would(self):
        environ = {**self.environ, ENV_VARIABLE: "node '/opt/my tools/main.js' --flag"}
        command, source = find_cli(environ, repository=str(self.built))
        self.assertEqual(command, ["node", "/opt/my tools/main.js", "--flag"])
        self.assertIn(ENV_VARIABLE, source)

    def test_then_the_repository_built_or_from_its_sources(self):
        self.assertEqual(find_cli(self.environ, repository=str(self.built))[0], ["node", str(self.main_js)])
        sources = self.root / "source-repo"
        main_ts = touch(sources / "src" / "cli" / "main.ts")
        loader = touch(sources / "node_modules" / "tsx" / "dist" / "loader.mjs")
        self.assertEqual(find_cli(self.environ, repository=str(sources))[0], ["node", "--import", loader.as_uri(), str(main_ts)])

    def test_then_the_program_on_path(self):
        empty = self.root / "moved-away"
        empty.mkdir()
        command, source = find_cli(self.environ, repository=str(empty))
        self.assertEqual(command, [str(self.program)])
        self.assertIn("PATH", source)

    def test_when_nothing_works_the_error_says_what_was_tried(self):
        self.program.unlink()
        with self.assertRaises(rnn_lyapunov.CLINotFoundError) as missing:
            find_cli(self.environ, repository=str(self.root / "gone"))
        message = str(missing.exception)
        for tried in (f"{ENV_VARIABLE} (not set)", str(self.root / "gone"), "rnn-lyapunov on PATH (not found)"):
            self.assertIn(tried, message)

    def test_the_package_knows_the_repository_it_was_installed_from(self):
        # From the source tree, or (the node test) installed with pip install ./python into a virtual environment.
        self.assertEqual(installed_repository(), str(REPOSITORY))
        if os.environ.get("RNN_LYAPUNOV_EXPECT_INSTALLED"):
            self.assertNotIn(str(REPOSITORY), rnn_lyapunov.__file__)

    def test_without_the_variable_the_repositorys_cli_runs(self):
        environ = {key: value for key, value in os.environ.items() if key != ENV_VARIABLE}
        command, source = find_cli(environ)
        self.assertIn(str(REPOSITORY), source)
        version = subprocess.run(command + ["--version"], capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual(version, json.loads((REPOSITORY / "package.json").read_text())["version"])


if __name__ == "__main__":
    unittest.main()
