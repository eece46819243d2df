"""Drag-and-drop views (anywidget): each stakeholder or risk a marker to drag, or to move with the keys.

They sit over the same models as the form views: both show every change, wherever it came from.
`StakeholderMap.drag_view()` gives the stakeholder grid; `RiskMatrixDragView(register)` the risk matrix.
"""

from .grid import DragGrid, MarkerDragView, read_moves
from .risk_matrix import RiskMatrixDragView
from .stakeholder_grid import StakeholderDragView

__all__ = ["DragGrid", "MarkerDragView", "RiskMatrixDragView", "StakeholderDragView", "read_moves"]
