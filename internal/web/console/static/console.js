// Sportello console: small enhancements over pages that work without
// JavaScript. Each feature looks for its data-* hook and does nothing when
// the page has none. The live connection (one WebSocket per tab) keeps
// the inbox and the open conversation current; the server renders what
// changes, in the page's language, and this script only places it.
(function () {
  "use strict";
  var d = document, w = window, body = d.body;
  var $ = function (s, r) { return (r || d).querySelector(s); };
  var $$ = function (s, r) { return Array.prototype.slice.call((r || d).querySelectorAll(s)); };
  var local = function (k, v) {
    try {
      if (v === undefined) { return localStorage.getItem(k); }
      localStorage.setItem(k, v);
    } catch (e) { /* private mode: no memory */ }
    return null;
  };

  // Show what only works with JavaScript.
  $$("[data-js-only]").forEach(function (el) { el.hidden = false; });

  // Move focus to a page's error, or to the first field in error.
  var alert = $("[data-focus]") || $("[aria-invalid=true]");
  if (alert) { alert.focus(); }

  var reply = $("[data-reply-form]");
  var text = reply && $("textarea", reply);
  var setMode = function (m) {
    var r = reply && $("input[name=direction][value=" + m + "]", reply);
    if (r) {
      r.checked = true;
      r.dispatchEvent(new Event("change", { bubbles: true }));
    }
  };
  var isNote = function () {
    var r = reply && $("input[name=direction]:checked", reply);
    return !!r && r.value === "note";
  };
  var send = function (form) {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  };

  // Keyboard: Ctrl+Enter sends; outside fields "g i" opens the inbox, "r"
  // and "n" start a reply or a note, "?" lists the shortcuts.
  var help = $("#shortcuts");
  var prev = "";
  d.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.matches && t.matches("textarea[data-send-shortcut]") && t.form) {
      e.preventDefault();
      send(t.form);
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName) || t.isContentEditable || (help && help.open)) {
      prev = "";
      return;
    }
    var k = e.key, was = prev;
    prev = k;
    if (was === "g" && k === "i") {
      location.href = "/inbox";
    } else if ((k === "r" || k === "n") && text) {
      e.preventDefault();
      setMode(k === "n" ? "note" : "reply");
      text.focus();
    } else if (k === "?" && help && help.showModal) {
      e.preventDefault();
      help.showModal();
    }
  });
  var helpButton = $("[data-help]");
  if (helpButton && help && help.showModal) {
    helpButton.addEventListener("click", function () { help.showModal(); });
  } else if (helpButton) {
    helpButton.hidden = true;
  }

  // The reply button says what it will do: send a reply or add a note.
  if (reply) {
    var button = $("[data-label-reply]", reply);
    reply.addEventListener("change", function (e) {
      if (button && e.target.name === "direction") {
        button.textContent = e.target.value === "note" ? button.dataset.labelNote : button.dataset.labelReply;
      }
    });
  }

  // Canned responses: "Insert" puts the chosen one at the cursor; "/" at
  // the start of the message opens a list filtered as one types, with the
  // arrow keys, Enter and Escape.
  var canned = $("[data-canned]");
  var choice = canned && $("select", canned);
  var insert = function (s, from) {
    var a = from === undefined ? text.selectionStart : from;
    text.setRangeText(s, a, text.selectionEnd, "end");
    text.focus();
    text.dispatchEvent(new Event("input"));
  };
  // Help articles: search in the conversation's language and insert the
  // link at the cursor, without posting the form.
  var kbPick = $("[data-kb-pick]");
  if (kbPick && text && text.setRangeText && window.fetch) {
    var kbList = $("[data-kb-results]", kbPick), kbNone = $("[data-kb-none]", kbPick), kbq = $("#kbq");
    var kbSearch = function () {
      fetch(kbPick.dataset.url + "&q=" + encodeURIComponent(kbq.value), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (res) {
          if (!res) return;
          kbList.textContent = "";
          res.results.forEach(function (h) {
            var li = document.createElement("li"), b = document.createElement("button"), t = document.createElement("bdi");
            b.type = "button"; b.className = "link"; b.dataset.kbInsert = h.text; b.textContent = kbPick.dataset.label;
            t.textContent = h.title;
            li.appendChild(b); li.appendChild(document.createTextNode(" ")); li.appendChild(t);
            kbList.appendChild(li);
          });
          kbNone.hidden = res.results.length > 0;
        }, function () {});
    };
    $("[data-kb-search]", kbPick).addEventListener("click", function (e) { e.preventDefault(); kbSearch(); });
    kbq.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); kbSearch(); } });
    kbList.addEventListener("click", function (e) {
      var b = e.target.closest("[data-kb-insert]");
      if (!b) return;
      e.preventDefault();
      var before = text.value.slice(0, text.selectionStart);
      insert((before && !/\s$/.test(before) ? "\n" : "") + b.dataset.kbInsert);
    });
  }
  if (canned && text && text.setRangeText) {
    $("[data-canned-insert]", canned).addEventListener("click", function (e) {
      e.preventDefault();
      var o = choice.selectedOptions[0];
      if (o) { insert(o.dataset.body); }
    });
    var list = $("#canned-list"), items = [], active = -1;
    text.setAttribute("aria-autocomplete", "list");
    text.setAttribute("aria-controls", list.id);
    var close = function () {
      list.hidden = true;
      active = -1;
      text.removeAttribute("aria-activedescendant");
    };
    var mark = function (i) {
      active = i;
      items.forEach(function (li, j) { li.setAttribute("aria-selected", i === j ? "true" : "false"); });
      if (items[i]) {
        text.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      }
    };
    var pick = function (li) {
      close();
      insert(li.dataset.body, 0);
    };
    text.addEventListener("input", function () {
      var m = /^\/(\S*)$/.exec(text.value.slice(0, text.selectionStart));
      if (!m) { close(); return; }
      var q = m[1].toLowerCase();
      list.textContent = "";
      items = [];
      $$("option", choice).forEach(function (o, i) {
        if (o.textContent.toLowerCase().indexOf(q) < 0) { return; }
        var li = d.createElement("li");
        li.id = "canned-" + i;
        li.setAttribute("role", "option");
        li.textContent = o.textContent;
        li.dataset.body = o.dataset.body;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(li); });
        list.appendChild(li);
        items.push(li);
      });
      list.hidden = !items.length;
      mark(items.length ? 0 : -1);
    });
    text.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        mark((active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length);
      } else if (e.key === "Enter" && !e.ctrlKey && !e.metaKey && items[active]) {
        e.preventDefault();
        pick(items[active]);
      } else if (e.key === "Escape") {
        e.preventDefault();
        close();
      }
    });
    text.addEventListener("blur", close);
  }

  // Forms that ask first; and sending twice by double-clicking would post
  // twice.
  d.addEventListener("submit", function (e) {
    var form = e.target;
    if (e.defaultPrevented || form.method.toLowerCase() !== "post") { return; }
    if (form.dataset.confirm && !w.confirm(form.dataset.confirm)) {
      e.preventDefault();
      return;
    }
    if (form.dataset.sending) {
      e.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    $$("button[type=submit]", form).forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });
  // A page restored by the Back button may send again.
  w.addEventListener("pageshow", function (e) {
    if (!e.persisted) { return; }
    $$("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      $$("[aria-disabled]", form).forEach(function (b) { b.removeAttribute("aria-disabled"); });
    });
  });

  // The timeline: new items are appended once, in order of their sequence
  // number, in a role=log region that screen readers announce politely.
  var timeline = $("[data-timeline]");
  var conv = timeline ? +timeline.dataset.conversation : 0;
  var lastSeq = function () { return +timeline.dataset.lastSeq || 0; };
  var append = function (html) {
    var tpl = d.createElement("template");
    tpl.innerHTML = html;
    var last = lastSeq();
    tpl.content.querySelectorAll("[data-seq]").forEach(function (item) {
      var seq = +item.dataset.seq;
      if (seq > last && !d.getElementById(item.id)) {
        timeline.appendChild(item);
        last = seq;
      }
    });
    timeline.dataset.lastSeq = String(last);
  };
  var fetching = false, again = false, gone = false;
  var catchUp = function () {
    if (!timeline || gone || !w.fetch) { return; }
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(timeline.dataset.pollUrl + "?after_seq=" + lastSeq(), {
      credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store"
    }).then(function (res) {
      gone = res.status === 401 || res.status === 404; // signed out, or no longer visible
      return res.status === 200 ? res.text() : "";
    }).then(function (html) {
      if (html) { append(html); }
    }).catch(function () { /* the next event or poll tries again */ }).then(function () {
      fetching = false;
      if (again) { again = false; catchUp(); }
    });
  };

  // Notifications: a count in the title and the navigation of the
  // conversations with news for me, an optional beep, and the browser's
  // notification when the tab is hidden (permission asked by a button).
  var unread = [];
  try { unread = JSON.parse(sessionStorage.getItem("sp-unread") || "[]"); } catch (e) { unread = []; }
  var baseTitle = d.title;
  var inbox = $("[data-inbox-list]");
  var rowOf = function (id) { return inbox && $("[data-id='" + id + "']", inbox); };
  var badge = function () {
    if (conv && !d.hidden) { unread = unread.filter(function (id) { return id !== conv; }); }
    try { sessionStorage.setItem("sp-unread", JSON.stringify(unread)); } catch (e) { /* ignore */ }
    var n = unread.length;
    d.title = (n ? "(" + n + ") " : "") + baseTitle;
    $$("[data-unread]").forEach(function (b) { b.textContent = n; b.hidden = !n; });
    unread.forEach(function (id) {
      var li = rowOf(id);
      if (li) { li.classList.add("unread"); }
    });
  };
  badge();
  d.addEventListener("visibilitychange", badge);
  var audio = null;
  var beep = function () {
    try {
      audio = audio || new (w.AudioContext || w.webkitAudioContext)();
      var o = audio.createOscillator(), g = audio.createGain();
      o.frequency.value = 880;
      g.gain.value = 0.08;
      o.connect(g);
      g.connect(audio.destination);
      o.start();
      o.stop(audio.currentTime + 0.15);
    } catch (e) { /* no sound here */ }
  };
  var sound = $("[data-sound]");
  if (sound) {
    var pressed = function (on) { sound.setAttribute("aria-pressed", on ? "true" : "false"); };
    pressed(local("sp-sound") === "1");
    sound.addEventListener("click", function () {
      var on = local("sp-sound") !== "1";
      local("sp-sound", on ? "1" : "0");
      pressed(on);
      if (on) { beep(); }
    });
  }
  var ask = $("[data-notify]");
  if (ask && w.Notification && Notification.permission === "default") {
    ask.hidden = false;
    ask.addEventListener("click", function () {
      Notification.requestPermission().then(function () { ask.hidden = Notification.permission === "default"; });
    });
  }
  var announcer = $("[data-announce]");
  var say = function (s) {
    if (!announcer || !s) { return; }
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = s; }, 100);
  };
  var notify = function (m) {
    if ((m.conversation_id !== conv || d.hidden) && unread.indexOf(m.conversation_id) < 0) {
      unread.push(m.conversation_id);
    }
    badge();
    say(m.announce);
    if (local("sp-sound") === "1") { beep(); }
    if (d.hidden && w.Notification && Notification.permission === "granted") {
      var n = new Notification(body.dataset.app || "", { body: m.announce, tag: "sp-" + m.conversation_id });
      n.onclick = function () {
        w.focus();
        location.href = "/conversations/" + m.conversation_id;
      };
    }
  };

  // Presence: online, or away when chosen in the header (for every tab)
  // or after five idle minutes; offline when the last tab closes.
  var IDLE = 5 * 60 * 1000;
  var presence = $("[data-presence]");
  var idleSince = Date.now(), idle = false, socket = null;
  var away = function () { return idle || local("sp-away") === "1"; };
  var put = function (o) {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(o)); }
  };
  var sayPresence = function () {
    if (presence) { presence.value = local("sp-away") === "1" ? "away" : "online"; }
    put({ type: "presence", status: away() ? "away" : "online" });
  };
  if (presence) {
    presence.addEventListener("change", function () {
      local("sp-away", presence.value === "away" ? "1" : "0");
      sayPresence();
    });
  }
  ["keydown", "pointerdown", "focus"].forEach(function (t) {
    w.addEventListener(t, function () {
      idleSince = Date.now();
      if (idle) { idle = false; sayPresence(); }
    }, true);
  });
  w.addEventListener("storage", function (e) {
    if (e.key === "sp-away") { sayPresence(); }
  });

  // What the server pushes.
  var flash = function (el, s) {
    if (!el) { return; }
    el.textContent = s || "";
    clearTimeout(el.timer);
    el.timer = setTimeout(function () { el.textContent = ""; }, 6000);
  };
  var row = function (m) {
    if (!inbox || !m.row) { return; }
    var tpl = d.createElement("template");
    tpl.innerHTML = m.row;
    var li = tpl.content.firstElementChild, old = rowOf(m.conversation_id);
    if (unread.indexOf(m.conversation_id) >= 0) { li.classList.add("unread"); }
    if (old && !m.top) {
      old.replaceWith(li);
    } else {
      if (old) { old.remove(); }
      inbox.insertBefore(li, inbox.firstChild);
    }
    inbox.hidden = false;
    var empty = $("[data-inbox-empty]");
    if (empty) { empty.hidden = true; }
  };
  var on = {
    message: function (m) {
      row(m);
      if (timeline && m.conversation_id === conv) {
        if (m.item && m.seq === lastSeq() + 1) { append(m.item); } else if (m.seq > lastSeq()) { catchUp(); }
      }
      if (m.notify) { notify(m); }
    },
    message_update: function (m) { // delivered, read, failed, a file fetched
      var old = timeline && m.conversation_id === conv && d.getElementById("m-" + m.seq);
      if (!old || !m.item) { return; }
      var tpl = d.createElement("template");
      tpl.innerHTML = m.item;
      if (tpl.content.firstElementChild) { old.replaceWith(tpl.content.firstElementChild); }
    },
    alert: function (m) { // a mediator needed, a service level near or missed
      row(m);
      if (m.notify) { notify(m); }
    },
    conversation: function (m) {
      row(m);
      if (!timeline || m.conversation_id !== conv) { return; }
      Object.keys(m.facts || {}).forEach(function (k) {
        var el = $("[data-fact=" + k + "]");
        if (el) { el.textContent = m.facts[k]; }
      });
      Object.keys(m.values || {}).forEach(function (k) {
        var s = $("select[name=" + k + "]");
        if (s && s !== d.activeElement) { s.value = m.values[k]; }
      });
      if (m.seq > lastSeq()) { catchUp(); }
    },
    remove: function (m) {
      var li = rowOf(m.conversation_id);
      if (li) { li.remove(); }
      if (m.conversation_id === conv) { gone = true; }
    },
    counts: function (m) {
      Object.keys(m.counts).forEach(function (k) {
        var c = $("[data-count='" + k + "'] .count");
        if (c) { c.textContent = m.counts[k]; }
      });
    },
    typing: function (m) { flash($("[data-typing]"), m.text); },
    viewers: function (m) {
      var el = $("[data-viewers]");
      if (el) { el.textContent = m.text || ""; }
    },
    presence: function (m) {
      $$("option[data-user='" + m.user_id + "']").forEach(function (o) {
        o.textContent = o.dataset.name + " — " + m.label + (o.dataset.load ? " · " + o.dataset.load : "");
      });
    }
  };

  // The connection: one per tab, back after a break with growing pauses;
  // while it is down the open timeline is polled instead.
  var state = $("[data-live-state]");
  var tries = 0, opened = false;
  var hello = function () {
    if (inbox) {
      put({ type: "inbox", query: location.search.slice(1), ids: $$("[data-id]", inbox).map(function (li) { return +li.dataset.id; }) });
    }
    if (conv) { put({ type: "open", conversation_id: conv }); }
    sayPresence();
  };
  var connect = function () {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + body.dataset.live);
    ws.onopen = function () {
      socket = ws;
      tries = 0;
      body.dataset.connected = "1";
      if (state) { state.hidden = true; }
      hello();
      if (opened) {
        catchUp();
        var stale = $("[data-stale]");
        if (stale) { stale.hidden = false; }
      }
      opened = true;
    };
    ws.onmessage = function (e) {
      var m;
      try { m = JSON.parse(e.data); } catch (x) { return; }
      if (on[m.type]) { on[m.type](m); }
    };
    ws.onclose = function (e) {
      socket = null;
      delete body.dataset.connected;
      if (e.code === 4001) { location.reload(); return; } // signed out
      if (state && opened) { state.hidden = false; }
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, tries++)));
    };
  };
  if (body.dataset.live && w.WebSocket) { connect(); }

  if (timeline && text) {
    var typedAt = 0;
    text.addEventListener("input", function () {
      var now = Date.now();
      if (now - typedAt > 3000 && text.value.trim() && text.value.charAt(0) !== "/") {
        typedAt = now;
        put({ type: "typing", conversation_id: conv, note: isNote() });
      }
    });
  }
  setInterval(function () {
    if (!idle && Date.now() - idleSince > IDLE) {
      idle = true;
      sayPresence();
    }
    if (timeline && !socket && !d.hidden) { catchUp(); }
  }, 15000);
})();

// WhatsApp's 24-hour window: count down the h:mm the page was rendered
// with; when it runs out, reload so the server shows the template picker.
// A page that opens already past the end (the browser's clock ahead of
// the server's) waits 30 s before asking again.
(function () {
  "use strict";
  var el = document.querySelector("[data-window-ends]");
  if (!el) { return; }
  var ends = Number(el.getAttribute("data-window-ends"));
  var time = el.querySelector("time");
  var first = true;
  function tick() {
    var left = ends - Date.now();
    if (left <= 0) {
      if (time) { time.textContent = "0:00"; }
      setTimeout(function () { window.location.reload(); }, first ? 30000 : 0);
      return;
    }
    first = false;
    var m = Math.floor(left / 60000);
    if (time) { time.textContent = Math.floor(m / 60) + ":" + String(m % 60).padStart(2, "0"); }
    setTimeout(tick, Math.min(30000, left + 500));
  }
  tick();
})();
