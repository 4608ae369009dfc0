"""The run-mode switch.

``smoke`` runs every recipe on small real data for a few epochs (minutes on two CPU cores; this is
what CI executes). ``full`` uses the book's sizes and, for expensive models, loads the pretrained
model from ``zoo/`` unless retraining is asked for.

The mode comes from, in order: the notebook's papermill parameter ``MODE``, the environment
variable ``DLCB_MODE``, and finally the default ``smoke``. ``RETRAIN``/``DLCB_RETRAIN`` work alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping

MODES = ("smoke", "full")
DEFAULT_MODE = "smoke"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def resolve_mode(mode: str | None = None) -> str:
    """Return ``smoke`` or ``full``; raise ``ValueError`` naming the accepted values otherwise."""
    value = mode if mode is not None else os.environ.get("DLCB_MODE", DEFAULT_MODE)
    value = str(value).strip().lower()
    if value not in MODES:
        raise ValueError(f"Unknown run mode {value!r}: use one of {', '.join(MODES)} "
                         "(set DLCB_MODE or the notebook's MODE parameter).")
    return value


def resolve_flag(value: Any, env_var: str) -> bool:
    """A boolean parameter that may be None (then read from ``env_var``), a bool, or a string."""
    if value is None:
        value = os.environ.get(env_var, "")
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"Cannot read {env_var}={value!r} as a yes/no flag.")


@dataclass(frozen=True)
class RunConfig:
    """The settings a notebook runs with: its mode, whether to retrain, and the per-mode sizes."""

    mode: str
    retrain: bool
    sizes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def smoke(self) -> bool:
        return self.mode == "smoke"

    @property
    def train_now(self) -> bool:
        """Train in the notebook (smoke mode always does; full mode only when RETRAIN is set)."""
        return self.smoke or self.retrain

    def __getattr__(self, name: str) -> Any:
        sizes = object.__getattribute__(self, "sizes")
        if name in sizes:
            return sizes[name]
        raise AttributeError(f"RunConfig has no setting {name!r}; known: {sorted(sizes)}")

    def __getitem__(self, name: str) -> Any:
        return self.sizes[name]

    def describe(self) -> str:
        items = ", ".join(f"{k}={v}" for k, v in self.sizes.items())
        return f"mode={self.mode} retrain={self.retrain} | {items}"


def configure(mode: str | None = None, retrain: Any = None, *,
              smoke: Mapping[str, Any], full: Mapping[str, Any]) -> RunConfig:
    """Pick the per-mode sizes. Both tables must name the same settings, so that a notebook
    cannot silently lack a value in the mode CI does not run."""
    if set(smoke) != set(full):
        missing = sorted(set(smoke) ^ set(full))
        raise ValueError(f"smoke and full settings differ in keys: {missing}")
    resolved = resolve_mode(mode)
    sizes = dict(smoke if resolved == "smoke" else full)
    return RunConfig(mode=resolved, retrain=resolve_flag(retrain, "DLCB_RETRAIN"), sizes=sizes)
