package org.irisseg.deploy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the Maven command a shell line or a Makefile target runs. */
final class BuildCommand {

    /** The one build command of the project (README, Makefile and Dockerfile). */
    static final String MAVEN_PACKAGE = "mvn -B -DskipTests package";

    private static final Pattern MVN = Pattern.compile("(?:^|[\\s;&|(])(mvn\\s[^;&|\\n]*)");
    private static final Pattern VARIABLE = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\s*(?:\\?=|:=|::=|=)\\s*(.*)$");
    private static final Pattern REFERENCE = Pattern.compile("\\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]");

    private BuildCommand() {
    }

    /** The first {@code mvn ...} command in a shell line, up to a command separator. */
    static Optional<String> mavenIn(String shell) {
        Matcher matcher = MVN.matcher(shell);
        return matcher.find() ? Optional.of(matcher.group(1).strip().replaceAll("\\s+", " ")) : Optional.empty();
    }

    /** Every Maven command in the recipe of {@code target}, with simple Makefile variables expanded. */
    static List<String> mavenInMakeTarget(String makefile, String target) {
        Map<String, String> variables = new HashMap<>();
        StringBuilder recipe = new StringBuilder();
        boolean inTarget = false;
        for (String line : makefile.replace("\\\n", " ").split("\n")) {
            Matcher variable = VARIABLE.matcher(line);
            if (!line.startsWith("\t") && variable.matches()) {
                variables.put(variable.group(1), variable.group(2).strip());
                inTarget = false;
            } else if (!line.startsWith("\t") && !line.isBlank()) {
                inTarget = line.matches("^" + Pattern.quote(target) + "\\s*:(?!=).*");
            } else if (inTarget && line.startsWith("\t")) {
                recipe.append(line.strip().replaceFirst("^[@+-]+", "")).append('\n');
            }
        }
        String expanded = expand(recipe.toString(), variables);
        return expanded.lines().map(BuildCommand::mavenIn).flatMap(Optional::stream).toList();
    }

    private static String expand(String text, Map<String, String> variables) {
        String current = text;
        for (int depth = 0; depth < 5; depth++) {
            Matcher matcher = REFERENCE.matcher(current);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                matcher.appendReplacement(out, Matcher.quoteReplacement(
                        variables.getOrDefault(matcher.group(1), matcher.group())));
            }
            matcher.appendTail(out);
            if (out.toString().equals(current)) {
                break;
            }
            current = out.toString();
        }
        return current;
    }
}
