package org.irisseg.task;

/** The {@code focus} test vector case: one focused pass in one box ({@link FocusVectorsCase}). */
class FocusVectorsTest extends FocusVectorsCase {

    @Override
    String caseName() {
        return "focus";
    }
}
