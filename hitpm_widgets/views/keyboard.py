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

#: Installed once a page, on the window in the capture phase: the first place a keydown passes.
_ESM = """
export default {
  render() {
    if (window.hitpmArrowKeyGuard) return;
    window.hitpmArrowKeyGuard = true;
    window.addEventListener("keydown", (event) => {
      const target = event.target;
      if (!["ArrowUp", "ArrowDown"].includes(event.key) || event.altKey || event.ctrlKey || event.metaKey) return;
      if (!(target instanceof Element) || !target.closest(".hitpm-exercise")) return;
      if (target.matches("select, input[type=radio]")) event.stopPropagation();
    }, true);
  },
};
"""


class ArrowKeyGuard(anywidget.AnyWidget):
    _esm = _ESM

    def __init__(self) -> None:
        super().__init__(layout=widgets.Layout(display="none"))
