"""A Magista-compatible statistics DSL over the payments marts (see docs/magista.md)."""

from query.magista.engine import DslSettings, run_query
from query.magista.errors import DslError

__all__ = ["DslError", "DslSettings", "run_query"]
