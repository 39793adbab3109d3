/* Live view: the page refreshes itself every few seconds, which would reset a form the Centre
   Manager is filling in. While focus is inside a form of the refreshed region, skip the refresh.
   Kept out of the page so the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail.elt;
    var active = document.activeElement;
    if (region && region.hasAttribute("data-live") && active && active.form && region.contains(active)) {
      event.preventDefault();
    }
  });
})();
