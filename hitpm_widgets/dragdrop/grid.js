// hitpm's drag-and-drop grid: markers on a grid of cells and a tray of unplaced ones, moved by
// dragging with a pointer or by the arrow keys. A plain ES module for anywidget: no build step.
//
// Python holds the truth. A move here only asks for it, by setting `markers` (the moved marker
// carries a request number); Python calls the model, then sends back the markers as the model has
// them, with the last request number it answered, and those are what is drawn. Until then the
// marker is drawn where it was asked to go, and the next arrow key starts from there: keys pressed
// faster than the kernel answers are not lost. Colours all come from Python (where their contrast
// is tested): the style sheet holds none.

const DRAG_THRESHOLD = 4; // pixels a pointer moves before a press becomes a drag
const STEPS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
let instances = 0;

function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function nearestIndex(levels, value) {
  let best = 0;
  let distance = Infinity;
  levels.forEach((level, index) => {
    const gap = Math.abs(level.value - value);
    if (gap < distance) {
      best = index;
      distance = gap;
    }
  });
  return best;
}

function isPlaced(marker) {
  return marker.x !== null && marker.x !== undefined && marker.y !== null && marker.y !== undefined;
}

function swatch(look) {
  const node = make("span", "hitpm-dd-swatch", look.shape || "");
  node.setAttribute("aria-hidden", "true");
  node.style.background = look.fill;
  node.style.color = look.text;
  node.style.borderColor = look.border;
  return node;
}

