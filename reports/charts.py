"""PNG charts for report messages (matplotlib, headless; imported when a chart is drawn, not with the
definitions every run loads)."""

import io
from collections.abc import Mapping, Sequence
from functools import cache

SIZE_INCHES = (8, 4.5)
DPI = 100  # 800 x 450 pixels


@cache
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def line_chart(title: str, x: Sequence, series: Mapping[str, Sequence[float]], y_label: str = "") -> bytes:
    figure, axes = _pyplot().subplots(figsize=SIZE_INCHES, dpi=DPI)
    for label, values in series.items():
        axes.plot(list(x), list(values), marker="o", label=label)
    _finish(figure, axes, title, y_label, legend=len(series) > 1)
    figure.autofmt_xdate()
    return _png(figure)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], y_label: str = "") -> bytes:
    figure, axes = _pyplot().subplots(figsize=SIZE_INCHES, dpi=DPI)
    axes.barh(list(labels)[::-1], list(values)[::-1], color="#3b6fb6")
    _finish(figure, axes, title, y_label, legend=False)
    return _png(figure)


def _finish(figure, axes, title: str, y_label: str, legend: bool) -> None:
    axes.set_title(title)
    if y_label:
        axes.set_ylabel(y_label)
    axes.grid(alpha=0.3)
    if legend:
        axes.legend()
    figure.tight_layout()


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    _pyplot().close(figure)
    return buffer.getvalue()
