// Import progress: Bootstrap's bar needs a width, and the CSP forbids style attributes, so the
// width comes from data-progress. Loaded with `defer`, like htmx (see shared NOTES.md).
(function () {
  "use strict";

  function setWidths(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = parseInt(bar.dataset.progress, 10);
      if (isNaN(value)) value = 0;
      bar.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }

  setWidths(document);
  if (window.htmx) {
    window.htmx.onLoad(setWidths);
  }
})();
