// Draw every chart on the page from the spec embedded beside it. The specs sit in
// <script type="application/json"> blocks because file:// pages cannot fetch files.
(function () {
  "use strict";
  var views = document.querySelectorAll(".view[data-spec]");
  Array.prototype.forEach.call(views, function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
    vegaEmbed(el, spec, { actions: false, renderer: "canvas" })
      .then(function (result) {
        el.classList.add("drawn");
        el.setAttribute("data-drawn", "true");
        // Give the bound controls (the "highlight" menu) a visible label for screen readers too.
        Array.prototype.forEach.call(el.querySelectorAll(".vega-bind select, .vega-bind input"), function (input) {
          var label = el.querySelector(".vega-bind-name");
          if (label && !input.getAttribute("aria-label")) input.setAttribute("aria-label", label.textContent.trim());
        });
        el.__view = result.view;
      })
      .catch(function (error) {
        el.setAttribute("data-error", String(error));
        el.textContent = "This chart could not be drawn: " + error;
      });
  });
})();
