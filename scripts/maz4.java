///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/MasterLogin.java aws/Rds.java common/Cli.java common/Database.java common/Evidence.java common/Messages.java common/Problem.java
//SOURCES region/Region.java
//DESCRIPTION Mission step 4, recon: where the primary and the standby live, from the RDS API and cross-checked in SQL.

// Step 4 of Operation DB007: recon.
//
//   ./jbang maz4
//
// Asks the RDS API (DescribeDBInstances) where the primary (AvailabilityZone) and the standby
// (SecondaryAvailabilityZone) are, then checks it in SQL: the primary is not in recovery, and
// locally each node is asked directly which AZ it is, whether it is in recovery, and the primary
// is asked the standby's sync_state. On RDS the standby takes no connection, so only the
// endpoint is asked.

import aws.MasterLogin;
import aws.Rds;
import common.Cli;
import common.Database;
import common.Evidence;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import region.Region;

@Command(name = "maz4")
public class maz4 extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz4(), args));
    }

    // Long because the step reads top to bottom like the exercise it implements.
    @Override
    public Integer call() throws Exception {
        Database.lowerDnsCache();
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz4.title"));
        Evidence evidence = evidenceDir.open("maz");
        Rds.Instance instance;
        try (Rds api = Rds.open(rds)) {
            instance = api.describe();
        }
        out.println(Messages.get("maz4.api", instance.status(), instance.primaryAz(), instance.standbyAz(), instance.multiAz()));
        Database.Login login = MasterLogin.of(rds, instance);

        List<Map<String, Object>> sql = new ArrayList<>();
        boolean consistent;
        if (rds.local()) {
            Region.State state = Region.load();
            String sqlPrimary = null;
            String sqlStandby = null;
            String syncState = null;
            for (Region.NodeSpec n : state.nodes()) {
                Database.Login direct = login.at("127.0.0.1", n.port());
                try (Connection c = Database.connect(direct, 2, 5, "db007-recon"); Statement st = c.createStatement();
                     ResultSet r = st.executeQuery("SELECT current_setting('db007.az'), pg_is_in_recovery()")) {
                    r.next();
                    boolean recovering = r.getBoolean(2);
                    sql.add(Map.of("port", n.port(), "az", r.getString(1), "in_recovery", recovering));
                    out.println(Messages.get("maz4.node", r.getString(1), n.port(), recovering ? Messages.get("role.standby") : Messages.get("role.primary")));
                    if (recovering) sqlStandby = r.getString(1);
                    else sqlPrimary = r.getString(1);
                }
            }
            if (sqlPrimary != null) {
                Database.Login primary = login.at("127.0.0.1", state.node(sqlPrimary).port());
                try (Connection c = Database.connect(primary, 2, 5, "db007-recon"); Statement st = c.createStatement();
                     ResultSet r = st.executeQuery("SELECT application_name, sync_state FROM pg_stat_replication")) {
                    while (r.next()) {
                        syncState = r.getString(2);
                        out.println(Messages.get("maz4.sync", r.getString(1), syncState));
                    }
                }
            }
            consistent = instance.primaryAz().equals(sqlPrimary) && instance.standbyAz() != null && instance.standbyAz().equals(sqlStandby)
                    && "sync".equals(syncState);
        } else {
            try (Connection c = Database.connect(login, 5, 10, "db007-recon")) {
                boolean readOnly = Database.readOnly(c, login);
                String server = String.valueOf(Database.server(c, login)[1]);
                sql.add(Map.of("endpoint", login.host(), "in_recovery", readOnly, "server", server));
                out.println(Messages.get("maz4.endpoint", login.host(), server, readOnly));
                consistent = !readOnly && instance.multiAz() && instance.standbyAz() != null;
            }
        }
        out.println(Messages.get(consistent ? "maz4.consistent" : "maz4.inconsistent"));
        out.println(Messages.get("maz4.notice"));

        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("status", instance.status());
        observed.put("primary_az", instance.primaryAz());
        observed.put("standby_az", instance.standbyAz());
        observed.put("multi_az", instance.multiAz());
        observed.put("sql", sql);
        evidence.step("maz4", started, consistent, observed);
        out.println(Messages.get(consistent ? "step.pass" : "step.fail"));
        return consistent ? 0 : Problem.CHECK_FAILED;
    }
}
