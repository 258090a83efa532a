import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import aws.Rds;
import common.Evidence;
import common.Json;
import common.Messages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mission.Journal;
import mission.MissionReport;
import mission.Proof;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import recovery.AppLog;
import recovery.Backups;
import recovery.Design;
import recovery.LocalSite;
import recovery.PraReport;
import recovery.Restore;
import region.Region;

/**
 * The reports as people see them: made from real runs, opened in headless Chromium in both
 * languages, then asked from the page itself what it drew. The outage takes a fair share of the
 * main chart; no two texts of a chart overlap; the figures embedded for the grader are the
 * proof; nothing reads "null" or "undefined"; the script raised no error. Screenshots go to
 * target/reports/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportsTest {
    static final Path SHOTS = Path.of("target/reports");
    Path home;
    Kit kit;

    /** Every pair of texts in an SVG whose boxes intersect, as the browser laid them out. */
    static final String OVERLAPS = """
            (() => {
              const out = [];
              for (const svg of document.querySelectorAll('svg[id]')) {
                const boxes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => [t.textContent, t.getBoundingClientRect()]);
                for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                  const [a, p] = boxes[i], [b, q] = boxes[j];
                  if (p.left < q.right - 0.5 && q.left < p.right - 0.5 && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5) out.push(svg.id + ': ' + a + ' / ' + b);
                }
              }
              return out;
            })()""";

    /** Every text of a chart that a marker's vertical line runs through (axes and grid lines aside). */
    static final String CROSSINGS = """
            (() => {
              const out = [];
              for (const svg of document.querySelectorAll('svg[id]')) {
                const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => [t.textContent, t.getBoundingClientRect()]);
                const lines = [...svg.querySelectorAll('line')].filter(l => !l.closest('.axis') && !l.classList.contains('grid'))
                  .map(l => l.getBoundingClientRect()).filter(r => r.width < 3 && r.height > 0);
                for (const [s, p] of texts) for (const q of lines) {
                  const x = (q.left + q.right) / 2;
                  if (x > p.left + 0.5 && x < p.right - 0.5 && q.top < p.bottom - 0.5 && p.top < q.bottom - 0.5) out.push(svg.id + ': ' + s);
                }
              }
              return out;
            })()""";

    /** Each kind of mark a chart draws (its fill and stroke) that no legend entry shows. */
    static String unexplained(String chart) {
        return """
                (() => {
                  const key = e => (e.getAttribute('fill') || 'none') + ' ' + (e.getAttribute('stroke') || 'none');
                  const legend = new Set([...document.querySelectorAll('#legend svg *')].map(key));
                  const marks = [...document.querySelectorAll('%s path, %s circle, %s polygon, %s rect')]
                    .filter(e => !e.closest('.axis') && !e.closest('defs') && !e.classList.contains('grid'));
                  return [...new Set(marks.filter(e => !legend.has(key(e))).map(e => (e.getAttribute('class') || e.tagName) + ': ' + key(e)))];
                })()""".formatted(chart, chart, chart, chart);
    }

    Region.Status region;

    @BeforeAll
    void realRuns() throws Exception {
        assumeTrue(Browser.chromium() != null, "no Chromium on this machine (Debian: apt-get install chromium); .ci/run installs it");
        Workshop w = Workshop.get();
        home = w.home;
        kit = w.kit;
        region = w.regionAfterMission;
    }

    @Test
    void theMissionReportGivesTheOutageItsSpaceInBothLanguages(@TempDir Path dir) throws Exception {
        Path evidence = home.resolve("evidence/maz");
        Proof proof = Proof.read(evidence);
        Evidence e = new Evidence(evidence);
        List<Journal.Entry> journal = Journal.read(evidence.resolve(Journal.FILE));
        Region.Window unprotected = region.unprotectedAfter(e.sabotage().requestedAt());
        try (Browser browser = new Browser()) {
            for (String lang : List.of("en", "fr")) {
                Messages.use(lang);
                Path file = lang.equals("en") ? evidence.resolve(Proof.REPORT) : dir.resolve("report-fr.html");
                if (lang.equals("fr")) {
                    Files.writeString(file, MissionReport.html(proof, journal, Rds.events(e),
                            new MissionReport.Context("alice", Instant.now(), Messages.get("report.target.local"), e.sabotage(), unprotected, java.util.List.of())));
                }
                browser.open(file, 1100);
                browser.screenshot(SHOTS.resolve("mission-" + lang + ".png"));
                assertEquals(List.of(), browser.errors(), lang + ": the page's script ran without error");
                String text = (String) browser.eval("document.body.innerText");
                assertFalse(text.matches("(?s).*\\b(null|undefined|NaN)\\b.*"), lang + ": " + text);
                assertEquals(List.of(), browser.eval(OVERLAPS), lang + ": texts that overlap");
                assertEquals(List.of(), browser.eval(CROSSINGS), lang + ": texts a marker's line runs through");
                assertEquals(List.of(), browser.eval(unexplained("#outage-chart")), lang + ": marks the legend does not explain");

                double plot = ((Number) browser.eval("(() => { const r = [...document.querySelectorAll('#outage-chart .axis line')][0].getBoundingClientRect(); return r.width; })()")).doubleValue();
                double outage = ((Number) browser.eval("document.getElementById('outage').getBoundingClientRect().width")).doubleValue();
                assertTrue(outage >= 0.05 * plot, lang + ": the outage takes " + outage + " px of a " + plot + " px chart");
                assertTrue(((Number) browser.eval("document.querySelectorAll('#bars rect').length")).intValue() > 20, lang + ": bars");
                assertTrue(((Number) browser.eval("document.querySelectorAll('#outage-chart .label.event').length")).intValue() >= 2, lang + ": the failover's events are on the axis");
                assertTrue((Boolean) browser.eval("!!document.getElementById('zoom-window') && !!document.getElementById('unprotected')"), lang);
                String labels = (String) browser.eval("[...document.querySelectorAll('#outage-chart .label')].map(t => t.textContent).join(' | ')");
                assertTrue(labels.matches("(?s).*\\d+ \\(az\\d\\).*\\d+ \\(az\\d\\).*"), "the last write before and the first after are named by their sequence numbers: " + labels);
                if (lang.equals("fr")) {
                    assertTrue(text.contains("basculement Multi-AZ terminé") && text.contains("redémarrage avec basculement") && !text.contains("reboot-with-failover"),
                            "events and the sabotage in French: " + text);
                    assertFalse(text.matches("(?s).*\\d\\.\\d+ s.*"), "French decimals: " + text);
                }
                Map<?, ?> embedded = Json.read((String) browser.eval("document.getElementById('db007-proof').textContent"), Map.class);
                assertEquals(Json.read(evidence.resolve(Proof.FILE), Map.class), embedded, "the figures embedded for the grader are the proof");
            }
        } finally {
            Messages.use("en");
        }
    }

    @Test
    void thePraReportShowsTheLossBetweenTheBackupAndTheDisaster(@TempDir Path dir) throws Exception {
        Path drill = home.resolve("evidence/pra-drill");
        assertTrue(Files.exists(drill.resolve(Restore.REPORT)), "the drill wrote its report");
        LocalSite site = new LocalSite(home.resolve("pra-drill"));
        try (Browser browser = new Browser()) {
            for (String lang : List.of("en", "fr")) {
                Messages.use(lang);
                Path file = dir.resolve("pra-" + lang + ".html");
                Files.writeString(file, PraReport.html(AppLog.read(site.appLog()), Backups.list(site.backups()), Restore.readAll(drill),
                        Design.read(home.resolve("evidence/pra5")), "local", Instant.now()));
                browser.open(file, 1100);
                browser.screenshot(SHOTS.resolve("pra-" + lang + ".png"));
                assertEquals(List.of(), browser.errors(), lang);
                String text = (String) browser.eval("document.body.innerText");
                assertFalse(text.matches("(?s).*\\b(null|undefined|NaN)\\b.*"), lang + ": " + text);
                assertEquals(List.of(), browser.eval(OVERLAPS), lang + ": texts that overlap");
                assertEquals(List.of(), browser.eval(CROSSINGS), lang + ": texts a marker's line runs through");
                assertEquals(List.of(), browser.eval(unexplained("#pra-chart")), lang + ": marks the legend does not explain");
                assertTrue(((Number) browser.eval("document.querySelectorAll('#pra-chart .backup').length")).intValue() >= 3, lang + ": each backup a tick");
                assertTrue(((Number) browser.eval("document.querySelectorAll('#pra-chart polygon.lost').length")).intValue() == 1, lang + ": the loss shaded");
                assertTrue(((Number) browser.eval("document.querySelectorAll('#pra-chart .rpo, #pra-chart .rto').length")).intValue() == 2, lang + ": RPO and RTO marked");
                assertTrue((Boolean) browser.eval("!!document.getElementById('design-table')"), lang + ": exercise 5 beside the drill");
                Restore.Result r = Restore.readAll(drill).get(0);
                assertTrue(text.contains(Messages.seconds(r.rpoSeconds()) + " s") && text.contains(Messages.seconds(r.rtoSeconds()) + " s"), lang + ": the run's own RPO and RTO");
            }
        } finally {
            Messages.use("en");
        }
    }

    @Test
    void theClassReportShowsEveryStudentAtAGlanceAndSorts(@TempDir Path dir) throws Exception {
        Path bundles = Files.createDirectories(dir.resolve("bundles"));
        kit.ok("bundle", "--student", "alice", "--out", bundles.resolve("alice.zip").toString());
        kit.ok("bundle", "--student", "bob", "--out", bundles.resolve("bob.zip").toString());
        Path html = dir.resolve("class.html");
        kit.run("grade", bundles.toString(), "--html", html.toString(), "--csv", dir.resolve("g.csv").toString(), "--junit", dir.resolve("g.xml").toString());
        try (Browser browser = new Browser()) {
            browser.open(html, 1300);
            browser.screenshot(SHOTS.resolve("class.png"));
            assertEquals(List.of(), browser.errors());
            String text = (String) browser.eval("document.body.innerText");
            assertFalse(text.matches("(?s).*\\b(null|undefined|NaN)\\b.*"), text);
            assertEquals(2L, ((Number) browser.eval("document.querySelectorAll('#class tbody tr').length")).longValue());
            assertTrue(((Number) browser.eval("document.querySelectorAll('#class td.pass').length")).intValue() >= 12, "checks coloured");
            assertTrue(((Number) browser.eval("document.querySelectorAll('#class td.flagged').length")).intValue() >= 2,
                    "two bundles of one run: each flagged as a copy of the other");
            // Sorting by name, both ways, without a network.
            browser.eval("document.querySelector('#class th[data-key=student]').click()");
            String first = (String) browser.eval("document.querySelector('#class tbody tr td').textContent");
            browser.eval("document.querySelector('#class th[data-key=student]').click()");
            String again = (String) browser.eval("document.querySelector('#class tbody tr td').textContent");
            assertTrue(!first.equals(again) && List.of("alice", "bob").containsAll(List.of(first, again)), first + " then " + again);
            // Each student's section: reasons, answers, and the two reports from the bundle.
            assertTrue(text.contains("alice") && text.contains("bob"));
            List<?> links = (List<?>) browser.eval("[...document.querySelectorAll('a.report')].map(a => a.getAttribute('href'))");
            assertEquals(4, links.size(), links.toString());
            for (Object link : links) assertTrue(Files.exists(html.resolveSibling(link.toString())), link + " is next to class.html");
        }
    }
}
