package org.irisseg.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload spool: private, and what a killed process left is removed, what a running one holds is not. */
class UploadSpoolTest {

    @TempDir
    Path root;

    /** What a process killed during an upload leaves: its folder, an unlocked lock file, a spooled part. */
    static Path leftoverOfAKilledProcess(Path spool) throws IOException {
        Path dir = Files.createDirectories(spool.resolve("6f1c2a9e-0000-4000-8000-00000000dead"));
        Files.createFile(spool.resolve(dir.getFileName() + ".lock"));
        Path part = dir.resolve("upload_3a9d_00000001.tmp");
        Files.write(part, new byte[8 << 20]);
        return part;
    }

    @Test
    void aPartLeftByAKilledProcessIsRemovedAtStartUp() throws IOException {
        Path part = leftoverOfAKilledProcess(root);
        Path stray = Files.writeString(root.resolve("upload_stray.tmp"), "spooled by an older version");

        try (UploadSpool spool = UploadSpool.open(root)) {
            assertFalse(Files.exists(part));
            assertFalse(Files.exists(part.getParent()));
            assertFalse(Files.exists(stray));
            assertEquals(3, spool.swept());
        }
    }

    @Test
    void theFolderOfARunningProcessIsLeftAlone() throws IOException {
        try (UploadSpool running = UploadSpool.open(root)) {
            Path inFlight = Files.writeString(running.dir().resolve("upload_in_flight.tmp"), "being uploaded");

            try (UploadSpool starting = UploadSpool.open(root)) {
                assertTrue(Files.exists(inFlight));
                assertFalse(starting.dir().equals(running.dir()));
            }
        }
    }

    @Test
    void theSpoolAndItsFilesArePrivate() throws IOException {
        try (UploadSpool spool = UploadSpool.open(root.resolve("spool"))) {
            Path file = spool.newFile("kept-", ".nii.gz");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(spool.root())));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(spool.dir())));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    void closingRemovesTheProcessFolder() throws IOException {
        UploadSpool spool = UploadSpool.open(root);
        Files.writeString(spool.dir().resolve("left"), "x");
        spool.close();
        assertFalse(Files.exists(spool.dir()));
        try (var entries = Files.list(root)) {
            assertEquals(0, entries.count());
        }
    }
}
