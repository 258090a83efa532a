import java.io.IOException;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts the shared workshop (tests/Workshop) as a whole test run begins, in a JVM of its own,
 * so that it is ready when the classes that read it come. A run of chosen classes (-Dtest=…)
 * starts it only if one of them asks for it. Registered in META-INF/services.
 */
public class WorkshopEarly implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (System.getProperty("test") != null) return;
        try {
            Workshop.start();
        } catch (IOException e) {
            // The first class that reads it starts it again and says why it cannot.
            System.err.println("the shared workshop could not be started early: " + e);
        }
    }
}
