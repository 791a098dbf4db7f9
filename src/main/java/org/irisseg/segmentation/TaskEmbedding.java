package org.irisseg.segmentation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a mode chose for one query: one task embedding per class and the references it came from.
 *
 * @param embeddings     {@code [K][E]}, in class order
 * @param referencesUsed label -> 0-based indices of the reference embeddings behind that class's embedding,
 *                       one entry per class, in class order
 */
public record TaskEmbedding(float[][] embeddings, Map<Integer, List<Integer>> referencesUsed) {

    public TaskEmbedding {
        if (embeddings.length == 0 || embeddings.length != referencesUsed.size()) {
            throw new IllegalArgumentException(embeddings.length + " embeddings for " + referencesUsed.size()
                    + " classes");
        }
        embeddings = embeddings.clone();
        Map<Integer, List<Integer>> copy = new LinkedHashMap<>();
        referencesUsed.forEach((label, indices) -> {
            if (indices.isEmpty()) {
                throw new IllegalArgumentException("Class " + label + " has an embedding from no reference");
            }
            copy.put(label, List.copyOf(indices));
        });
        referencesUsed = Collections.unmodifiableMap(copy);
    }
}
