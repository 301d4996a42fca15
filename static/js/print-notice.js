/* The printable notice's "打印" button (the Content-Security-Policy forbids inline handlers). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
