"""`spectrum(model)`: the CLI's `spectrum --json` on a model's weights, from Python."""
import json
import os
import tempfile

from ._cli import CLIError, decode_document, run_cli
from ._tensors import is_path, save_array, save_model


def spectrum(model_or_state_dict, inputs=None, *, text=None, vocab=None, tokens=None, cell=None, k=None,
             steps=1000, transient=100, seed=0, threads=None, compat=None, prefix=None):
    """The Lyapunov spectrum of an RNN, as the CLI's `spectrum --json` document.

    model_or_state_dict: an nn.LSTM/nn.GRU/nn.RNN, any nn.Module holding one, or a state dict of
      torch tensors or numpy arrays (the whole dict: the CLI picks the RNN's tensors).
    inputs: a numpy array or tensor [B, T, I] of input sequences, or the path of a safetensors
      file with a tensor 'inputs'. Without inputs (or text/tokens) the CLI's default drive is used.
    text, vocab, tokens, prefix: as the CLI's --text, --vocab, --tokens and --prefix (paths; vocab
      may also be a list of symbols, tokens an integer array [B, T]).
    Returns the document with every list of numbers as a numpy array (`exponents`, `std`, `trace`…).
    Raises CLIError with the CLI's one-line message when it refuses the input.
    """
    with tempfile.TemporaryDirectory(prefix="rnn-lyapunov-") as scratch:
        model_path = os.path.join(scratch, "model.safetensors")
        save_model(model_path, model_or_state_dict, prefix)
        drive = drive_arguments(scratch, inputs=inputs, text=text, vocab=vocab, tokens=tokens)
        options = dict(cell=cell, k=k, steps=steps, transient=transient, seed=seed, threads=threads, compat=compat, prefix=prefix)
        try:
            return decode_document(run_cli(spectrum_arguments(model_path, drive, **options)))
        except CLIError as error:
            raise CLIError(_named_by_argument(error.message, scratch), error.command) from None


# The temporary files spectrum() writes, by the argument they hold, for the CLI's messages.
_ARGUMENT_OF_FILE = {"model.safetensors": "model_or_state_dict", "inputs.safetensors": "inputs",
                     "tokens.safetensors": "tokens", "vocab.json": "vocab"}


def _named_by_argument(message, scratch):
    """The CLI's message with the paths of temporary files (gone once spectrum() returns) replaced by the argument each holds."""
    for file, argument in _ARGUMENT_OF_FILE.items():
        message = message.replace(os.path.join(scratch, file), f"{argument} (as {file})")
    return message


def spectrum_arguments(model_path, drive, **options):
    """The CLI arguments of `spectrum --json` for a model file, its drive's arguments and the options
    (cell, k, steps, transient, seed, threads, compat, prefix; None: the CLI's default)."""
    arguments = ["spectrum", model_path, "--json", *drive]
    for name, value in options.items():
        if value is not None:
            arguments += [f"--{name}", value]
    return arguments


def drive_arguments(directory, *, inputs=None, text=None, vocab=None, tokens=None):
    """--inputs/--tokens/--text/--vocab; arrays and vocabulary lists are written as files into `directory`."""
    arguments = []
    if inputs is not None:
        arguments += ["--inputs", _file_of(inputs, directory, "inputs")]
    if tokens is not None:
        arguments += ["--tokens", _file_of(tokens, directory, "tokens")]
    if text is not None:
        arguments += ["--text", os.path.abspath(text)]
    if vocab is not None:
        arguments += ["--vocab", _vocab_file(vocab, directory)]
    return arguments


def _file_of(value, scratch, name):
    """A path as given, or an array written to a safetensors file holding it as the tensor `name`."""
    if is_path(value):
        return os.path.abspath(value)
    path = os.path.join(scratch, f"{name}.safetensors")
    save_array(path, name, value)
    return path


def _vocab_file(vocab, scratch):
    if is_path(vocab):
        return os.path.abspath(vocab)
    path = os.path.join(scratch, "vocab.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(list(vocab), f, ensure_ascii=False)
    return path
