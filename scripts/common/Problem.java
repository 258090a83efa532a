package common;

//SOURCES Messages.java

/**
 * Something the student can act on: a message key with its arguments, and the exit code
 * it ends with (1 a check failed, 2 bad usage or environment). Printed without a stack trace.
 */
public class Problem extends RuntimeException {
    public static final int CHECK_FAILED = 1;
    public static final int USAGE = 2;

    private final int exitCode;
    private final String key;
    private final Object[] args;

    public Problem(int exitCode, String key, Object... args) {
        this(exitCode, null, key, args);
    }

    public Problem(int exitCode, Throwable cause, String key, Object... args) {
        super(key, cause);
        this.exitCode = exitCode;
        this.key = key;
        this.args = args;
    }

    public static Problem environment(String key, Object... args) { return new Problem(USAGE, key, args); }

    public static Problem failed(String key, Object... args) { return new Problem(CHECK_FAILED, key, args); }

    public int exitCode() { return exitCode; }

    @Override
    public String getMessage() { return Messages.get(key, args); }
}
