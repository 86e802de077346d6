"""A PyTorch Lightning callback around `LyapunovCallback`, defined only where Lightning is importable
(`lightning` or `pytorch_lightning`). Untested here: Lightning is not installed in this project's CI.

    from rnn_lyapunov.lightning import LyapunovLightningCallback
    trainer = Trainer(callbacks=[LyapunovLightningCallback(out='runs/mine', inputs=x)])

After each training epoch it records epoch current_epoch + 1 with the logged metrics named
`train_key` and `val_key` (self.log('train_loss', …) / self.log('val_loss', …)) and the global step.
"""
from ._callback import LyapunovCallback

try:
    from lightning.pytorch import Callback
except ImportError:
    try:
        from pytorch_lightning import Callback
    except ImportError:
        Callback = None

if Callback is not None:
    class LyapunovLightningCallback(Callback):
        def __init__(self, train_key="train_loss", val_key="val_loss", **options):
            super().__init__()
            self.keys = (train_key, val_key)
            self.callback = LyapunovCallback(**options)

        def on_train_epoch_end(self, trainer, pl_module):
            if trainer.sanity_checking:
                return
            logged = trainer.callback_metrics
            train_loss, val_loss = (logged.get(key) for key in self.keys)
            optimizer = trainer.optimizers[0] if trainer.optimizers else None
            self.callback(pl_module, trainer.current_epoch + 1, train_loss=train_loss, val_loss=val_loss,
                          optimizer=optimizer, step=trainer.global_step)
else:
    def __getattr__(name):
        if name == "LyapunovLightningCallback":
            raise ImportError("rnn_lyapunov.lightning.LyapunovLightningCallback needs PyTorch Lightning "
                              "(neither 'lightning' nor 'pytorch_lightning' is importable); "
                              "without it, call rnn_lyapunov.LyapunovCallback from your loop")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
