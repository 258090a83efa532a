import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import aws.Rds;
import common.Bundle;
import common.Evidence;
import common.Json;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mission.Agent;
import mission.CrossRegion;
import mission.Journal;
import mission.Mole;
import mission.OrdinaryClient;
import mission.Proof;
import mission.RegionLoss;
import mission.RegionLossReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recovery.App;
import recovery.AppLog;
import recovery.Backups;
import recovery.Client;
import recovery.Design;
import recovery.Drill;
import recovery.Restore;

/**
 * docs/evidence.md against the code: every file the page describes is a file the code writes
 * under that name, through the record the page names, with the fields or columns the page
 * lists, no more and no fewer; and a sample of each, written by the kit's own writer, reads back
 * equal through its own reader.
 */
class EvidenceFormatTest {
    private static final Path DOC = Path.of("docs/evidence.md");
    private static final Instant T = Instant.parse("2026-12-01T20:13:02.812Z");
    /** The page's sections, in order: each file is named within its folder. */
    private static final String MAZ = "maz: ";
    private static final String MAZ11 = "maz11: ";
    private static final String PRA = "pra: ";
    private static final String RUNS = "unattended: ";
    private static final String HAND_IN = "hand-in: ";
    private static final List<String> SECTIONS = List.of(MAZ, MAZ11, PRA, RUNS, HAND_IN);

    /** What the page says of one file. */
    record Described(String name, String java, List<String> fields, String columns) {}

    /** One file as the code has it: its record, and a round trip through the kit's own writer and reader. */
    record Format(Class<?> type, String columns, RoundTrip trip) {}

    interface RoundTrip {
        Object apply(Path dir, Object sample) throws Exception;
    }

