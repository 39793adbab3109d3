/* The hall kiosk (no inline handlers: the Content-Security-Policy forbids them).
   - Back to the attract screen (<body data-kiosk-home>) after <body data-kiosk-idle> seconds
     without a touch, so no choice and no printed ticket waits for the next person. The number
     is read each time the timer is armed, so a test may shorten it.
   - The language switch (a form marked data-keep-place) comes back to the address shown now,
     which htmx may have changed while the citizen typed. */
(function () {
  "use strict";
  var body = document.body;
  var timer = null;

  function arm() {
    var home = body.getAttribute("data-kiosk-home");
    var seconds = parseFloat(body.getAttribute("data-kiosk-idle"));
    window.clearTimeout(timer);
    if (!home || !(seconds > 0)) { return; }
    timer = window.setTimeout(function () { window.location.replace(home); }, seconds * 1000);
  }

  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (type) {
    document.addEventListener(type, arm, { capture: true, passive: true });
  });
  arm();

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-keep-place") && form.elements.next) {
      form.elements.next.value = window.location.pathname + window.location.search;
    }
  });
})();
