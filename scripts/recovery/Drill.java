package recovery;

//SOURCES ../common/Evidence.java

import common.Evidence;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What the unattended drill (./jbang pra) measured, as drill.json in its own evidence folder:
 * the client's acknowledged messages against what the restore brought back, with the restore's
 * RPO and RTO (Restore's definitions) and the pod crash's outage. Exercise 5 compares against it.
 */
public record Drill(String verdict, String target, long acknowledgedMessages, long restoredMessages, long lostMessages,
                    long unansweredInData, Long lostMessagesInAppLog, Double rpoSeconds, Double rtoSeconds, String restoredFrom,
                    String backupTime, String disasterAt, long podCrashUnavailableMs, int backupEverySeconds) {
    public static final String FILE = "drill.json";

    public void write(Evidence evidence) throws IOException {
        evidence.write(FILE, this);
    }

    /** The drill of an evidence folder, or null when it has not run there. */
    public static Drill read(Path evidence) throws IOException {
        return Evidence.read(evidence, FILE, Drill.class);
    }
}