    /** Every file the kit writes as evidence, by the name the code gives it. */
    static Map<String, Format> code() {
        Map<String, Format> m = new LinkedHashMap<>();
        RoundTrip step = (dir, s) -> {
            Evidence.Step st = (Evidence.Step) s;
            Evidence e = new Evidence(dir);
            e.step(st.step(), Instant.parse(st.startedAt()), true, st.observed());
            Evidence.Step back = e.step(st.step());
            // The writer stamps the end itself: everything else must come back as given.
            return new Evidence.Step(back.step(), back.startedAt(), st.finishedAt(), back.verdict(), back.observed(), st.runBy());
        };
        m.put(MAZ + "steps/mazN.json", new Format(Evidence.Step.class, null, step));
        m.put(MAZ + "steps/maz5.json observed", new Format(Evidence.Sabotage.class, null, (dir, s) -> {
            Evidence e = new Evidence(dir);
            e.step("maz5", T, true, (Record) s);
            return e.sabotage();
        }));
        m.put(MAZ + "steps/maz9.json observed", new Format(Evidence.NewOrder.class, null, (dir, s) -> {
            Evidence e = new Evidence(dir);
            e.step("maz9", T, true, (Record) s);
            return e.newOrder();
        }));
        m.put(MAZ + Agent.SUMMARY, new Format(Agent.Summary.class, null, (dir, s) -> {
            Evidence e = new Evidence(dir);
            ((Agent.Summary) s).write(e);
            return Agent.Summary.read(e);
        }));
        m.put(MAZ + Journal.FILE, new Format(Journal.Entry.class, Journal.HEADER, (dir, s) -> {
            try (Journal j = Journal.create(dir.resolve(Journal.FILE))) {
                j.append((Journal.Entry) s);
            }
            return Journal.read(dir.resolve(Journal.FILE)).get(0);
        }));
        m.put(MAZ + OrdinaryClient.FILE, new Format(Journal.Entry.class, Journal.HEADER, (dir, s) -> {
            try (Journal j = Journal.create(dir.resolve(OrdinaryClient.FILE))) {
                j.append((Journal.Entry) s);
            }
            return Journal.read(dir.resolve(OrdinaryClient.FILE)).get(0);
        }));
        m.put(MAZ + Rds.EVENTS, new Format(Rds.Event.class, null, (dir, s) -> {
            Evidence e = new Evidence(dir);
            e.write(Rds.EVENTS, List.of(s));
            return Rds.events(e).get(0);
        }));
        m.put(MAZ + Proof.ROWS, new Format(Proof.Row.class, Proof.ROWS_HEADER, (dir, s) -> {
            Proof.writeRows(dir.resolve(Proof.ROWS), List.of((Proof.Row) s));
            return Proof.readRows(dir.resolve(Proof.ROWS)).values().iterator().next();
        }));
        m.put(MAZ + Proof.FILE, new Format(Proof.class, null, (dir, s) -> {
            new Evidence(dir).write(Proof.FILE, s);
            return Proof.read(dir);
        }));
        m.put(MAZ + Mole.FOLDER + "/" + Mole.FILE, new Format(Mole.class, null, (dir, s) -> {
            ((Mole) s).write(new Evidence(dir));
            return Mole.read(dir);
        }));
        m.put(MAZ + Proof.REPORT, null);
        m.put(MAZ + Agent.LOG + ", " + Agent.STOP, null);
        for (var f : Map.of(CrossRegion.REPLICA, CrossRegion.Replica.class, CrossRegion.DISASTER, CrossRegion.Disaster.class,
                CrossRegion.PROMOTION, CrossRegion.Promotion.class, CrossRegion.REPOINT, CrossRegion.Repoint.class, Agent.ROUTE, Agent.Route.class,
                RegionLoss.FILE, RegionLoss.class, "sync-cost.json", region.BarePair.CommitCost.class).entrySet()) {
            m.put(MAZ11 + f.getKey(), new Format(f.getValue(), null, (dir, s) -> {
                Evidence e = new Evidence(dir);
                e.write(f.getKey(), s);
                return CrossRegion.read(e, f.getKey(), f.getValue());
            }));
        }
        m.put(MAZ11 + RegionLossReport.FILE, null);
        m.put(MAZ11 + CrossRegion.LAG, new Format(CrossRegion.Lag.class, null, (dir, s) -> {
            Evidence e = new Evidence(dir);
            CrossRegion.addLag(e, (CrossRegion.Lag) s);
            return CrossRegion.lags(e).get(0);
        }));
        m.put(MAZ11 + RegionLoss.ROWS, new Format(Proof.Row.class, Proof.ROWS_HEADER, (dir, s) -> {
            Proof.writeRows(dir.resolve(RegionLoss.ROWS), List.of((Proof.Row) s));
            return Proof.readRows(dir.resolve(RegionLoss.ROWS)).values().iterator().next();
        }));
        m.put(PRA + "steps/pra-*.json", new Format(Evidence.Step.class, null, step));
        m.put(PRA + "steps/pra-copy.json observed", new Format(Backups.Comparison.class, null, (dir, s) -> {
            Evidence e = new Evidence(dir);
            e.step("pra-copy", T, true, (Record) s);
            return e.step("pra-copy").observed(Backups.Comparison.class);
        }));
        m.put(PRA + Backups.LISTING, new Format(Backups.Point.class, null, (dir, s) -> {
            new Evidence(dir).write(Backups.LISTING, List.of(s));
            return Backups.readListing(dir).get(0);
        }));
        m.put(PRA + Restore.LAST, new Format(Restore.Result.class, null, (dir, s) -> {
            ((Restore.Result) s).record(new Evidence(dir));
            assertEquals(s, Json.read(dir.resolve(Restore.LAST), Restore.Result.class), "the last restore");
            return Restore.readAll(dir).get(0);
        }));
        m.put(PRA + Restore.REPORT, null);
        m.put(PRA + App.Reading.FILE, new Format(App.Reading.class, null, (dir, s) -> {
            App.Reading.append(dir, (App.Reading) s);
            return App.Reading.readAll(dir).get(0);
        }));
        m.put(PRA + AppLog.FILE, new Format(AppLog.class, null, (dir, s) -> {
            Path log = dir.resolve(AppLog.FILE);
            AppLog.append(log, AppLog.add(7, T.toString()));
            AppLog.disaster(log, T.plusSeconds(2));
            AppLog.restore(log, T.plusSeconds(60), "app-20261201T201302.800Z.db");
            AppLog.append(log, "2026-12-01T20:14:00Z app listening on 127.0.0.1:8080");
            return AppLog.read(log);
        }));
        m.put(RUNS + Drill.FILE, new Format(Drill.class, null, (dir, s) -> {
            ((Drill) s).write(new Evidence(dir));
            return Drill.read(dir);
        }));
        m.put(RUNS + Client.FILE, new Format(Client.Add.class, Client.HEADER, (dir, s) -> {
            Client.write(dir.resolve(Client.FILE), List.of((Client.Add) s));
            return Client.read(dir.resolve(Client.FILE)).get(0);
        }));
        m.put(RUNS + Design.FILE, new Format(Design.class, null, (dir, s) -> {
            ((Design) s).write(new Evidence(dir));
            return Design.read(dir);
        }));
        m.put(HAND_IN + Bundle.MANIFEST, new Format(Bundle.Manifest.class, null, (dir, s) -> {
            Files.writeString(dir.resolve(Bundle.MANIFEST), Json.write(s));
            return Json.read(dir.resolve(Bundle.MANIFEST), Bundle.Manifest.class);
        }));
        return m;
    }

    @Test
    void thePageDescribesEveryFileTheCodeWritesAndNoOther() throws Exception {
        Map<String, Described> doc = described();
        assertEquals(new TreeSet<>(code().keySet()), new TreeSet<>(doc.keySet()), "files on the page / files in the code");
    }

