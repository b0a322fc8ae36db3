package io.github.stackfold.flamegraph.render;

/**
 * The static parts of every flame graph: its script (zoom, search, details, state in the URL
 * fragment) and the static part of its style. They are source, not resources of the jar: reading a
 * resource opens the jar, and opening the command line's shaded jar means indexing its 4,700 entries
 * (~18 ms of a {@code flame flamegraph} run in async-profiler), where the launcher's class-data archive
 * holds this class. Text blocks: in the script a backslash would be an escape of Java's and three
 * double quotes in a row would end it (it has neither), and trailing blanks are dropped. The browser
 * tests run it in Chromium.
 */
final class FlameGraphAssets {
    private FlameGraphAssets() {
    }

    /** The script, ASCII, ending with a newline. */
    static final String SCRIPT = """
            // stackfold flame graph interactivity: zoom, search, details, state in the URL fragment.
            // Frame names are data from profiled machines: they are only ever read and written as text
            // (textContent, attribute values), never parsed as markup or code.
            (function () {
              "use strict";

              var doc = document;
              var root = doc.documentElement;
              var conf = {
                nameType: root.getAttribute("data-nametype") || "",
                countName: root.getAttribute("data-countname") || "samples",
                fontSize: parseFloat(root.getAttribute("data-fontsize")) || 12,
                fontWidth: parseFloat(root.getAttribute("data-fontwidth")) || 0.59,
                // with short names: the smallest font a label may shrink to (absent: labels never shrink)
                minFont: parseFloat(root.getAttribute("data-minfontsize")) || 0,
                pad: parseFloat(root.getAttribute("data-xpad")) || 10,
                icicle: root.getAttribute("data-inverted") === "true",
                highlight: root.getAttribute("data-searchcolor") || "rgb(230,0,230)"
              };
              var fullWidth = parseFloat(root.getAttribute("width")) - 2 * conf.pad;
              var box = doc.getElementById("frames");
              var ui = {
                details: doc.getElementById("details"),
                reset: doc.getElementById("unzoom"),
                search: doc.getElementById("search"),
                caseButton: doc.getElementById("ignorecase"),
                matched: doc.getElementById("matched")
              };
              if (!box) {
                return;
              }

              var cells = [];          // one per frame: element, rect, text and original geometry
              var cellIndex = new Map();
              var base = -1;           // the root frame ("all")
              var focus = -1;          // the zoomed frame, -1 when not zoomed
              var query = "";          // the current search, "" when none
              var foldCase = false;    // case-insensitive search

              function numberAttr(el, name) {
                var v = parseFloat(el.getAttribute(name));
                return isNaN(v) ? 0 : v;
              }

              // "name (1,234 samples, 5.67%)" -> name and 1234; the count name may contain anything.
              function readTooltip(info) {
                var marker = " " + conf.countName + ", ";
                var at = info.lastIndexOf(marker);
                var out = { name: info, weight: NaN };
                if (at < 0) {
                  return out;
                }
                var p = at;
                while (p > 0 && "0123456789,.-+".indexOf(info.charAt(p - 1)) >= 0) {
                  p--;
                }
                if (p >= 2 && info.substring(p - 2, p) === " (") {
                  out.name = info.substring(0, p - 2);
                  out.weight = parseFloat(info.substring(p, at).replace(/,/g, ""));
                }
                return out;
              }

              // The label forms of a frame, longest first, each an array of code points: the full name,
              // or with short names the short name and the shorter forms starting at data-cuts.
              function labelForms(el, name) {
                var short = el.getAttribute("data-short");
                if (short === null) {
                  return [Array.from(name)];
                }
                var chars = Array.from(short);
                var forms = [chars];
                (el.getAttribute("data-cuts") || "").split(",").forEach(function (cut) {
                  var at = parseInt(cut, 10);
                  if (at > 0 && at < chars.length) {
                    forms.push(chars.slice(at));
                  }
                });
                return forms;
              }

              function collect() {
                var kids = box.children;
                for (var i = 0; i < kids.length; i++) {
                  var el = kids[i];
                  var rect = el.querySelector("rect");
                  var tip = el.querySelector("title");
                  if (!rect || !tip) {
                    continue;
                  }
                  var text = el.querySelector("text");
                  var parsed = readTooltip(tip.textContent);
                  var cell = {
                    el: el, rect: rect, text: text,
                    x: numberAttr(rect, "x"), w: numberAttr(rect, "width"), y: numberAttr(rect, "y"),
                    fill: rect.getAttribute("fill"),
                    textX: text ? text.getAttribute("x") : null,
                    textStyle: text ? text.getAttribute("style") : null,
                    label: text ? text.textContent : "",
                    info: tip.textContent, name: parsed.name, weight: parsed.weight,
                    forms: labelForms(el, parsed.name), short: el.hasAttribute("data-short")
                  };
                  cellIndex.set(el, cells.length);
                  cells.push(cell);
                }
                for (var k = 0; k < cells.length; k++) {
                  var c = cells[k];
                  if (base < 0 || c.w > cells[base].w + 1e-6 ||
                      (Math.abs(c.w - cells[base].w) <= 1e-6 && (conf.icicle ? c.y < cells[base].y : c.y > cells[base].y))) {
                    base = k;
                  }
                }
              }

              function cellOf(node) {
                while (node && node.parentNode !== box) {
                  node = node.parentNode;
                }
                return node && cellIndex.has(node) ? cellIndex.get(node) : -1;
              }

              // A ruler for labels in the font the browser really draws them in: a canvas's measureText, the
              // font read from a label's computed style once. null where there is no canvas.
              var ruler;
              function rulerFor(text) {
                if (ruler === undefined) {
                  ruler = null;
                  try {
                    var canvas = typeof OffscreenCanvas === "function" ? new OffscreenCanvas(1, 1)
                        : doc.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
                    var ctx = canvas.getContext ? canvas.getContext("2d") : null;
                    if (ctx && ctx.measureText) {
                      var style = window.getComputedStyle(text);
                      ruler = { ctx: ctx, font: style.fontStyle + " " + style.fontWeight + " ", family: style.fontFamily, size: -1 };
                    }
                  } catch (err) {
                    ruler = null;
                  }
                }
                return ruler;
              }

              function textWidth(chars, size) {
                if (ruler.size !== size) {
                  ruler.ctx.font = ruler.font + size + "px " + ruler.family;
                  ruler.size = size;
                }
                return ruler.ctx.measureText(chars.join("")).width;
              }

              function showLabel(c, chars, size) {
                if (size > 0 && size !== conf.fontSize) {
                  c.text.setAttribute("style", "font-size:" + size.toFixed(1) + "px");
                }
                c.text.textContent = chars.join("");
              }

              // A short label fitted by its measured width in the frame (3 px in): the longest form that
              // fits at the label size; else the shortest form in the largest smaller font that fits it
              // (0.1 px steps) down to the minimum; else the shortest form cut to ".." at the minimum.
              function fitMeasured(c, width) {
                var room = width - 3;
                var size = conf.fontSize;
                for (var i = 0; i < c.forms.length; i++) {
                  if (textWidth(c.forms[i], size) <= room) {
                    showLabel(c, c.forms[i], size);
                    return;
                  }
                }
                var last = c.forms[c.forms.length - 1];
                var smallest = conf.minFont > 0 ? conf.minFont : size;
                var smaller = Math.floor(size * room / textWidth(last, size) * 10) / 10;
                while (smaller >= smallest && textWidth(last, smaller) > room) {
                  smaller = Math.round(smaller * 10 - 1) / 10;
                }
                if (smaller >= smallest) {
                  showLabel(c, last, smaller);
                  return;
                }
                // the longest start of the name that fits with ".." (widths grow with the length)
                var dots = [".", "."];
                var lo = 0;
                var hi = last.length - 1;
                while (lo < hi) {
                  var mid = (lo + hi + 1) >> 1;
                  if (textWidth(last.slice(0, mid).concat(dots), smallest) <= room) {
                    lo = mid;
                  } else {
                    hi = mid - 1;
                  }
                }
                showLabel(c, lo > 0 ? last.slice(0, lo).concat(dots) : [], smallest);
              }

              function fitLabel(c, width) {
                if (!c.text || c === cells[base]) {
                  return;
                }
                var room = Math.floor(width / (conf.fontSize * conf.fontWidth));
                c.text.removeAttribute("style");
                if (room < 3) {
                  c.text.textContent = "";
                  return;
                }
                // short names: measured where the browser can (the file's labels take every character
                // as fontwidth x the size, as flamegraph.pl's); full names as flamegraph.pl cuts them
                if (c.short && rulerFor(c.text)) {
                  fitMeasured(c, width);
                  return;
                }
                // the longest form that fits; with short names, else the shortest in a smaller font
                // (rounded down to 0.1 px) if not below the minimum; else the shortest cut to ".."
                for (var i = 0; i < c.forms.length; i++) {
                  if (c.forms[i].length <= room) {
                    c.text.textContent = c.forms[i].join("");
                    return;
                  }
                }
                var last = c.forms[c.forms.length - 1];
                if (conf.minFont > 0) {
                  var size = Math.floor(width / (last.length * conf.fontWidth) * 10) / 10;
                  if (size >= conf.minFont) {
                    c.text.setAttribute("style", "font-size:" + size.toFixed(1) + "px");
                    c.text.textContent = last.join("");
                    return;
                  }
                  room = Math.max(room, Math.floor(width / (conf.minFont * conf.fontWidth)));
                  c.text.setAttribute("style", "font-size:" + conf.minFont.toFixed(1) + "px");
                }
                c.text.textContent = last.slice(0, room - 2).join("") + "..";
              }

              function place(c, x, width) {
                c.rect.setAttribute("x", x.toFixed(1));
                c.rect.setAttribute("width", width.toFixed(1));
                if (c.text) {
                  c.text.setAttribute("x", (x + 3).toFixed(2));
                }
                fitLabel(c, width);
              }

              function restore(c) {
                c.rect.setAttribute("x", c.x.toFixed(1));
                c.rect.setAttribute("width", c.w.toFixed(1));
                if (c.text) {
                  c.text.setAttribute("x", c.textX);
                  c.text.textContent = c.label;
                  if (c.textStyle === null) {
                    c.text.removeAttribute("style");
                  } else {
                    c.text.setAttribute("style", c.textStyle);
                  }
                }
                c.el.classList.remove("hide", "parent");
              }

              function zoomInto(index) {
                var t = cells[index];
                if (!t || !(t.w > 0)) {
                  return;
                }
                if (index === base) {
                  unzoom();
                  return;
                }
                var scale = fullWidth / t.w;
                var eps = 1e-4;
                for (var i = 0; i < cells.length; i++) {
                  var c = cells[i];
                  var towardsLeaves = conf.icicle ? c.y >= t.y : c.y <= t.y;
                  var within = c.x >= t.x - eps && c.x + c.w <= t.x + t.w + eps;
                  var covers = c.x <= t.x + eps && c.x + c.w >= t.x + t.w - eps;
                  if (towardsLeaves && within) {
                    c.el.classList.remove("hide", "parent");
                    place(c, conf.pad + (c.x - t.x) * scale, c.w * scale);
                  } else if (!towardsLeaves && covers) {
                    c.el.classList.remove("hide");
                    c.el.classList.add("parent");
                    place(c, conf.pad, fullWidth);
                  } else {
                    c.el.classList.add("hide");
                  }
                }
                focus = index;
                if (ui.reset) {
                  ui.reset.classList.remove("hide");
                }
                saveState();
              }

              function unzoom() {
                for (var i = 0; i < cells.length; i++) {
                  restore(cells[i]);
                }
                focus = -1;
                if (ui.reset) {
                  ui.reset.classList.add("hide");
                }
                saveState();
              }

              function setText(el, value) {
                if (el) {
                  el.textContent = value;
                }
              }

              function clearHighlight() {
                for (var i = 0; i < cells.length; i++) {
                  cells[i].rect.setAttribute("fill", cells[i].fill);
                }
              }

              function runSearch(term) {
                clearHighlight();
                query = term || "";
                if (!query) {
                  setText(ui.matched, " ");
                  setText(ui.search, "Search");
                  if (ui.search) {
                    ui.search.classList.remove("show");
                  }
                  saveState();
                  return;
                }
                var re;
                try {
                  re = new RegExp(query, foldCase ? "i" : "");
                } catch (err) {
                  setText(ui.matched, "Invalid regular expression");
                  return;
                }
                var hits = [];
                for (var i = 0; i < cells.length; i++) {
                  var c = cells[i];
                  if (i !== base && re.test(c.name)) {
                    c.rect.setAttribute("fill", conf.highlight);
                    hits.push(c);
                  }
                }
                // Nested matches overlap on the x axis: count each sample once, taking the outermost frame.
                hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });
                var sum = 0;
                var reach = -Infinity;
                for (var k = 0; k < hits.length; k++) {
                  if (hits[k].x >= reach - 1e-6) {
                    sum += hits[k].weight;
                    reach = hits[k].x + hits[k].w;
                  }
                }
                var all = base >= 0 ? cells[base].weight : NaN;
                var share = all > 0 ? 100 * sum / all : 0;
                setText(ui.matched, "Matched: " + share.toFixed(1) + "%");
                setText(ui.search, "Reset Search");
                if (ui.search) {
                  ui.search.classList.add("show");
                }
                saveState();
              }

              function askSearch() {
                var term = window.prompt("Search frames (regular expression" + (foldCase ? ", ignoring case" : "") + "):", query);
                if (term !== null) {
                  runSearch(term);
                }
              }

              function toggleCase() {
                foldCase = !foldCase;
                if (ui.caseButton) {
                  ui.caseButton.classList.toggle("show", foldCase);
                }
                if (query) {
                  runSearch(query);
                } else {
                  saveState();
                }
              }

              // The view lives in the URL fragment: #z=FRAME&s=REGEX&i=1
              function saveState() {
                var parts = [];
                if (focus >= 0) {
                  parts.push("z=" + focus);
                }
                if (query) {
                  parts.push("s=" + encodeURIComponent(query));
                }
                if (foldCase) {
                  parts.push("i=1");
                }
                var url = location.href.split("#")[0] + (parts.length ? "#" + parts.join("&") : "");
                try {
                  history.replaceState(null, "", url);
                } catch (err) {
                  location.hash = parts.join("&");
                }
              }

              function loadState() {
                var fragment = location.hash.replace(/^#/, "");
                var state = {};
                fragment.split("&").forEach(function (pair) {
                  var eq = pair.indexOf("=");
                  if (eq > 0) {
                    try {
                      state[pair.substring(0, eq)] = decodeURIComponent(pair.substring(eq + 1));
                    } catch (err) {
                      // a malformed fragment is ignored
                    }
                  }
                });
                if (state.i === "1") {
                  foldCase = true;
                  if (ui.caseButton) {
                    ui.caseButton.classList.add("show");
                  }
                }
                var z = parseInt(state.z, 10);
                if (z >= 0 && z < cells.length) {
                  zoomInto(z);
                }
                if (state.s) {
                  runSearch(state.s);
                }
              }

              doc.addEventListener("click", function (e) {
                var index = cellOf(e.target);
                if (index >= 0) {
                  zoomInto(index);
                  return;
                }
                var id = e.target && e.target.id;
                if (id === "unzoom") {
                  unzoom();
                } else if (id === "search") {
                  if (query) {
                    runSearch("");
                  } else {
                    askSearch();
                  }
                } else if (id === "ignorecase") {
                  toggleCase();
                }
              });

              doc.addEventListener("mouseover", function (e) {
                var index = cellOf(e.target);
                if (index >= 0) {
                  setText(ui.details, conf.nameType + " " + cells[index].info);
                }
              });

              doc.addEventListener("mouseout", function (e) {
                if (cellOf(e.target) >= 0) {
                  setText(ui.details, " ");
                }
              });

              window.addEventListener("keydown", function (e) {
                var key = (e.key || "").toLowerCase();
                if (e.key === "F3" || ((e.ctrlKey || e.metaKey) && key === "f")) {
                  e.preventDefault();
                  askSearch();
                } else if ((e.ctrlKey || e.metaKey) && key === "i") {
                  e.preventDefault();
                  toggleCase();
                } else if (e.key === "Escape" && query) {
                  runSearch("");
                }
              });

              // A flame graph taller than the window opens at its root (at the bottom, with the widest
              // frames): scrolled down once laid out. An icicle graph has its root at the top already.
              function showRoot() {
                var height = numberAttr(root, "height");
                if (conf.icicle || root.localName !== "svg" || !(height > window.innerHeight)) {
                  return;
                }
                window.scrollTo(window.scrollX || 0, height);
              }

              // Short labels fitted once to the font drawn, and kept as the frames' own labels (for unzoom).
              function refitShortLabels() {
                for (var i = 0; i < cells.length; i++) {
                  var c = cells[i];
                  if (c.short && c.text && i !== base) {
                    fitLabel(c, c.w);
                    c.label = c.text.textContent;
                    c.textStyle = c.text.getAttribute("style");
                  }
                }
              }

              collect();
              refitShortLabels();
              loadState();
              showRoot();
              window.addEventListener("load", showRoot);
            })();
            """;

    /** The static part of the style, ASCII, ending with a newline. */
    static final String STYLE = """
            /* stackfold flame graph: the static part of the style (the font comes from the renderer's options). */
            #search, #ignorecase { opacity: 0.15; cursor: pointer; }
            #search:hover, #search.show, #ignorecase:hover, #ignorecase.show { opacity: 1; }
            #subtitle { text-anchor: middle; fill: rgb(100,100,100); }
            #unzoom { cursor: pointer; }
            #matched { fill: rgb(80,80,80); }
            #frames > *:hover { stroke: black; stroke-width: 0.5; cursor: pointer; }
            #frames text { pointer-events: none; }
            .hide { display: none; }
            .parent { opacity: 0.5; }
            """;
}
