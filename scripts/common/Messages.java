package common;

//DEPS info.picocli:picocli:4.7.7
//FILES common/messages.properties=messages.properties
//FILES common/messages_fr.properties=messages_fr.properties

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * The one message bundle of the kit: every text a student reads, in English and French.
 * The language comes from {@code --lang}, else DB007_LANG, else the locale.
 * The same bundle localises picocli's --help, through keys prefixed by the command name.
 */
public final class Messages {
    /**
     * The English file is the root bundle: English asks for it alone, and no language ever falls
     * back to the JVM's default locale. Asking for a messages_en that does not exist would search
     * every jar of the class path, a tenth of a second at every command.
     */
    private static final ResourceBundle.Control ROOT_IS_ENGLISH = new ResourceBundle.Control() {
        @Override
        public List<String> getFormats(String baseName) {
            return FORMAT_PROPERTIES;
        }

        @Override
        public List<Locale> getCandidateLocales(String baseName, Locale locale) {
            return locale.getLanguage().equals("fr") ? List.of(Locale.FRENCH, Locale.ROOT) : List.of(Locale.ROOT);
        }

        @Override
        public Locale getFallbackLocale(String baseName, Locale locale) {
            return null;
        }
    };

    private static Locale locale = fromEnvironment();
    private static ResourceBundle bundle = load(locale);

    private Messages() {}

    /** Picks the language before picocli parses, so that --help is already localised. */
    public static void chooseFrom(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String lang = null;
            if (args[i].equals("--lang") && i + 1 < args.length) lang = args[i + 1];
            else if (args[i].startsWith("--lang=")) lang = args[i].substring("--lang=".length());
            if (lang != null) use(lang);
        }
    }

    public static void use(String language) {
        locale = language.toLowerCase(Locale.ROOT).startsWith("fr") ? Locale.FRENCH : Locale.ENGLISH;
        bundle = load(locale);
    }

    public static boolean french() { return locale.getLanguage().equals("fr"); }

    public static ResourceBundle bundle() { return bundle; }

    public static String get(String key, Object... args) {
        // String.format patterns, as picocli's own bundle texts use (%n, %s): one syntax in the files.
        String pattern = bundle.containsKey(key) ? bundle.getString(key) : key;
        return String.format(locale, pattern, args);
    }

    /** A duration in seconds to a tenth, with the language's decimal separator (12,3 in French): one way in every text. */
    public static String seconds(double s) {
        return String.format(locale, "%.1f", s);
    }

    /** A stopwatch's reading, to the millisecond: "1.234 s" (or "1,234 s" in French). */
    public static String stopwatch(long millis) {
        return String.format(locale, "%.3f s", millis / 1000.0);
    }

    /** A time as students read it on screen: UTC, to the millisecond. Files keep full ISO-8601. */
    public static String clock(Instant t) {
        return CLOCK.format(t);
    }

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private static Locale fromEnvironment() {
        String env = System.getenv("DB007_LANG");
        if (env == null || env.isBlank()) {
            for (String name : new String[] {"LC_ALL", "LC_MESSAGES", "LANG"}) {
                String v = System.getenv(name);
                if (v != null && !v.isBlank()) { env = v; break; }
            }
        }
        if (env == null || env.isBlank()) env = Locale.getDefault().getLanguage();
        return env.toLowerCase(Locale.ROOT).startsWith("fr") ? Locale.FRENCH : Locale.ENGLISH;
    }

    private static ResourceBundle load(Locale l) {
        return ResourceBundle.getBundle("common.messages", l, ROOT_IS_ENGLISH);
    }
}
