// chat.js makes the chat page live. The page works without it (forms that
// post, a refresh link); with it, messages go and come over one WebSocket.
// The database is the truth: on every (re)connection the page asks for
// what came after the last message it has (after_seq), and messages not
// yet acknowledged wait in an outbox that survives reloads and is sent
// again with the same client id, which the server stores once. Text from
// people only ever goes into textContent.
(function () {
  "use strict";
  var root = document.querySelector("[data-chat]");
  if (!root || !window.WebSocket || !window.JSON || !document.querySelector) return;
  var D = root.dataset;
  var embed = D.embed === "1";
  var $ = function (id) { return document.getElementById(id); };
  var list = $("msgs"), log = $("log"), body = $("body"), composer = $("composer"), fileInput = $("file");
  var conversation = $("conversation"), prechat = $("prechat"), typingEl = $("typing"), connEl = $("conn");
  var alertEl = $("alert"), statusEl = $("desk-status"), empty = $("empty");
  var store = storage();
  var key = "sportello." + D.slug + ".";
  var token = D.token, started = D.started === "1";
  var conv = +D.conv || 0, lastSeq = +D.lastSeq || 0;
  var ws = null, attempt = 0, retryTimer = 0, beat = 0, pongTimer = 0, offlineTimer = 0, typingTimer = 0, readTimer = 0;
  var lastTyping = 0, readSent = 0, lastDesk = 0, panelOpen = true;

  // The embedded page has no cookie: the visitor is who its storage says.
  if (embed) {
    var lang = store.get(key + "lang");
    if (lang && lang !== document.documentElement.lang && location.search.indexOf("lang=") < 0) {
      location.replace(D.refresh + "&lang=" + encodeURIComponent(lang));
      return;
    }
    var saved = store.get(key + "token");
    if (saved) {
      token = saved;
      started = true;
    } else if (started) {
      store.set(key + "token", token);
    }
  }
  var outbox = load();

  document.documentElement.classList.add("js");
  each("[data-nojs]", function (e) { e.hidden = true; });
  each("[data-js-only]", function (e) { e.hidden = false; });
  if (started) show(conversation, prechat);
  outbox.forEach(function (item) {
    if (!byClient(item.client_id)) add(pending(item));
  });
  showQuick();
  scrollDown(true);

  // Quick replies: the answers the desk's newest question suggests, as
  // buttons that send their text, until the citizen writes after it.
  // Older questions' are stale: hidden.
  list.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-reply]");
    if (!b) return;
    queue({ client_id: uuid(), body: b.getAttribute("data-reply"), attachments: [], names: [] });
  });
  function showQuick() {
    var lists = list.querySelectorAll("[data-quick]"), active = lists[lists.length - 1] || null;
    for (var n = active && active.parentNode.nextElementSibling; n; n = n.nextElementSibling) {
      if (n.classList.contains("mine")) { active = null; break; }
    }
    each("#msgs [data-quick]", function (ul) { ul.hidden = ul !== active; });
  }

  // Sending.
  composer.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = body.value;
    if (text.trim() === "") { body.focus(); return; }
    queue({ client_id: uuid(), body: text, attachments: [], names: [] });
    body.value = "";
    body.focus();
  });
  body.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit ? composer.requestSubmit() : composer.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  body.addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTyping > 2500) { lastTyping = now; frame({ type: "typing" }); }
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(suggest, 400);
  });

  // Help articles that match what the citizen is typing, under the box.
  var suggestTimer = 0, suggestFor = "";
  function suggest() {
    var box = $("suggest"), text = body.value.trim();
    if (!box || !D.suggest || text === suggestFor) return;
    suggestFor = text;
    if (text.length < 4) { box.hidden = true; return; }
    fetch(D.suggest + "&q=" + encodeURIComponent(text.slice(0, 200)), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (res) {
        if (!res || text !== suggestFor) return;
        box.textContent = "";
        box.hidden = !res.results.length;
        if (box.hidden) return;
        var p = document.createElement("p"), ul = document.createElement("ul");
        p.textContent = res.title;
        res.results.forEach(function (s) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = s.url; a.textContent = s.title; a.target = "_blank"; a.rel = "noopener";
          li.appendChild(a); ul.appendChild(li);
        });
        box.appendChild(p); box.appendChild(ul);
      }, function () {});
  }
  fileInput.addEventListener("change", function () {
    var f = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (f) upload(f);
  });

  function queue(item) {
    outbox.push(item);
    save();
    add(pending(item));
    scrollDown(true);
    if (ws && ws.readyState === 1) sendItem(item);
  }
  function sendItem(item) {
    frame({ type: "message", body: item.body, client_id: item.client_id, attachments: item.attachments });
  }
  function flush() { outbox.forEach(sendItem); }
  function settle(clientID) {
    outbox = outbox.filter(function (i) { return i.client_id !== clientID; });
    save();
  }

  function upload(f) {
    if (f.size > +D.maxUpload) { say(D.tTooLarge); return; }
    var item = { client_id: uuid(), body: "", attachments: [], names: [f.name] };
    var li = add(pending(item));
    setState(li, "sending", D.tUploading);
    var fd = new FormData();
    fd.append("file", f, f.name);
    fetch(D.upload + "?token=" + encodeURIComponent(token), { method: "POST", body: fd, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, j: j }; }); })
      .then(function (r) {
        if (!r.ok) {
          li.remove();
          say((r.j.error && r.j.error.message) || D.tUploadFailed);
          if (r.status === 401) expired();
          return;
        }
        li.remove();
        item.attachments = [r.j.ref];
        queue(item);
      })
      .catch(function () { li.remove(); say(D.tUploadFailed); });
  }

  // The pre-chat form of the embedded page goes through fetch, so that
  // the token lands in this page's storage and not in a cookie that a
  // third-party frame may not keep.
  if (prechat && embed) {
    prechat.addEventListener("submit", function (e) {
      e.preventDefault();
      var data = new URLSearchParams(new FormData(prechat));
      data.set("token", token);
      fetch(D.start, { method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (r) {
          if (r.j.token) token = r.j.token;
          if (!r.ok) {
            var err = r.j.error || {};
            say(err.message || D.tUploadFailed);
            var field = err.field && prechat.elements[err.field];
            if (field) { field.setAttribute("aria-invalid", "true"); field.focus(); }
            return;
          }
          store.set(key + "token", token);
          started = true;
          say("");
          show(conversation, prechat);
          body.focus();
          connect();
        })
        .catch(function () { say(D.tOffline); });
    });
  }

  // The transcript form goes through fetch with the page's token (the
  // embedded page has no cookie); the answer is said next to it.
  var transcript = $("transcript-form");
  if (transcript) {
    transcript.addEventListener("submit", function (e) {
      e.preventDefault();
      var input = transcript.elements.email, status = $("transcript-status");
      var data = new URLSearchParams(new FormData(transcript));
      data.set("token", token);
      status.textContent = "";
      fetch(transcript.action, { method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, j: j }; }); })
        .then(function (r) {
          if (r.status === 401) { expired(); return; }
          if (r.ok) {
            input.removeAttribute("aria-invalid");
            status.textContent = r.j.message;
            return;
          }
          var err = r.j.error || {};
          status.textContent = err.message || D.tOffline;
          if (err.field === "email") { input.setAttribute("aria-invalid", "true"); input.focus(); }
        })
        .catch(function () { status.textContent = D.tOffline; });
    });
  }

  // The connection.
  function connect() {
    if (!started || ws) return;
    clearTimeout(retryTimer);
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var s = new WebSocket(proto + "//" + location.host + D.ws + "?token=" + encodeURIComponent(token) +
      "&after_seq=" + lastSeq + "&conv=" + conv + "&lang=" + encodeURIComponent(document.documentElement.lang));
    ws = s;
    s.onopen = function () {
      attempt = 0;
      online(true);
      heartbeat();
      flush();
    };
    s.onmessage = function (e) {
      clearTimeout(pongTimer);
      var f;
      try { f = JSON.parse(e.data); } catch (x) { return; }
      receive(f);
    };
    s.onclose = function (e) {
      if (ws !== s) return;
      ws = null;
      clearInterval(beat);
      clearTimeout(pongTimer);
      if (e.code === 4401) { expired(); return; }
      online(false);
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt++)) * (0.5 + Math.random() / 2);
      retryTimer = setTimeout(connect, delay);
    };
  }
  function reconnectNow() {
    attempt = 0;
    if (ws) ws.close(); else connect();
  }
  function frame(f) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(f));
  }
  // Browsers answer the server's pings but never tell the page: the page
  // pings too, and a connection silent for 10 s after one is dead.
  function heartbeat() {
    clearInterval(beat);
    beat = setInterval(function () {
      frame({ type: "ping" });
      clearTimeout(pongTimer);
      pongTimer = setTimeout(function () { if (ws) ws.close(); }, 10000);
    }, 20000);
  }
  function online(yes) {
    clearTimeout(offlineTimer);
    if (yes) { connEl.textContent = ""; return; }
    // A quick reconnection need not alarm anyone.
    offlineTimer = setTimeout(function () { if (!ws || ws.readyState !== 1) connEl.textContent = D.tOffline; }, 3000);
  }
  // Back online, or back to the page: no need to wait for the next retry.
  function wake() {
    if (ws) return;
    attempt = 0;
    connect();
  }
  window.addEventListener("online", wake);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      wake();
      markRead();
    }
  });

  function receive(f) {
    switch (f.type) {
      case "message": return message(f);
      case "ack": return ack(f);
      case "typing": return typing();
      case "delivery":
        if (f.direction === "inbound") {
          each("#msgs .msg.mine[data-seq]", function (li) {
            if (+li.getAttribute("data-seq") <= f.up_to_seq) setState(li, f.status);
          });
        }
        return;
      case "status":
        statusEl.textContent = f.message || "";
        statusEl.hidden = !f.message;
        statusEl.classList.toggle("closed", !f.open);
        return;
      case "token":
        token = f.token;
        if (embed) store.set(key + "token", token);
        return;
      case "error": return failed(f);
    }
  }

  function message(m) {
    if (m.conversation_id !== conv) {
      // The last conversation was closed and a new one began: mark it,
      // before the messages still on their way.
      if (conv && list.children.length) list.insertBefore(separator(), list.querySelector(".msg.mine:not([id])"));
      conv = m.conversation_id;
      lastSeq = 0;
      if ($("transcript")) $("transcript").hidden = false; // there is a conversation to send now
    }
    if (m.prev_seq > lastSeq) { reconnectNow(); return; } // a gap: ask again from lastSeq
    var id = "m-" + conv + "-" + m.seq;
    var li = $(id) || (m.client_id && byClient(m.client_id));
    if (li) {
      li.id = id;
      li.setAttribute("data-seq", m.seq);
      var meta = li.querySelector(".meta");
      if (!meta.querySelector("time")) meta.insertBefore(time(m), meta.firstChild);
      if (m.direction === "inbound") setState(li, m.delivery_status || "sent");
      if (m.client_id) settle(m.client_id);
    } else {
      add(build(m));
    }
    if (m.seq > lastSeq) lastSeq = m.seq;
    if (m.direction === "outbound") {
      lastDesk = Math.max(lastDesk, m.seq);
      typingEl.hidden = true;
      markRead();
      if (embed && (!panelOpen || document.hidden)) parent.postMessage({ sportello: "unread" }, "*");
    }
    scrollDown(m.direction === "inbound");
  }
  function ack(f) {
    var li = byClient(f.client_id);
    settle(f.client_id);
    if (!li) return;
    li.id = "m-" + f.conversation_id + "-" + f.seq;
    li.setAttribute("data-seq", f.seq);
    if (li.querySelector(".state").getAttribute("data-state") === "sending") setState(li, "sent");
  }
  function failed(f) {
    if (f.code === "unauthorized") { expired(); return; }
    if (f.code === "prechat_required" && prechat) {
      started = false;
      show(prechat, conversation);
      store.remove(key + "token");
    }
    var li = f.client_id && byClient(f.client_id);
    if (li && (f.code === "rate_limited" || f.code === "internal" || f.code === "unavailable")) {
      setState(li, "waiting");
      setTimeout(flush, 10000); // the outbox keeps it; try again
    } else if (li) {
      setState(li, "failed");
      settle(f.client_id);
    }
    say(f.message);
  }
  function typing() {
    typingEl.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typingEl.hidden = true; }, 6000);
  }
  function markRead() {
    if (!lastDesk || lastDesk <= readSent || document.hidden || !panelOpen) return;
    clearTimeout(readTimer);
    readTimer = setTimeout(function () {
      if (ws && ws.readyState === 1 && lastDesk > readSent) {
        readSent = lastDesk;
        frame({ type: "read", seq: lastDesk });
      }
    }, 500);
  }
  function expired() {
    store.remove(key + "token");
    store.remove(key + "outbox");
    ws = null;
    location.replace(D.refresh + (D.refresh.indexOf("?") < 0 ? "?" : "&") + "expired=1");
  }

  // Building messages: only ever textContent for what people wrote.
  function build(m) {
    var mine = m.direction === "inbound";
    var li = el("li", "msg " + (mine ? "mine" : "desk"));
    li.id = "m-" + m.conversation_id + "-" + m.seq;
    li.setAttribute("data-seq", m.seq);
    if (m.client_id) li.setAttribute("data-client", m.client_id);
    li.appendChild(el("p", "who", mine ? D.tYou : D.tDesk));
    if (m.body) {
      var b = el("p", "body", m.body);
      b.dir = "auto";
      li.appendChild(b);
    }
    if (m.attachments && m.attachments.length) {
      var ul = el("ul", "files");
      m.attachments.forEach(function (a) {
        var item = el("li"), link = el("a");
        link.href = a.url;
        if (/^image\//.test(a.content_type)) {
          link.target = "_blank";
          var img = el("img");
          img.src = a.url;
          img.alt = a.filename;
          img.loading = "lazy";
          link.appendChild(img);
          item.appendChild(link);
        } else {
          link.textContent = a.filename;
          item.appendChild(link);
          item.appendChild(document.createTextNode(" "));
          item.appendChild(el("span", "size", "(" + a.size_text + ")"));
        }
        ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    var meta = el("p", "meta");
    meta.appendChild(time(m));
    li.appendChild(meta);
    if (mine) setState(li, m.delivery_status || "sent");
    if (!mine && m.quick_replies && m.quick_replies.length) {
      var quick = el("ul", "quick");
      quick.setAttribute("data-quick", "");
      m.quick_replies.forEach(function (text) {
        var item = el("li"), button = el("button", "", text);
        button.type = "button";
        button.dir = "auto";
        button.setAttribute("data-reply", text);
        item.appendChild(button);
        quick.appendChild(item);
      });
      li.appendChild(quick);
    }
    return li;
  }
  function time(m) {
    var t = el("time", "", m.when);
    t.setAttribute("datetime", m.created_at);
    return t;
  }
  function pending(item) {
    var li = el("li", "msg mine");
    li.setAttribute("data-client", item.client_id);
    li.appendChild(el("p", "who", D.tYou));
    if (item.body) {
      var b = el("p", "body", item.body);
      b.dir = "auto";
      li.appendChild(b);
    }
    if (item.names.length) {
      var ul = el("ul", "files");
      item.names.forEach(function (n) { ul.appendChild(el("li", "", n)); });
      li.appendChild(ul);
    }
    li.appendChild(el("p", "meta"));
    setState(li, "sending");
    return li;
  }
  function separator() { return el("li", "msg separator", D.tNewConversation); }
  function setState(li, state, text) {
    if (state === "queued" || !state) state = "sent";
    var meta = li.querySelector(".meta"), s = li.querySelector(".state");
    if (!s) {
      s = el("span", "state");
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(s);
    }
    var label = { sending: D.tSending, sent: D.tSent, delivered: D.tDelivered, read: D.tRead, failed: D.tFailed, waiting: D.tWaiting }[state];
    s.setAttribute("data-state", state);
    s.textContent = text || label || "";
  }
  function add(li) {
    list.appendChild(li);
    empty.hidden = true;
    showQuick();
    return li;
  }
  function byClient(id) {
    return /^[A-Za-z0-9_-]+$/.test(id || "") ? list.querySelector('[data-client="' + id + '"]') : null;
  }
  function scrollDown(force) {
    var near = log.scrollHeight - log.scrollTop - log.clientHeight < 120;
    if (force || near) log.scrollTop = log.scrollHeight;
    if (!embed && force) {
      var last = list.lastElementChild;
      if (last && last.scrollIntoView) last.scrollIntoView({ block: "nearest" });
    }
  }
  function say(text) {
    alertEl.textContent = text || "";
    alertEl.hidden = !text;
  }
  function show(a, b) {
    if (a) a.hidden = false;
    if (b) b.hidden = true;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function each(sel, fn) { Array.prototype.forEach.call(document.querySelectorAll(sel), fn); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }
  function load() {
    try { return JSON.parse(store.get(key + "outbox") || "[]") || []; } catch (e) { return []; }
  }
  function save() {
    if (outbox.length) store.set(key + "outbox", JSON.stringify(outbox)); else store.remove(key + "outbox");
  }
  // Storage may be refused (private modes, blocked third-party storage):
  // the chat then lasts as long as the page.
  function storage() {
    var s = null;
    try { s = window.localStorage; s.getItem("x"); } catch (e) { s = null; }
    return {
      get: function (k) { try { return s && s.getItem(k); } catch (e) { return null; } },
      set: function (k, v) { try { if (s) s.setItem(k, v); } catch (e) { /* full or refused */ } },
      remove: function (k) { try { if (s) s.removeItem(k); } catch (e) { /* refused */ } }
    };
  }

  // In a site's panel: the loader says when the panel opens and closes;
  // the close button and Escape ask it to close; a language chosen here is
  // remembered for the next time.
  if (embed) {
    window.addEventListener("message", function (e) {
      if (e.source !== parent || !e.data) return;
      var m = e.data.sportello;
      if (m === "open" || m === "focus") { panelOpen = true; markRead(); }
      if (m === "hidden") panelOpen = false;
      if (m === "focus") {
        var first = prechat && !prechat.hidden ? prechat.querySelector("input, select") : body;
        if (first) first.focus();
      }
    });
    var closeButton = document.querySelector("[data-close]");
    var close = function () { parent.postMessage({ sportello: "close" }, "*"); };
    if (closeButton) { closeButton.hidden = false; closeButton.addEventListener("click", close); }
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
    each("[data-lang]", function (a) {
      a.addEventListener("click", function () { store.set(key + "lang", a.getAttribute("data-lang")); });
    });
  }
  connect();
})();
