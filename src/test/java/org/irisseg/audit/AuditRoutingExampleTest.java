package org.irisseg.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;

/** The README's Logback example routes the audit lines, bare, to their own file and nothing else there. */
class AuditRoutingExampleTest {

    @Test
    void theReadmeExampleWritesBareAuditLinesToTheirOwnFile(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```xml\n<configuration>");
        String xml = readme.substring(readme.indexOf('\n', start) + 1, readme.indexOf("```", start + 6))
                .replace("/var/log/iris", dir.toString());
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));

        String line = "{\"requestId\":\"r-1\",\"action\":\"task.list\",\"status\":200}";
        context.getLogger(AuditFilter.LOGGER).info(line);
        context.getLogger("org.irisseg.task.TaskService").info("an application line");
        List<Status> errors = context.getStatusManager().getCopyOfStatusList().stream()
                .filter(status -> status.getLevel() >= Status.WARN).toList();
        context.stop();

        assertThat(errors).isEmpty();
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).isEqualTo(List.of(line));
    }
}
