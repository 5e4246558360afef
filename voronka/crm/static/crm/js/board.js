// The board, the deal page and my tasks: drag and drop moves, the won/lost modal, inline-edit versions.
// Loaded with `defer` like htmx; no inline script anywhere (strict CSP).
(function () {
  "use strict";

  var dragged = null;

  function modal() {
    var element = document.getElementById("crm-modal");
    return element && window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(element) : null;
  }

  // htmx.onLoad hands over each swapped element itself, so the root may be the very card or column.
  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  function initCards(root) {
    within(root, ".deal-card[draggable=true]").forEach(function (card) {
      if (card.dataset.dragReady) return;
      card.dataset.dragReady = "1";
      card.addEventListener("dragstart", function (event) {
        dragged = card;
        card.classList.add("is-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", card.dataset.dealId);
      });
      card.addEventListener("dragend", function () {
        card.classList.remove("is-dragging");
        dragged = null;
      });
    });
  }

  function initDropZones(root) {
    within(root, "[data-drop-stage]").forEach(function (zone) {
      if (zone.dataset.dropReady) return;
      zone.dataset.dropReady = "1";
      zone.addEventListener("dragover", function (event) {
        if (!dragged) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        zone.classList.add("is-drop-target");
      });
      zone.addEventListener("dragleave", function () {
        zone.classList.remove("is-drop-target");
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        zone.classList.remove("is-drop-target");
        var card = dragged;
        dragged = null;
        if (!card || card.dataset.stageId === zone.dataset.dropStage) return;
        card.classList.add("is-moving");
        // The server answers with out-of-band fragments: the card in its new column and fresh column headers.
        window.htmx.ajax("POST", card.dataset.moveUrl, {
          source: card,
          target: card,
          swap: "none",
          values: { stage_id: zone.dataset.dropStage, version: card.dataset.version }
        }).finally(function () {
          card.classList.remove("is-moving");
        });
      });
    });
  }

  function init(root) {
    initCards(root);
    initDropZones(root);
  }

  // The server asks for the modal (the lost dialog) once its content is in place.
  document.body.addEventListener("crm-open-modal", function () {
    var dialog = modal();
    if (dialog) dialog.show();
  });
  // An inline edit bumped the deal's version: the page's other forms must send the new one.
  document.body.addEventListener("crm-deal-version", function (event) {
    document.querySelectorAll("input[data-deal-version]").forEach(function (input) {
      input.value = event.detail.value;
    });
  });

  init(document);
  if (window.htmx) {
    window.htmx.onLoad(init);
  }
})();
