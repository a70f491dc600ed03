// Import a GraphML or GEXF file with the Gephi toolkit (Gephi's own importers) and print
// {"nodes": N, "edges": M, "issues": [...], "node_columns": [...], "edge_columns": [...]}.
// Run as a single-file program: java -cp gephi-toolkit-all.jar ReadGephi.java FILE
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.gephi.graph.api.Column;
import org.gephi.graph.api.DirectedGraph;
import org.gephi.graph.api.GraphController;
import org.gephi.graph.api.GraphModel;
import org.gephi.io.importer.api.Container;
import org.gephi.io.importer.api.EdgeDirectionDefault;
import org.gephi.io.importer.api.EdgeMergeStrategy;
import org.gephi.io.importer.api.ImportController;
import org.gephi.io.importer.api.Issue;
import org.gephi.io.processor.plugin.DefaultProcessor;
import org.gephi.project.api.ProjectController;
import org.gephi.project.api.Workspace;
import org.openide.util.Lookup;

public class ReadGephi {
    public static void main(String[] args) throws Exception {
        ProjectController pc = Lookup.getDefault().lookup(ProjectController.class);
        pc.newProject();
        Workspace workspace = pc.getCurrentWorkspace();
        ImportController importer = Lookup.getDefault().lookup(ImportController.class);
        Container container = importer.importFile(new File(args[0]));
        if (container == null) {
            System.err.println("Gephi could not import " + args[0]);
            System.exit(1);
        }
        container.getLoader().setEdgeDefault(EdgeDirectionDefault.DIRECTED);
        container.getLoader().setAllowAutoNode(false);
        if (args.length > 1 && args[1].equals("--no-merge")) {  // the import dialog's "Don't merge"
            container.getLoader().setEdgesMergeStrategy(EdgeMergeStrategy.NO_MERGE);
        }
        List<String> issues = new ArrayList<>();
        java.util.Iterator<Issue> it = container.getReport().getIssues(100000);
        while (it.hasNext()) {
            Issue issue = it.next();
            issues.add(issue.getLevel() + ": " + issue.getMessage());
        }
        importer.process(container, new DefaultProcessor(), workspace);
        GraphModel model = Lookup.getDefault().lookup(GraphController.class).getGraphModel(workspace);
        DirectedGraph g = model.getDirectedGraph();
        StringBuilder sb = new StringBuilder();
        sb.append("{\"nodes\": ").append(g.getNodeCount());
        sb.append(", \"edges\": ").append(g.getEdgeCount());
        sb.append(", \"issues\": ").append(strings(issues));
        sb.append(", \"node_columns\": ").append(columns(model.getNodeTable()));
        sb.append(", \"edge_columns\": ").append(columns(model.getEdgeTable())).append("}");
        System.out.println(sb);
        System.exit(0);
    }

    static String columns(org.gephi.graph.api.Table table) {
        List<String> out = new ArrayList<>();
        for (Column c : table) {
            out.add(c.getTitle());
        }
        return strings(out);
    }

    static String strings(List<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (String s : items) {
            if (sb.length() > 1) sb.append(", ");
            sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")
                                   .replace("\n", " ")).append('"');
        }
        return sb.append("]").toString();
    }
}