    @Test
    void eachFileHasTheRecordFieldsAndColumnsThePageLists() throws Exception {
        Map<String, Described> doc = described();
        for (Map.Entry<String, Format> f : code().entrySet()) {
            Described d = doc.get(f.getKey());
            assertNotNull(d, f.getKey() + " is not on the page");
            if (f.getValue() == null) continue;
            Class<?> type = f.getValue().type();
            assertEquals(type.getName().replace('$', '.'), d.java(), f.getKey() + ": the record the page names");
            if (f.getValue().columns() != null) {
                assertEquals(f.getValue().columns(), d.columns(), f.getKey() + ": the columns");
            } else if (type.isRecord()) {
                List<String> fields = new ArrayList<>();
                for (RecordComponent c : type.getRecordComponents()) fields.add(snake(c.getName()));
                assertEquals(fields, d.fields(), f.getKey() + ": the fields, in the record's order");
            }
        }
    }

    @Test
    void aSampleOfEachFileReadsBackAsItWasWritten(@TempDir Path dir) throws Exception {
        int n = 0;
        for (Map.Entry<String, Format> f : code().entrySet()) {
            if (f.getValue() == null) continue;
            Path here = Files.createDirectories(dir.resolve("f" + n++));
            if (f.getValue().type() == AppLog.class) {
                @SuppressWarnings("unchecked")
                List<AppLog.Timeline> t = (List<AppLog.Timeline>) f.getValue().trip().apply(here, null);
                assertEquals(List.of(new AppLog.Timeline(null, null, List.of(new AppLog.Ack(7, T.toString())), T.plusSeconds(2)),
                        new AppLog.Timeline(T.plusSeconds(60), "app-20261201T201302.800Z.db", List.of(), null)), t, f.getKey());
                continue;
            }
            Object sample = sample(f.getValue().type());
            assertEquals(sample, f.getValue().trip().apply(here, sample), f.getKey());
        }
    }

    // ---- the page ----------------------------------------------------------------------------

    static Map<String, Described> described() throws Exception {
        Map<String, Described> all = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
        Pattern heading = Pattern.compile("^### `([^`]+)`(, `([^`]+)`)?( `observed`)?\\s*$");
        Pattern java = Pattern.compile("Java:\\s*`([\\w.]+)`");
        Pattern field = Pattern.compile("^\\| `([a-z_]+)` \\|");
        Pattern columns = Pattern.compile("^Columns: `([^`]+)`");
        int section = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("## ")) section++;
            Matcher h = heading.matcher(lines.get(i));
            if (!h.matches()) continue;
            String name = SECTIONS.get(section) + h.group(1) + (h.group(3) != null ? ", " + h.group(3) : "") + (h.group(4) != null ? " observed" : "");
            String javaName = null;
            String cols = null;
            List<String> fields = new ArrayList<>();
            for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("#"); j++) {
                String l = lines.get(j);
                Matcher jm = java.matcher(l);
                if (jm.find()) javaName = jm.group(1);
                // "Java:" may end one line and its name open the next.
                if (l.trim().endsWith("Java:") && j + 1 < lines.size()) {
                    Matcher next = Pattern.compile("^`([\\w.]+)`").matcher(lines.get(j + 1).trim());
                    if (next.find()) javaName = next.group(1);
                }
                Matcher fm = field.matcher(l);
                if (fm.find()) fields.add(fm.group(1));
                Matcher cm = columns.matcher(l);
                if (cm.find()) cols = cm.group(1);
            }
            assertTrue(all.put(name, new Described(name, javaName, fields, cols)) == null, name + " twice on the page");
        }
        return all;
    }

    static String snake(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }

    // ---- samples -----------------------------------------------------------------------------

    /** A record with every component set to a plausible value of its type. */
    static Object sample(Class<?> type) throws Exception {
        RecordComponent[] cs = type.getRecordComponents();
        Object[] values = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            types[i] = cs[i].getType();
            values[i] = value(cs[i].getName(), cs[i].getType(), cs[i].getGenericType(), i);
        }
        return type.getDeclaredConstructor(types).newInstance(values);
    }

    private static Object value(String name, Class<?> c, Type generic, int i) throws Exception {
        if (c == String.class) {
            if (name.endsWith("At") || name.equals("time") || name.endsWith("Time")) return T.plusSeconds(i).toString();
            if (name.equals("restoredFrom") || name.equals("lastBackupFile")) return "app-20261201T201302.800Z.db";
            if (name.equals("kind")) return "disaster";
            if (name.equals("verdict")) return "pass";
            if (name.equals("step")) return "maz4";
            return name + "-" + i;
        }
        if (c == long.class || c == Long.class) return 1000L + i;
        if (c == int.class || c == Integer.class) return 10 + i;
        if (c == double.class || c == Double.class) return 1.5 + i;
        if (c == boolean.class || c == Boolean.class) return true;
        if (c == Instant.class) return T.plusSeconds(i);
        if (c.isEnum()) return c.getEnumConstants()[0];
        if (c.isRecord()) return sample(c);
        if (c == List.class) {
            Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
            if (element instanceof Class<?> k && k.isRecord()) return List.of(sample(k));
            return element == Long.class ? List.of(3L, 5L) : List.of(name + "-a", name + "-b");
        }
        if (c == Map.class) return Map.of("key", name);
        throw new IllegalArgumentException("no sample for " + c + " " + name);
    }
}
