/* Behaviour the templates once wrote inline (the Content-Security-Policy allows scripts from
 * static files only). Runs on every page and on every fragment htmx swaps in. */
(function () {
  "use strict";

  // <input type="checkbox" data-check-all="alerts">: ticks or clears every input[name=alerts]
  document.addEventListener("change", (event) => {
    const name = event.target.dataset && event.target.dataset.checkAll;
    if (!name) return;
    document.querySelectorAll(`input[name="${name}"]`).forEach((box) => {
      box.checked = event.target.checked;
    });
  });

  // <div data-width-percent="42">: a progress bar's width, set through the DOM (a style attribute
  // in the HTML would be refused)
  function applyWidths(root) {
    root.querySelectorAll("[data-width-percent]").forEach((element) => {
      element.style.width = `${element.dataset.widthPercent}%`;
    });
  }
  document.addEventListener("DOMContentLoaded", () => applyWidths(document));

  // <select data-guide-select>: opens the <details data-guide="…"> of the chosen category (the
  // upload page's column guide) and closes the others; without a choice all stay as they are
  function showGuide(select) {
    if (!select.value) return;
    document.querySelectorAll("details[data-guide]").forEach((details) => {
      details.open = details.dataset.guide === select.value;
    });
  }
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches("select[data-guide-select]")) showGuide(event.target);
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("select[data-guide-select]").forEach(showGuide);
  });
  document.addEventListener("htmx:load", (event) => applyWidths(event.target));
})();
