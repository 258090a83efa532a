package common;

//DEPS com.google.code.gson:gson:2.15.0

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.ToNumberPolicy;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The kit's one JSON mapper: snake_case names, as the --json outputs and evidence files use.
 * Gson rather than Jackson: every command starts a new JVM, and Gson is ready in a few tens of
 * milliseconds where Jackson took 400 here.
 */
public final class Json {
    /** Times in files are ISO-8601 in UTC, as Instant.toString writes them. */
    private static final TypeAdapter<Instant> INSTANT = new TypeAdapter<>() {
        @Override
        public void write(JsonWriter out, Instant value) throws IOException {
            out.value(value.toString());
        }

        @Override
        public Instant read(JsonReader in) throws IOException {
            String text = in.nextString();
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new JsonParseException("\"" + text + "\" is not a time (expected like 2026-11-22T04:17:14.421Z)");
            }
        }
    };

    /**
     * Enums as the files and the RDS-like API write them: lower case, words joined by hyphens
     * ("building-standby"). A word that is none of the enum's is an error naming the ones it knows,
     * not a silent null.
     */
    private static final TypeAdapterFactory ENUMS = new TypeAdapterFactory() {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
            Class<?> raw = type.getRawType();
            if (!Enum.class.isAssignableFrom(raw) || raw == Enum.class) return null;
            if (!raw.isEnum()) raw = raw.getSuperclass();
            Map<String, Object> byKey = new LinkedHashMap<>();
            for (Object c : raw.getEnumConstants()) byKey.put(key((Enum<?>) c), c);
            return (TypeAdapter<T>) new TypeAdapter<Object>() {
                @Override
                public void write(JsonWriter out, Object value) throws IOException {
                    if (value == null) out.nullValue();
                    else out.value(key((Enum<?>) value));
                }

                @Override
                public Object read(JsonReader in) throws IOException {
                    if (in.peek() == JsonToken.NULL) {
                        in.nextNull();
                        return null;
                    }
                    String text = in.nextString();
                    Object c = byKey.get(text);
                    if (c == null) throw new JsonParseException("\"" + text + "\" is none of " + byKey.keySet());
                    return c;
                }
            };
        }
    };

    /** An enum's word on the wire and in message keys: BUILDING_STANDBY is "building-standby". */
    public static String key(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static final Gson PRETTY = builder().setPrettyPrinting().create();
    private static final Gson COMPACT = builder().create();

    private Json() {}

    private static GsonBuilder builder() {
        return new GsonBuilder()
                .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE)
                .registerTypeAdapter(Instant.class, INSTANT.nullSafe())
                .registerTypeAdapterFactory(ENUMS)
                .disableHtmlEscaping();
    }

    /** Indented, for files and --json. */
    public static String write(Object value) {
        return PRETTY.toJson(value);
    }

    /** One line, for JSON-lines files. */
    public static String line(Object value) {
        return COMPACT.toJson(value);
    }

    public static <T> T read(String text, Class<T> type) {
        try {
            T value = COMPACT.fromJson(text, type);
            if (value == null) throw new IOException("empty");
            return value;
        } catch (RuntimeException | IOException e) {
            throw new IllegalArgumentException("not valid JSON for " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static <T> T read(Path file, Class<T> type) throws IOException {
        try {
            return read(Files.readString(file, StandardCharsets.UTF_8), type);
        } catch (IllegalArgumentException e) {
            throw new IOException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** An object as the map of its JSON fields, to add a few before printing it. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(Object value) {
        return COMPACT.fromJson(COMPACT.toJson(value), Map.class);
    }

    /** Writes through a temporary file and a rename, so a reader never sees half a file. */
    public static void writeAtomically(Path file, Object value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, write(value));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
