"""rnn_lyapunov: Lyapunov spectra of PyTorch RNN/LSTM/GRU models from Python.

A thin front end of the rnn-lyapunov CLI (Node): `spectrum(model)` writes the weights as
safetensors and returns `rnn-lyapunov spectrum --json`; `LyapunovCallback` records a training
run's spectra as a run directory the CLI's report, serve, plot and analyze read. numpy only;
torch is needed only to pass torch modules and tensors. See python/README.md.
"""
from ._callback import LyapunovCallback
from ._cli import CLIError, CLIFailure, CLINotFoundError, find_cli
from ._spectrum import spectrum
from ._tensors import write_safetensors

__all__ = ["spectrum", "LyapunovCallback", "CLIError", "CLIFailure", "CLINotFoundError", "find_cli", "write_safetensors"]
__version__ = "0.1.0"
