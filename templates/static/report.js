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

  var views = document.querySelectorAll(".view[data-spec]");
  Array.prototype.forEach.call(views, function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
    vegaEmbed(el, grow(el, spec), { actions: false, renderer: "canvas" })
      .then(function (result) {
        el.__view = result.view;
        label(el);
        el.classList.add("drawn");
        el.setAttribute("data-drawn", "true");
      })
      .catch(function (error) {
        el.setAttribute("data-error", String(error));
        el.textContent = "This chart could not be drawn: " + error;
      });
  });
})();

// Confusion matrices: a count's button shows exactly those images, drawn from the page's sprite.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-cell]"), function (button) {
    button.addEventListener("click", function () {
      var panel = document.getElementById(button.getAttribute("data-gallery"));
      var index = JSON.parse(document.getElementById(panel.getAttribute("data-index")).textContent);
      var sprite = document.getElementById(panel.getAttribute("data-sprite"));
      var parts = button.getAttribute("data-cell").split(":");
      var table = button.closest("table");
      var shown = index.cells[button.getAttribute("data-cell")] || [];
      var count = parseInt(button.textContent.replace(/,/g, ""), 10);
      var truth = index.names[+parts[1]], guess = index.names[+parts[2]];
      panel.querySelector(".cell-summary").textContent = table.querySelector("caption").textContent.split(":")[0] + ": labelled " + truth +
        ", predicted " + guess + ". " + (shown.length < count ? "The first " + shown.length + " of " + count.toLocaleString("en") : "All " + count) +
        (count === 1 ? " image" : " images") + ", in file order.";
      var list = panel.querySelector(".thumbs");
      list.textContent = "";
      shown.forEach(function (entry) {
        var item = document.createElement("li");
        var canvas = document.createElement("canvas");
        canvas.width = canvas.height = index.side;
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", "Instance " + entry[1] + ", labelled " + truth + ", predicted " + guess);
        var s = entry[0], side = index.side;
        canvas.getContext("2d").drawImage(sprite, (s % index.columns) * side, Math.floor(s / index.columns) * side, side, side, 0, 0, side, side);
        var caption = document.createElement("span");
        caption.textContent = "#" + entry[1].toLocaleString("en");
        item.appendChild(canvas);
        item.appendChild(caption);
        list.appendChild(item);
      });
      Array.prototype.forEach.call(document.querySelectorAll("button[data-cell][aria-pressed]"), function (b) { b.removeAttribute("aria-pressed"); });
      button.setAttribute("aria-pressed", "true");
      panel.setAttribute("data-shown", button.getAttribute("data-cell"));
      panel.querySelector("[tabindex]").focus();
    });
  });
})();
