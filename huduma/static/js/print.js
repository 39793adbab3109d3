/* Printing tickets without inline handlers (the Content-Security-Policy forbids them):
   a button with data-print prints the page; a page with <body data-autoprint> prints on load. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
  if (document.body.hasAttribute("data-autoprint")) {
    window.addEventListener("load", function () { window.print(); });
  }
})();
