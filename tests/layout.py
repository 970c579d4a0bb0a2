"""Reading a page's layout back: figures wider than their card, pages that scroll sideways, tables that do not
fit outside a scrolling region, and labels drawn over each other, from Vega's scenegraph in the page
(`view.scenegraph()`, kept on each view by report.js). The static images (for readers without JavaScript)
are the charts at their built size: STATIC lays each out so, unscaled, with the page's own Vega."""

from __future__ import annotations

from .utils import REACHED

WIDTHS = (320, 375, 1000, 1920)

# Every text Vega drew, with its bounds in the view's coordinates (each group's offset added).
TEXTS = r"""function texts(view) {
  const found = [];
  (function walk(mark, dx, dy) {
    for (const item of mark.items || []) {
      if (mark.marktype === 'text' && item.bounds && item.text != null && String(item.text).trim() !== '' &&
          (item.opacity === undefined || item.opacity > 0) && (item.fillOpacity === undefined || item.fillOpacity > 0)) {
        const b = item.bounds;
        found.push({role: mark.role, text: [].concat(item.text).join(' '), x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy});
      }
      if (mark.marktype === 'group') for (const child of item.items || []) walk(child, dx + (item.x || 0), dy + (item.y || 0));
    }
  })(view.scenegraph().root, 0, 0);
  return found;
}"""

# What a drawn page shows at its present width.
MEASURE = (
    "() => {"
    + TEXTS
    + r"""
  const root = document.documentElement;
  const out = {width: root.clientWidth, scroll: root.scrollWidth - root.clientWidth, figures: [], tables: []};
  for (const fig of document.querySelectorAll('figure.chart')) {
    const view = fig.querySelector('.view'), canvas = view.querySelector('canvas');
    const card = view.getBoundingClientRect(), drawn = canvas ? canvas.getBoundingClientRect() : null;
    out.figures.push({id: fig.id, card: card.width, over: drawn ? drawn.right - card.right : null,
                      texts: view.__view ? texts(view.__view) : []});
  }
  for (const table of document.querySelectorAll('main table')) {
    const wrap = table.parentElement;
    out.tables.push({caption: table.querySelector('caption').textContent, over: table.scrollWidth - wrap.clientWidth,
                     region: wrap.getAttribute('role') === 'region' && !!wrap.getAttribute('aria-label') &&
                             wrap.getAttribute('tabindex') === '0'});
  }
  return out;
}"""
)

# The texts of each fitted chart laid out at its built size, the static image's layout (renderer "none": nothing drawn).
STATIC = (
    "async () => {"
    + TEXTS
    + r"""
  const out = [];
  for (const v of document.querySelectorAll('.view[data-fit]')) {
    const id = v.getAttribute('data-spec');  // a large spec came in a file of its own: report.js keeps it as built
    const spec = v.hasAttribute('data-spec-src') ? structuredClone(mnistReportSpec.specs[id])
      : JSON.parse(document.getElementById(id).textContent);
    const el = document.createElement('div');
    document.body.appendChild(el);
    const view = await mnistReportEmbed(el, spec, 'none');
    out.push({id: v.getAttribute('data-spec'), texts: texts(view)});
    view.finalize();
    el.remove();
  }
  return out;
}"""
)

# Drawn, and fitted to the card's present width (report.js notes the width it fitted each view to).
SETTLED = (
    "() => Array.from(document.querySelectorAll('.view')).every(v => " + REACHED + "(v) &&\n"
    "  (!v.hasAttribute('data-fit') || v.getAttribute('data-fitted') === String(v.clientWidth)))"
)


def measured(page, widths=WIDTHS, timeout_ms: int = 60_000) -> dict[int, dict]:
    """The page (opened and drawn) measured at each width in turn, resized in place as a reader would."""
    out = {}
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_function(SETTLED, timeout=timeout_ms)
        page.wait_for_timeout(100)  # "container" charts redraw on the window's resize event
        page.wait_for_function(SETTLED, timeout=timeout_ms)
        out[width] = page.evaluate(MEASURE)
    return out


def overlaps(texts: list[dict], slack: float = 1.0) -> list[str]:
    """Pairs of texts whose boxes overlap by more than `slack` px each way (a halo drawn under its own text is one text)."""
    found = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            w = min(a["x2"], b["x2"]) - max(a["x1"], b["x1"])
            h = min(a["y2"], b["y2"]) - max(a["y1"], b["y1"])
            same = a["text"] == b["text"] and abs(a["x1"] - b["x1"]) < 1 and abs(a["y1"] - b["y1"]) < 1
            if w > slack and h > slack and not same:
                found.append(f'"{a["text"]}" ({a["role"]}) over "{b["text"]}" ({b["role"]})')
    return found


def static_problems(page) -> list[str]:
    """Labels overlapping in the static images' layout of a drawn page's fitted charts."""
    return [f"static {chart['id']}: {o}" for chart in page.evaluate(STATIC) for o in overlaps(chart["texts"])]


def problems(widths: dict[int, dict]) -> list[str]:
    """Everything wrong with a page's layout at each width: the page, a figure or a table too wide, labels overlapping."""
    out = []
    for width, m in widths.items():
        if m["scroll"] > 0:
            out.append(f"{width} px: the page scrolls sideways by {m['scroll']} px")
        for f in m["figures"]:
            if f["over"] is not None and f["over"] > 0.5:
                out.append(f"{width} px: {f['id']} is {f['over']:.0f} px wider than its card ({f['card']:.0f} px)")
            out += [f"{width} px: {f['id']}: {o}" for o in overlaps(f["texts"])]
        for t in m["tables"]:
            if t["over"] > 0 and not t["region"]:
                out.append(f"{width} px: table {t['caption']!r} is {t['over']} px too wide, outside a focusable region")
    return out
