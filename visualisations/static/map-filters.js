/* qmsgraph map: filters (kind, unit, status, quality domain, finding, state) and focus on a
 * node's neighbourhood. Uses window.qmsgraphMap (map.js). A node is shown when it matches
 * every filter set (a unit: the unit and the units below it) and, with a neighbourhood focus, lies within N links of the focused node
 * (either direction); hidden nodes take their edges and labels with them. A closed cluster is
 * shown when any of its members would be. The address may set them too:
 * ?kind=Measure&unit=T-W7&status=active&domain=safe&finding=any&state=concern&near=ID&steps=2
 */
(function () {
  "use strict";
  var qm = window.qmsgraphMap;
  var panel = document.getElementById("filters");
  if (!qm || !panel) { return; }
  var data = qm.data;
  var all = data.nodes;
  var FIELDS = ["kind", "unit", "status", "domain", "finding", "state"];
  var state = { kind: "", unit: "", status: "", domain: "", finding: "", state: "", near: "", steps: 1 };
  var status = document.getElementById("filter-count");

  function el(tag, text) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = String(text); }
    return e;
  }
  function name(id) { var n = qm.byId.get(id); return n ? n.info.name : id; }

  // ---------------------------------------------------------------- the choices on this map
  function fill(field, pairs, anyText) {
    var sel = document.getElementById("filter-" + field);
    if (!sel) { return; }
    sel.textContent = "";
    var o = el("option", anyText); o.value = ""; sel.appendChild(o);
    pairs.forEach(function (p) { var x = el("option", p[1]); x.value = p[0]; sel.appendChild(x); });
    sel.disabled = pairs.length === 0;
    sel.addEventListener("change", function () { state[field] = sel.value; apply(); });
  }
  function counted(get) {
    var m = new Map();
    all.forEach(function (n) { get(n).forEach(function (v) { if (v) { m.set(v, (m.get(v) || 0) + 1); } }); });
    return m;
  }
  function sorted(m, label) {
    return Array.from(m.keys()).sort(function (a, b) { return label(a) < label(b) ? -1 : 1; })
      .map(function (k) { return [k, label(k) + " (" + m.get(k) + ")"]; });
  }
  var kinds = counted(function (n) { return [n.info.rawKind]; });
  var kindName = {};
  all.forEach(function (n) { kindName[n.info.rawKind] = n.info.kind; });
  fill("kind", sorted(kinds, function (k) { return kindName[k]; }), "All kinds");
  fill("unit", sorted(counted(function (n) { return n.info.units || []; }), name), "All units");
  fill("status", sorted(counted(function (n) { return [n.info.status]; }), String), "Any status");
  fill("domain", sorted(counted(function (n) { return n.info.domains || []; }), String), "Any quality domain");
  var stateName = {};
  all.forEach(function (n) { stateName[n.info.state] = n.info.stateName; });
  fill("state", sorted(counted(function (n) { return [n.info.state]; }), function (k) { return stateName[k] || k; }), "Any state");
  var rules = counted(function (n) { return n.info.findings.map(function (f) { return f[1]; }); });
  var sev = counted(function (n) { return n.info.findings.length ? [n.info.findings[0][0]] : []; });
  var fpairs = [];
  var withAny = all.filter(function (n) { return n.info.findings.length; }).length;
  if (withAny) { fpairs.push(["any", "Any finding (" + withAny + ")"]); }
  ["error", "warning", "info"].forEach(function (s) { if (sev.has(s)) { fpairs.push(["sev:" + s, "Worst: " + s + " (" + sev.get(s) + ")"]); } });
  sorted(rules, String).forEach(function (p) { fpairs.push(["rule:" + p[0], p[1]]); });
  fill("finding", fpairs, "With or without findings");

  // ---------------------------------------------------------------- matching
  // a unit and the units below it (unitOf links on this map): a directorate's filter shows
  // its teams' work too
  var below = new Map();
  data.edges.forEach(function (e) {
    if (e[2] !== "unitOf") { return; }
    if (!below.has(e[1])) { below.set(e[1], []); }
    below.get(e[1]).push(e[0]);
  });
  var unitSet = null;
  function unitsUnder(u) {
    var seen = new Set([u]);
    var todo = [u];
    while (todo.length) {
      (below.get(todo.pop()) || []).forEach(function (c) { if (!seen.has(c)) { seen.add(c); todo.push(c); } });
    }
    return seen;
  }
  function inUnit(i) {
    return (i.units || []).some(function (u) { return unitSet.has(u); });
  }

  function matches(n) {
    var i = n.info;
    if (state.kind && i.rawKind !== state.kind) { return false; }
    if (state.unit && !inUnit(i)) { return false; }
    if (state.status && i.status !== state.status) { return false; }
    if (state.domain && (i.domains || []).indexOf(state.domain) < 0) { return false; }
    if (state.state && i.state !== state.state) { return false; }
    if (state.finding) {
      var f = i.findings;
      if (!f.length) { return false; }
      if (state.finding.indexOf("sev:") === 0 && f[0][0] !== state.finding.slice(4)) { return false; }
      if (state.finding.indexOf("rule:") === 0 &&
          !f.some(function (x) { return x[1] === state.finding.slice(5); })) { return false; }
    }
    return true;
  }

  function neighbourhood(start, steps) {
    var adj = new Map();
    data.edges.forEach(function (e) {
      if (!adj.has(e[0])) { adj.set(e[0], []); }
      if (!adj.has(e[1])) { adj.set(e[1], []); }
      adj.get(e[0]).push(e[1]);
      adj.get(e[1]).push(e[0]);
    });
    var seen = new Set([start]);
    var frontier = [start];
    for (var s = 0; s < steps; s++) {
      var next = [];
      frontier.forEach(function (a) {
        (adj.get(a) || []).forEach(function (b) { if (!seen.has(b)) { seen.add(b); next.push(b); } });
      });
      frontier = next;
    }
    return seen;
  }

  var shownIds = [];
  function active() {
    return !!state.near || FIELDS.some(function (f) { return state[f]; });
  }

  function apply(refit) {
    unitSet = state.unit ? unitsUnder(state.unit) : null;
    var near = state.near ? neighbourhood(state.near, state.steps) : null;
    var keep = new Set();
    all.forEach(function (n) {
      if (matches(n) && (!near || near.has(n.id))) { keep.add(n.id); }
    });
    if (near) { keep.add(state.near); }
    var upd = [];
    qm.nodes.getIds().forEach(function (id) {
      var c = qm.clusters.get(id);
      var show = c ? c.members.some(function (m) { return keep.has(m); }) : keep.has(id);
      upd.push({ id: id, hidden: !show });
    });
    qm.nodes.update(upd);
    shownIds = upd.filter(function (u) { return !u.hidden; }).map(function (u) { return u.id; });
    var words = active()
      ? "Showing " + keep.size + " of " + all.length + " items" +
        (state.near ? " within " + state.steps + " link(s) of " + name(state.near) : "") + "."
      : "Showing all " + all.length + " items.";
    status.textContent = words;
    panel.setAttribute("data-shown", String(keep.size));
    document.getElementById("filter-reset").disabled = !active();
    if (refit !== false && active() && shownIds.length) {
      qm.network.fit({ nodes: shownIds, animation: false });
      if (qm.arrowDetail) { qm.arrowDetail(); }
    } else if (refit !== false && !active()) {
      qm.fit();
    }
    return keep;
  }

  function focusNear(id, steps) {
    state.near = id;
    state.steps = steps || state.steps;
    var sel = document.getElementById("filter-steps");
    if (sel) { sel.value = String(state.steps); }
    apply();
  }

  function reset() {
    FIELDS.forEach(function (f) {
      state[f] = "";
      var sel = document.getElementById("filter-" + f);
      if (sel) { sel.value = ""; }
    });
    state.near = "";
    apply();
  }

  document.getElementById("filter-reset").addEventListener("click", reset);
  var steps = document.getElementById("filter-steps");
  steps.addEventListener("change", function () {
    state.steps = parseInt(steps.value, 10) || 1;
    if (state.near) { apply(); }
  });
  qm.onExpand.push(function () { if (active()) { apply(false); } });
  qm.detailActions.push(function (id, actions) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = "Show only its neighbourhood";
    b.addEventListener("click", function () { focusNear(id); });
    actions.appendChild(b);
  });
  qm.filter = function (f) {
    Object.keys(f || {}).forEach(function (k) {
      state[k] = f[k];
      var sel = document.getElementById("filter-" + k);
      if (sel) { sel.value = String(f[k]); }
    });
    return Array.from(apply());
  };
  qm.focusNear = focusNear;
  qm.resetFilters = reset;

  // from the address
  var q = new URLSearchParams(window.location.search);
  var fromUrl = {};
  FIELDS.forEach(function (f) { if (q.get(f)) { fromUrl[f] = q.get(f); } });
  if (q.get("near") && qm.byId.has(q.get("near"))) { fromUrl.near = q.get("near"); }
  if (q.get("steps")) { fromUrl.steps = Math.max(1, Math.min(5, parseInt(q.get("steps"), 10) || 1)); }
  if (Object.keys(fromUrl).length) { qm.filter(fromUrl); } else { apply(false); }
}());
