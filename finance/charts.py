"""Geometry for the dashboard's horizontal bar charts, drawn by the template as inline SVG.

The template only places what is computed here (it does no arithmetic). Each row has its label on one
line and the bar with its value under it, so the chart stays readable when the SVG scales down to a
phone's width through its viewBox.
"""

from dataclasses import dataclass

from catalog.money import format_money

WIDTH = 400
VALUE_SPACE = 96  # room right of the longest bar for its value
ROW_HEIGHT = 40
LABEL_BASELINE = 14
BAR_TOP = 19
BAR_HEIGHT = 14
VALUE_BASELINE = 31
BAR_MIN = 1  # a sliver so that a zero still shows where its bar would be


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    top: int
    label_y: int
    bar_y: int
    value_y: int
    width: int
    value_x: int


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * ROW_HEIGHT


def bar_chart(title: str, items: list[tuple[str, int]], currency: str) -> BarChart:
    """Bars for (label, cents) pairs, scaled so the largest fills the width left of VALUE_SPACE."""
    largest = max((cents for _, cents in items), default=0)
    room = WIDTH - VALUE_SPACE
    bars = []
    for index, (label, cents) in enumerate(items):
        top = index * ROW_HEIGHT
        width = max(round(room * max(cents, 0) / largest), BAR_MIN) if largest > 0 else BAR_MIN
        bars.append(
            Bar(
                label=label,
                value_text=format_money(cents, currency),
                top=top,
                label_y=top + LABEL_BASELINE,
                bar_y=top + BAR_TOP,
                value_y=top + VALUE_BASELINE,
                width=width,
                value_x=width + 6,
            )
        )
    description = "; ".join(f"{label}: {format_money(cents, currency)}" for label, cents in items)
    return BarChart(title=title, description=description or "No sales in this period.", bars=bars)
