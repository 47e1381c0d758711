"""Export: trained models in exchange formats, each validated against PyTorch before it counts.

One module per format (`onnx_fp32`, `onnx_int8`, `torchscript`, `bundle` with `bundle_format`,
`bundle_runtime` and `bundle_render`), what is exported (`subjects`: a run's model with real
inputs from its clip), the job that builds a format's folder atomically (`job`), the validation
report (`report`) and the fresh-interpreter check (`isolated`). Kinds list their formats in
their registry entry (`exports=`).
"""
