"""Imports whose objects live as long as the process (Dagster, dbt, the definitions: hundreds of thousands of
objects), made with Python's cyclic garbage collector paused and then frozen, so that no collection walks them:
collected while they are made, they are walked again at every full collection (about 1.4 s of an hourly run)."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def lifelong_imports() -> Iterator[None]:
    """Pause the collector for the block; then freeze every object there is and collect again as usual."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
