package org.irisseg.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Dockerfile read into its instructions, grouped by build stage: comments dropped, backslash
 * continuations joined. Enough of the syntax for assertions, not a full parser.
 */
final class DockerfileInstructions {

    /** One instruction: upper-case keyword and its arguments as written. */
    record Instruction(String keyword, String arguments) {
    }

    /** A build stage: its name ({@code FROM ... AS name}, or null), base and instructions after FROM. */
    record Stage(String name, String base, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
        }
    }

    private final List<Instruction> global = new ArrayList<>();
    private final List<Stage> stages = new ArrayList<>();

    private DockerfileInstructions() {
    }

    static DockerfileInstructions parse(String text) {
        DockerfileInstructions parsed = new DockerfileInstructions();
        StringBuilder pending = new StringBuilder();
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            parsed.add(pending.toString().strip());
            pending.setLength(0);
        }
        if (!pending.isEmpty()) {
            parsed.add(pending.toString().strip());
        }
        return parsed;
    }

    private void add(String line) {
        if (line.isEmpty()) {
            return;
        }
        String[] parts = line.split("\\s+", 2);
        Instruction instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
        if (instruction.keyword().equals("FROM")) {
            String[] from = instruction.arguments().split("\\s+");
            String name = from.length >= 3 && from[from.length - 2].equalsIgnoreCase("AS") ? from[from.length - 1] : null;
            stages.add(new Stage(name, from[0], new ArrayList<>()));
        } else if (stages.isEmpty()) {
            global.add(instruction);
        } else {
            stages.get(stages.size() - 1).instructions().add(instruction);
        }
    }

    /** Instructions before the first FROM (global ARGs). */
    List<Instruction> global() {
        return global;
    }

    List<Stage> stages() {
        return stages;
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no stage named " + name));
    }

    /** The stage a plain {@code docker build} produces: the last one. */
    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }
}
