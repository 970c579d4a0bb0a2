// `step` run in a task of its own, after what is queued: the page answers its reader in between.
function mnistReportLater(step) {
  "use strict";
  return new Promise(function (resolve) { setTimeout(resolve, 0); }).then(step);
}

// A Vega spec drawn into an element, resolving to its view once drawn. The specs were compiled from
// Vega-Lite when the report was built, so Vega alone draws them (no Vega-Lite or vega-embed to load).
// Four tasks, not one: parse, build the dataflow, run it, draw it; a phone answers its reader between
// them (a picture grid took 480 ms in one task at a phone's speed). A chart as wide as its container
// reads the container's size as it first runs, so it is drawn in it from the start (three tasks).
function mnistReportEmbed(el, spec, renderer) {
  "use strict";
  var later = mnistReportLater, sized = /containerSize\(\)/.test(JSON.stringify(spec.signals || [])), view;
  return later(function () { return vega.parse(spec); })
    .then(function (runtime) {
      return later(function () {
        view = new vega.View(runtime, {renderer: renderer, container: sized ? el : null, tooltip: mnistReportTooltip});
      });
    })
    .then(function () { return later(function () { return view.runAsync(); }); })
    .then(function () { return sized ? view : later(function () { view.initialize(el); return view.runAsync(); }); });
}

// Tooltips: what a mark's tooltip channel gives (a text, or fields and their values) in a box beside
// the pointer, kept on the screen; the fields are written as text, never as markup.
function mnistReportTooltip(handler, event, item, value) {
  "use strict";
  var box = mnistReportTooltip.box;
  if (!box) {
    box = mnistReportTooltip.box = document.createElement("div");
    box.className = "chart-tooltip";
    box.setAttribute("role", "tooltip");
    document.body.appendChild(box);
  }
  if (value == null || value === "") { box.hidden = true; return; }
  box.textContent = "";
  if (typeof value === "object") {
    var table = document.createElement("table");
    Object.keys(value).forEach(function (key) {
      var row = table.insertRow(), name = document.createElement("th");
      name.textContent = key;
      row.appendChild(name);
      row.insertCell().textContent = String(value[key]);
    });
    box.appendChild(table);
  } else box.textContent = String(value);
  box.hidden = false;
  var x = event.clientX + 12, y = event.clientY + 12, w = box.offsetWidth, h = box.offsetHeight;
  if (x + w > window.innerWidth) x = Math.max(0, event.clientX - 12 - w);
  if (y + h > window.innerHeight) y = Math.max(0, event.clientY - 12 - h);
  box.style.left = x + "px";
  box.style.top = y + "px";
}

