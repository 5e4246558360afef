// CRM lists: "select all on this page", the selected count, and keeping the forms outside the
// live-search results (save view, bulk "next") in step with the URL htmx pushed.
(function () {
  "use strict";

  function updateCount() {
    var label = document.getElementById("bulk-count");
    if (!label) return;
    var checked = document.querySelectorAll("input.row-check:checked").length;
    if (!label.dataset.empty) label.dataset.empty = label.textContent;
    label.textContent = checked ? label.dataset.template.replace("%(count)s", checked) : label.dataset.empty;
  }

  function init(root) {
    var all = root.querySelector ? root.querySelector("#select-page") : null;
    if (all && !all.dataset.ready) {
      all.dataset.ready = "1";
      all.addEventListener("change", function () {
        document.querySelectorAll("input.row-check").forEach(function (box) { box.checked = all.checked; });
        updateCount();
      });
    }
    (root.querySelectorAll ? root.querySelectorAll("input.row-check") : []).forEach(function (box) {
      if (box.dataset.ready) return;
      box.dataset.ready = "1";
      box.addEventListener("change", updateCount);
    });
    updateCount();
  }

  function syncQuery() {
    var query = window.location.search.replace(/^\?/, "");
    var saved = document.getElementById("save-view-query");
    if (saved) saved.value = query;
    var next = document.querySelector("#bulk-form input[name=next]");
    if (next) next.value = window.location.pathname + window.location.search;
  }

  // A delete asks for confirmation on the next page; other actions need a choice first.
  function guardBulk() {
    var form = document.getElementById("bulk-form");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    form.addEventListener("submit", function (event) {
      if (!document.querySelectorAll("input.row-check:checked").length) {
        event.preventDefault();
        var label = document.getElementById("bulk-count");
        if (label) label.classList.add("text-danger");
      }
    });
  }

  // Form errors (400) and edit conflicts (409) come back as a form to show in place.
  function swapFormErrors(event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 409) && target && target.dataset && target.dataset.swapErrors) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  }

  init(document);
  guardBulk();
  document.body.addEventListener("htmx:beforeSwap", swapFormErrors);
  if (window.htmx) {
    window.htmx.onLoad(init);
    document.body.addEventListener("htmx:pushedIntoHistory", syncQuery);
    document.body.addEventListener("htmx:afterSettle", syncQuery);
  }
})();
