package common;

//SOURCES Json.java Messages.java

// What every report includes: the style and the drawing helpers.
//FILES common/report-draw.js=report-draw.js
//FILES common/report.css=report.css

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kit's HTML reports share one way of being made: a template kept as a resource beside the
 * code that fills it (HTML, style and the script that draws, in one file), its text slots filled
 * with escaped text, and its figures embedded as JSON that the page's own script draws from. The
 * result is one file that needs no network, opens in any browser, and prints.
 *
 * In a template, {@code {{name}}} is a text slot, {@code {{json:id}}} becomes
 * {@code <script type="application/json" id="id">} (a reader such as the grader finds the figures
 * there), and {@code {{include:file}}} inlines another resource as it is: the drawing helpers
 * and the style the reports share.
 */
public final class Report {
    private static final Pattern SLOT = Pattern.compile("\\{\\{(json:|include:)?([a-z0-9.-]+)}}");

    private Report() {}

    /** The template of that name, from the classpath (JBang's //FILES, or the build's resources). */
    public static String template(String resource) {
        try (InputStream in = Report.class.getResourceAsStream("/" + resource)) {
            if (in == null) throw new IllegalStateException("the kit's build lacks " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The template with every slot filled: texts escaped, data as JSON; a slot with no value is a mistake, not an empty string. */
    public static String fill(String template, Map<String, String> texts, Map<String, Object> data) {
        Matcher m = SLOT.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(2);
            String value;
            if ("include:".equals(m.group(1))) {
                value = template("common/" + name);
            } else if (m.group(1) != null) {
                if (!data.containsKey(name)) throw new IllegalArgumentException("no data for " + name);
                value = "<script type=\"application/json\" id=\"" + name + "\">" + json(data.get(name)) + "</script>";
            } else {
                if (!texts.containsKey(name)) throw new IllegalArgumentException("no text for " + name);
                value = escape(texts.get(name));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * JSON that cannot end its script element early, whatever a string in it holds: "<" appears
     * in JSON only inside strings, where \u003c means the same.
     */
    public static String json(Object value) {
        return Json.line(value).replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }

    /** The JSON a report embeds under that id, as its reader (the grader) finds it; null when there is none. */
    public static String embedded(String html, String id) {
        Matcher m = Pattern.compile("(?s)<script type=[\"']application/json[\"'] id=[\"']" + Pattern.quote(id) + "[\"']>(.*?)</script>").matcher(html);
        return m.find() ? m.group(1).replace("<\\/", "</") : null;
    }

    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    /** The texts every report needs in its reader's language: the language itself and the decimal separator. */
    public static Map<String, String> language() {
        return Map.of("lang", Messages.french() ? "fr" : "en", "decimal", Messages.french() ? "," : ".");
    }
}
