// Draw every chart on the page from the spec embedded beside it. The specs sit in
// <script type="application/json"> blocks because file:// pages cannot fetch files.
(function () {
  "use strict";

  // Charts are built to fit a 375 px phone. Those marked data-grow follow their view's
  // size, so on a wider page they are redrawn larger (never scaled by CSS, which would
  // put tooltips and clicks in the wrong place), up to that factor.
  function grow(el, view) {
    var most = parseFloat(el.getAttribute("data-grow"));
    var canvas = el.querySelector("canvas");
    if (!(most > 1) || !canvas) return view;
    var width = view.width(), height = view.height();
    var room = el.clientWidth - (canvas.clientWidth - width) - 2;  // leave axes and legends their space
    var factor = Math.min(most, room / width);
    if (factor < 1.1) return view;
    return view.width(Math.floor(width * factor)).height(Math.floor(height * factor)).runAsync();
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
    vegaEmbed(el, spec, { actions: false, renderer: "canvas" })
      .then(function (result) {
        el.__view = result.view;
        return grow(el, result.view);
      })
      .then(function () {
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
