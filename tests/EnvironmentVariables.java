import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * This JVM's own environment variables, changed for the length of one in-process command: the
 * AWS SDK and the kit read AWS_ENDPOINT_URL_*, AWS_ACCESS_KEY_ID or DB007_DB_PASSWORD from the
 * environment, and a JVM started for each such command costs seconds of CPU loading the SDK.
 * The command sees exactly what a JVM of its own would (the JVMs it starts inherit it too), and
 * none of the SDK's aws.* system properties, which outrank the environment and which a test may
 * have left set. Java offers no way to set a variable: the map behind System.getenv() is reached
 * by reflection, which the test JVM's --add-opens java.base/java.util allows (pom.xml).
 */
final class EnvironmentVariables {
    private EnvironmentVariables() {}

    static synchronized <T> T with(Map<String, String> vars, Supplier<T> body) {
        Map<String, String> env = writable();
        Map<String, String> before = new HashMap<>();
        for (String name : vars.keySet()) before.put(name, env.get(name));
        Properties sdk = new Properties();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("aws.")) sdk.setProperty(name, System.clearProperty(name));
        }
        try {
            // A null value unsets the variable for the command.
            vars.forEach((name, value) -> {
                if (value == null) env.remove(name);
                else env.put(name, value);
            });
            return body.get();
        } finally {
            before.forEach((name, value) -> {
                if (value == null) env.remove(name);
                else env.put(name, value);
            });
            for (String name : System.getProperties().stringPropertyNames()) {
                if (name.startsWith("aws.")) System.clearProperty(name);
            }
            sdk.forEach((name, value) -> System.setProperty((String) name, (String) value));
        }
    }

    /**
     * The modifiable map under System.getenv()'s read-only view: the same map ProcessBuilder
     * copies for every process this JVM starts.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, String> writable() {
        Map<String, String> view = System.getenv();
        try {
            Field inner = view.getClass().getDeclaredField("m");
            inner.setAccessible(true);
            return (Map<String, String>) inner.get(view);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new AssertionError("this JVM's environment cannot be changed: run the tests with --add-opens java.base/java.util=ALL-UNNAMED", e);
        }
    }
}
