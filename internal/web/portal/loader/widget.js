// Sportello chat loader. C is this desk's configuration: o, the sites
// allowed to embed the chat; d, the desk's language; n, its name; l, per
// language, the launcher's words [open, close, panel title, new reply].
// It adds one button; the chat (a frame of the desk) loads on first use.
var d = document, w = window, s = d.currentScript;
if (!s || w.sportelloChat) return;
w.sportelloChat = 1;
if (C.o.indexOf(location.origin) < 0) return console.warn("Sportello: site not allowed");
var desk = new URL(s.src), langs = (navigator.languages || [navigator.language]).concat(d.documentElement.lang);
var t = C.l[C.d], i, l, panel, frame, open = false, b = d.createElement("button");
for (i = 0; i < langs.length; i++) {
  l = String(langs[i]).toLowerCase().split("-")[0];
  if (C.l[l]) { t = C.l[l]; break; }
}
var title = t[2].replace("{n}", C.n);
b.textContent = t[0];
b.setAttribute("aria-expanded", "false");
b.style.cssText = "position:fixed;bottom:16px;inset-inline-end:16px;z-index:2147483000;min-height:48px;padding:12px 20px;" +
  "border:2px solid #fff;border-radius:24px;background:#0b5394;color:#fff;box-shadow:0 2px 8px #0006;" +
  "font:600 16px/1.25 system-ui,sans-serif";
function show(v) {
  if (v && !panel) {
    panel = d.createElement("div");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    frame = d.createElement("iframe");
    frame.src = new URL("chat?embed=1", desk).href;
    frame.title = title;
    frame.style.cssText = "display:block;border:0;width:100%;height:100%";
    frame.onload = focus;
    panel.appendChild(frame);
    d.body.appendChild(panel);
  }
  open = v;
  if (panel) {
    panel.style.cssText = "position:fixed;z-index:2147483001;background:#fff;overflow:hidden;" + (!v ? "display:none" :
      w.matchMedia("(max-width:480px)").matches ? "inset:0" : "bottom:80px;inset-inline-end:16px;width:min(400px,calc(100vw - 32px));" +
      "height:min(640px,calc(100vh - 100px));border-radius:12px;box-shadow:0 4px 24px #0008");
    tell(v ? "open" : "hidden");
  }
  b.setAttribute("aria-expanded", v);
  b.textContent = t[v ? 1 : 0];
  focus();
}
function tell(m) {
  if (frame && frame.contentWindow) frame.contentWindow.postMessage({ sportello: m }, desk.origin);
}
function focus() {
  if (open && frame) { frame.focus(); tell("focus"); }
}
function close() { show(false); b.focus(); }
b.onclick = function () { show(!open); };
d.addEventListener("keydown", function (e) { if (e.key == "Escape" && open) close(); });
w.addEventListener("message", function (e) {
  var m = frame && e.source == frame.contentWindow && e.origin == desk.origin && e.data && e.data.sportello;
  if (m == "close") close();
  if (m == "unread" && !open) b.textContent = t[0] + " (" + t[3] + ")";
});
function add() { d.body.appendChild(b); }
if (d.body) add(); else d.addEventListener("DOMContentLoaded", add);
