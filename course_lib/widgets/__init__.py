"""Widget builders for the live demos.

The rule: a demo's callback is a plain function (in the module of its concept, under
course_lib.widgets) that takes the controls' values and returns a figure or numbers.
Tests call it directly at the sliders' extremes; ``live_demo`` only wires it to
ipywidgets.
"""
from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..i18n import translate


def slider(low, high, step=None, value=None, description="", integer=False, continuous=False):
    """A FloatSlider (or IntSlider) with the defaults the course uses."""
    cls = widgets.IntSlider if integer else widgets.FloatSlider
    kwargs = {"min": low, "max": high, "value": low if value is None else value,
              "description": description, "continuous_update": continuous,
              "style": {"description_width": "initial"}}
    if step is not None:
        kwargs["step"] = step
    return cls(**kwargs)


def live_demo(draw, **controls):
    """Wire ``draw(**values)`` to the given controls and return the widget to display.

    ``draw`` may return a matplotlib figure, which is shown and then closed so that
    figures do not pile up in memory. The returned widget's ``controls`` maps each keyword to
    its control.
    """
    from IPython.display import display

    def show(**values):
        result = draw(**values)
        if isinstance(result, plt.Figure):
            display(result)
            plt.close(result)
        elif result is not None:
            print(result)

    for control in controls.values():
        if isinstance(control, widgets.Widget) and getattr(control, "description", ""):
            control.description = translate(control.description)
    demo = widgets.interactive(show, **controls)
    # {keyword: widget}, so that code (and the tests) can read and set a control by its name.
    demo.controls = {w._kwarg: w for w in demo.kwargs_widgets}
    return demo
