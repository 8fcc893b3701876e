"""tiltpilot engine: data, encoders, the paper's contrastive loss family, training, run store, evaluation."""

__version__ = "0.1.0"
