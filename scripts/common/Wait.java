package common;

import java.time.Duration;
import java.time.Instant;

/**
 * The one way the kit waits: for what, for how long at most, and how often it looks. A wait
 * that runs out says what it waited for and how long; a step turns that into a message for the
 * student, a test into its failure.
 */
public final class Wait {
    private Wait() {}

    /** A look at the thing awaited: null or false while it is not there yet. */
    @FunctionalInterface
    public interface Check<T, E extends Exception> {
        T now() throws E;
    }

    /** The time ran out. The message says what was awaited and for how long. */
    public static final class TimedOut extends RuntimeException {
        private final transient Duration timeout;

        TimedOut(String what, Duration timeout) {
            super("waited " + timeout.toMillis() + " ms for " + what, null, false, false);
            this.timeout = timeout;
        }

        public Duration timeout() {
            return timeout;
        }
    }

    /**
     * Looks every {@code every} until the check answers (anything but null or false) and returns
     * that answer; throws {@link TimedOut} once {@code timeout} has passed with no answer. The
     * check's own exceptions go through: a wait never hides why a look failed.
     */
    public static <T, E extends Exception> T until(String what, Duration timeout, Duration every, Check<T, E> check) throws E {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T answer = check.now();
            if (answer != null && !Boolean.FALSE.equals(answer)) return answer;
            if (!Instant.now().isBefore(deadline)) throw new TimedOut(what, timeout);
            pause(every);
            if (Thread.currentThread().isInterrupted()) throw new java.util.concurrent.CancellationException("interrupted while waiting for " + what);
        }
    }

    /** The same, for a caller that decides what a timeout means: false when the time ran out. */
    public static <E extends Exception> boolean within(Duration timeout, Duration every, Check<Boolean, E> check) throws E {
        try {
            return until("a condition", timeout, every, check);
        } catch (TimedOut e) {
            return false;
        }
    }

    /** Sleeps; an interrupt ends the pause early and stays set for the caller to see. */
    public static void pause(Duration d) {
        try {
            Thread.sleep(Math.max(0, d.toMillis()), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void pause(long millis) {
        pause(Duration.ofMillis(millis));
    }
}
