"""Run an example's own code in this process and look at what it computed.

The numerics tests do not re-implement the examples: they execute the example
files themselves, top-level statement by statement, in a fresh namespace. Two
hooks make the teaching claims testable without changing the examples:

* ``overrides`` swaps in other data or weights right after the example has
  defined them (before training starts), converted to the example's own kind
  of array: numpy or torch, same dtype, device and ``requires_grad``;
* ``stop`` ends the run just before a given statement, for instance before
  the training loop, whose body :meth:`Example.step` can then run once.
"""

from __future__ import annotations

import ast
import contextlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from conftest import ROOT  # noqa: E402


def like(template: Any, value: np.ndarray, keep_dtype: bool = True) -> Any:
    """A copy of ``value`` as the same kind of array as ``template``."""
    if isinstance(template, np.ndarray):
        return np.array(value, dtype=template.dtype if keep_dtype else None)
    import torch

    if isinstance(template, torch.Tensor):
        tensor = torch.tensor(value, device=template.device)
        if keep_dtype:
            tensor = tensor.to(template.dtype)
        return tensor.requires_grad_(template.requires_grad)
    raise TypeError(f"cannot replace a {type(template).__name__}")


@dataclass
class Run:
    namespace: dict[str, Any]
    printed: str

    def __getitem__(self, name: str) -> Any:
        return self.namespace[name]


@dataclass(frozen=True)
class Example:
    path: Path

    @classmethod
    def named(cls, filename: str) -> Example:
        (path,) = ROOT.glob(f"examples_*/{filename}")
        return cls(path)

    def statements(self) -> list[ast.stmt]:
        return ast.parse(self.path.read_text(encoding="utf-8"), filename=str(self.path)).body

    def _source(self, node: ast.stmt) -> str:
        return ast.get_source_segment(self.path.read_text(encoding="utf-8"), node) or ""

    def _compile(self, body: list[ast.stmt]):
        return compile(ast.Module(body=body, type_ignores=[]), str(self.path), "exec")

    def run(
        self,
        overrides: dict[str, np.ndarray] | None = None,
        *,
        keep_dtype: bool = True,
        stop: str | None = None,
    ) -> Run:
        """Execute the example, optionally with other data, up to ``stop``."""
        namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(self.path)}
        pending = dict(overrides or {})
        out = io.StringIO()
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*non-interactive.*")
            for node in self.statements():
                if stop is not None and self._source(node).startswith(stop):
                    break
                exec(self._compile([node]), namespace)
                if pending and all(name in namespace for name in pending):
                    for name, value in pending.items():
                        namespace[name] = like(namespace[name], value, keep_dtype)
                    pending = {}
            else:
                if stop is not None:
                    raise AssertionError(f"{self.path.name} has no statement starting {stop!r}")
        plt.close("all")
        assert not pending, f"{self.path.name} never defined {sorted(pending)}"
        return Run(namespace, out.getvalue())

    def training_loop(self) -> ast.For:
        (loop,) = [
            node
            for node in self.statements()
            if isinstance(node, ast.For) and ast.unparse(node.target) == "step"
        ]
        return loop

    def step(self, run: Run, step: int = 0) -> None:
        """Run the training loop's body once, as iteration ``step``, in ``run``."""
        run.namespace["step"] = step
        with contextlib.redirect_stdout(io.StringIO()):
            exec(self._compile(self.training_loop().body), run.namespace)
