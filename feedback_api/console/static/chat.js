// Live chat: poll the transcript every 3 seconds; send replies without reloading.
(function () {
  "use strict";
  var box = document.getElementById("chat");
  if (!box) { return; }
  var src = box.getAttribute("data-src");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var last = "";
  function label(who) { return box.getAttribute("data-" + who) || who; }
  function render(data) {
    var key = JSON.stringify(data.lines);
    if (key === last) { return; }
    last = key;
    var atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.textContent = "";
    if (!data.lines.length) {
      var p = document.createElement("p");
      p.className = "muted";
      p.textContent = box.getAttribute("data-empty");
      box.appendChild(p);
    }
    data.lines.forEach(function (line) {
      var div = document.createElement("div");
      div.className = "msg " + (line.direction === "in" ? "in" : "out") + " " + line.who +
        (line.masked ? " masked" : "");
      var meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = label(line.who) + " · " + (line.at ? line.at.substring(11, 16) : "");
      var body = document.createElement("div");
      body.className = "body";
      // never innerHTML: the person's text is untrusted
      body.textContent = line.masked ? box.getAttribute("data-masked") : line.text;
      div.appendChild(meta);
      div.appendChild(body);
      box.appendChild(div);
    });
    if (atBottom || true) { box.scrollTop = box.scrollHeight; }
  }
  function poll() {
    fetch(src, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () {});
  }
  box.scrollTop = box.scrollHeight;
  setInterval(poll, 3000);
  var form = document.getElementById("reply");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var area = form.querySelector("textarea");
      if (!area.value.trim()) { return; }
      var body = new URLSearchParams(new FormData(form));
      fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRF-Token": csrf }
      }).then(function (r) {
        if (r.ok) { area.value = ""; area.dispatchEvent(new Event("input")); poll(); }
        else { form.submit(); }
      });
    });
  }
})();
