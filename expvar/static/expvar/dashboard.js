/* django-expvar dashboard: what htmx cannot do for the page. htmx polls the refresh partial and
   idiomorph morphs it into #expvar-body, so elements, focus, open <details> and scroll stay as
   they are; this file keeps the client's own state through the morph (open values, the filter,
   collapsed apps, drawn sparklines), filters, charts and offers monitor paths. No inline script
   anywhere: the page runs under a Content-Security-Policy without 'unsafe-inline'/'unsafe-eval'.
   Each refresh reads the DOM first and writes after, and nothing here asks for layout per cell. */
"use strict";

(function () {
  const region = document.getElementById("expvar-dashboard");
  if (!region || !window.htmx) {
    return;
  }

  const MAX_SAMPLES = 600;
  const SPARK_SAMPLES = 60;
  const MAX_FLASHES = 40;
  const SVG = "http://www.w3.org/2000/svg";
  // Attributes the page's user sets and a refresh must not undo.
  const CLIENT_ATTRIBUTES = new Set(["open", "hidden", "aria-expanded", "aria-current", "aria-pressed"]);

  const one = (selector, root) => (root || document).querySelector(selector);
  const all = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  const body = one("#expvar-body");
  const live = one("#expvar-live");
  const intervalSelect = one("#expvar-interval");
  const pauseButton = one("#expvar-pause");
  const unitsButton = one("#expvar-units");
  const filterInput = one("#expvar-filter");
  const filterCount = one("#expvar-filter-count");
  const pathBox = one("#expvar-pathbox");
  const chartDialog = one("#expvar-chart");

  const state = {
    paused: false,
    stopped: false,
    failing: "",
    signature: region.dataset.expvarSignature,
    shown: (one("#expvar-summary") || region).dataset.expvarShown || "",
    again: false, // a refresh is wanted as soon as the one in flight is done
    held: false, // text in the dashboard is selected, as last read
    app: "",
    status: "",
  };
  const samples = new Map(); // row id, or row id + " " + leaf path -> [[time ms, value], ...]
  let changed = [];

  // ---- Morphing: keep what the user set ---------------------------------------------------

  function drawnByClient(node) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    if (!element) {
      return false;
    }
    if (element.hasAttribute("data-expvar-drawn")) {
      return true;
    }
    const holder = element.parentElement;
    return Boolean(holder && holder.closest("[data-expvar-client], [data-expvar-drawn]"));
  }

  const morph = function (old, fresh) {
    if (window.Idiomorph) {
      Idiomorph.morph(old, fresh, {
        callbacks: {
          beforeAttributeUpdated: (name) => !CLIENT_ATTRIBUTES.has(name),
          // What a client holder holds (a chart's label, its SVG) is the page's own: the
          // server sends the holder empty, so morphing it would blank it until the next draw.
          beforeNodeMorphed: (node) =>
            !(node.nodeType === Node.ELEMENT_NODE && node.hasAttribute("data-expvar-client")),
          beforeNodeRemoved: (node) => !drawnByClient(node),
        },
      });
    } else {
      old.replaceWith(fresh);
    }
  };

  // ---- Applying a refresh -------------------------------------------------------------------
  // The partial is the page's own #expvar-body. Idiomorph morphs its small parts (header,
  // facets, collisions, panels, errors) in place. Of the rows the server sends only what
  // changed since the response this page last applied (it remembers each cell's digest under
  // the page's token), as each changed row's <tr> with its changed cells; when it does not
  // know this page it sends every row (data-expvar-refresh="full"). Cells are refilled in
  // place, keeping the <details>, its <summary>, a focused control and drawn sparklines. All
  // comparisons read the parsed response, never the live layout, and every write comes after.

  const pageToken = region.dataset.expvarPage;
  const ROW_PREFIX = "expvar-v-";

  function keepDrawn(old, fresh, kept) {
    // Sparklines drawn here go with the refreshed cell, into the same holder (those in
    // ``kept``, which stays, stay with it).
    for (const drawn of all("[data-expvar-drawn]", old)) {
      if (kept && kept.contains(drawn)) {
        continue;
      }
      const holder = drawn.parentElement;
      const path = holder.dataset.expvarPath;
      const target = path !== undefined
        ? one('.expvar-leaf[data-expvar-path="' + CSS.escape(path) + '"]', fresh)
        : holder.classList.contains("expvar-spark") ? one(".expvar-spark", fresh) : null;
      if (target) {
        target.append(drawn);
      }
    }
  }

  // A long value that is not open comes as its plain text; its leaves (thousands, in a big
  // dict) are rendered by the server once it is open, in the refresh its opening asks for.
  const isFolded = (cell) => Boolean(one("[data-expvar-folded]", cell));

  // Refill ``cell`` from ``fresh`` but leave ``keep`` (a live child) where it is: moving it out
  // of the document, even for a moment, would take keyboard focus from it.
  function refillAround(cell, fresh, keep, twin) {
    const before = [];
    for (let node = twin.previousSibling; node; node = node.previousSibling) {
      before.unshift(node);
    }
    const after = [];
    for (let node = twin.nextSibling; node; node = node.nextSibling) {
      after.push(node);
    }
    for (const node of Array.from(cell.childNodes)) {
      if (node !== keep) {
        node.remove();
      }
    }
    keep.before(...before);
    keep.after(...after);
  }

  function patchCell(cell, fresh) {
    if (!cell.firstElementChild && !fresh.firstElementChild) {
      cell.textContent = fresh.textContent; // text alone (how long a read took, the kind)
      return;
    }
    const details = one("details", cell);
    const freshDetails = one("details", fresh);
    if (details && freshDetails && details.parentElement === cell &&
        freshDetails.parentElement === fresh) {
      // Keep the <details> and its <summary> (open state, keyboard focus), and the <pre>
      // (its sideways scroll): refill them.
      details.firstElementChild.replaceChildren(...freshDetails.firstElementChild.childNodes);
      const pre = one("[data-expvar-value]", details);
      const freshPre = one("[data-expvar-value]", freshDetails);
      keepDrawn(pre, freshPre);
      pre.replaceChildren(...freshPre.childNodes);
      pre.toggleAttribute("data-expvar-folded", freshPre.hasAttribute("data-expvar-folded"));
      refillAround(cell, fresh, details, freshDetails);
      return;
    }
    // The chart button stays the same element, with its drawn line (and keyboard focus), as
    // does any other focused control.
    const focused = document.activeElement;
    const kept = focused && focused.parentElement === cell && focused.classList.length
      ? focused : one(":scope > .expvar-spark", cell);
    const twin = kept && one(":scope > ." + CSS.escape(kept.classList[0]), fresh);
    if (twin) {
      keepDrawn(cell, fresh, kept);
      refillAround(cell, fresh, kept, twin);
      return;
    }
    keepDrawn(cell, fresh);
    cell.replaceChildren(...fresh.childNodes);
  }

  function applyRows(freshBody, full) {
    const updates = [];
    for (const fresh of all("tr[data-expvar-name]", freshBody)) {
      const row = document.getElementById(fresh.id);
      if (!row) {
        continue; // a row this page does not have: the page offers a reload
      }
      for (const next of Array.from(fresh.cells)) {
        // Cells are told apart by their class (expvar-name, expvar-value, ...).
        const cell = one(":scope > ." + CSS.escape(next.classList[0]), row);
        // A full refresh carries every cell: leave those that show the same already.
        if (cell && (!full || cell.textContent !== next.textContent ||
                     isFolded(cell) !== isFolded(next))) {
          updates.push([row, fresh, cell, next]);
        }
      }
      if (row.className.replace(/ ?expvar-changed(-again)?/g, "") !== fresh.className) {
        updates.push([row, fresh, null, null]);
      }
    }
    for (const [row, fresh, cell, next] of updates) {
      if (!cell) {
        const flash = row.className.match(/expvar-changed(-again)?/);
        row.className = fresh.className + (flash ? " " + flash[0] : "");
        row.dataset.expvarStatus = fresh.dataset.expvarStatus;
        continue;
      }
      patchCell(cell, next);
      if (cell.classList.contains("expvar-value")) {
        changed.push(cell);
      }
    }
  }

  function applyRefresh(fresh) {
    const summary = one("#expvar-summary", fresh);
    applyRows(fresh, !summary || summary.dataset.expvarRefresh !== "changes");
    for (const part of Array.from(fresh.children)) {
      const old = part.id && document.getElementById(part.id);
      if (part.classList.contains("expvar-sections")) {
        for (const heading of all("[data-expvar-section] > h2", part)) {
          const current = document.getElementById(heading.id);
          if (current && current.textContent !== heading.textContent) {
            morph(current, heading);
          }
        }
      } else if (old && old.parentElement === body) {
        morph(old, part);
      }
    }
    // Only now, with every part applied, does the page show what that response describes.
    state.shown = summary ? summary.dataset.expvarShown : "";
  }

  region.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt !== region) {
      return;
    }
    // Which page this is and which response it shows, so that only what changed since is
    // sent; and which long values are open, so that their leaves are.
    const params = event.detail.parameters;
    params.page = pageToken;
    params.shown = state.shown;
    const open = all("tr[data-expvar-name] details[open]", body)
      .map((details) => details.closest("tr").id.slice(ROW_PREFIX.length));
    if (open.length) {
      params.open = open.join(",");
    }
  });

  // ---- Refresh state -------------------------------------------------------------------

  function describe() {
    // The first state that holds, in order of precedence.
    const [, name, text] = [
      [state.stopped, "stopped", "Stopped"],
      [state.paused, "paused", "Paused"],
      [document.hidden, "paused", "Paused while hidden"],
      [state.held, "paused", "Held while text is selected"],
      [state.failing, "failing", state.failing],
      [true, "live", "Live"],
    ].find(([holds]) => holds);
    live.dataset.state = name;
    live.textContent = text;
  }

  function selecting() {
    // A refresh would end a selection the user is making to copy a value or a traceback.
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.anchorNode) {
      return false;
    }
    const node = selection.anchorNode;
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return Boolean(element && body.contains(element));
  }

  function refreshNow() {
    if (!state.stopped && !state.paused && !document.hidden) {
      htmx.trigger(region, "expvar:refresh");
    }
  }

  // A refresh soon: now, or once the one in flight is done (hx-sync drops a trigger meanwhile).
  function wantRefresh() {
    if (live.dataset.state === "busy") {
      state.again = true;
    } else {
      refreshNow();
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

  unitsButton.addEventListener("click", function () {
    const readable = unitsButton.getAttribute("aria-pressed") !== "true";
    unitsButton.setAttribute("aria-pressed", String(readable));
    region.classList.toggle("expvar-units-raw", !readable);
  });

  document.addEventListener("visibilitychange", function () {
    describe();
    refreshNow();
  });

  // Refreshes wait while text in the values is selected; say so, and catch up once it is not.
  // Reading the selection costs a layout (any of its properties does, in Chromium), and a
  // refresh's DOM writes fire selectionchange too: the events are coalesced into one read
  // after a short pause, and describe() reads only what that found, so that neither the start
  // nor the end of a refresh forces a layout of its own.
  let selectionCheck = 0;
  document.addEventListener("selectionchange", function () {
    if (selectionCheck) {
      return;
    }
    selectionCheck = window.setTimeout(function () {
      selectionCheck = 0;
      const held = selecting();
      if (held !== state.held) {
        state.held = held;
        describe();
        if (!held) {
          refreshNow();
        }
      }
    }, 50);
  });

  region.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== region) {
      return;
    }
    if (state.stopped || state.paused || document.hidden) {
      event.preventDefault();
      return;
    }
    // A poll comes from a timer, after the last refresh was laid out: this read is cheap.
    if (selecting()) {
      if (!state.held) {
        state.held = true;
        describe();
      }
      event.preventDefault();
      return;
    }
    live.dataset.state = "busy";
  });

  // hx-swap="expvar": htmx parses the answer and processes its out-of-band parts (the 286
  // notice), then hands the parsed body to this extension, which applies it part by part
  // rather than swapping it whole.
  let applyNext = false;
  htmx.defineExtension("expvar-refresh", {
    handleSwap: function (style, target, fragment) {
      if (style !== "expvar") {
        return false;
      }
      if (applyNext && target === body) {
        applyRefresh(fragment);
      }
      applyNext = false;
      return true;
    },
  });

  region.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail.xhr;
    applyNext = xhr.status >= 200 && xhr.status < 300 && xhr.status !== 286;
    changed = [];
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

  region.addEventListener("htmx:afterSwap", function (event) {
    if (event.target !== body) {
      return;
    }
    // A changed value flashes: switching between two animation names restarts it without
    // asking for layout. When most values move, flashing them all says nothing and costs a
    // style pass per frame for each, so only a few changes flash.
    for (const cell of (changed.length <= MAX_FLASHES ? changed : [])) {
      const row = cell.parentElement;
      if (row) {
        const odd = row.classList.contains("expvar-changed");
        row.classList.toggle("expvar-changed", !odd);
        row.classList.toggle("expvar-changed-again", odd);
      }
    }
    changed = [];
    applyFilter();
    sampleAll();
    const summary = one("#expvar-summary");
    if (summary && summary.dataset.expvarSignature !== state.signature) {
      one("#expvar-changed").hidden = false;
    }
  });

  // ---- Filter and facets, kept in the URL ---------------------------------------------------

  function readURL() {
    const params = new URLSearchParams(location.search);
    filterInput.value = params.get("q") || filterInput.value;
    state.app = params.get("app") || "";
    state.status = params.get("status") || "";
  }

  function writeURL() {
    const params = new URLSearchParams(location.search);
    const set = function (key, value) {
      if (value) {
        params.set(key, value);
      } else {
        params.delete(key);
      }
    };
    set("q", filterInput.value.trim());
    set("app", state.app);
    set("status", state.status);
    const query = params.toString();
    history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }

  function rowMatches(row, words) {
    if (state.app && row.dataset.expvarApp !== state.app) {
      return false;
    }
    if (state.status === "collides" ? !row.hasAttribute("data-expvar-shared")
        : state.status && row.dataset.expvarStatus !== state.status) {
      return false;
    }
    if (!words.length) {
      return true;
    }
    const text = (row.dataset.expvarApp + " " + row.textContent).toLowerCase();
    return words.every((word) => text.includes(word));
  }

  function applyFilter() {
    const words = filterInput.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const filtering = words.length > 0 || state.app !== "" || state.status !== "";
    const sections = all("[data-expvar-section]", body);
    // Reads first (every row's text), then writes (only where visibility changes).
    const plan = sections.map(function (section) {
      const rows = all("tr[data-expvar-name]", section);
      const shown = rows.map((row) => rowMatches(row, words));
      return { section, rows, shown, visible: shown.filter(Boolean).length };
    });
    let shownTotal = 0;
    let total = 0;
    for (const { section, rows, shown, visible } of plan) {
      rows.forEach(function (row, index) {
        if (row.hidden === shown[index]) {
          row.hidden = !shown[index];
        }
      });
      const hide = filtering && visible === 0;
      if (section.hidden !== hide) {
        section.hidden = hide;
      }
      shownTotal += visible;
      total += rows.length;
    }
    for (const link of all("[data-expvar-facet]", body)) {
      const active = state[link.dataset.expvarFacet] === link.dataset.expvarFacetValue;
      if (active !== link.hasAttribute("aria-current")) {
        if (active) {
          link.setAttribute("aria-current", "true");
        } else {
          link.removeAttribute("aria-current");
        }
      }
    }
    filterCount.textContent = filtering ? shownTotal + " of " + total + " shown" : "";
  }

  filterInput.addEventListener("input", function () {
    applyFilter();
    writeURL();
  });

  body.addEventListener("click", function (event) {
    const facet = event.target.closest("[data-expvar-facet]");
    if (facet) {
      event.preventDefault();
      state[facet.dataset.expvarFacet] = facet.dataset.expvarFacetValue;
      applyFilter();
      writeURL();
      return;
    }
    const collapse = event.target.closest(".expvar-collapse");
    if (collapse) {
      const table = document.getElementById(collapse.getAttribute("aria-controls"));
      const open = collapse.getAttribute("aria-expanded") !== "true";
      collapse.setAttribute("aria-expanded", String(open));
      if (table) {
        table.hidden = !open;
      }
    }
  });

  // ---- Samples and sparklines -----------------------------------------------------------

  function asNumber(text) {
    const trimmed = text.trim();
    if (!/^-?\d/.test(trimmed)) {
      return null;
    }
    const value = Number(trimmed);
    return Number.isFinite(value) ? value : null;
  }

  function record(key, value, now) {
    let series = samples.get(key);
    if (!series) {
      series = [];
      samples.set(key, series);
    }
    series.push([now, value]);
    if (series.length > MAX_SAMPLES) {
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
  function linePoints(values, width, height) {
    const min = Math.min(...values);
    const max = Math.max(...values);
    const span = max - min;
    const step = width / (Math.max(values.length, 12) - 1);
    const start = width - (values.length - 1) * step;
    return values.map(function (value, index) {
      const y = span === 0 ? height / 2 : height - ((value - min) / span) * (height - 2) - 1;
      return [start + index * step, y];
    });
  }

  function spark(svg, series, width, height) {
    const values = series.slice(-SPARK_SAMPLES).map((sample) => sample[1]);
    if (values.length < 2) {
      svg.replaceChildren();
      return;
    }
    const points = linePoints(values, width, height);
    const last = points[points.length - 1];
    const line = points.map((p) => p.join(",")).join(" ");
    const [polyline, circle] = svg.children;
    if (polyline && circle) {
      // Move the line drawn last time rather than draw a new one: hundreds per refresh.
      polyline.setAttribute("points", line);
      circle.setAttribute("cx", last[0]);
      circle.setAttribute("cy", last[1]);
      return;
    }
    svg.replaceChildren(
      svgElement("polyline", { points: line }),
      svgElement("circle", { cx: last[0], cy: last[1], r: 1.8 })
    );
  }

  function sparkIn(holder, width, height, className) {
    let svg = holder.lastElementChild;
    if (!(svg instanceof SVGElement)) {
      svg = svgElement("svg", {
        class: className, width: width, height: height, viewBox: "0 0 " + width + " " + height,
        "aria-hidden": "true", "data-expvar-drawn": "",
      });
      holder.append(svg);
    }
    return svg;
  }

  // The numbers of a dict, at the paths the server's leaves carry: the JSON array of the keys
  // (items of lists have none).
  function numbersIn(value, keys, visit) {
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      return;
    }
    for (const key of Object.keys(value)) {
      const item = value[key];
      const path = keys.concat([key]);
      if (typeof item === "number") {
        visit(JSON.stringify(path), item);
      } else {
        numbersIn(item, path, visit);
      }
    }
  }

  function sampleAll() {
    const now = Date.now();
    const draws = [];
    // Reads: every number's text. Writes (the lines) only after, in one pass. One query for
    // the page, not several per row: this runs for every row on every refresh.
    for (const value of all("tr[data-expvar-name] [data-expvar-value]", body)) {
      const row = value.closest("tr");
      if (value.hasAttribute("data-expvar-folded")) {
        // Plain text, no leaves: its numbers are sampled from the JSON, by the paths the
        // leaves will carry, and drawn once it is open.
        numbersIn(JSON.parse(value.textContent), [], function (path, number) {
          record(row.id + " " + path, number, now);
        });
        continue;
      }
      const holder = value.nextElementSibling;
      if (holder && holder.classList.contains("expvar-spark")) {
        const number = asNumber(value.textContent);
        if (number !== null) {
          draws.push([holder, record(row.id, number, now)]);
        }
      }
      if (!value.firstElementChild) {
        continue; // a scalar: no leaves
      }
      const details = value.parentElement;
      const hidden = details instanceof HTMLDetailsElement && !details.open;
      for (const leaf of value.getElementsByClassName("expvar-leaf")) {
        const number = asNumber(leaf.firstChild ? leaf.firstChild.nodeValue || "" : "");
        if (number === null) {
          continue;
        }
        const series = record(row.id + " " + leaf.dataset.expvarPath, number, now);
        // A closed value's lines are drawn when it opens; a leaf that has not moved gets
        // none (memstats alone has dozens of constants).
        if (!hidden && series.some((sample) => sample[1] !== series[0][1])) {
          draws.push([leaf, series]);
        }
      }
    }
    for (const [holder, series] of draws) {
      if (holder.classList.contains("expvar-spark")) {
        spark(sparkIn(holder, 88, 18, "expvar-sparkline"), series, 88, 18);
      } else {
        spark(sparkIn(holder, 48, 10, "expvar-leafspark"), series, 48, 10);
      }
    }
  }

  document.addEventListener("toggle", function (event) {
    if (event.target instanceof HTMLDetailsElement && event.target.open &&
        body.contains(event.target)) {
      if (one("[data-expvar-folded]", event.target)) {
        // Its leaves come with the next refresh, which need not wait for the poll.
        wantRefresh();
      }
      const row = event.target.closest("tr[data-expvar-name]");
      for (const leaf of row ? all(".expvar-leaf", row) : []) {
        const series = samples.get(row.id + " " + leaf.dataset.expvarPath);
        if (series && series.some((sample) => sample[1] !== series[0][1])) {
          spark(sparkIn(leaf, 48, 10, "expvar-leafspark"), series, 48, 10);
        }
      }
    }
  }, true);

  // ---- The larger chart, and the samples as CSV or JSON ---------------------------------

  let charted = null; // {key, label}

  function drawChart() {
    const series = samples.get(charted.key) || [];
    const svg = one("svg", chartDialog);
    const values = series.map((sample) => sample[1]);
    one("[data-expvar-chart-name]", chartDialog).textContent = charted.label;
    const summary = one("[data-expvar-chart-summary]", chartDialog);
    if (values.length < 2) {
      svg.replaceChildren();
      summary.textContent = values.length + " sample" + (values.length === 1 ? "" : "s") +
        " so far; the line starts with the second.";
      return;
    }
    const min = Math.min(...values);
    const max = Math.max(...values);
    summary.textContent = values.length + " samples since " +
      new Date(series[0][0]).toLocaleTimeString() + "; min " + min + ", max " + max +
      ", last " + values[values.length - 1] + ".";
    const points = linePoints(values, 600, 220);
    svg.replaceChildren(
      svgElement("polygon", { points: points[0][0] + ",220 " + points.map((p) => p.join(",")).join(" ") + " 600,220" }),
      svgElement("polyline", { points: points.map((p) => p.join(",")).join(" ") })
    );
  }

  function openChart(key, label, opener) {
    charted = { key, label, opener };
    drawChart();
    chartDialog.showModal();
  }

  chartDialog.addEventListener("close", function () {
    if (charted && charted.opener && document.contains(charted.opener)) {
      charted.opener.focus({ preventScroll: true });
    }
    charted = null;
  });

  region.addEventListener("htmx:afterSettle", function () {
    if (charted && chartDialog.open) {
      drawChart();
    }
    if (state.again) {
      state.again = false;
      refreshNow();
    }
  });

  chartDialog.addEventListener("click", function (event) {
    const button = event.target.closest("[data-expvar-download]");
    if (!button || !charted) {
      return;
    }
    const series = samples.get(charted.key) || [];
    const rows = series.map((sample) => ({ time: new Date(sample[0]).toISOString(), value: sample[1] }));
    const csv = button.dataset.expvarDownload === "csv";
    const text = csv
      ? "time,value\n" + rows.map((row) => row.time + "," + row.value).join("\n") + "\n"
      : JSON.stringify({ name: charted.label, samples: rows }, null, 2) + "\n";
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: csv ? "text/csv" : "application/json" }));
    link.download = charted.label.replace(/[^\w.-]+/g, "_") + (csv ? ".csv" : ".json");
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });

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

  function copyButton(kind) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.dataset.expvarCopyText = kind;
    button.textContent = "Copy";
    return button;
  }

  function showSeries(name) {
    const list = one("[data-expvar-pathbox-series]", pathBox);
    const url = list.dataset.expvarSeriesUrl;
    list.replaceChildren();
    if (!url) {
      return;
    }
    fetch(url + "?" + new URLSearchParams({ name }), { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { series: [] }))
      .then(function (answer) {
        if (pathBox.hidden || one("[data-expvar-pathbox-name]", pathBox).textContent !== name) {
          return;
        }
        const series = answer.series || [];
        const items = series.slice(0, 12).map(function (selector, index) {
          const item = document.createElement("li");
          const code = document.createElement("code");
          code.dataset.expvarPathboxPath = "prometheus-" + index;
          code.textContent = selector;
          item.append(code, " ", copyButton("prometheus-" + index));
          return item;
        });
        if (!series.length) {
          const item = document.createElement("li");
          item.className = "expvar-quiet";
          item.textContent = "not exposed on /debug/metrics";
          items.push(item);
        } else if (series.length > 12) {
          const item = document.createElement("li");
          item.className = "expvar-quiet";
          item.textContent = "and " + (series.length - 12) + " more";
          items.push(item);
        }
        list.replaceChildren(...items);
      }, function () { list.replaceChildren(); });
  }

  function openPathBox(segments, anchor, sampleKey) {
    one("[data-expvar-pathbox-name]", pathBox).textContent = segments[0];
    one('[data-expvar-pathbox-path="expvarmon"]', pathBox).textContent =
      segments.map(expvarmonSegment).join(".");
    one('[data-expvar-pathbox-path="datadog"]', pathBox).textContent =
      segments.map(datadogSegment).join("/");
    const chart = one("[data-expvar-pathbox-chart]", pathBox);
    chart.hidden = !samples.has(sampleKey);
    chart.dataset.key = sampleKey;
    chart.dataset.label = segments.join(".");
    showSeries(segments[0]);
    // One read of geometry, then the writes.
    const rect = anchor.getBoundingClientRect();
    const width = Math.min(512, document.documentElement.clientWidth - 16);
    const left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    pathBox.style.top = rect.bottom + window.scrollY + 6 + "px";
    pathBox.style.left = left + window.scrollX + "px";
    pathBox.hidden = false;
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

  function activate(trigger, event) {
    const owner = trigger.closest("[data-expvar-name], [data-expvar-collision]");
    if (!owner) {
      return false;
    }
    if (trigger.hasAttribute("data-expvar-chart-open")) {
      openChart(owner.id, owner.dataset.expvarName, trigger);
      return true;
    }
    let segments = [owner.dataset.expvarName || owner.dataset.expvarCollision];
    let key = owner.id;
    if (trigger.dataset.expvarPath) {
      try {
        segments = segments.concat(JSON.parse(trigger.dataset.expvarPath).map(String));
      } catch (error) {
        return false;
      }
      key = owner.id + " " + trigger.dataset.expvarPath;
    }
    event.stopPropagation();
    openPathBox(segments, trigger, key);
    return true;
  }

  const TRIGGERS = "[data-expvar-copy], [data-expvar-chart-open], .expvar-leaf";

  body.addEventListener("click", function (event) {
    const trigger = event.target.closest(TRIGGERS);
    if (trigger) {
      activate(trigger, event);
    }
  });

  body.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") {
      return;
    }
    const leaf = event.target.closest(".expvar-leaf");
    if (leaf && activate(leaf, event)) {
      event.preventDefault();
    }
  });

  pathBox.addEventListener("click", function (event) {
    const chart = event.target.closest("[data-expvar-pathbox-chart]");
    if (chart) {
      const opener = pathAnchor;
      closePathBox();
      openChart(chart.dataset.key, chart.dataset.label, opener);
      return;
    }
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

  // For panels' own scripts (the memstats card): the same drawing helpers.
  window.expvarDashboard = { svgElement, linePoints };

  // ---- Start ----------------------------------------------------------------------------

  readURL();
  describe();
  applyFilter();
  sampleAll();
})();
