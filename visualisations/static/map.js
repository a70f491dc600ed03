/* qmsgraph map: builds the vis-network from the JSON block in the page.
 * Nothing here parses HTML from data: tooltips and the details panel are built with
 * createElement + textContent. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("qmsgraph-data").textContent);
  var container = document.getElementById("map");
  var styles = data.edgeStyles;

  var byId = new Map();          // every node of the view, clustered or not
  var clusters = new Map();      // cluster id -> cluster node (with members)
  var clusterOf = new Map();     // member id -> cluster id, while the cluster is closed
  data.nodes.forEach(function (n) { byId.set(n.id, n); });
  data.clusters.forEach(function (c) {
    clusters.set(c.id, c);
    c.members.forEach(function (m) { clusterOf.set(m, c.id); });
  });

  // ------------------------------------------------------------------ DOM helpers
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function factsList(facts) {
    var dl = el("dl");
    facts.forEach(function (f) {
      dl.appendChild(el("dt", null, f[0]));
      dl.appendChild(el("dd", null, f[1]));
    });
    return dl;
  }

  var SEV = { error: "Error", warning: "Warning", info: "Note" };

  function card(n, full) {
    var info = n.info;
    var box = el("div", "qg-card");
    box.appendChild(el("p", "qg-kind", info.kind + " \u00b7 " + info.aspectName + " (" + info.aspect + ")"));
    box.appendChild(el("p", "qg-name", info.name));
    if (info.role === "break") {
      box.appendChild(el("p", "qg-role", "\u2702 The golden thread breaks here: nothing leads on from this item to an active goal."));
    }
    var facts = full ? info.facts : info.facts.slice(0, 9);
    box.appendChild(factsList(facts));
    if (info.spc) {
      var s = el("div", "qg-spc");
      var line = info.spc.symbol + " " + info.spc.variationText + " (" + info.spc.variation + ")";
      s.appendChild(el("div", null, "SPC variation: " + line));
      if (info.spc.assurance) {
        s.appendChild(el("div", null, (info.spc.assuranceSymbol || "") + " " +
          (info.spc.assuranceText || "") + " (" + info.spc.assurance + ")"));
      }
      if (full) {
        info.spc.signals.forEach(function (t) { s.appendChild(el("div", "muted", t)); });
      }
      box.appendChild(s);
    }
    var all = info.findings.map(function (f) { return [f, false]; })
      .concat(info.related.map(function (f) { return [f, true]; }));
    if (all.length) {
      var ul = el("ul", "qg-findings");
      all.slice(0, full ? 50 : 4).forEach(function (pair) {
        var f = pair[0];
        var li = el("li", f[0]);
        li.appendChild(el("span", "qg-rule", (pair[1] ? "involved in " : "") + f[1]));
        li.appendChild(document.createTextNode(" (" + (SEV[f[0]] || f[0]) + ") "));
        li.appendChild(el("span", null, f[2]));
        ul.appendChild(li);
      });
      if (!full && all.length > 4) { ul.appendChild(el("li", null, "and " + (all.length - 4) + " more: click for all")); }
      box.appendChild(ul);
    }
    if (info.role === "cluster") {
      box.appendChild(el("p", "qg-hint", "Double-click to open this unit's " + info.count + " items."));
    } else if (!full) {
      box.appendChild(el("p", "qg-hint", "Click to keep these details in the side panel."));
    }
    return box;
  }

  // ------------------------------------------------------------------ vis data
  function visNode(n) {
    var o = {};
    for (var k in n) {
      if (Object.prototype.hasOwnProperty.call(n, k) && k !== "members") { o[k] = n[k]; }
    }
    o.title = card(n, false);
    return o;
  }

  function visibleId(id) {
    var c = clusterOf.get(id);
    return c === undefined ? id : c;
  }

  function edgeSet() {
    var out = new Map();
    data.edges.forEach(function (e) {
      var s = visibleId(e[0]);
      var t = visibleId(e[1]);
      if (s === t) { return; }
      var key = s + "|" + e[2] + "|" + t;
      var cur = out.get(key);
      if (cur) { cur.count += 1; return; }
      out.set(key, { key: key, from: s, to: t, kind: e[2], count: 1 });
    });
    return out;
  }

  var EDGE_OPACITY = data.counts.drawn > 500 ? 0.45 : 1.0;

  function flagged(id) {
    var n = byId.get(id);
    return !!n && (n.info.findings.length > 0 || n.info.related.length > 0);
  }

  function visEdge(e) {
    var st = styles[e.kind] || { color: "#aeb7bd", width: 1, dashes: true, label: e.kind };
    var colour = st.color;
    if (data.view === "findings" && !flagged(e.from) && !flagged(e.to)) { colour = "#dde2e4"; }
    return {
      id: e.key, from: e.from, to: e.to, kind: e.kind, thread: !!st.thread,
      color: { color: colour, highlight: "#212b32", hover: "#212b32", inherit: false,
        opacity: EDGE_OPACITY },
      width: st.width + (e.count > 1 ? Math.min(1.5, Math.log2(e.count) / 2) : 0),
      dashes: st.dashes,
      title: st.label + (e.count > 1 ? " (\u00d7" + e.count + ")" : ""),
      // declared priorities often run alongside the thread: curve them so both show
      smooth: e.kind === "alignsTo" ? { enabled: true, type: "curvedCW", roundness: 0.3 } : false
    };
  }

  var initialNodes = [];
  data.nodes.forEach(function (n) { if (!clusterOf.has(n.id)) { initialNodes.push(visNode(n)); } });
  data.clusters.forEach(function (c) { initialNodes.push(visNode(c)); });
  var nodes = new vis.DataSet(initialNodes);
  var current = edgeSet();
  var edges = new vis.DataSet(Array.from(current.values()).map(visEdge));
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  var qm = window.qmsgraphMap = {
    network: network, nodes: nodes, edges: edges, data: data,
    ready: false, firstDrawMs: null,
    drawnCount: function () { return network.body.nodeIndices.length; },
    expand: expandCluster, expandAll: expandAll, select: selectNode,
    byId: byId, clusters: clusters, clusterOf: clusterOf, visibleId: visibleId,
    fit: function () { fitAll(); },
    onExpand: [],          // called after clusters open (map-filters.js re-applies filters)
    detailActions: []      // fn(id, actionsElement): more buttons in the details panel
  };
  function expanded() { qm.onExpand.forEach(function (fn) { fn(); }); }

  network.once("afterDrawing", function () {
    qm.firstDrawMs = performance.now();
    qm.ready = true;
    container.setAttribute("data-ready", "true");
  });

  // Row titles at the left edge of the map (or column titles above a driver diagram),
  // drawn on the canvas at a constant screen size.
  var titleBoxes = [];   // where the row titles are on screen: labels keep clear of them
  network.on("beforeDrawing", function (ctx) {
    ctx.save();
    titleBoxes = [];
    var scale = network.getScale();
    ctx.font = "bold " + (14 / scale).toFixed(1) + "px Arial, 'Liberation Sans', sans-serif";
    ctx.fillStyle = "#4c6272";
    if (data.columns && data.columns.length) {
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      data.columns.forEach(function (c) { ctx.fillText(c.title, c.x, data.minY - 40 - 6 / scale); });
      ctx.restore();
      return;
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    var last = -Infinity;
    data.rows.forEach(function (r) {
      if ((r.y - last) * scale < 22) { return; }  // too close to the title above: skip
      var tx = data.minX - 40 - 12 / scale;
      ctx.fillText(r.title, tx, r.y);
      var d = network.canvasToDOM({ x: tx, y: r.y });
      titleBoxes.push({ x0: d.x - ctx.measureText(r.title).width * scale - 4, x1: d.x + 4,
        y0: d.y - 10, y1: d.y + 10 });
      last = r.y;
    });
    ctx.restore();
  });

  // ------------------------------------------------------------------ labels (level of detail)
  // vis-network draws labels in map units, so at fit-to-screen they shrink to a few pixels.
  // Instead each label is drawn here at a readable screen size (LABEL_PX), most important
  // first (the focus, goals, items of concern or with findings, then by row), and only where
  // it does not overlap a label already drawn: what fits is shown, more as you zoom in.
  var LABEL_PX = 13;
  var labelled = [];
  qm.labels = function () { return labelled.slice(); };
  qm.labelPx = LABEL_PX;
  function priority(n) { return n.info ? (n.prio || 0) : 5; }

  network.on("afterDrawing", function (ctx) {
    var scale = network.getScale();
    var ids = network.body.nodeIndices;
    var bodyNodes = network.body.nodes;
    var canvas = container.querySelector("canvas");
    var w = canvas.clientWidth;
    var h = canvas.clientHeight;
    var cand = [];
    for (var i = 0; i < ids.length; i++) {
      var bn = bodyNodes[ids[i]];
      if (!bn || bn.options.hidden) { continue; }
      var d = network.canvasToDOM({ x: bn.x, y: bn.y });
      if (d.x < -50 || d.y < -20 || d.x > w + 50 || d.y > h + 20) { continue; }
      var src = byId.get(ids[i]) || clusters.get(ids[i]);
      if (!src) { continue; }
      cand.push({ id: ids[i], x: d.x, y: d.y, bn: bn, src: src, p: priority(src) });
    }
    cand.sort(function (a, b) { return b.p - a.p || (a.id < b.id ? -1 : 1); });
    var placed = [];
    var cell = 60;
    var grid = new Map();
    function hits(r) {
      var x0 = Math.floor(r.x0 / cell), x1 = Math.floor(r.x1 / cell);
      var y0 = Math.floor(r.y0 / cell), y1 = Math.floor(r.y1 / cell);
      for (var gx = x0; gx <= x1; gx++) {
        for (var gy = y0; gy <= y1; gy++) {
          var list = grid.get(gx + ":" + gy);
          if (!list) { continue; }
          for (var k = 0; k < list.length; k++) {
            var o = list[k];
            if (r.x0 < o.x1 && r.x1 > o.x0 && r.y0 < o.y1 && r.y1 > o.y0) { return true; }
          }
        }
      }
      return false;
    }
    function add(r) {
      for (var gx = Math.floor(r.x0 / cell); gx <= Math.floor(r.x1 / cell); gx++) {
        for (var gy = Math.floor(r.y0 / cell); gy <= Math.floor(r.y1 / cell); gy++) {
          var key = gx + ":" + gy;
          if (!grid.has(key)) { grid.set(key, []); }
          grid.get(key).push(r);
        }
      }
    }
    titleBoxes.forEach(add);
    // a label near the edge slides inwards (still over its symbol) rather than being cut
    function inside(x, tw) { return Math.min(Math.max(x, tw / 2 + 3), w - tw / 2 - 3); }
    function fits(r) { return r.x0 >= 0 && r.x1 <= w && r.y0 >= 0 && r.y1 <= h && !hits(r); }
    ctx.save();
    var px = LABEL_PX / scale;
    ctx.font = px.toFixed(2) + "px Arial, 'Liberation Sans', sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    var maxChars = scale < 0.5 ? 28 : 40;
    var limit = 400;
    for (var j = 0; j < cand.length && placed.length < limit; j++) {
      var c = cand[j];
      var text = c.src.shortLabel || c.src.info.name;
      if (text.length > maxChars) { text = text.slice(0, maxChars - 1) + "\u2026"; }
      var tw = ctx.measureText(text).width * scale;
      var size = (c.bn.shape && c.bn.shape.height ? c.bn.shape.height / 2 : (c.bn.options.size || 10)) * scale;
      // below the symbol, else above it, else (for the most important) shortened
      var below = c.y + Math.max(size, 4) + 2;
      var above = c.y - Math.max(size, 4) - LABEL_PX - 4;
      var spots = [below, above];
      var r = null;
      var top = below;
      for (var sI = 0; sI < spots.length && r === null; sI++) {
        var lx = inside(c.x, tw);
        var t = { x0: lx - tw / 2 - 2, x1: lx + tw / 2 + 2, y0: spots[sI], y1: spots[sI] + LABEL_PX + 3 };
        if (fits(t)) { r = t; top = spots[sI]; }
      }
      if (r === null && c.p >= 90 && text.length > 14) {
        text = text.slice(0, 13) + "\u2026";
        tw = ctx.measureText(text).width * scale;
        for (var sJ = 0; sJ < spots.length && r === null; sJ++) {
          var lx2 = inside(c.x, tw);
          var t2 = { x0: lx2 - tw / 2 - 2, x1: lx2 + tw / 2 + 2, y0: spots[sJ], y1: spots[sJ] + LABEL_PX + 3 };
          if (fits(t2)) { r = t2; top = spots[sJ]; }
        }
      }
      if (r === null) { continue; }
      add(r);
      var pt = network.DOMtoCanvas({ x: (r.x0 + r.x1) / 2, y: top });
      ctx.lineWidth = 4 / scale;
      ctx.strokeStyle = "rgba(255,255,255,0.92)";
      ctx.strokeText(text, pt.x, pt.y);
      ctx.fillStyle = c.src.dim ? "#6b7b86" : "#212b32";
      ctx.fillText(text, pt.x, pt.y);
      placed.push({ id: c.id, text: text, px: LABEL_PX, x: (r.x0 + r.x1) / 2, y: top });
    }
    ctx.restore();
    labelled = placed;
  });

  // ------------------------------------------------------------------ clusters
  function syncEdges() {
    var next = edgeSet();
    var remove = [];
    current.forEach(function (e, key) { if (!next.has(key)) { remove.push(key); } });
    var add = [];
    var update = [];
    next.forEach(function (e, key) {
      var old = current.get(key);
      if (!old) { add.push(visEdge(e)); } else if (old.count !== e.count) { update.push(visEdge(e)); }
    });
    edges.remove(remove);
    edges.add(add);
    edges.update(update);
    current = next;
  }

  function expandCluster(cid, quiet) {
    var c = clusters.get(cid);
    if (!c || !nodes.get(cid)) { return false; }
    c.members.forEach(function (m) { clusterOf.delete(m); });
    nodes.remove(cid);
    nodes.add(c.members.map(function (m) { return visNode(byId.get(m)); }));
    if (!quiet) { syncEdges(); expanded(); }
    return true;
  }

  // Expand all: open every cluster and move every node to the full (unclustered) layout,
  // in one batch of DataSet changes.
  function expandAll() {
    if (!data.clusters.length) { return; }
    var remove = [];
    var add = [];
    clusters.forEach(function (c, cid) {
      if (!nodes.get(cid)) { return; }
      remove.push(cid);
      c.members.forEach(function (m) {
        clusterOf.delete(m);
        var o = visNode(byId.get(m));
        o.x = o.fx;
        o.y = o.fy;
        add.push(o);
      });
    });
    var opened = new Set(add.map(function (o) { return o.id; }));
    var move = [];
    data.nodes.forEach(function (n) {
      if (!opened.has(n.id)) { move.push({ id: n.id, x: n.fx, y: n.fy }); }
    });
    nodes.remove(remove);
    nodes.update(move);
    nodes.add(add);
    syncEdges();
    data.rows = data.fullRows;
    data.minX = data.fullMinX;
    expanded();
    fitAll();
  }

  network.on("doubleClick", function (p) {
    if (p.nodes.length && clusters.has(p.nodes[0])) { expandCluster(p.nodes[0]); }
  });

  // ------------------------------------------------------------------ details panel
  var detailsBody = document.getElementById("details-body");

  function actionButton(text, fn) {
    var b = el("button", "secondary", text);
    b.type = "button";
    b.addEventListener("click", fn);
    return b;
  }

  function showDetails(id) {
    var n = byId.get(id) || clusters.get(id);
    detailsBody.textContent = "";
    if (!n) { return; }
    detailsBody.appendChild(card(n, true));
    var actions = el("div", "actions");
    if (clusters.has(id)) {
      actions.appendChild(actionButton("Expand", function () { expandCluster(id); detailsBody.textContent = ""; }));
    } else {
      actions.appendChild(actionButton("Zoom to it", function () { focusOn(id); }));
      actions.appendChild(actionButton("Highlight golden thread", function () { highlight(id, true); }));
      if (n.info.isGoal) {
        actions.appendChild(actionButton("Highlight contributors", function () { highlight(id, false); }));
      }
      qm.detailActions.forEach(function (fn) { fn(id, actions); });
      n.info.links.forEach(function (l) {
        var a = el("a", null, l[0]);
        a.href = l[1];
        actions.appendChild(a);
      });
    }
    detailsBody.appendChild(actions);
  }

  function focusOn(id) {
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
    arrowDetail();
  }

  function selectNode(id) {
    if (!byId.has(id) && !clusters.has(id)) { return false; }
    var cid = clusterOf.get(id);
    if (cid !== undefined) { expandCluster(cid); }
    network.selectNodes([id]);
    focusOn(id);
    showDetails(id);
    return true;
  }

  network.on("selectNode", function (p) { if (p.nodes.length) { showDetails(p.nodes[0]); } });

  // ------------------------------------------------------------------ highlight
  var highlighted = false;

  function reach(start, forward) {
    var adj = new Map();
    data.edges.forEach(function (e) {
      if (!(styles[e[2]] && styles[e[2]].thread)) { return; }
      var a = forward ? e[0] : e[1];
      var b = forward ? e[1] : e[0];
      if (!adj.has(a)) { adj.set(a, []); }
      adj.get(a).push(b);
    });
    var seen = new Set([start]);
    var queue = [start];
    while (queue.length) {
      var cur = queue.shift();
      (adj.get(cur) || []).forEach(function (nx) {
        if (!seen.has(nx)) { seen.add(nx); queue.push(nx); }
      });
    }
    return seen;
  }

  var DIM = { background: "#eef1f2", border: "#d8dde0",
    highlight: { background: "#eef1f2", border: "#212b32" },
    hover: { background: "#eef1f2", border: "#212b32" } };

  function highlight(id, forward) {
    var keep = reach(id, forward);
    var visKeep = new Set();
    keep.forEach(function (k) { visKeep.add(visibleId(k)); });
    var upd = nodes.getIds().map(function (nid) {
      var n = byId.get(nid) || clusters.get(nid);
      if (visKeep.has(nid)) { return { id: nid, color: n.color, font: n.font }; }
      return { id: nid, color: DIM, font: { color: "#aeb7bd", size: n.font.size, face: n.font.face, strokeWidth: 0 } };
    });
    nodes.update(upd);
    highlighted = true;
    var note = el("p", "muted", (forward ? "Highlighted: the golden thread of " : "Highlighted: everything that contributes to ") +
      (byId.get(id) ? byId.get(id).info.name : id) + " (" + keep.size + " items).");
    detailsBody.appendChild(note);
  }

  function clearHighlight() {
    if (!highlighted) { return; }
    nodes.update(nodes.getIds().map(function (nid) {
      var n = byId.get(nid) || clusters.get(nid);
      return { id: nid, color: n.color, font: n.font };
    }));
    highlighted = false;
  }

  // ------------------------------------------------------------------ toolbar, search
  function on(id, fn) {
    var b = document.getElementById(id);
    if (b) { b.addEventListener("click", fn); }
  }
  on("zoom-in", function () { network.moveTo({ scale: network.getScale() * 1.4 }); arrowDetail(); });
  on("zoom-out", function () { network.moveTo({ scale: network.getScale() / 1.4 }); arrowDetail(); });
  on("fit", fitAll);
  on("clear", function () { clearHighlight(); network.unselectAll(); });
  on("expand-all", expandAll);

  document.querySelectorAll("button.node-link[data-node]").forEach(function (b) {
    b.addEventListener("click", function () { selectNode(b.getAttribute("data-node")); });
  });

  var search = document.getElementById("search");
  var results = document.getElementById("search-results");
  var all = data.nodes.concat(data.clusters);
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    results.textContent = "";
    if (q.length < 2) { return; }
    var hits = [];
    for (var i = 0; i < all.length && hits.length < 12; i++) {
      var n = all[i];
      if (n.info.name.toLowerCase().indexOf(q) >= 0 || n.id.toLowerCase().indexOf(q) >= 0) { hits.push(n); }
    }
    if (!hits.length) { results.appendChild(el("li", "muted", "No match")); }
    hits.forEach(function (n) {
      var li = el("li");
      var b = el("button", "node-link");
      b.type = "button";
      b.appendChild(el("strong", null, n.info.name));
      b.appendChild(el("span", "rule", n.info.kind + " \u00b7 " + n.id));
      b.addEventListener("click", function () { selectNode(n.id); });
      li.appendChild(b);
      results.appendChild(li);
    });
  });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var first = results.querySelector("button");
      if (first) { first.click(); }
    }
  });

  // ------------------------------------------------------------------ start
  // Fit the map, leaving room on the left for the row titles.
  function fitAll() {
    network.fit({ animation: false });
    arrowDetail();
    var w = container.clientWidth;
    if (w < 500 || (data.columns && data.columns.length)) { return; }  // no row titles
    var margin = Math.min(200, w * 0.25);
    var s = network.getScale() * (w - margin) / w;
    var c = network.getViewPosition();
    network.moveTo({ scale: s, position: { x: c.x - margin / 2 / s, y: c.y }, animation: false });
    arrowDetail();
  }

  // Level of detail for large maps: arrowheads cost most of a frame (12,000 edges: ~400 ms
  // with them, ~35 ms without) and are under 3 px when zoomed out, so they are drawn only
  // from ARROW_SCALE up.
  var ARROW_SCALE = 0.45;
  var arrowsOn = true;
  function arrowDetail() {
    if (data.counts.drawn <= 500 || arrowsOn === undefined) { return; }
    var want = network.getScale() >= ARROW_SCALE;
    if (want === arrowsOn) { return; }
    arrowsOn = want;
    network.setOptions({ edges: { arrows: { to: { enabled: want, scaleFactor: 0.5 } } } });
  }
  network.on("zoom", arrowDetail);
  qm.arrows = function () { return arrowsOn; };
  qm.arrowDetail = arrowDetail;

  var fromUrl = new URLSearchParams(window.location.search).get("focus");
  var wanted = fromUrl || data.focus;
  fitAll();
  if (wanted && (byId.has(wanted) || clusters.has(wanted))) {
    selectNode(wanted);
    // the item the view is about: select it but keep the whole view in sight;
    // another item named in the address (map.html?focus=ID): zoom to it
    if (wanted === data.focus) { fitAll(); }
  }
  arrowDetail();
}());
