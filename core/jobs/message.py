"""A message that is the English text and also remembers how it was made, so a GUI can translate it.

The engine stays Qt-free and English: `Text("{path} is not a video", path=p)` *is* the str
`"clip.txt is not a video"` (the CLI, logs and tests see exactly that), and it also carries its
English template and parameters. The GUI looks the template up in its catalogue and formats the
translation with the same parameters (`ui.translation.tr_message`). A parameter may itself be a
`Text` (a phrase chosen at run time), which is translated the same way.

`str(text)` returns the Text itself, so `str(exc)` of a `BadInput(Text(...))` keeps the template
on its way through job results, events and signals typed `object`; any other string operation
(concatenation, slicing, a longer f-string) gives a plain English str.
"""

from __future__ import annotations

from typing import Any


class Text(str):
    """`template.format(**params)`, with `.template` and `.params` kept for translation."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Text:
        self = super().__new__(cls, template.format(**params))
        self.template = template
        # an exception is kept as its text (a Text when it was raised with one): its traceback would
        # keep the failed frames' locals (frames, tensors) alive as long as the message is shown
        self.params = {k: str(v) if isinstance(v, BaseException) else v for k, v in params.items()}
        return self

    def __str__(self) -> str:
        return self  # keeps the template through `str(exc)`; the value is the same English text

    def __reduce__(self) -> tuple:
        return _rebuild, (self.template, self.params)


def _rebuild(template: str, params: dict[str, Any]) -> Text:
    return Text(template, **params)
