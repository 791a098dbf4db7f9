package org.irisseg.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The helper that finds Maven commands in shell lines and Makefile recipes. */
class BuildCommandTest {

    @Test
    void findsTheMavenCommandUpToASeparator() {
        assertThat(BuildCommand.mavenIn("if [ x ]; then export A=1; fi;  mvn  -B -DskipTests package && ls"))
                .contains("mvn -B -DskipTests package");
        assertThat(BuildCommand.mavenIn("./mvnw verify")).isEmpty();
        assertThat(BuildCommand.mavenIn("echo no build")).isEmpty();
    }

    @Test
    void readsTheRecipeOfOneTargetWithVariablesExpanded() {
        String makefile = """
                MVN ?= mvn
                MVN_FLAGS := -B
                .PHONY: build test
                build: ## build the jar
                \t@$(MVN) $(MVN_FLAGS) -DskipTests package
                test: build
                \t$(MVN) $(MVN_FLAGS) verify
                """;

        assertThat(BuildCommand.mavenInMakeTarget(makefile, "build")).containsExactly("mvn -B -DskipTests package");
        assertThat(BuildCommand.mavenInMakeTarget(makefile, "test")).containsExactly("mvn -B verify");
        assertThat(BuildCommand.mavenInMakeTarget(makefile, "run")).isEmpty();
    }
}
