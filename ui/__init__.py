"""Qt widgets only: views and their small helpers; never imports torch or core internals."""