function render({ model, el }) {
  instances += 1;
  const ids = { help: `hitpm-dd-help-${instances}` };
  const root = make("div", "hitpm-dd");
  el.appendChild(root);
  let cells = []; // cells[row][column], row 0 at the bottom
  let trayList = null;
  let trayEmpty = null;
  let live = null;
  const buttons = new Map(); // marker name -> its button, kept across redraws so focus stays
  const spoken = new Map(); // marker name -> the label last announced
  let pending = null; // the marker this browser moved last: its new label is announced
  let drag = null;
  const intended = new Map(); // marker name -> {x, y, request}: moves asked for, not answered yet
  let requests = 0;

  function config() {
    return model.get("config") || {};
  }

  function current(name) {
    return (model.get("markers") || []).find((marker) => marker.name === name);
  }

  // Where a marker is to be drawn: where it was last asked to go, until Python answers.
  function position(marker) {
    return intended.get(marker.name) || marker;
  }

  function answered(markers) {
    return Math.max(0, ...markers.map((marker) => marker.answered || 0));
  }

  // -- the static parts: title, help, grid, tray, key ------------------------------------------

  function build() {
    const conf = config();
    root.replaceChildren();
    buttons.clear();
    cells = [];
    const colours = conf.colours || {};
    for (const [name, value] of Object.entries(colours)) root.style.setProperty(`--hitpm-dd-${name}`, value);
    root.style.setProperty("--hitpm-dd-cell-size", `${conf.cell_size || 30}px`);
    // A column is at least as wide as a placed marker (Python works it out from the short names: grid.py).
    root.style.setProperty("--hitpm-dd-column-min", conf.column_min || "var(--hitpm-dd-cell-size)");
    if (!conf.columns || !conf.rows) return;

    root.appendChild(make("div", "hitpm-dd-title", conf.title || ""));
    const help = make("p", "hitpm-dd-help", conf.help || "");
    help.id = ids.help;
    root.appendChild(help);

    const body = make("div", "hitpm-dd-body");
    const plot = make("div", "hitpm-dd-plot");
    plot.appendChild(captions(conf.captions_above || []));
    plot.appendChild(make("div", "hitpm-dd-axis-title", conf.y_title || ""));

    // The grid keeps room for every column, each as wide as a placed marker: the widget around it (its
    // least_width) then goes below the form rather than clipping the last columns in a narrow panel.
    // When the tray does not fit beside the grid, it goes below.
    plot.style.minWidth = `calc(${conf.columns.length} * var(--hitpm-dd-column-min) + 3em)`;
    root.style.minWidth = `calc(${conf.columns.length} * var(--hitpm-dd-column-min) + 3em + 16px)`;
    const frame = make("div", "hitpm-dd-frame");
    frame.setAttribute("role", "group");
    frame.setAttribute("aria-label", conf.title || "grid");
    const columns = conf.columns.length;
    frame.style.gridTemplateColumns = `auto repeat(${columns}, minmax(var(--hitpm-dd-column-min), 1fr))`;
    const dividers = conf.dividers || { columns: [], rows: [] };
    for (let row = conf.rows.length - 1; row >= 0; row -= 1) {
      const tick = make("div", "hitpm-dd-tick hitpm-dd-tick-row", conf.rows[row].label);
      tick.setAttribute("aria-hidden", "true");
      frame.appendChild(tick);
      cells[row] = [];
      for (let column = 0; column < columns; column += 1) {
        const style = conf.cells[row][column];
        const cell = make("div", "hitpm-dd-cell");
        cell.dataset.column = String(column);
        cell.dataset.row = String(row);
        cell.dataset.x = String(conf.columns[column].value);
        cell.dataset.y = String(conf.rows[row].value);
        cell.style.background = style.background;
        cell.style.color = style.text;
        if (dividers.columns.includes(column)) cell.classList.add("hitpm-dd-divider-left");
        if (dividers.rows.includes(row)) cell.classList.add("hitpm-dd-divider-bottom");
        if (style.label) {
          const label = make("span", "hitpm-dd-cell-label", style.label);
          label.setAttribute("aria-hidden", "true");
          cell.appendChild(label);
        }
        frame.appendChild(cell);
        cells[row][column] = cell;
      }
    }
    frame.appendChild(make("div", "hitpm-dd-tick"));
    for (const level of conf.columns) {
      const tick = make("div", "hitpm-dd-tick hitpm-dd-tick-column", level.label);
      tick.setAttribute("aria-hidden", "true");
      frame.appendChild(tick);
    }
    plot.appendChild(frame);
    plot.appendChild(make("div", "hitpm-dd-axis-title hitpm-dd-axis-x", conf.x_title || ""));
    plot.appendChild(captions(conf.captions_below || []));
    body.appendChild(plot);

    const tray = make("div", "hitpm-dd-tray");
    tray.setAttribute("role", "group");
    tray.setAttribute("aria-label", conf.tray_title || "tray");
    tray.appendChild(make("div", "hitpm-dd-tray-title", conf.tray_title || ""));
    trayList = make("div", "hitpm-dd-tray-list");
    tray.appendChild(trayList);
    trayEmpty = make("div", "hitpm-dd-tray-empty", conf.tray_empty || "");
    tray.appendChild(trayEmpty);
    body.appendChild(tray);
    root.appendChild(body);

    if (conf.key && conf.key.length) {
      const key = make("p", "hitpm-dd-key");
      key.textContent = "Short names: " + conf.key.map((entry) => `${entry.short} = ${entry.name}`).join("; ") + ".";
      root.appendChild(key);
    }
    live = make("div", "hitpm-dd-live");
    live.setAttribute("aria-live", "polite");
    live.setAttribute("role", "status");
    root.appendChild(live);
    update();
  }

  function captions(list) {
    const row = make("div", "hitpm-dd-captions");
    for (const caption of list) {
      const item = make("span", "hitpm-dd-caption");
      item.appendChild(swatch(caption.look));
      item.appendChild(make("span", "", caption.text));
      row.appendChild(item);
    }
    return row;
  }

  // -- the markers -------------------------------------------------------------------------------

  function button(name) {
    let node = buttons.get(name);
    if (node) return node;
    node = make("button", "hitpm-dd-marker");
    node.type = "button";
    node.dataset.name = name;
    node.setAttribute("aria-describedby", ids.help);
    node.setAttribute("aria-roledescription", "movable marker");
    const shape = make("span", "hitpm-dd-shape");
    shape.setAttribute("aria-hidden", "true");
    node.appendChild(shape);
    node.appendChild(make("span", "hitpm-dd-text"));
    node.addEventListener("keydown", onKeyDown);
    node.addEventListener("pointerdown", onPointerDown);
    buttons.set(name, node);
    return node;
  }

  function update() {
    const conf = config();
    if (!trayList) return;
    const markers = model.get("markers") || [];
    const done = answered(markers);
    for (const [name, wish] of intended) if (wish.request <= done) intended.delete(name);
    const focused = root.contains(document.activeElement) ? document.activeElement.dataset.name : undefined;
    const names = new Set(markers.map((marker) => marker.name));
    for (const [name, node] of buttons) {
      if (!names.has(name)) {
        node.remove();
        buttons.delete(name);
      }
    }
    for (const marker of markers) {
      const node = button(marker.name);
      const where = position(marker);
      const placed = isPlaced(where);
      node.setAttribute("aria-label", marker.label);
      node.title = marker.name;
      node.style.background = marker.fill;
      node.style.color = marker.text;
      node.style.borderColor = marker.border;
      node.querySelector(".hitpm-dd-shape").textContent = marker.shape || "";
      node.querySelector(".hitpm-dd-text").textContent = placed ? marker.short : marker.name;
      node.classList.toggle("hitpm-dd-placed", placed);
      const home = placed
        ? cells[nearestIndex(conf.rows, where.y)][nearestIndex(conf.columns, where.x)]
        : trayList;
      if (node.parentElement !== home) home.appendChild(node);
    }
    trayEmpty.hidden = trayList.children.length > 0;
    // A focused marker that changed place was taken out of the page and put back: focus it again.
    if (focused && buttons.has(focused) && document.activeElement !== buttons.get(focused)) {
      buttons.get(focused).focus();
    }
    if (pending) {
      const marker = markers.find((entry) => entry.name === pending);
      if (marker && spoken.get(pending) !== marker.label) {
        spoken.set(pending, marker.label);
        live.textContent = marker.label;
      }
    }
  }

  function move(name, column, row) {
    const conf = config();
    const x = conf.columns[column].value;
    const y = conf.rows[row].value;
    const marker = current(name);
    if (!marker) return;
    const where = position(marker);
    if (isPlaced(where) && where.x === x && where.y === y) return;
    if (!spoken.has(name)) spoken.set(name, marker.label);
    pending = name;
    const list = model.get("markers") || [];
    requests = Math.max(requests, answered(list)) + 1;
    const request = requests;
    intended.set(name, { x, y, request });
    const markers = list.map((entry) => (entry.name === name ? { ...entry, x, y, request } : entry));
    model.set("markers", markers);
    model.save_changes();
  }

  // -- the keyboard ------------------------------------------------------------------------------

  function onKeyDown(event) {
    const name = event.currentTarget.dataset.name;
    const marker = current(name);
    const conf = config();
    if (!marker) return;
    const where = position(marker);
    const placed = isPlaced(where);
    let target = null;
    if (event.key in STEPS) {
      if (placed) {
        const [across, up] = STEPS[event.key];
        const clamp = (value, size) => Math.max(0, Math.min(size - 1, value));
        target = [
          clamp(nearestIndex(conf.columns, where.x) + across, conf.columns.length),
          clamp(nearestIndex(conf.rows, where.y) + up, conf.rows.length),
        ];
      } else {
        target = conf.entry;
      }
    } else if ((event.key === "Enter" || event.key === " ") && !placed) {
      target = conf.entry;
    } else if (event.key === "Escape" && drag) {
      endDrag(false);
    } else {
      return;
    }
    // The notebook must not take these keys for itself (moving between cells, scrolling).
    event.preventDefault();
    event.stopPropagation();
    if (target) move(name, target[0], target[1]);
  }

  // -- the pointer -------------------------------------------------------------------------------

  function cellAt(x, y) {
    for (const element of document.elementsFromPoint(x, y)) {
      if (drag && drag.node.contains(element)) continue; // the marker itself, drawn under the pointer
      const cell = element.closest(".hitpm-dd-cell");
      if (cell && root.contains(cell)) return cell;
    }
    return null;
  }

  function onPointerDown(event) {
    if (event.button !== 0 || drag) return;
    const node = event.currentTarget;
    drag = { node, name: node.dataset.name, x: event.clientX, y: event.clientY, moved: false, target: null };
    node.setPointerCapture(event.pointerId);
    node.addEventListener("pointermove", onPointerMove);
    node.addEventListener("pointerup", onPointerUp);
    node.addEventListener("pointercancel", onPointerCancel);
  }

  function onPointerMove(event) {
    if (!drag) return;
    const across = event.clientX - drag.x;
    const down = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(across, down) < DRAG_THRESHOLD) return;
    drag.moved = true;
    drag.node.classList.add("hitpm-dd-dragging");
    drag.node.style.transform = `translate(${across}px, ${down}px)`;
    const cell = cellAt(event.clientX, event.clientY);
    if (cell !== drag.target) {
      if (drag.target) drag.target.classList.remove("hitpm-dd-target");
      if (cell) cell.classList.add("hitpm-dd-target");
      drag.target = cell;
    }
  }

  function onPointerUp(event) {
    if (!drag) return;
    if (drag.moved) drag.target = cellAt(event.clientX, event.clientY);
    endDrag(drag.moved);
  }

  function onPointerCancel() {
    endDrag(false);
  }

  function endDrag(drop) {
    const { node, name, target } = drag;
    drag = null;
    node.removeEventListener("pointermove", onPointerMove);
    node.removeEventListener("pointerup", onPointerUp);
    node.removeEventListener("pointercancel", onPointerCancel);
    node.classList.remove("hitpm-dd-dragging");
    node.style.transform = "";
    for (const cell of root.querySelectorAll(".hitpm-dd-target")) cell.classList.remove("hitpm-dd-target");
    node.focus();
    if (drop && target) move(name, Number(target.dataset.column), Number(target.dataset.row));
  }

  model.on("change:config", build);
  model.on("change:markers", update);
  build();
  return () => {
    model.off("change:config", build);
    model.off("change:markers", update);
  };
}

export default { render };
