"""Steps a learner takes in JupyterLab, for Playwright: open a notebook, run it, find a cell's widget.

Notebook-level steps (run all, restart, save) go through JupyterLab's own commands (the app is exposed
to the page for tests); what a learner does inside a widget goes through the mouse and the keyboard.
"""

from __future__ import annotations

import time

APP = "window.jupyterapp"
# Optional chaining: the page may not have made the app yet when the first wait polls.
PANEL = f"{APP}?.shell?.currentWidget"
KERNEL_IDLE = f"() => {PANEL}?.sessionContext?.session?.kernel?.status === 'idle'"


def open_notebook(page, lab, path: str) -> None:
    """Open `path` (relative to the workspace) alone, and wait for its kernel."""
    page.goto(f"{lab.url}/lab/tree/{path}?reset")
    page.wait_for_function(f"() => {PANEL}?.context?.path === {path!r}", timeout=90_000)
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)


def run_new_notebook(page, lab, path: str, sources: list[str]) -> None:
    """Write a notebook of these code cells at `path` in the workspace, open it, and run it all."""
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    target = lab.workspace / path
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    open_notebook(page, lab, path)
    run_all(page)


def run_all(page) -> None:
    """Run > Run All Cells; returns once the run is over (it stops at the first cell that fails)."""
    page.evaluate(f"async () => {{ await {APP}.commands.execute('notebook:run-all-cells'); }}")
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)


def restart_kernel(page) -> None:
    page.evaluate(f"async () => {{ await {PANEL}.sessionContext.restartKernel(); }}")
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)


def save(page) -> None:
    page.evaluate(f"async () => {{ await {APP}.commands.execute('docmanager:save'); }}")


def cell_index(page, grade_id: str) -> int:
    index = page.evaluate(f"""() => {{
        const cells = {PANEL}.content.model.cells;
        for (let i = 0; i < cells.length; i++) {{
            if ((cells.get(i).getMetadata('nbgrader') || {{}}).grade_id === {grade_id!r}) return i;
        }}
        return -1; }}""")
    assert index >= 0, f"no cell {grade_id} in the notebook"
    return index


def active_cell(page) -> int:
    return page.evaluate(f"() => {PANEL}.content.activeCellIndex")


def scroll_to(page, index: int) -> None:
    """Bring a cell into view: JupyterLab draws only the cells near the view (windowed notebook)."""
    page.evaluate(f"async () => {{ await {PANEL}.content.scrollToItem({index}, 'start'); }}")


def set_and_run(page, index: int, source: str) -> None:
    """Type `source` into a cell (as a learner would, without the editor's bracket completion) and run it."""
    page.evaluate(f"""async ([index, source]) => {{
        const notebook = {PANEL}.content;
        notebook.widgets[index].model.sharedModel.setSource(source);
        notebook.activeCellIndex = index;
        await {APP}.commands.execute('notebook:run-cell');
    }}""", [index, source])
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)


def drag(page, source, target) -> None:
    """Press on `source`, move the mouse in steps onto `target`, release: a learner's drag."""
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=15)
    page.mouse.up()


def tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the marker called `name` has the focus."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement?.dataset?.name ?? null") == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached the marker {name!r}")


def wait_until(condition, timeout: float = 20, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def focus_reaches(page, control, limit: int = 80) -> None:
    """Press Tab until `control` (a locator) has the focus, as a keyboard user gets to it."""
    for _ in range(limit):
        if control.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {control}")


def printed(page, index: int, expression: str) -> str:
    """What the kernel prints for `expression`, run in cell `index`: the model, not the widget, is asked."""
    set_and_run(page, index, f"print({expression})")
    return page.evaluate(f"""() => {PANEL}.content.widgets[{index}].model.outputs.toJSON()
        .map(output => output.text ?? output.traceback?.join('\\n') ?? '').join('').trim()""")


def serious(results) -> list[str]:
    """axe's serious and critical violations, one line each."""
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def checked(results) -> set[str]:
    """The axe rules that found something to check and passed."""
    return {rule["id"] for rule in results.response["passes"]}
