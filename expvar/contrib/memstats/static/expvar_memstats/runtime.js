/* django-expvar: the memstats "Runtime" card. Draws Alloc, Sys and HeapInuse over the samples
   this page has seen, and the newest GC pauses, from the card's data-expvar-sample. */
"use strict";

(function () {
  const SAMPLES = 120;
  const series = { alloc: [], sys: [], heapInuse: [] };

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
    return ns >= 1e6 ? (ns / 1e6).toFixed(2) + " ms" : (ns / 1e3).toFixed(1) + " µs";
  }

  function areaChart(figure, values, label, draw) {
    const svg = figure.querySelector("svg");
    figure.querySelector("output").textContent = label;
    if (values.length < 2) {
      svg.replaceChildren();
      return;
    }
    const points = draw.linePoints(values, 240, 58).map((p) => [p[0], p[1] + 1]);
    const line = points.map((p) => p.join(",")).join(" ");
    svg.replaceChildren(
      draw.svgElement("polygon", { points: points[0][0] + ",60 " + line + " 240,60" }),
      draw.svgElement("polyline", { points: line })
    );
  }

  function barChart(figure, pauses, label, draw) {
    const svg = figure.querySelector("svg");
    figure.querySelector("output").textContent = label;
    const max = Math.max(...pauses, 1);
    const width = 240 / 64;
    const start = 240 - pauses.length * width;
    svg.replaceChildren(...pauses.map(function (pause, index) {
      const height = Math.max((pause / max) * 56, 1);
      return draw.svgElement("rect", {
        x: start + index * width, y: 60 - height, width: Math.max(width - 1, 1), height: height,
      });
    }));
  }

  function drawRuntime() {
    const card = document.getElementById("expvar-runtime");
    const draw = window.expvarDashboard;
    if (!card || !draw || !card.dataset.expvarSample) {
      return;
    }
    let sample;
    try {
      sample = JSON.parse(card.dataset.expvarSample);
    } catch (error) {
      return;
    }
    for (const name of Object.keys(series)) {
      if (typeof sample[name] === "number") {
        series[name].push(sample[name]);
        if (series[name].length > SAMPLES) {
          series[name].shift();
        }
        areaChart(card.querySelector('[data-expvar-chart="' + name + '"]'), series[name],
          bytes(sample[name]), draw);
      }
    }
    const pauses = Array.isArray(sample.pauses) ? sample.pauses : [];
    const last = pauses.length ? duration(pauses[pauses.length - 1]) + " last" : "none yet";
    const count = typeof sample.numGC === "number" ? sample.numGC + " GCs · " : "";
    barChart(card.querySelector('[data-expvar-chart="pauses"]'), pauses, count + last, draw);
  }

  document.addEventListener("htmx:afterSettle", drawRuntime);
  drawRuntime();
})();
