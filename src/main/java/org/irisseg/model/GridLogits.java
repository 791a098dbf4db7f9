package org.irisseg.model;

/**
 * The decoder's logits of K classes on the model grid ({@code grid_decoder.pt}, {@code [1, K, G, G, G]}):
 * K x G^3 values whatever the query's size, the form in which a request keeps all classes at once.
 *
 * @param classes K
 * @param grid    G
 * @param values  K x G^3 values, class after class, each in C order
 */
public record GridLogits(int classes, int grid, float[] values) {

    public GridLogits {
        if (classes < 1 || grid < 1 || values.length != (long) classes * grid * grid * grid) {
            throw new IllegalArgumentException(values.length + " logits for " + classes + " classes on a grid of " + grid);
        }
    }

    /** Values of one class's grid. */
    public long valuesPerClass() {
        return (long) grid * grid * grid;
    }
}
