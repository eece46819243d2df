"""Arrow keys for a widget's own controls, not for the notebook around it.

In command mode JupyterLab binds the up and down arrows to moving between cells whenever the focused
element is not editable text: a Dropdown or a radio button in an output. A learner stepping through a
Dropdown's options with the arrow keys would leave the widget instead. `ArrowKeyGuard` (shown once in
each view, invisible) stops those keys before any listener sees them when they come from a Dropdown or
a radio button of a hitpm exercise; the browser still does what the key means (the next option).
Number boxes and text boxes are editable, so JupyterLab leaves them alone already.
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets

#: The class that marks a hitpm widget: the guard acts only on keys from inside one.
HITPM_WIDGET_CLASS = "hitpm-exercise"

#: Installed once a page, on the window in the capture phase: the first place a keydown passes.
_ESM = """
export default {
  render() {
    if (window.hitpmArrowKeyGuard) return;
    window.hitpmArrowKeyGuard = true;
    window.addEventListener("keydown", (event) => {
      const target = event.target;
      if (!["ArrowUp", "ArrowDown"].includes(event.key) || event.altKey || event.ctrlKey || event.metaKey) return;
      if (!(target instanceof Element) || !target.closest(".__CLASS__")) return;
      if (target.matches("select, input[type=radio]")) event.stopPropagation();
    }, true);
  },
};
""".replace("__CLASS__", HITPM_WIDGET_CLASS)


class ArrowKeyGuard(anywidget.AnyWidget):
    _esm = _ESM

    def __init__(self) -> None:
        super().__init__(layout=widgets.Layout(display="none"))


def keep_arrow_keys(box: widgets.Box) -> None:
    """Mark `box` as a hitpm widget and keep one `ArrowKeyGuard` among its children, whatever they become."""
    box.add_class(HITPM_WIDGET_CLASS)
    guard = ArrowKeyGuard()

    def keep(change) -> None:
        if guard not in change["new"]:
            box.children = (*change["new"], guard)

    box.observe(keep, names="children")
    box.children = (*box.children, guard)
