// Sportello console: small enhancements over pages that work without
// JavaScript. Each feature looks for its data-* hook and does nothing when
// the page has none.
(function () {
  "use strict";

  // Show hints that only hold with JavaScript (the Ctrl+Enter shortcut).
  document.querySelectorAll("[data-js-only]").forEach(function (el) {
    el.hidden = false;
  });

  // Move focus to a page's error, or to the first field in error, so it
  // is read and visible at once.
  var alert = document.querySelector("[data-focus]") || document.querySelector("[aria-invalid=true]");
  if (alert) {
    alert.focus();
  }

  // Ctrl+Enter (Cmd+Enter on a Mac) sends the form of a textarea marked
  // data-send-shortcut.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey) || !t.matches || !t.matches("textarea[data-send-shortcut]") || !t.form) {
      return;
    }
    e.preventDefault();
    if (t.form.requestSubmit) {
      t.form.requestSubmit();
    } else {
      t.form.submit();
    }
  });

  // The reply form's button says what it will do: send a reply or add an
  // internal note.
  document.querySelectorAll("[data-reply-form]").forEach(function (form) {
    var button = form.querySelector("[data-label-reply]");
    if (!button) {
      return;
    }
    form.addEventListener("change", function (e) {
      if (e.target.name === "direction") {
        button.textContent = e.target.value === "note" ? button.dataset.labelNote : button.dataset.labelReply;
      }
    });
  });

  // Sending twice by double-clicking would post the reply twice.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.method.toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.sending) {
      e.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.setAttribute("aria-disabled", "true");
    });
  });
  // A page restored by the Back button may send again.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) {
      return;
    }
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
      form.querySelectorAll("[aria-disabled]").forEach(function (b) {
        b.removeAttribute("aria-disabled");
      });
    });
  });

  // The timeline asks the server for messages after the last one it shows,
  // every few seconds while the tab is visible, and appends them. The list
  // sits in a role=log region, so screen readers announce new messages.
  var list = document.querySelector("[data-timeline][data-poll-url]");
  if (list && window.fetch) {
    var url = list.dataset.pollUrl;
    var every = Math.max(5, parseInt(list.dataset.pollSeconds, 10) || 10) * 1000;
    var failures = 0;
    var timer = 0;

    var lastSeq = function () {
      return parseInt(list.dataset.lastSeq, 10) || 0;
    };

    var append = function (html) {
      var tpl = document.createElement("template");
      tpl.innerHTML = html;
      var last = lastSeq();
      tpl.content.querySelectorAll("[data-seq]").forEach(function (item) {
        var seq = parseInt(item.dataset.seq, 10);
        if (seq > last && !document.getElementById(item.id)) {
          list.appendChild(item);
          last = seq;
        }
      });
      list.dataset.lastSeq = String(last);
    };

    var schedule = function () {
      clearTimeout(timer);
      // Back off after failures, up to ten times the interval.
      timer = setTimeout(poll, every * Math.min(10, 1 + failures));
    };

    var poll = function () {
      if (document.hidden) {
        schedule();
        return;
      }
      fetch(url + "?after_seq=" + lastSeq(), {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
        cache: "no-store"
      }).then(function (res) {
        if (res.status === 401 || res.status === 404) {
          return null; // signed out, or no longer visible: stop
        }
        if (res.status === 204) {
          failures = 0;
          return "";
        }
        if (!res.ok) {
          throw new Error("HTTP " + res.status);
        }
        failures = 0;
        return res.text();
      }).then(function (html) {
        if (html === null) {
          return;
        }
        if (html) {
          append(html);
        }
        schedule();
      }).catch(function () {
        failures++;
        schedule();
      });
    };

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        poll();
      }
    });
    schedule();
  }
})();
