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
