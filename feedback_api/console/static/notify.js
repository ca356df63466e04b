// In-page notifications: a new waiting handoff or a new S3 case the user may take.
// Polls a small JSON endpoint every 5 seconds; on the queue page it also refreshes
// the "waiting" table in place.
(function () {
  "use strict";
  var me = document.currentScript;
  var url = me.getAttribute("data-poll");
  var textHandoff = me.getAttribute("data-text-handoff");
  var textS3 = me.getAttribute("data-text-s3");
  var since = sessionStorage.getItem("aapNotifySince") || new Date().toISOString();
  var known = null;
  var seenS3 = {};
  var title = document.title;
  function notice(text, href, cls) {
    var box = document.getElementById("notices");
    if (!box) { return; }
    var div = document.createElement("div");
    div.className = "notice " + (cls || "");
    div.setAttribute("role", "alert");
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    div.appendChild(a);
    box.appendChild(div);
    document.title = "● " + title;
    setTimeout(function () { div.remove(); document.title = title; }, 30000);
  }
  function refreshHandoffs() {
    var section = document.getElementById("handoffs");
    if (!section) { return; }
    fetch("/console/queue/handoffs", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        // Server-rendered and escaped by Jinja: safe to insert.
        var tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        var fresh = tpl.content.querySelector("#handoffs");
        if (fresh) { section.replaceWith(fresh); }
      });
  }
  function poll() {
    fetch(url + "?since=" + encodeURIComponent(since),
          { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var ids = data.waiting.map(function (w) { return w.id; });
        if (known !== null) {
          var fresh = ids.filter(function (id) { return known.indexOf(id) < 0; });
          if (fresh.length) { notice(textHandoff, "/console/chat/" + fresh[0], "handoff"); }
          if (fresh.length || ids.length !== known.length) { refreshHandoffs(); }
        }
        known = ids;
        since = data.now;
        sessionStorage.setItem("aapNotifySince", since);
        data.new_s3.forEach(function (c) {
          if (!seenS3[c.reference]) {
            seenS3[c.reference] = true;
            notice(textS3 + ": " + c.display, "/console/cases/" + c.reference, "s3");
          }
        });
      })
      .catch(function () {});
  }
  poll();
  setInterval(poll, 5000);
})();
