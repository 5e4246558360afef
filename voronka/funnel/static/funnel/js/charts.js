// Draws every plotly figure on a funnel page from the JSON the server embedded with json_script.
// Loaded with `defer` after plotly.min.js; no inline script anywhere (strict CSP).
(function () {
  "use strict";

  function draw(root) {
    if (!window.Plotly) return;
    var holders = Array.prototype.slice.call(root.querySelectorAll("[data-plotly-figure]"));
    if (root.matches && root.matches("[data-plotly-figure]")) holders.unshift(root);
    holders.forEach(function (holder) {
      if (holder.dataset.drawn) return;
      var source = document.getElementById(holder.dataset.plotlyFigure);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      holder.dataset.drawn = "1";
      // No mode bar: its stylesheet is one plotly injects at load, which the CSP (style-src 'self') refuses.
      window.Plotly.newPlot(holder, figure.data || [], figure.layout || {}, {responsive: true, displayModeBar: false});
    });
  }

  draw(document);
  if (window.htmx) {
    window.htmx.onLoad(draw);
  }
})();
