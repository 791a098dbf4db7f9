package org.irisseg.support;

import java.nio.file.Path;
import java.util.List;

/** Hippocampus subjects of the shared data used by tests (MSD Task04 naming). */
public final class Hippocampus {

    /**
     * Reference subjects of test tasks: from the 40 subjects that training holds out
     * ({@code irisseg.data.splits.hippocampus_validation}).
     */
    public static final List<String> REFERENCES = List.of("hippocampus_011", "hippocampus_026", "hippocampus_041");

    /** Query subjects, held out of training as well, disjoint from the references. */
    public static final List<String> QUERIES = List.of("hippocampus_048", "hippocampus_056", "hippocampus_068",
            "hippocampus_074", "hippocampus_089");

    public static final String LABELS = "{\"1\":\"anterior\",\"2\":\"posterior\"}";

    private Hippocampus() {
    }

    public static Path image(String subject) {
        return TestPaths.hippocampusImage(subject);
    }

    public static Path label(String subject) {
        return TestPaths.hippocampusLabel(subject);
    }

    /** A registration form with the given reference subjects. */
    public static Multipart taskForm(String name, List<String> subjects) {
        Multipart form = Multipart.form().field("name", name).field("labels", LABELS);
        for (String subject : subjects) {
            form.file("references", image(subject)).file("masks", label(subject));
        }
        return form;
    }
}