// Draw every chart on the page from the spec embedded beside it. The specs sit in
// <script type="application/json"> blocks because file:// pages cannot fetch files.
(function () {
  "use strict";

  // Charts are built to fit a 375 px phone. Those marked data-fit are drawn as wide as their card:
  // every plot size the spec states is multiplied by one factor (never scaled by CSS, which would
  // put tooltips and clicks in the wrong place), between --lo and --hi. The drawing's width follows
  // the factor in a straight line, --w1 px at 1 and --s px more per unit (fit.py measured both at
  // build time), so the factor that fills the card is known before the first drawing; report.css
  // reserves the height it gives. Where the browser's fonts draw the axes wider than vl-convert's,
  // the chart is fitted again once drawn. Views drawn `together` (data-together) take the smallest factor
  // any of them needs. Redrawn when the card changes width (a phone turned, a window resized).
  var SIZE_SIGNAL = /^(child_?|concat_\d+_)(width|height|Width|Height)$/;
  function css(el, name) { return parseFloat(el.style.getPropertyValue(name)); }
  function factorFor(el) {
    // __extra: how much wider the browser draws the axes than vl-convert did (its fonts may be wider), learnt once drawn.
    var f = 1 + (el.clientWidth - 2 - css(el, "--w1") - (el.__extra || 0)) / css(el, "--s");  // 2 px for rounding
    return Math.min(css(el, "--hi"), Math.max(css(el, "--lo"), f));
  }
  function factor(el) {
    var group = el.getAttribute("data-together"), f = factorFor(el);
    if (group) {
      Array.prototype.forEach.call(document.querySelectorAll('.view[data-together="' + group + '"]'), function (other) {
        f = Math.min(f, factorFor(other));
      });
    }
    return f;
  }
  // The plot sizes of a spec, as built: the spec's own width and height, and a facet's or concatenation's child sizes.
  function sizes(spec) {
    var out = {};
    ["width", "height"].forEach(function (key) { if (typeof spec[key] === "number") out[key] = spec[key]; });
    (spec.signals || []).forEach(function (s) {
      if (SIZE_SIGNAL.test(s.name) && typeof s.value === "number" && !("update" in s)) out[s.name] = s.value;
    });
    return out;
  }
  function fit(el, spec) {
    if (!el.hasAttribute("data-fit")) return spec;
    var built = el.__sizes = sizes(spec), f = el.__factor = factor(el);
    Object.keys(built).forEach(function (name) {
      var value = Math.floor(built[name] * f);
      if (name === "width" || name === "height") spec[name] = value;
      else spec.signals.forEach(function (s) { if (s.name === name) s.value = value; });
    });
    el.setAttribute("data-fitted", el.clientWidth);
    return spec;
  }
  // Once drawn: learn how far the drawing's width is from fit.py's line (the browser's fonts, labels whose
  // font follows their band), and fit again if that matters; three times at most for one width of the card.
  // For one width the largest miss is kept, so that a drawing whose axes change with its size (ticks that
  // come and go) settles on a size that fits rather than swinging around it.
  function learn(el, tries) {
    var canvas = el.querySelector("canvas");
    if (!canvas || !el.hasAttribute("data-fit") || !tries) return Promise.resolve();
    var miss = canvas.getBoundingClientRect().width - css(el, "--w1") - (el.__factor - 1) * css(el, "--s");
    el.__extra = el.__missedAt === el.clientWidth ? Math.max(el.__extra, miss) : miss;
    el.__missedAt = el.clientWidth;
    return refit(el, tries - 1);
  }
  // Draw the view again at the factor its card now asks for; resolves once drawn.
  function refit(el, tries) {
    var view = el.__view, f = factor(el);
    el.setAttribute("data-fitted", el.clientWidth);
    if (!view || Math.abs(f - el.__factor) * css(el, "--s") < 0.5) return Promise.resolve();
    el.__factor = f;
    // Vega's "pad" autosize only ever enlarges the view's own size to hold what it draws: where the plot
    // sizes are a facet's or a concatenation's, start it from nothing and ask for the layout again, so
    // that a smaller drawing shrinks it.
    if (!("width" in el.__sizes)) view.width(0);
    if (!("height" in el.__sizes)) view.height(0);
    view.resize();
    Object.keys(el.__sizes).forEach(function (name) {
      var value = Math.floor(el.__sizes[name] * f);
      if (name === "width") view.width(value);
      else if (name === "height") view.height(value);
      else view.signal(name, value);
    });
    return view.runAsync().then(function () { return learn(el, tries === undefined ? 3 : tries); });
  }
  // A table wider than its card scrolls inside its region (role="region", named by the template): focusable
  // then, so the keyboard can scroll it, and only then, so a table that fits adds no stop to the tab order.
  function regions() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap[role=region]"), function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) wrap.setAttribute("tabindex", "0");
      else wrap.removeAttribute("tabindex");
    });
  }
  regions();

  var resized = null;
  window.addEventListener("resize", function () {
    if (resized) cancelAnimationFrame(resized);
    resized = requestAnimationFrame(function () {
      regions();
      Array.prototype.forEach.call(document.querySelectorAll(".view[data-fit][data-drawn]"), function (el) {
        el.removeAttribute("data-drawn");
        refit(el).then(function () { el.setAttribute("data-drawn", "true"); });
      });
    });
  });

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

  // Each chart is drawn when it comes within a screen's height of being seen, one chart per task, and the
  // Vega script (580 KB) is fetched only for the first: a phone parses and draws what its reader reaches,
  // not every chart of a long page at once. Until then the card keeps the height report.css reserves, so
  // nothing moves. (The one-file report carries Vega inline: window.vega is there already.)
  var vegaSrc = document.currentScript && document.currentScript.getAttribute("data-vega"), loading = {}, specs = {};
  function load(src) {  // a script, once
    if (!loading[src]) loading[src] = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error(src + " could not be loaded")); };
      document.head.appendChild(script);
    });
    return loading[src];
  }
  function loadVega() { return window.vega || !vegaSrc ? Promise.resolve() : load(vegaSrc); }
  // A large spec is a script of its own (data-spec-src) that hands it over here; kept as built (.specs), and
  // each drawing gets its own copy, since fit() changes the sizes of the one it draws.
  window.mnistReportSpec = function (id, spec) { specs[id] = spec; };
  window.mnistReportSpec.specs = specs;
  function specOf(el) {
    var id = el.getAttribute("data-spec"), src = el.getAttribute("data-spec-src");
    if (src) return load(src).then(function () { return JSON.parse(JSON.stringify(specs[id])); });
    return Promise.resolve(JSON.parse(document.getElementById(id).textContent));
  }
  function draw(el, spec) {
    return mnistReportEmbed(el, fit(el, spec), "canvas")
      .then(function (view) {
        el.__view = view;
        label(el);
        opens(el, view);
        return learn(el, 3);
      })
      .then(function () {
        el.classList.add("drawn");
        el.setAttribute("data-drawn", "true");
      });
  }
  var queue = Promise.resolve();
  function schedule(el) {
    var spec = specOf(el);  // fetched alongside whatever is drawn before it
    spec.catch(function () {});
    queue = queue.then(loadVega).then(function () { return spec; }).then(function (s) {
      return mnistReportLater(function () { return draw(el, s); });
    })
      .catch(function (error) {
        el.setAttribute("data-error", String(error));
        el.textContent = "This chart could not be drawn: " + error;
      });
  }
  var views = Array.prototype.slice.call(document.querySelectorAll(".view[data-spec]"));
  if (!("IntersectionObserver" in window)) views.forEach(schedule);
  else {
    var near = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        near.unobserve(entry.target);
        schedule(entry.target);
      });
    }, { rootMargin: "100% 0px" });
    views.forEach(function (el) { near.observe(el); });
  }
  // Printing cannot wait for a drawing: a chart not drawn yet prints as its static image (the one <noscript>
  // holds, whose markup a page with scripts reads as text).
  window.addEventListener("beforeprint", function () {
    views.forEach(function (el) {
      if (el.getAttribute("data-drawn") || el.querySelector("img.static")) return;
      var noscript = el.parentNode.querySelector("noscript");
      var src = noscript && /src="([^"]+)"/.exec(noscript.textContent);
      if (!src) return;
      var image = document.createElement("img");
      image.className = "static";
      image.alt = "";  // the view itself is the image, named by its aria-label
      image.src = src[1].replace(/&amp;/g, "&");
      el.appendChild(image);
    });
  });
})();

// Confusion matrices: a count (a table's button, or a heat map's cell) shows exactly those images,
// drawn from the page's sprite, fetched (or decoded) the first time a count is chosen. Focus moves to
// the panel's heading, which says which cell it shows; Shift+Tab from there, or its button, returns to
// the count that opened it.
var mnistReportCells = (function () {
  "use strict";
  var opener = null;

  function sprite(panel) {
    if (!panel.__sprite) panel.__sprite = new Promise(function (resolve, reject) {
      var image = new Image();
      image.onload = function () { resolve(image); };
      image.onerror = function () { reject(new Error(panel.getAttribute("data-sprite") + " could not be loaded")); };
      image.src = panel.getAttribute("data-sprite");
    });
    return panel.__sprite;
  }

  function show(panel, cell, title, count, from) {
    sprite(panel).then(function (image) { fill(panel, image, cell, title, count, from); }, function (error) {
      panel.querySelector(".cell-summary").textContent = String(error);
    });
  }

  function fill(panel, sprite, cell, title, count, from) {
    var index = JSON.parse(document.getElementById(panel.getAttribute("data-index")).textContent);
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
