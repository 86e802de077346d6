import json
import os
import shlex
import sys
import tempfile
import unittest

import numpy as np

import rnn_lyapunov
from rnn_lyapunov._cli import decode_document

from _support import cli_spectrum_directly, ensure_cli_environment, needs_torch, reference_safetensors, run_cli_directly, torch

ensure_cli_environment()
OPTIONS = dict(steps=40, transient=10, seed=3, threads=1)
FLAGS = ["--steps", "40", "--transient", "10", "--seed", "3", "--threads", "1"]


def gru_state_dict(rng, input_size, hidden):
    """A float64 GRU state dict of random weights, as numpy arrays."""
    shapes = {"weight_ih_l0": (3 * hidden, input_size), "weight_hh_l0": (3 * hidden, hidden),
              "bias_ih_l0": (3 * hidden,), "bias_hh_l0": (3 * hidden,)}
    return {name: rng.normal(0, 0.6, shape) for name, shape in shapes.items()}


class SpectrumTest(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.scratch = scratch.name

    def reference_file(self, name, tensors, metadata=None):
        path = os.path.join(self.scratch, name)
        reference_safetensors.write_safetensors(path, tensors, metadata or {})
        return path

    def test_a_numpy_state_dict_and_inputs_array_give_the_cli_spectrum_of_the_same_files(self):
        state = gru_state_dict(np.random.default_rng(1), 3, 5)
        inputs = np.random.default_rng(2).normal(size=(3, 50, 3))
        result = rnn_lyapunov.spectrum(state, inputs, k=4, **OPTIONS)
        expected = cli_spectrum_directly(self.reference_file("gru.safetensors", state), "--k", "4",
                                         "--inputs", self.reference_file("inputs.safetensors", {"inputs": inputs}), *FLAGS)
        self.assertIsInstance(result["exponents"], np.ndarray)
        np.testing.assert_array_equal(result["exponents"], expected["exponents"])
        np.testing.assert_array_equal(result["trace"]["exponents"], expected["trace"]["exponents"])
        self.assertEqual(result["trace"]["exponents"].shape, (40, 4))
        self.assertEqual((result["model"]["cell"], result["options"]["batch"]), ("gru", 3))

    @needs_torch
    def test_an_nn_gru_gives_the_cli_spectrum_of_its_weights(self):
        torch.manual_seed(0)
        gru = torch.nn.GRU(3, 6)
        result = rnn_lyapunov.spectrum(gru, **OPTIONS)
        weights = {name: t.detach().numpy() for name, t in gru.state_dict().items()}
        expected = cli_spectrum_directly(self.reference_file("gru.safetensors", weights), *FLAGS)
        np.testing.assert_array_equal(result["exponents"], expected["exponents"])
        self.assertEqual(len(result["exponents"]), 6)

    @needs_torch
    def test_a_module_holding_a_relu_rnn_records_its_nonlinearity_which_the_weights_cannot_tell(self):
        class Model(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = torch.nn.RNN(2, 4, nonlinearity="relu")
                self.fc = torch.nn.Linear(4, 2)

        # The same weights as a bare state dict are refused: a single gate does not tell tanh from relu.
        self.assertEqual(rnn_lyapunov.spectrum(Model(), **OPTIONS)["model"]["cell"], "rnn_relu")

    def test_a_refusal_of_the_cli_is_a_cli_error_with_its_one_line_message(self):
        state = gru_state_dict(np.random.default_rng(4), 2, 3)
        code, _, stderr = run_cli_directly("spectrum", self.reference_file("gru.safetensors", state), "--k", "99", *FLAGS)
        self.assertEqual(code, 2)
        with self.assertRaises(rnn_lyapunov.CLIError) as raised:
            rnn_lyapunov.spectrum(state, k=99, **OPTIONS)
        self.assertEqual(str(raised.exception), stderr.strip())
        self.assertTrue(str(raised.exception).startswith("rnn-lyapunov: --k"))

    def test_a_temporary_file_in_a_cli_message_is_named_by_the_argument_it_holds(self):
        state = gru_state_dict(np.random.default_rng(5), 2, 3)
        with self.assertRaises(rnn_lyapunov.CLIError) as raised:
            rnn_lyapunov.spectrum(state, np.zeros((1, 20, 7)), **OPTIONS)
        self.assertIn("inputs (as inputs.safetensors)", str(raised.exception))
        self.assertNotIn(tempfile.gettempdir(), str(raised.exception))


class CliOutcomeTest(unittest.TestCase):
    """How the CLI's exit codes reach Python, with stand-in CLIs (python scripts) of known behaviour."""

    def stand_in(self, body):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        script = os.path.join(scratch.name, "cli.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write("import sys\n" + body)
        previous = os.environ["RNN_LYAPUNOV_CLI"]
        os.environ["RNN_LYAPUNOV_CLI"] = shlex.join([sys.executable, script])
        self.addCleanup(os.environ.__setitem__, "RNN_LYAPUNOV_CLI", previous)

    def test_exit_2_is_a_cli_error_with_the_programs_own_line(self):
        self.stand_in("sys.stderr.write(\"rnn-lyapunov: unknown option '--text'\\n(run with --help for usage)\\n\"); sys.exit(2)\n")
        with self.assertRaises(rnn_lyapunov.CLIError) as raised:
            rnn_lyapunov.spectrum({"weight_hh_l0": np.eye(2)})
        self.assertEqual(str(raised.exception), "rnn-lyapunov: unknown option '--text'")

    def test_another_exit_code_is_a_cli_failure_with_all_of_stderr(self):
        self.stand_in("sys.stderr.write('TypeError: boom\\n    at frame (main.ts:1)\\n'); sys.exit(1)\n")
        with self.assertRaises(rnn_lyapunov.CLIFailure) as raised:
            rnn_lyapunov.spectrum({"weight_hh_l0": np.eye(2)})
        self.assertIn("exited with code 1", str(raised.exception))
        self.assertIn("at frame (main.ts:1)", str(raised.exception))

    def test_the_document_comes_back_with_arrays_and_infinities_as_floats(self):
        document = {"exponents": [0.5, "-Infinity"], "trace": {"steps": [1, 2], "exponents": [[1, 2], [3, 4]]},
                    "warnings": [], "kaplanYorke": "Infinity", "units": "nats/step"}
        self.stand_in(f"print({json.dumps(json.dumps(document))})\n")
        result = rnn_lyapunov.spectrum({"weight_hh_l0": np.eye(2)})
        np.testing.assert_array_equal(result["exponents"], [0.5, -np.inf])
        self.assertEqual(result["trace"]["exponents"].shape, (2, 2))
        self.assertEqual(result["kaplanYorke"], float("inf"))
        self.assertEqual((result["units"], result["warnings"]), ("nats/step", []))
        self.assertEqual(decode_document('{"a": ["x", 1]}'), {"a": ["x", 1]})


if __name__ == "__main__":
    unittest.main()
