// Report builder and channel comparison: custom dates only for a custom period.
// Loaded with defer like htmx; the forms work without it (the dates are then always shown).
(function () {
  "use strict";

  function init(root) {
    root.querySelectorAll(".report-form").forEach(function (form) {
      if (form.dataset.periodReady) return;
      form.dataset.periodReady = "1";
      var preset = form.querySelector("select[name='period']");
      if (!preset) return;
      var sync = function () {
        form.classList.toggle("preset-fixed", preset.value !== "custom");
      };
      sync();
      preset.addEventListener("change", sync);
    });
  }

  init(document);
  if (window.htmx) window.htmx.onLoad(init);
})();
