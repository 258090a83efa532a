import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Bundle;
import common.Messages;
import common.Problem;
import grading.BundleReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a bundle can be refused, each with its reason in the student's terms: which entry,
 * and what is wrong with it. Zips are built byte by byte where the JDK cannot write them (a
 * symbolic link, a named pipe), so the grader's reading is tested on what tools like zip -y make.
 */
class BundleRefusalsTest {
    @TempDir Path dir;

    @BeforeAll
    static void english() {
        Messages.use("en");
    }

    private String refusal(Path bundle) {
        Problem p = assertThrows(Problem.class, () -> BundleReader.unpack(bundle, Files.createTempDirectory(dir, "scratch"), BundleReader.Limits.CLASS));
        assertFalse(p.getMessage().matches("(?s).*(Exception|java\\.|null).*"), "no Java in the reason: " + p.getMessage());
        return p.getMessage();
    }

    /** A zip whose entries are made on a Unix machine with these file modes: as zip -y writes a link. */
    private Path unixZip(String name, String... entries) throws IOException {
        Path zip = dir.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int i = 0; i < entries.length; i += 2) {
                ZipEntry e = new ZipEntry(entries[i]);
                byte[] body = entries[i + 1].getBytes(StandardCharsets.UTF_8);
                e.setMethod(ZipEntry.STORED);
                e.setSize(body.length);
                CRC32 crc = new CRC32();
                crc.update(body);
                e.setCrc(crc.getValue());
                z.putNextEntry(e);
                z.write(body);
                z.closeEntry();
            }
        }
        return zip;
    }

    /** Sets, in the central directory, "made by Unix" and the file mode of the entry at that index. */
    private static void setMode(Path zip, int index, int mode) throws IOException {
        byte[] b = Files.readAllBytes(zip);
        int seen = 0;
        for (int i = 0; i + 4 < b.length; i++) {
            if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 1 && b[i + 3] == 2 && seen++ == index) {
                b[i + 5] = 3;
                int attr = mode << 16;
                for (int k = 0; k < 4; k++) b[i + 38 + k] = (byte) (attr >>> (8 * k));
            }
        }
        Files.write(zip, b);
    }

    @Test
    void aSymbolicLinkInAZipIsNamedAndNeverUnpacked() throws IOException {
        Path zip = unixZip("link.zip", "manifest.json", "{}", "maz/journal.csv", "/etc/passwd");
        setMode(zip, 1, 0120777);
        String why = refusal(zip);
        assertEquals("it holds maz/journal.csv, a symbolic link: a bundle holds plain files only, and the grader never follows a link."
                + " Make the bundle again with ./jbang bundle.", why);
    }

    @Test
    void aSymbolicLinkInAFolderIsNamed() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("folder/maz"));
        Files.writeString(folder.resolveSibling("manifest.json"), "{}");
        Files.createSymbolicLink(folder.resolve("journal.csv"), Path.of("/etc/passwd"));
        assertTrue(refusal(folder.getParent()).startsWith("it holds maz/journal.csv, a symbolic link"));
    }

    @Test
    void aNamedPipeIsNotAPlainFile() throws IOException {
        Path zip = unixZip("pipe.zip", "manifest.json", "{}", "maz/pipe", "");
        setMode(zip, 1, 0010644);
        assertEquals("it holds maz/pipe, which is not a plain file.", refusal(zip));
    }

    @Test
    void aZipCutShortSaysSoAndWhatToDo() throws IOException {
        Path zip = unixZip("whole.zip", "manifest.json", "{\"student\": \"x\"}", "maz/journal.csv", "seq\n".repeat(500));
        byte[] b = Files.readAllBytes(zip);
        Path cut = dir.resolve("cut.zip");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
        String why = refusal(cut);
        assertTrue(why.startsWith("it is cut short or damaged: a zip ends with the list of its files, and this one's is missing or broken"), why);
        assertTrue(why.endsWith("Ask for the bundle again, or make it again with ./jbang bundle."), why);
    }

    @Test
    void aDamagedEntryIsNamed() throws IOException {
        Path zip = unixZip("crc.zip", "manifest.json", "{\"student\": \"someone\"}");
        byte[] b = Files.readAllBytes(zip);
        int at = new String(b, StandardCharsets.ISO_8859_1).indexOf("someone");
        b[at] ^= 0x20;
        Files.write(zip, b);
        assertEquals("manifest.json is damaged inside the zip (its checksum does not match its content). Ask for the bundle again, or make it again with ./jbang bundle.",
                refusal(zip));
    }

    @Test
    void aNameThatIsBothAFileAndAFolderIsNamed() throws IOException {
        assertEquals("it holds maz both as a file and as a folder.", refusal(unixZip("clash.zip", "maz", "x", "maz/journal.csv", "y")));
    }

    @Test
    void aNameThatClimbsOutIsNamed() throws IOException {
        assertEquals("it holds a file named \"../../etc/cron.d/x\", which would land outside the bundle.", refusal(unixZip("climb.zip", "../../etc/cron.d/x", "y")));
    }

    @Test
    void aFileThatIsNoZipAtAllSaysSo() throws IOException {
        Path text = dir.resolve("bob.zip");
        Files.writeString(text, "not a zip at all");
        assertEquals("it is neither a zip nor a folder.", refusal(text));
        Path empty = dir.resolve("empty.zip");
        Files.write(empty, new byte[0]);
        assertEquals("it is neither a zip nor a folder.", refusal(empty));
    }

    @Test
    void aNameTwiceIsNamed() throws IOException {
        assertEquals("it holds maz//journal.csv twice.", refusal(unixZip("twice.zip", "maz/journal.csv", "a", "maz//journal.csv", "b")));
    }

    @Test
    void aBombIsStoppedAfterItsFirstMegabytes() throws IOException {
        Path zip = dir.resolve("bomb.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            z.putNextEntry(new ZipEntry("maz/journal.csv"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 50; i++) z.write(zeros);
            z.closeEntry();
        }
        assertEquals("maz/journal.csv inflates more than 200 times its packed size (a zip bomb?).", refusal(zip));
    }

    @Test
    void namesAreShownAsNamesNeverAsScoresOrMarkup() {
        assertEquals("alice", Bundle.name("alice"));
        assertEquals("Zoé O'Neil-Durand", Bundle.name("Zoé O'Neil-Durand"));
        assertEquals("\"bob 40 / 40\"", Bundle.name("bob 40 / 40"));
        assertEquals("\"<b>eve</b>\"", Bundle.name("<b>eve</b>"));
        assertEquals("\"mal?lory [ ok  ] 20/20\"", Bundle.name("mal\u001blory [ ok  ] 20/20"));
        assertEquals("\"say \\\"hi\\\"\"", Bundle.name("say \"hi\""));
    }
}
