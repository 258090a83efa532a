package recovery;

//SOURCES ../common/Evidence.java Drill.java

import common.Evidence;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What exercise 5's stronger design measured (./jbang pra5), as pra5.json in its own evidence
 * folder: the same disaster made worse (the backup volume lost too), and what the design still
 * saved, beside the drill's figures for the workshop's own design ("before", when it ran).
 */
public record Design(String verdict, int backupEverySeconds, long acknowledgedMessages, long lostMessages, Double rpoSeconds,
                     Double rtoSeconds, boolean survivedLossOfBackupVolume, String offsite, int offsiteCopies, long offsiteLagMsMax,
                     String restoredFrom, long alertFiredAfterMs, boolean restoreTestPassed, Drill before) {
    public static final String FILE = "pra5.json";

    public void write(Evidence evidence) throws IOException {
        evidence.write(FILE, this);
    }

    public static Design read(Path evidence) throws IOException {
        return Evidence.read(evidence, FILE, Design.class);
    }
}
