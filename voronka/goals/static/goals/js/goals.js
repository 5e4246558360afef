// Goals pages: the progress chart (figure JSON from the server) and fields shown only when they apply.
// No inline script anywhere (strict CSP).
//
//   <div class="goal-chart" data-figure="goal-figure"></div> + {{ figure|json_script:"goal-figure" }}
//   <div data-show-when="scope=team">…</div>   shown while the form's "scope" control is "team"
(function () {
  "use strict";

  function readJson(id) {
    var source = document.getElementById(id);
    if (!source) return null;
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function drawCharts(root) {
    if (!window.Plotly) return;
    root.querySelectorAll(".goal-chart[data-figure]").forEach(function (div) {
      if (div.dataset.plotted) return;
      var figure = readJson(div.dataset.figure);
      if (!figure) return;
      div.dataset.plotted = "1";
      window.Plotly.newPlot(div, figure.data || [], figure.layout || {}, { displayModeBar: false, responsive: true });
    });
  }

  function currentValue(form, name) {
    var checked = form.querySelector("[name='" + name + "']:checked");
    if (checked) return checked.value;
    var control = form.querySelector("[name='" + name + "']");
    return control ? control.value : "";
  }

  function applyVisibility(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (element) {
      var rule = element.dataset.showWhen.split("=");
      var wanted = (rule[1] || "").split(",");
      element.hidden = wanted.indexOf(currentValue(form, rule[0])) === -1;
    });
  }

  function init(root) {
    drawCharts(root);
    root.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-when]") || form.dataset.visibilityReady) return;
      form.dataset.visibilityReady = "1";
      applyVisibility(form);
      form.addEventListener("change", function () { applyVisibility(form); });
    });
  }

  function start() {
    init(document);
    if (window.htmx) window.htmx.onLoad(init);
  }

  // Plotly and htmx load with defer, like this file: by DOMContentLoaded all of them have run.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
