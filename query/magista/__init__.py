"""A Magista-compatible statistics DSL over the payments marts (see docs/magista.md)."""

from query.magista.engine import DslError, DslSettings, run_query

__all__ = ["DslError", "DslSettings", "run_query"]
