// Dashboards: the filter bar (custom dates only for a custom period, apply on change) and the
// widget editor (add, remove, move up/down; Django formset fields underneath, so it works without JS).
(function () {
  "use strict";

  function initFilters(root) {
    root.querySelectorAll("#dashboard-filters, #dashboard-editor-header").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      var preset = form.querySelector("select[name$='range_preset']");
      if (!preset) return;
      var sync = function () {
        form.classList.toggle("preset-fixed", preset.value !== "custom");
      };
      sync();
      preset.addEventListener("change", sync);
      if (form.id !== "dashboard-filters") return;
      form.querySelectorAll("select").forEach(function (select) {
        select.addEventListener("change", function () {
          if (select === preset && preset.value === "custom") return; // wait for the dates
          form.requestSubmit();
        });
      });
    });
  }

  function readCatalogue() {
    var source = document.getElementById("metric-catalogue");
    if (!source) return {};
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return {};
    }
  }

  // Grey out the breakdowns a metric does not support (the server checks again on save).
  function syncSlices(row, catalogue) {
    var metric = row.querySelector("select[name$='-metric']");
    var slice = row.querySelector("select[name$='-slice']");
    if (!metric || !slice) return;
    var info = catalogue[metric.value];
    Array.prototype.forEach.call(slice.options, function (option) {
      option.disabled = Boolean(info && option.value && info.slices.indexOf(option.value) === -1);
    });
  }

  function initEditor(root) {
    var editor = root.querySelector ? root.querySelector("#widget-editor") : null;
    if (!editor || editor.dataset.ready) return;
    editor.dataset.ready = "1";
    document.body.classList.add("js-enhanced");
    var catalogue = readCatalogue();
    var list = editor.querySelector("#widget-rows");
    var total = editor.querySelector("input[name='w-TOTAL_FORMS']");
    var template = document.getElementById("widget-empty-form");

    function rows() {
      return Array.prototype.filter.call(list.querySelectorAll(".widget-row"), function (row) {
        return !row.classList.contains("is-removed");
      });
    }

    function renumber() {
      rows().forEach(function (row, index) {
        var order = row.querySelector("input[name$='-ORDER']");
        if (order) order.value = String(index + 1);
        var number = row.querySelector(".widget-number");
        if (number) number.textContent = String(index + 1);
      });
    }

    function wire(row) {
      syncSlices(row, catalogue);
      var metric = row.querySelector("select[name$='-metric']");
      if (metric) metric.addEventListener("change", function () { syncSlices(row, catalogue); });
      row.querySelectorAll("[data-widget-action]").forEach(function (button) {
        button.addEventListener("click", function () {
          var action = button.dataset.widgetAction;
          if (action === "up" && row.previousElementSibling) {
            var before = row.previousElementSibling;
            while (before && before.classList.contains("is-removed")) before = before.previousElementSibling;
            if (before) list.insertBefore(row, before);
          } else if (action === "down") {
            var after = row.nextElementSibling;
            while (after && after.classList.contains("is-removed")) after = after.nextElementSibling;
            if (after) list.insertBefore(after, row);
          } else if (action === "remove") {
            var remove = row.querySelector("input[name$='-DELETE']");
            if (remove) remove.checked = true;
            row.classList.add("is-removed");
          }
          renumber();
          button.focus();
        });
      });
    }

    // The blank row is for pages without this script; here "Add widget" makes rows.
    list.querySelectorAll(".widget-row.widget-blank").forEach(function (row) { row.remove(); });
    list.querySelectorAll(".widget-row").forEach(wire);
    renumber();

    var add = editor.querySelector("#widget-add");
    if (add && template && total) {
      add.addEventListener("click", function () {
        var index = parseInt(total.value, 10) || 0;
        var holder = document.createElement("div");
        holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
        var row = holder.querySelector(".widget-row");
        if (!row) return;
        list.appendChild(row);
        total.value = String(index + 1);
        wire(row);
        renumber();
        var first = row.querySelector("select");
        if (first) first.focus();
      });
    }
  }

  function init(root) {
    initFilters(root);
    initEditor(root);
  }

  init(document);
  if (window.htmx) window.htmx.onLoad(init);
})();
