// Read a GraphML file with JGraphT's validating importer (XSD validation on) and print
// {"nodes": N, "edges": M, "edge_attrs": {"kind": K, ...}} on stdout; exit 1 if it refuses.
// Run as a single-file program: java -cp <interop classpath> ReadGraphML.java FILE
import java.io.File;
import java.util.Map;
import java.util.TreeMap;
import org.jgrapht.Graph;
import org.jgrapht.graph.DirectedPseudograph;
import org.jgrapht.nio.graphml.GraphMLImporter;

public class ReadGraphML {
    public static void main(String[] args) throws Exception {
        int[] counter = {0};
        Graph<String, String> g = new DirectedPseudograph<>(() -> null, () -> "edge-" + (counter[0]++), false);
        GraphMLImporter<String, String> importer = new GraphMLImporter<>();
        importer.setSchemaValidation(true);
        importer.setVertexFactory(id -> id);
        Map<String, Integer> edgeAttrs = new TreeMap<>();
        Map<String, Integer> nodeAttrs = new TreeMap<>();
        importer.addEdgeAttributeConsumer((p, a) -> edgeAttrs.merge(p.getSecond(), 1, Integer::sum));
        importer.addVertexAttributeConsumer((p, a) -> nodeAttrs.merge(p.getSecond(), 1, Integer::sum));
        try {
            importer.importGraph(g, new File(args[0]));
        } catch (Exception e) {
            System.err.println("JGraphT refused the file: " + e.getMessage());
            System.exit(1);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("{\"nodes\": ").append(g.vertexSet().size());
        sb.append(", \"edges\": ").append(g.edgeSet().size());
        sb.append(", \"node_attrs\": ").append(json(nodeAttrs));
        sb.append(", \"edge_attrs\": ").append(json(edgeAttrs)).append("}");
        System.out.println(sb);
    }

    static String json(Map<String, Integer> m) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Integer> e : m.entrySet()) {
            if (sb.length() > 1) sb.append(", ");
            sb.append('"').append(e.getKey().replace("\"", "\\\"")).append("\": ").append(e.getValue());
        }
        return sb.append("}").toString();
    }
}
