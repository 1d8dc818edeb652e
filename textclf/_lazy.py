"""Public names imported on first use, so importing a stage stays light.

A stage's ``__init__`` maps each public name to the private module defining it; the module
is imported when the name is first looked up (PEP 562 module ``__getattr__``). Importing
``textclf.features`` therefore loads neither gensim nor the sentiment lexicons, and
``textclf.models`` neither LightGBM nor Keras, until a name that needs them is used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module


def lazy_exports(package: str, exports: Mapping[str, str]
                 ) -> tuple[list[str], Callable[[str], object], Callable[[], list[str]]]:
    """``__all__``, ``__getattr__`` and ``__dir__`` for ``package`` exporting ``exports``
    (public name -> relative module, e.g. ``{"MetaFeatures": "._meta"}``)."""
    names = sorted(exports)
    namespace = import_module(package).__dict__

    def __getattr__(name: str):
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(exports[name], package), name)
        namespace[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return names

    return names, __getattr__, __dir__
