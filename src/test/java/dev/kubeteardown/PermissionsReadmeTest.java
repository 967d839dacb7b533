package dev.kubeteardown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The README's Permissions section shows the very roles {@code LeastPrivilegeIT} applies: every file of {@code
 * src/test/resources/rbac/} appears there verbatim as a YAML block, so a verb changed in one place and not the other
 * fails here.
 */
class PermissionsReadmeTest {

    private static final Path RBAC = Paths.get("src", "test", "resources", "rbac");

    @Test
    @DisplayName("every role the least-privilege test applies is in the README verbatim, under its file name")
    void readmeShowsEveryRoleVerbatim() throws IOException {
        String readme = Files.readString(Paths.get("README.md"), StandardCharsets.UTF_8);
        String permissions =
                readme.substring(readme.indexOf("\n## Permissions\n"), readme.indexOf("\n## Guarantees\n"));
        List<Path> files;
        try (Stream<Path> listed = Files.list(RBAC)) {
            files = listed.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(6, files.size(), files.toString());
        for (Path file : files) {
            String yaml = Files.readString(file, StandardCharsets.UTF_8);
            assertTrue(
                    permissions.contains("`" + file.getFileName() + "`:\n```yaml\n" + yaml + "```\n"),
                    file.getFileName() + " is not in the README's Permissions section as it is in " + RBAC);
        }
    }
}
