package org.irisseg.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.irisseg.support.IrisIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** Every API operation the application maps has its own audit action. */
class AuditActionsTest extends IrisIntegrationTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mappings;

    @Test
    void everyApiOperationHasItsOwnAction() {
        java.util.Set<String> actions = new java.util.HashSet<>();
        int operations = 0;
        for (var info : mappings.getHandlerMethods().keySet()) {
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/")) {
                    continue;
                }
                String path = pattern.replace("{id}", UUID.randomUUID().toString());
                for (RequestMethod method : info.getMethodsCondition().getMethods()) {
                    AuditActions.Match match = AuditActions.of(method.name(), path);
                    assertThat(match.action()).as("%s %s", method, pattern).isNotEqualTo(AuditActions.UNKNOWN);
                    actions.add(match.action());
                    operations++;
                }
            }
        }
        assertThat(actions).as("one action per operation").hasSize(operations);
        assertThat(actions).containsExactlyInAnyOrderElementsOf(AuditActions.all());
    }

    @Test
    void aTaskIdInThePathIsTakenFromItsSegment() {
        String id = UUID.randomUUID().toString();

        assertThat(AuditActions.of("POST", "/api/v1/tasks/" + id + "/references"))
                .isEqualTo(new AuditActions.Match("task.add-references", id));
        assertThat(AuditActions.of("DELETE", "/api/v1/tasks/" + id)).isEqualTo(new AuditActions.Match("task.delete", id));
        assertThat(AuditActions.of("PUT", "/api/v1/tasks/" + id).action()).isEqualTo(AuditActions.UNKNOWN);
        assertThat(AuditActions.of("OPTIONS", "/api/v1/tasks").action()).isEqualTo(AuditActions.PREFLIGHT);
    }
}
