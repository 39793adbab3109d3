/* Live view: the page refreshes itself every few seconds, which would reset a form the Centre
   Manager is filling in. While focus is inside a form of the refreshed region, or a choice has
   been made in one of its forms and not yet sent (the manager may have clicked elsewhere on the
   page in between), skip the refresh, and show the note saying updates are paused.
   Kept out of the page so the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";
  function choiceMade(region) {
    var selects = region.querySelectorAll("form select");
    for (var i = 0; i < selects.length; i++) {
      if (selects[i].value !== "") return true;
    }
    return false;
  }
  function pause(event) {
    var region = event.detail.elt;
    if (!region || !region.hasAttribute("data-live")) return false;
    var active = document.activeElement;
    var paused = (active && active.form && region.contains(active)) || choiceMade(region);
    // Say so, so that nobody takes a paused page for a quiet centre.
    var note = document.querySelector("[data-live-paused]");
    if (note) note.hidden = !paused;
    return paused;
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (pause(event)) event.preventDefault();
  });
  // A refresh already on its way when the choice was made must not wipe it out on arrival
  // (seen with the page left idle, then used: the answer landed between two selects).
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (pause(event)) event.detail.shouldSwap = false;
  });
})();
