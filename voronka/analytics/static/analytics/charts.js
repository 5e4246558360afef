// Renders the plotly figures a page hands over as JSON (see voronka/analytics/charts.py).
// No inline script anywhere (strict CSP): figures are data in <script type="application/json">.
//
//   <div class="plotly-chart" data-figure="fig-3"></div> + {{ figure|json_script:"fig-3" }}
//   <script type="application/json" class="plotly-figure" data-target="div-id">…</script>
//
// A point whose customdata is a same-site path ("/…") opens it on click (drill-down).
(function () {
  "use strict";

  var CONFIG = { displayModeBar: false, responsive: true };

  function readJson(element) {
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function drillOnClick(div) {
    if (div.dataset.drillReady) return;
    div.dataset.drillReady = "1";
    div.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var target = point && point.customdata;
      // Only paths on this site: "/x", never "//host" or "javascript:".
      if (typeof target === "string" && target.charAt(0) === "/" && target.charAt(1) !== "/") {
        window.location.assign(target);
      }
    });
  }

  function draw(div, figure) {
    if (!figure || !window.Plotly) return;
    div.classList.add("plotly-ready");
    window.Plotly.newPlot(div, figure.data || [], figure.layout || {}, CONFIG).then(function () {
      drillOnClick(div);
      var clickable = (figure.data || []).some(function (trace) {
        return (trace.customdata || []).some(function (value) {
          return typeof value === "string" && value.charAt(0) === "/";
        });
      });
      if (clickable) div.classList.add("plotly-clickable");
    });
  }

  function render(root) {
    root.querySelectorAll(".plotly-chart[data-figure]").forEach(function (div) {
      if (div.dataset.plotted) return;
      var source = document.getElementById(div.dataset.figure);
      if (!source) return;
      div.dataset.plotted = "1";
      draw(div, readJson(source));
    });
    root.querySelectorAll("script.plotly-figure[data-target]").forEach(function (source) {
      var div = document.getElementById(source.dataset.target);
      if (!div || div.dataset.plotted) return;
      div.dataset.plotted = "1";
      draw(div, readJson(source));
    });
  }

  function start() {
    render(document);
    if (window.htmx) window.htmx.onLoad(render);
  }

  // plotly.js and htmx are loaded with defer, like this file; all of them have run by DOMContentLoaded.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
