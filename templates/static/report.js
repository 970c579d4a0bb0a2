// Draw every chart on the page from the spec embedded beside it. The specs sit in
// <script type="application/json"> blocks because file:// pages cannot fetch files.
(function () {
  "use strict";

  // Charts are built to fit a 375 px phone. Those marked data-grow follow their view's
  // size, so on a wider page they are drawn larger (never scaled by CSS, which would put
  // tooltips and clicks in the wrong place), up to that factor. The size is set before
  // the first drawing, leaving --axes px beside the plot for axis labels and titles.
  // report.css reserves the height this gives, so keep the two in step.
  var AXES = parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--axes"));
  function grow(el, spec) {
    var most = parseFloat(el.getAttribute("data-grow"));
    if (!(most > 1) || typeof spec.width !== "number" || typeof spec.height !== "number") return spec;
    var factor = Math.min(most, Math.max(1, (el.clientWidth - AXES) / spec.width));
    spec.width = Math.floor(spec.width * factor);
    spec.height = Math.floor(spec.height * factor);
    return spec;
  }

  function label(el) {
    // Give the bound controls (the "highlight" menu) an accessible name too.
    Array.prototype.forEach.call(el.querySelectorAll(".vega-bind"), function (bind) {
      var name = bind.querySelector(".vega-bind-name");
      var input = bind.querySelector("select, input");
      if (name && input && !input.getAttribute("aria-label")) input.setAttribute("aria-label", name.textContent.trim());
    });
  }

  // The datum of the cell under the pointer, found from the marks' bounds: Vega does not pick cells a pixel
  // or two wide (a heat map of hundreds of classes), so a click there reports no item.
  function cellUnder(view, event) {
    var box = view.container().querySelector("canvas").getBoundingClientRect(), origin = view.origin();
    var x = event.clientX - box.left - origin[0], y = event.clientY - box.top - origin[1], found = null;
    (function walk(node) {
      (node.items || []).forEach(function (item) {
        if (found) return;
        if (item.datum && item.datum.cell && item.bounds && item.bounds.x1 - 1 <= x && x <= item.bounds.x2 + 1 &&
            item.bounds.y1 - 1 <= y && y <= item.bounds.y2 + 1) found = item.datum;
        else if (item.items) walk(item);
      });
    })(view.scenegraph().root);
    return found;
  }

  // A heat map of confusions (data-opens names the images' panel): a click on a cell shows its images.
  function opens(el, view) {
    var panel = el.getAttribute("data-opens");
    if (!panel) return;
    view.addEventListener("click", function (event, item) {
      var d = item && item.datum && item.datum.cell ? item.datum : cellUnder(view, event);
      if (d) mnistReportCells.show(document.getElementById(panel), d.cell, d.classifier, d.count);
    });
  }

  var views = document.querySelectorAll(".view[data-spec]");
  Array.prototype.forEach.call(views, function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
    vegaEmbed(el, grow(el, spec), { actions: false, renderer: "canvas" })
      .then(function (result) {
        el.__view = result.view;
        label(el);
        opens(el, result.view);
        el.classList.add("drawn");
        el.setAttribute("data-drawn", "true");
      })
      .catch(function (error) {
        el.setAttribute("data-error", String(error));
        el.textContent = "This chart could not be drawn: " + error;
      });
  });
})();

// Confusion matrices: a count (a table's button, or a heat map's cell) shows exactly those images,
// drawn from the page's sprite. Focus moves to the panel's heading, which says which cell it shows;
// Shift+Tab from there, or its button, returns to the count that opened it.
var mnistReportCells = (function () {
  "use strict";
  var opener = null;

  function show(panel, cell, title, count, from) {
    var index = JSON.parse(document.getElementById(panel.getAttribute("data-index")).textContent);
    var sprite = document.getElementById(panel.getAttribute("data-sprite"));
    var parts = cell.split(":");
    var shown = index.cells[cell] || [];
    var truth = index.names[+parts[1]], guess = index.names[+parts[2]];
    var heading = panel.querySelector("[tabindex]");
    heading.textContent = title + ": labelled " + truth + ", predicted " + guess;
    panel.querySelector(".cell-summary").textContent = (shown.length < count ? "The first " + shown.length + " of " +
      count.toLocaleString("en") : "All " + count) + (count === 1 ? " image" : " images") + ", in file order.";
    var list = panel.querySelector(".thumbs");
    list.textContent = "";
    shown.forEach(function (entry) {
      var item = document.createElement("li");
      var canvas = document.createElement("canvas");
      var w = index.width, h = index.height, s = entry[0];
      canvas.width = w;
      canvas.height = h;
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "Instance " + entry[1] + ", labelled " + truth + ", predicted " + guess);
      canvas.getContext("2d").drawImage(sprite, (s % index.columns) * w, Math.floor(s / index.columns) * h, w, h, 0, 0, w, h);
      var caption = document.createElement("span");
      caption.textContent = "#" + entry[1].toLocaleString("en");
      item.appendChild(canvas);
      item.appendChild(caption);
      list.appendChild(item);
    });
    panel.setAttribute("data-shown", cell);
    opener = from || null;
    panel.querySelector("button.back").hidden = !opener;
    heading.focus();
  }

  function back() {
    if (opener && document.body.contains(opener)) opener.focus();
  }

  Array.prototype.forEach.call(document.querySelectorAll(".cell-images"), function (panel) {
    panel.querySelector("button.back").addEventListener("click", back);
    panel.querySelector("[tabindex]").addEventListener("keydown", function (event) {
      if (event.key === "Tab" && event.shiftKey && opener) {
        event.preventDefault();
        back();
      }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("button[data-cell]"), function (button) {
    button.addEventListener("click", function () {
      var title = button.closest("table").querySelector("caption").textContent.split(":")[0];
      var count = parseInt(button.textContent.replace(/,/g, ""), 10);
      Array.prototype.forEach.call(document.querySelectorAll("button[data-cell][aria-pressed]"), function (b) { b.removeAttribute("aria-pressed"); });
      button.setAttribute("aria-pressed", "true");
      show(document.getElementById(button.getAttribute("data-gallery")), button.getAttribute("data-cell"), title, count, button);
    });
  });
  return {show: show};
})();
