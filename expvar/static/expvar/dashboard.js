/* django-expvar dashboard: refresh controls, in-place value updates, filter, sparklines and
   monitor paths. htmx fetches the refresh partial; everything here runs from this file, so the
   page works under a Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval'. */
"use strict";

(function () {
  const region = document.getElementById("expvar-dashboard");
  if (!region || !window.htmx) {
    return;
  }

  const MAX_SAMPLES = 60;
  const RUNTIME_SAMPLES = 120;
  const SVG = "http://www.w3.org/2000/svg";

  const state = {
    paused: false,
    stopped: false,
    failing: "",
    signature: region.dataset.expvarSignature,
  };
  const chosen = new Map(); // details[data-expvar-keep] key -> open, as the user left it
  const samples = new Map();
  const runtime = { alloc: [], sys: [], heapInuse: [] };

  const one = (selector, root) => (root || document).querySelector(selector);
  const all = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  const live = one("#expvar-live");
  const intervalSelect = one("#expvar-interval");
  const pauseButton = one("#expvar-pause");
  const filterInput = one("#expvar-filter");
  const filterCount = one("#expvar-filter-count");
  const pathBox = one("#expvar-pathbox");

  // ---- Refresh state -------------------------------------------------------------------

  function describe() {
    let name = "live";
    let text = "Live";
    if (state.stopped) {
      name = "stopped";
      text = "Stopped";
    } else if (state.paused) {
      name = "paused";
      text = "Paused";
    } else if (document.hidden) {
      name = "paused";
      text = "Paused while hidden";
    } else if (selecting()) {
      name = "paused";
      text = "Held while text is selected";
    } else if (state.failing) {
      name = "failing";
      text = state.failing;
    }
    live.dataset.state = name;
    live.textContent = text;
  }

  function selectedElement() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.anchorNode) {
      return null;
    }
    const node = selection.anchorNode;
    return node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  }

  function selecting() {
    // A refresh would end a selection the user is making to copy a value or a traceback.
    const element = selectedElement();
    return Boolean(element && element.closest(
      "[data-expvar-rows], #expvar-summary, .expvar-panel, .expvar-extra-panel"
    ));
  }

  function refreshNow() {
    if (!state.stopped && !state.paused && !document.hidden) {
      htmx.trigger(region, "expvar:refresh");
    }
  }

  function stop(message) {
    state.stopped = true;
    intervalSelect.disabled = true;
    pauseButton.disabled = true;
    const notice = one("#expvar-stopped");
    if (message) {
      notice.textContent = message;
      notice.className = "errornote";
    }
    notice.hidden = false;
    describe();
  }

  intervalSelect.addEventListener("change", function () {
    const seconds = Number(intervalSelect.value);
    if (!(seconds > 0)) {
      return;
    }
    region.setAttribute("hx-trigger", "every " + seconds + "s, expvar:refresh");
    htmx.process(region);
    describe();
  });

  pauseButton.addEventListener("click", function () {
    state.paused = !state.paused;
    pauseButton.setAttribute("aria-pressed", String(state.paused));
    pauseButton.textContent = state.paused ? "Resume" : "Pause";
    describe();
    refreshNow();
  });

  document.addEventListener("visibilitychange", function () {
    describe();
    refreshNow();
  });

  // Refreshes wait while text in the values is selected; say so, and catch up once it is not.
  let heldBySelection = false;
  document.addEventListener("selectionchange", function () {
    const held = selecting();
    if (held !== heldBySelection) {
      heldBySelection = held;
      describe();
      if (!held) {
        refreshNow();
      }
    }
  });

  region.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== region) {
      return;
    }
    if (state.stopped || state.paused || document.hidden || selecting()) {
      event.preventDefault();
      return;
    }
    live.dataset.state = "busy";
  });

  region.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== region) {
      return;
    }
    const xhr = event.detail.xhr;
    const requested = region.getAttribute("hx-get");
    if (xhr.status === 286) {
      stop();
      return;
    }
    if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL &&
        new URL(xhr.responseURL).pathname !== new URL(requested, location.href).pathname) {
      // Redirected, most likely to a login page: the values can no longer be read.
      stop("Live refresh has stopped: the server redirected the refresh. Reload the page.");
      return;
    }
    if (xhr.status === 0) {
      state.failing = "Server unreachable, retrying";
    } else if (xhr.status >= 400) {
      state.failing = "Refresh failed (HTTP " + xhr.status + "), retrying";
    } else {
      state.failing = "";
    }
    describe();
  });

  // ---- Applying a refresh ---------------------------------------------------------------
  // Each app's rows arrive as one out-of-band <tbody> holding, per row, only the cells that
  // move: kind, value, time and status. They are applied here, row by row and cell by cell,
  // and only where the text changed, so open values, text selections, the filter and the
  // scroll position stay as they are. A row the page does not have yet (a variable added
  // after it loaded) is announced by the "added or removed" notice instead.

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    const target = event.detail.target;
    if (!target.hasAttribute || !target.hasAttribute("data-expvar-rows")) {
      return;
    }
    event.detail.shouldSwap = false;
    const incoming = event.detail.fragment.firstElementChild;
    if (!incoming) {
      return;
    }
    for (const fresh of Array.from(incoming.rows)) {
      const row = document.getElementById(fresh.id);
      if (row && target.contains(row)) {
        updateRow(row, fresh);
      }
    }
  });

  function updateRow(row, fresh) {
    if (row.className !== fresh.className) {
      row.className = fresh.className;
    }
    const offset = row.cells.length - fresh.cells.length;
    for (let index = 0; index < fresh.cells.length; index += 1) {
      const cell = row.cells[index + offset];
      const next = fresh.cells[index];
      if (!cell || cell.textContent === next.textContent) {
        continue;
      }
      const selected = selectedElement();
      if (selected && cell.contains(selected)) {
        continue; // a refresh already on its way when the selection began
      }
      const before = one("details", cell);
      const after = one("details", next);
      if (before && after) {
        after.open = before.open;
      }
      cell.replaceChildren(...next.childNodes);
      if (cell.classList.contains("expvar-value")) {
        cell.classList.remove("expvar-changed");
        void cell.offsetWidth;
        cell.classList.add("expvar-changed");
      }
    }
  }

  region.addEventListener("htmx:afterSwap", function (event) {
    if (event.target !== region) {
      return;
    }
    restoreOpen();
    applyFilter();
    sampleAll();
    drawRuntime();
    const summary = one("#expvar-summary");
    if (summary && summary.dataset.expvarSignature !== state.signature) {
      one("#expvar-changed").hidden = false;
    }
  });

  document.addEventListener("toggle", function (event) {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.dataset.expvarKeep) {
      return;
    }
    chosen.set(details.dataset.expvarKeep, details.open);
  }, true);

  function restoreOpen() {
    for (const details of all("details[data-expvar-keep]", region)) {
      const open = chosen.get(details.dataset.expvarKeep);
      if (open !== undefined && details.open !== open) {
        details.open = open;
      }
    }
  }

  // ---- Filter ---------------------------------------------------------------------------

  function applyFilter() {
    const words = filterInput.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    let total = 0;
    for (const section of all("[data-expvar-section]", region)) {
      const heading = one("h2", section);
      const appText = heading ? heading.textContent.toLowerCase() : "";
      let visible = 0;
      for (const row of all("tr[data-expvar-name]", section)) {
        total += 1;
        const text = [
          appText,
          row.dataset.expvarApp,
          row.dataset.expvarName,
          row.cells[1].textContent,
          row.cells[3].textContent,
        ].join(" ").toLowerCase();
        const match = words.every((word) => text.includes(word));
        row.hidden = !match;
        if (match) {
          visible += 1;
        }
      }
      shown += visible;
      section.hidden = words.length > 0 && visible === 0;
    }
    filterCount.textContent = words.length ? shown + " of " + total + " shown" : "";
  }

  filterInput.addEventListener("input", applyFilter);

  // ---- Sparklines -----------------------------------------------------------------------

  function asNumber(text) {
    const trimmed = text.trim();
    if (!/^-?\d/.test(trimmed)) {
      return null;
    }
    const value = Number(trimmed);
    return Number.isFinite(value) ? value : null;
  }

  function record(store, key, value, limit) {
    let series = store.get(key);
    if (!series) {
      series = [];
      store.set(key, series);
    }
    series.push(value);
    if (series.length > limit) {
      series.shift();
    }
    return series;
  }

  function svgElement(name, attributes) {
    const element = document.createElementNS(SVG, name);
    for (const key in attributes) {
      element.setAttribute(key, attributes[key]);
    }
    return element;
  }

  // Newest sample at the right edge; until a series is long, it spreads over the width a
  // dozen samples would take, so a young line is readable rather than a tick.
  function linePoints(series, width, height) {
    const min = Math.min(...series);
    const max = Math.max(...series);
    const span = max - min;
    const step = width / (Math.max(series.length, 12) - 1);
    const start = width - (series.length - 1) * step;
    return series.map(function (value, index) {
      const y = span === 0 ? height / 2 : height - ((value - min) / span) * (height - 2) - 1;
      return [start + index * step, y];
    });
  }

  function spark(svg, series, width, height) {
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    if (series.length < 2) {
      svg.replaceChildren();
      return;
    }
    const points = linePoints(series, width, height);
    const last = points[points.length - 1];
    svg.replaceChildren(
      svgElement("polyline", { points: points.map((p) => p.join(",")).join(" ") }),
      svgElement("circle", { cx: last[0], cy: last[1], r: 1.8 })
    );
  }

  function sampleAll() {
    for (const row of all("tr[data-expvar-name]", region)) {
      const holder = one(".expvar-spark", row);
      const value = one("[data-expvar-value]", row);
      if (holder && value) {
        const number = asNumber(value.textContent);
        if (number !== null) {
          let svg = one("svg", holder);
          if (!svg) {
            svg = svgElement("svg", { width: 88, height: 18, "aria-hidden": "true" });
            holder.append(svg);
          }
          spark(svg, record(samples, row.id, number, MAX_SAMPLES), 88, 18);
        }
      }
      for (const leaf of all(".expvar-leaf", row)) {
        const number = asNumber(leaf.textContent);
        if (number === null) {
          continue;
        }
        const series = record(samples, row.id + " " + leaf.dataset.expvarPath, number, MAX_SAMPLES);
        // A leaf that has not moved gets no line: memstats alone has dozens of constants.
        if (Math.min(...series) === Math.max(...series)) {
          continue;
        }
        // The line goes after the comma that may follow the leaf, at the end of its line.
        let anchor = leaf;
        const after = leaf.nextSibling;
        if (after && after.nodeType === Node.TEXT_NODE && after.data.startsWith(",")) {
          if (after.data.length > 1) {
            after.splitText(1);
          }
          anchor = after;
        }
        let svg = anchor.nextSibling;
        if (!(svg instanceof SVGElement) || !svg.classList.contains("expvar-leafspark")) {
          svg = svgElement("svg", { class: "expvar-leafspark", width: 48, height: 10, "aria-hidden": "true" });
          anchor.after(svg);
        }
        spark(svg, series, 48, 10);
      }
    }
  }

  // ---- Runtime card (memstats) ----------------------------------------------------------

  function bytes(value) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let unit = 0;
    while (Math.abs(value) >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return (unit ? value.toFixed(1) : String(value)) + " " + units[unit];
  }

  function duration(ns) {
    if (ns >= 1e6) {
      return (ns / 1e6).toFixed(2) + " ms";
    }
    return (ns / 1e3).toFixed(1) + " µs";
  }

  function areaChart(figure, series, label) {
    const svg = one("svg", figure);
    one("output", figure).textContent = label;
    if (series.length < 2) {
      svg.replaceChildren();
      return;
    }
    const padded = series.concat([Math.min(...series) * 0.98, Math.max(...series) * 1.02]);
    const min = Math.min(...padded);
    const max = Math.max(...padded);
    const span = max - min || 1;
    const step = 240 / (Math.max(series.length, 12) - 1);
    const start = 240 - (series.length - 1) * step;
    const points = series.map((value, index) => [start + index * step, 60 - ((value - min) / span) * 56 - 2]);
    const line = points.map((p) => p.join(",")).join(" ");
    svg.replaceChildren(
      svgElement("polygon", { points: start + ",60 " + line + " 240,60" }),
      svgElement("polyline", { points: line })
    );
  }

  function barChart(figure, pauses, label) {
    const svg = one("svg", figure);
    one("output", figure).textContent = label;
    if (!pauses.length) {
      svg.replaceChildren();
      return;
    }
    const max = Math.max(...pauses) || 1;
    const width = 240 / 64;
    const start = 240 - pauses.length * width;
    svg.replaceChildren(...pauses.map(function (pause, index) {
      const height = Math.max((pause / max) * 56, 1);
      return svgElement("rect", {
        x: start + index * width, y: 60 - height, width: Math.max(width - 1, 1), height: height,
      });
    }));
  }

  function drawRuntime() {
    const card = one("#expvar-runtime");
    const holder = one("#expvar-runtime-sample");
    if (!card || !holder || !holder.dataset.expvarSample) {
      return;
    }
    let sample;
    try {
      sample = JSON.parse(holder.dataset.expvarSample);
    } catch (error) {
      return;
    }
    for (const name of ["alloc", "sys", "heapInuse"]) {
      const figure = one('[data-expvar-chart="' + name + '"]', card);
      if (typeof sample[name] === "number") {
        runtime[name].push(sample[name]);
        if (runtime[name].length > RUNTIME_SAMPLES) {
          runtime[name].shift();
        }
        areaChart(figure, runtime[name], bytes(sample[name]));
      }
    }
    const pauses = Array.isArray(sample.pauses) ? sample.pauses : [];
    const last = pauses.length ? duration(pauses[pauses.length - 1]) + " last" : "none yet";
    const count = typeof sample.numGC === "number" ? sample.numGC + " GCs · " : "";
    barChart(one('[data-expvar-chart="pauses"]', card), pauses, count + last);
  }

  // ---- Monitor paths --------------------------------------------------------------------

  let pathAnchor = null;

  // expvarmon splits its paths on "." and reads a backslash and a dot as a dot, and two
  // backslashes as one.
  function expvarmonSegment(segment) {
    return segment.replace(/\\/g, "\\\\").replace(/\./g, "\\.");
  }

  // Datadog's go_expvar check splits on "/" and compares a segment that is not alphanumeric as
  // an anchored regular expression: escape it, and let "." stand for a "/" it cannot express.
  function datadogSegment(segment) {
    if (/^[\p{L}\p{N}]+$/u.test(segment)) {
      return segment;
    }
    return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\//g, ".");
  }

  function openPathBox(segments, anchor) {
    one("[data-expvar-pathbox-name]", pathBox).textContent = segments[0];
    one('[data-expvar-pathbox-path="expvarmon"]', pathBox).textContent =
      segments.map(expvarmonSegment).join(".");
    one('[data-expvar-pathbox-path="datadog"]', pathBox).textContent =
      segments.map(datadogSegment).join("/");
    pathBox.hidden = false;
    const rect = anchor.getBoundingClientRect();
    const width = pathBox.offsetWidth;
    const left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    pathBox.style.top = rect.bottom + window.scrollY + 6 + "px";
    pathBox.style.left = left + window.scrollX + "px";
    pathAnchor = anchor;
    one("button", pathBox).focus({ preventScroll: true });
  }

  function closePathBox() {
    if (pathBox.hidden) {
      return;
    }
    pathBox.hidden = true;
    if (pathAnchor && document.contains(pathAnchor) && pathAnchor.focus) {
      pathAnchor.focus({ preventScroll: true });
    }
    pathAnchor = null;
  }

  region.addEventListener("click", function (event) {
    const trigger = event.target.closest("[data-expvar-copy], .expvar-leaf");
    if (!trigger) {
      return;
    }
    const owner = trigger.closest("[data-expvar-name], [data-expvar-collision]");
    if (!owner) {
      return;
    }
    let segments = [owner.dataset.expvarName || owner.dataset.expvarCollision];
    if (trigger.dataset.expvarPath) {
      try {
        segments = segments.concat(JSON.parse(trigger.dataset.expvarPath).map(String));
      } catch (error) {
        return;
      }
    }
    event.stopPropagation();
    openPathBox(segments, trigger);
  });

  pathBox.addEventListener("click", function (event) {
    const button = event.target.closest("[data-expvar-copy-text]");
    if (!button) {
      return;
    }
    const code = one('[data-expvar-pathbox-path="' + button.dataset.expvarCopyText + '"]', pathBox);
    const done = function (label) {
      button.textContent = label;
      window.setTimeout(function () { button.textContent = "Copy"; }, 1500);
    };
    const select = function () {
      window.getSelection().selectAllChildren(code);
      done("Press Ctrl+C");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(code.textContent).then(function () { done("Copied"); }, select);
    } else {
      select();
    }
  });

  document.addEventListener("click", function (event) {
    if (!pathBox.contains(event.target)) {
      closePathBox();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closePathBox();
    }
  });

  // ---- Start ----------------------------------------------------------------------------

  describe();
  applyFilter();
  sampleAll();
  drawRuntime();
})();
