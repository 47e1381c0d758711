"""Densification strategies: dataclasses of hyperparameters with hooks; their state lives outside."""
