// SMS segment counter: the same rule as persian_text/sms.py (tests/browser compares them)
// (GSM-7 160/153, extension characters count 2; otherwise UCS-2 70/67 in UTF-16 units).
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXT = "^{}\\[~]|€\f";
  function segments(text) {
    var gsm = true, units = 0, i, ch;
    for (i = 0; i < text.length; i++) {
      ch = text.charAt(i);
      if (EXT.indexOf(ch) >= 0) { units += 2; }
      else if (BASIC.indexOf(ch) >= 0) { units += 1; }
      else { gsm = false; break; }
    }
    var single = 160, multi = 153, enc = "GSM-7";
    if (!gsm) { units = text.length; single = 70; multi = 67; enc = "UCS-2"; }
    var n = units === 0 ? 0 : (units <= single ? 1 : Math.ceil(units / multi));
    return { encoding: enc, units: units, segments: n };
  }
  window.smsSegments = segments;
  function bind(area) {
    var out = document.getElementById(area.getAttribute("data-counter"));
    if (!out) { return; }
    var chars = out.getAttribute("data-label-chars") || "chars";
    var segs = out.getAttribute("data-label-segments") || "SMS";
    function update() {
      var s = segments(area.value);
      out.textContent = s.units + " " + chars + " · " + s.segments + " " + segs + " (" + s.encoding + ")";
      out.classList.toggle("multi", s.segments > 1);
      out.setAttribute("data-segments", String(s.segments));
    }
    area.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-counter]"), bind);
    var pick = document.getElementById("ready-text");
    var area = document.getElementById("loop-text");
    if (pick && area) {
      pick.addEventListener("change", function () {
        if (pick.value) { area.value = pick.value; area.dispatchEvent(new Event("input")); }
      });
    }
  });
})();
