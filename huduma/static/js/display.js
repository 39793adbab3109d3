/* Hall display: a short two-tone chime when a new ticket is called (browsers allow sound only
   after someone ticks the box). Kept out of the page so the Content-Security-Policy needs no
   inline script. */
(function () {
  "use strict";
  var last = null, ctx = null;
  document.body.addEventListener("htmx:afterSwap", function () {
    var latest = document.querySelector("[data-latest]");
    var id = latest ? latest.getAttribute("data-latest") : null;
    if (id && last !== null && id !== last && document.getElementById("chime").checked) {
      ctx = ctx || new (window.AudioContext || window.webkitAudioContext)();
      [660, 880].forEach(function (f, i) {
        var o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = f; o.connect(g); g.connect(ctx.destination);
        g.gain.setValueAtTime(0.2, ctx.currentTime + i * 0.3);
        o.start(ctx.currentTime + i * 0.3); o.stop(ctx.currentTime + i * 0.3 + 0.25);
      });
    }
    last = id;
  });
})();
