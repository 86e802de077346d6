import json
import math
import os
import tempfile
import unittest

import numpy as np

import rnn_lyapunov
from rnn_lyapunov._run_directory import encode_json

from _support import ensure_cli_environment, needs_torch, run_cli_directly, torch

ensure_cli_environment()
# The node test (test/python.package.test.ts) names a directory here to read the run with its own readers.
KEEP_RUNS_IN = os.environ.get("RNN_LYAPUNOV_TEST_RUNS")


class CallbackTest(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        self.scratch = scratch.name

    @needs_torch
    def test_a_three_epoch_pytorch_loop_writes_a_run_directory_that_report_and_plot_read(self):
        torch.manual_seed(0)

        class Model(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.gru = torch.nn.GRU(2, 4, batch_first=True)
                self.fc = torch.nn.Linear(4, 1)

            def forward(self, x):
                return self.fc(self.gru(x)[0])

        model = Model()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        x = torch.randn(16, 20, 2)
        y = 0.1 * x.sum(-1, keepdim=True).cumsum(1)
        out = os.path.join(KEEP_RUNS_IN or self.scratch, "python-run")
        callback = rnn_lyapunov.LyapunovCallback(out, every=2, inputs=x[:2].numpy(), steps=15, transient=3, threads=1,
                                                 epochs=3, config={"task": {"name": "cumsum"}})

        def validation_loss():
            with torch.no_grad():
                return torch.nn.functional.mse_loss(model(x), y)

        lines = [callback(model, 0, val_loss=validation_loss(), optimizer=optimizer)]
        for epoch in range(1, 4):
            loss = torch.nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            lines.append(callback(model, epoch, train_loss=loss, val_loss=validation_loss(), optimizer=optimizer, step=epoch * 4))

        self.assertEqual([line["lambda"] is not None for line in lines], [True, False, True, False])
        self.assertEqual(sorted(os.listdir(os.path.join(out, "checkpoints"))),
                         [f"epoch-000{e}.{s}" for e in range(4) for s in ("json", "safetensors")])
        with open(os.path.join(out, "spectra.jsonl"), encoding="utf-8") as f:
            spectra = [json.loads(line) for line in f]
        self.assertEqual([(s["scope"], s["epoch"], s["step"]) for s in spectra], [("epoch", 0, 0), ("epoch", 2, 8)])
        self.assertEqual(spectra[1]["spectrum"]["exponents"], lines[2]["lambda"])
        self.assertEqual(spectra[1]["spectrum"]["options"]["batch"], 2)

        report = os.path.join(self.scratch, "report.html")
        code, _, stderr = run_cli_directly("report", out, "--out", report)
        self.assertEqual(code, 0, stderr)
        with open(report, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("Spectrum after epoch 2", html)
        plot = os.path.join(self.scratch, "training.svg")
        code, _, stderr = run_cli_directly("plot", out, "--kind", "training", "--out", plot)
        self.assertEqual(code, 0, stderr)
        self.assertTrue(os.path.getsize(plot) > 0)

    def test_a_directory_that_holds_anything_is_refused_before_training(self):
        with open(os.path.join(self.scratch, "notes.txt"), "w") as f:
            f.write("mine")
        with self.assertRaises(FileExistsError) as refused:
            rnn_lyapunov.LyapunovCallback(self.scratch, inputs=np.zeros((1, 5, 2)))
        self.assertIn("never overwritten", str(refused.exception))

    def test_a_failed_start_leaves_nothing_behind(self):
        out = os.path.join(self.scratch, "run")
        callback = rnn_lyapunov.LyapunovCallback(out, inputs=np.array([["not a number"]]))
        with self.assertRaises(TypeError):
            callback({"weight_hh_l0": np.eye(3)}, 0, val_loss=1.0)
        self.assertFalse(os.path.exists(out))

    def test_epochs_must_increase(self):
        callback = rnn_lyapunov.LyapunovCallback(os.path.join(self.scratch, "run"), every=5, inputs=np.zeros((1, 5, 3)))
        callback({"weight_hh_l0": np.eye(3)}, 1, train_loss=1.0, val_loss=1.0)
        with self.assertRaises(ValueError):
            callback({"weight_hh_l0": np.eye(3)}, 1, train_loss=1.0, val_loss=1.0)

    def test_non_finite_numbers_are_written_as_the_strings_the_readers_revive(self):
        line = encode_json({"valLoss": math.nan, "lambda": [math.inf, -math.inf, 0.5]})
        self.assertEqual(json.loads(line), {"valLoss": "NaN", "lambda": ["Infinity", "-Infinity", 0.5]})


class LightningTest(unittest.TestCase):
    def test_without_lightning_the_lightning_callback_is_an_import_error_that_says_why(self):
        import importlib.util
        if importlib.util.find_spec("lightning") or importlib.util.find_spec("pytorch_lightning"):
            self.skipTest("Lightning is installed here")
        with self.assertRaises(ImportError) as missing:
            from rnn_lyapunov.lightning import LyapunovLightningCallback  # noqa: F401
        self.assertIn("needs PyTorch Lightning", str(missing.exception))


if __name__ == "__main__":
    unittest.main()
