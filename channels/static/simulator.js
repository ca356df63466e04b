// The simulator page: post messages as a Telegram or SMS user and poll the replies.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const log = $("log");
  // The session's CSRF token: the service takes the login cookie with it only.
  const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  const state = { channel: "telegram", conversation: "", after: 0, timer: null };

  function newConversation() {
    const bytes = new Uint8Array(6);
    crypto.getRandomValues(bytes);
    state.conversation = Array.from(bytes, (b) => (b % 36).toString(36)).join("");
    state.after = 0;
    log.textContent = "";
    $("conversation-label").textContent = state.channel + " / " + state.conversation;
    $("phone").className = state.channel;
  }

  function line(cls, text, meta) {
    const li = document.createElement("li");
    li.className = cls;
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.dir = "auto";
    bubble.textContent = text;
    li.appendChild(bubble);
    if (meta) {
      const m = document.createElement("div");
      m.className = "meta" + (meta.warn ? " warn" : "");
      m.textContent = meta.text;
      li.appendChild(m);
    }
    log.appendChild(li);
    $("phone").scrollTop = $("phone").scrollHeight;
    return li;
  }

  async function post(body) {
    const response = await fetch("/simulator/api/send", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Simulator": "1", "X-CSRF-Token": csrf },
      body: JSON.stringify(Object.assign({ channel: state.channel, conversation: state.conversation }, body)),
    });
    if (!response.ok) {
      $("status").textContent = "خطا / error " + response.status;
    }
  }

  function render(message) {
    const cls = "them" + (message.sender.startsWith("operator:") ? " operator" : "");
    let meta = { text: message.sender + " · " + message.status };
    if (state.channel !== "telegram") {
      meta = {
        text: message.sender + " · " + message.status + " · " + message.encoding + " · " +
          message.units + " units · " + message.segments + " segment(s)",
        warn: message.segments > 3,
      };
    }
    const li = line(cls, message.text, meta);
    if (message.buttons && message.buttons.length) {
      const keyboard = document.createElement("div");
      keyboard.className = "keyboard";
      for (const button of message.buttons) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = button.title;
        b.addEventListener("click", () => {
          line("me", button.title);
          post({ payload: button.data });
        });
        keyboard.appendChild(b);
      }
      li.appendChild(keyboard);
    }
  }

  async function poll() {
    try {
      const url = "/simulator/api/messages?channel=" + encodeURIComponent(state.channel) +
        "&conversation=" + encodeURIComponent(state.conversation) + "&after=" + state.after;
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        for (const message of data.messages) {
          render(message);
          state.after = Math.max(state.after, message.id);
        }
        $("status").textContent = "";
      } else if (response.status === 401) {
        $("status").textContent = "لطفاً وارد شوید / please log in at /console/login";
      }
    } catch (err) {
      $("status").textContent = "اتصال قطع است / offline";
    }
    state.timer = setTimeout(poll, 1000);
  }

  $("channel").addEventListener("change", (event) => {
    state.channel = event.target.value;
    newConversation();
  });
  $("reset").addEventListener("click", newConversation);
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    line("me", text);
    $("text").value = "";
    post({ text: text });
  });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  newConversation();
  poll();
})();
