"""Model export: ONNX fp32 (and later int8, bundles), with parity checks."""
