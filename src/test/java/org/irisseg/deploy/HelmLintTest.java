package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** {@code helm lint --strict} on the chart, through helm-java's bundled Helm. */
class HelmLintTest {

    @Test
    void chartPassesStrictLint() {
        LintResult result = new Helm(RenderedChart.CHART).lint().strict().call();

        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }
}
