// Behaviour for the shell that Bootstrap and htmx do not cover. Loaded with `defer`, like htmx.
(function () {
  "use strict";

  // A button with data-copy-target="#id" copies that element's text to the clipboard.
  function initCopyButtons(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      if (button.dataset.copyReady) return;
      button.dataset.copyReady = "1";
      button.addEventListener("click", function () {
        var source = document.querySelector(button.dataset.copyTarget);
        if (!source || !navigator.clipboard) return;
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = button.dataset.copiedLabel || button.textContent;
        });
      });
    });
  }

  // Refusals (form errors, a 409 conflict, a service error) carry a body meant for the user;
  // htmx 2 drops 4xx bodies by default, so swap them (the server sets HX-Retarget where needed).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // htmx may have loaded before this file: initialise the page now, then every swapped fragment.
  initCopyButtons(document);
  if (window.htmx) {
    window.htmx.onLoad(initCopyButtons);
  }
})();
