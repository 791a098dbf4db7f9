package org.irisseg.task;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.json.JsonMapper;

/**
 * Runs in a child JVM under a file-size limit ({@code prlimit --fsize}): opens the store at
 * {@code args[0]} and tries one change that needs a file over the limit, then prints what happened.
 * Exit 0: the store refused with {@link TaskStoreException}; 1: it claimed success; 2: anything else.
 *
 * <pre>
 *   grow &lt;root&gt; &lt;task id&gt;   adds 40 references to the task (its file outgrows the limit)
 *   keep &lt;root&gt; &lt;bytes&gt;     keeps a reference file of that many bytes
 * </pre>
 */
final class LimitedStoreWriter {

    private LimitedStoreWriter() {
    }

    public static void main(String[] args) {
        try {
            FileTaskStore store = new FileTaskStore(Path.of(args[1]), JsonMapper.builder().build());
            switch (args[0]) {
                case "grow" -> store.save(grown(store.find(args[2]).orElseThrow()));
                case "keep" -> store.putReferenceFile(new ByteArrayInputStream(new byte[Integer.parseInt(args[2])]));
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("stored");
            System.exit(1);
        } catch (TaskStoreException e) {
            System.out.println("refused: " + e.getMessage());
            System.exit(0);
        } catch (RuntimeException e) {
            e.printStackTrace(System.out);
            System.exit(2);
        }
    }

    private static Task grown(Task task) {
        List<TaskReference> added = new ArrayList<>();
        int next = task.references().size();
        for (TaskReference r : TaskFixtures.task(40, 256, 99).references()) {
            added.add(new TaskReference(next++, r.imageSha256(), r.maskSha256(), r.shape(),
                    task.modelVersion(), r.embeddings()));
        }
        return task.withReferences(added);
    }
}
