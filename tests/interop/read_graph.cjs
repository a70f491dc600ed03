// Read a graph export with the tools' own JavaScript readers and print what they kept, as JSON:
//   node read_graph.cjs graphml|gexf|cyjs FILE
// graphml: graphology-graphml (Sigma.js, Gephi Lite); gexf: graphology-gexf (Gephi Lite);
// cyjs: cytoscape.js (headless). Modules come from NODE_PATH (scripts/interop.sh installs them).
"use strict";
const fs = require("fs");
const [fmt, file] = process.argv.slice(2);
const text = fs.readFileSync(file, "utf-8");
const out = { nodes: {}, edges: {} };

if (fmt === "graphml" || fmt === "gexf") {
  const Graph = require("graphology");
  const reader = fmt === "graphml" ? require("graphology-graphml") : require("graphology-gexf");
  const g = reader.parse(Graph, text, { allowUndeclaredAttributes: false, addMissingNodes: false });
  g.forEachNode((id, attrs) => { out.nodes[id] = attrs; });
  g.forEachEdge((id, attrs, source, target) => {
    if (id in out.edges) throw new Error("edge id read twice: " + id);
    out.edges[id] = { source, target, attrs };
  });
  out.multi = g.multi;
  out.type = g.type;
} else if (fmt === "cyjs") {
  const cytoscape = require("cytoscape");
  const doc = JSON.parse(text);
  const cy = cytoscape({ headless: true, elements: doc.elements });
  cy.nodes().forEach((n) => { out.nodes[n.id()] = n.data(); });
  cy.edges().forEach((e) => {
    out.edges[e.id()] = { source: e.source().id(), target: e.target().id(), attrs: e.data() };
  });
} else {
  throw new Error("unknown format " + fmt);
}
process.stdout.write(JSON.stringify(out));
