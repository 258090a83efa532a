import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * For benchmarks/class-report.sh: opens a report in headless Chromium several times and prints
 * the median time from navigation to the end of its load event, its own script included.
 */
public final class ReportOpenTime {
    private ReportOpenTime() {}

    public static void main(String[] args) throws Exception {
        Path page = Path.of(args[0]).toAbsolutePath();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Long> ms = new ArrayList<>();
        try (Browser browser = new Browser()) {
            for (int i = 0; i < runs; i++) {
                browser.open(page, 1300);
                Number t = (Number) browser.eval("(() => { const t = performance.getEntriesByType('navigation')[0]; return Math.round(t.loadEventEnd || t.loadEventStart); })()");
                ms.add(t.longValue());
            }
            if (!browser.errors().isEmpty()) throw new IllegalStateException("the page's script failed: " + browser.errors());
        }
        Collections.sort(ms);
        System.out.printf("%s opened in a median of %d ms (min %d, max %d, %d runs, headless Chromium)%n", page.getFileName(), ms.get(ms.size() / 2),
                ms.get(0), ms.get(ms.size() - 1), runs);
    }
}
