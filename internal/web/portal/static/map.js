// The directory's map and "near me", on top of a page that works without
// them. The map is a minimal slippy map: tiles from the organisation's
// OpenStreetMap-compatible server (data-tiles, a {z}/{x}/{y} template),
// markers for the places listed on the page (data-lat, data-lon), drag to
// pan, buttons to zoom. No library, no build step.
(function () {
  "use strict";
  var TILE = 256;

  // "Near me": the browser's position, asked only on the citizen's click.
  var btn = document.querySelector("[data-near-me]");
  if (btn && navigator.geolocation) {
    var form = btn.form, status = document.querySelector("[data-near-status]");
    var lat = form.querySelector("[data-lat]"), lon = form.querySelector("[data-lon]");
    var place = form.querySelector("#place");
    btn.hidden = false;
    btn.addEventListener("click", function () {
      status.hidden = false;
      status.textContent = status.getAttribute("data-locating");
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(5);
        lon.value = pos.coords.longitude.toFixed(5);
        if (place) place.value = "";
        form.submit();
      }, function () {
        status.textContent = status.getAttribute("data-denied");
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
    if (place) place.addEventListener("input", function () { lat.value = ""; lon.value = ""; });
  }

  function project(la, lo, z) {
    var n = TILE * Math.pow(2, z), s = Math.sin(la * Math.PI / 180);
    return { x: (lo + 180) / 360 * n, y: (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n };
  }

  function el(tag, cls) { var e = document.createElement(tag); if (cls) e.className = cls; return e; }

  Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), function (box) {
    var tiles = box.getAttribute("data-tiles");
    var pts = [];
    Array.prototype.forEach.call(document.querySelectorAll("li[data-lat], section[data-lat]"), function (item, i) {
      pts.push({ lat: parseFloat(item.getAttribute("data-lat")), lon: parseFloat(item.getAttribute("data-lon")), n: i + 1, item: item });
    });
    if (!pts.length || !tiles) return;
    var w = box.clientWidth || 320, h = box.clientHeight || 240, z = 16;
    // The deepest zoom that shows every marker.
    for (; z > 3; z--) {
      var a = project(Math.max.apply(null, pts.map(function (p) { return p.lat; })), Math.min.apply(null, pts.map(function (p) { return p.lon; })), z);
      var b = project(Math.min.apply(null, pts.map(function (p) { return p.lat; })), Math.max.apply(null, pts.map(function (p) { return p.lon; })), z);
      if (b.x - a.x < w - 48 && b.y - a.y < h - 48) break;
    }
    var mid = project(pts.reduce(function (s, p) { return s + p.lat; }, 0) / pts.length, pts.reduce(function (s, p) { return s + p.lon; }, 0) / pts.length, z);
    var cx = mid.x, cy = mid.y;
    var layer = el("div", "map-layer"), marks = el("div", "map-marks");
    var credit = el("p", "map-credit");
    credit.textContent = box.getAttribute("data-credit") || "";
    var zin = el("button", "map-zoom"), zout = el("button", "map-zoom");
    zin.type = zout.type = "button"; zin.textContent = "+"; zout.textContent = "\u2212";
    zin.setAttribute("aria-hidden", "true"); zout.setAttribute("aria-hidden", "true");
    zin.tabIndex = zout.tabIndex = -1;
    var zoombar = el("div", "map-zoombar"); zoombar.appendChild(zin); zoombar.appendChild(zout);
    box.appendChild(layer); box.appendChild(marks); box.appendChild(zoombar); box.appendChild(credit);
    box.hidden = false;

    function draw() {
      layer.textContent = ""; marks.textContent = "";
      var n = Math.pow(2, z), x0 = cx - w / 2, y0 = cy - h / 2;
      for (var tx = Math.floor(x0 / TILE); tx <= Math.floor((x0 + w) / TILE); tx++) {
        for (var ty = Math.floor(y0 / TILE); ty <= Math.floor((y0 + h) / TILE); ty++) {
          if (ty < 0 || ty >= n) continue;
          var img = el("img", "map-tile");
          img.alt = ""; img.draggable = false;
          img.src = tiles.replace("{z}", z).replace("{x}", ((tx % n) + n) % n).replace("{y}", ty).replace("{s}", "a");
          img.style.left = (tx * TILE - x0) + "px"; img.style.top = (ty * TILE - y0) + "px";
          layer.appendChild(img);
        }
      }
      pts.forEach(function (p) {
        var q = project(p.lat, p.lon, z), m = el("span", "map-mark");
        m.textContent = p.n;
        m.style.left = (q.x - x0) + "px"; m.style.top = (q.y - y0) + "px";
        m.addEventListener("click", function () { var a = p.item.querySelector("a"); if (a) a.focus(); });
        marks.appendChild(m);
      });
    }
    function zoom(d) {
      var nz = Math.min(18, Math.max(2, z + d)), f = Math.pow(2, nz - z);
      cx *= f; cy *= f; z = nz; draw();
    }
    zin.addEventListener("click", function () { zoom(1); });
    zout.addEventListener("click", function () { zoom(-1); });
    var drag = null;
    box.addEventListener("pointerdown", function (e) {
      if (e.target.tagName === "BUTTON") return;
      drag = { x: e.clientX, y: e.clientY }; box.setPointerCapture(e.pointerId);
    });
    box.addEventListener("pointermove", function (e) {
      if (!drag) return;
      cx -= e.clientX - drag.x; cy -= e.clientY - drag.y; drag = { x: e.clientX, y: e.clientY }; draw();
    });
    box.addEventListener("pointerup", function () { drag = null; });
    draw();
  });
})();
