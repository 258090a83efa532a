///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/MasterLogin.java aws/Rds.java common/Cli.java common/Database.java common/Evidence.java common/Messages.java common/Problem.java
//SOURCES common/Wait.java region/Region.java
//DESCRIPTION Mission step 9, the new order: primary now in AZ2, a standby rebuilt in AZ1 and in sync.

// Step 9 of Operation DB007: the new order.
//
//   ./jbang maz9
//
// A failover is finished only when the instance is protected again: the old primary's AZ holds
// a fresh standby, in sync. Until then a second failure would lose data. This step waits for
// that (RDS takes minutes; the local region about a second), and checks the new order through
// the RDS API and, locally, in SQL (pg_stat_replication on the new primary).

import aws.MasterLogin;
import aws.Rds;
import common.Cli;
import common.Database;
import common.Evidence;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.Region;

@Command(name = "maz9")
public class maz9 extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "1200", descriptionKey = "maz9.timeout") long timeout;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz9(), args));
    }

    @Override
    public Integer call() throws Exception {
        Database.lowerDnsCache();
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz9.title"));
        Evidence evidence = evidenceDir.open("maz");
        Evidence.Sabotage sabotage = evidence.sabotage();
        if (sabotage == null) throw Problem.failed("maz7.no-sabotage");
        String oldPrimary = sabotage.primaryAzBefore();
        String oldStandby = sabotage.standbyAzBefore();

        // What the last look saw, judged below whether or not the new order came in time.
        var last = new Object() {
            Rds.Instance now;
            String syncState;
        };
        try (Rds api = Rds.open(rds)) {
            Wait.within(Duration.ofSeconds(timeout), Duration.ofMillis(rds.local() ? 100 : 10_000), () -> {
                last.now = api.describe();
                boolean ordered = oldStandby.equals(last.now.primaryAz()) && oldPrimary.equals(last.now.standbyAz()) && "available".equals(last.now.status());
                if (ordered && rds.local()) last.syncState = syncStateOf(MasterLogin.of(rds, last.now), oldPrimary);
                return ordered && (!rds.local() || "sync".equals(last.syncState));
            });
        }
        Rds.Instance now = last.now;
        String syncState = last.syncState;
        boolean passed = oldStandby.equals(now.primaryAz()) && oldPrimary.equals(now.standbyAz()) && "available".equals(now.status())
                && (!rds.local() || "sync".equals(syncState));
        out.println(Messages.get("maz9.order", now.primaryAz(), now.standbyAz(), syncState == null ? "-" : syncState, now.status()));
        Region.Window unprotected = null;
        if (rds.local()) {
            Region.Status status = Region.status(Region.load());
            unprotected = status == null ? null : status.unprotectedAfter(sabotage.requestedAt());
        } else {
            unprotected = unprotectedByRdsEvents(sabotage);
            if (unprotected != null) {
                out.println(Messages.get("maz9.notice.events", unprotected.millis() / 1000.0, Messages.clock(unprotected.from()),
                        Messages.clock(unprotected.to())));
            }
        }
        if (unprotected != null && rds.local()) {
            out.println(Messages.get("maz9.notice.measured", unprotected.millis() / 1000.0, Messages.clock(unprotected.from()), Messages.clock(unprotected.to()),
                    Duration.between(unprotected.to(), Instant.now()).toMillis() / 1000.0));
        } else if (unprotected == null) {
            out.println(Messages.get("maz9.notice"));
        }
        evidence.step("maz9", started, passed, new Evidence.NewOrder(now.primaryAz(), now.standbyAz(), now.status(), syncState,
                unprotected == null ? null : unprotected.millis()));
        out.println(Messages.get(passed ? "step.pass" : "step.fail"));
        return passed ? 0 : Problem.CHECK_FAILED;
    }

    /**
     * On AWS, the window from RDS's own events: recovery completed (RDS-EVENT-0053) ends it. The
     * event may follow the new order by a little: it is waited for two minutes at most.
     */
    private Region.Window unprotectedByRdsEvents(Evidence.Sabotage sabotage) throws Exception {
        var seen = new Object() {
            Region.Window window;
        };
        try (Rds api = Rds.open(rds)) {
            Wait.within(Duration.ofSeconds(Math.min(timeout, 120)), Duration.ofSeconds(2), () -> {
                seen.window = Rds.unprotectedFromEvents(api.events(sabotage.requestedAt().minusSeconds(60)), sabotage.requestedAt());
                return seen.window != null;
            });
        }
        return seen.window;
    }

    private static String syncStateOf(Database.Login login, String standbyAz) {
        try (Connection c = Database.connect(login, 2, 5, "db007-new-order"); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT sync_state FROM pg_stat_replication WHERE application_name = '" + standbyAz + "'")) {
            return r.next() ? r.getString(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }
}
