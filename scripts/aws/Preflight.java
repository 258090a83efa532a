package aws;

//SOURCES ../common/Messages.java ../common/Problem.java Aws.java Classroom.java Identity.java Rds.java SignedCall.java

import common.Messages;
import common.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.AccountQuota;
import software.amazon.awssdk.services.rds.model.OrderableDBInstanceOption;

/**
 * "setup --target aws": whether this account and Region can hold the mission, for one student or
 * a class of N, asked before anything is created. Credentials; AZs where RDS places a Multi-AZ
 * db.t3.micro; the quotas the stacks draw on against what is used already (Service Quotas'
 * value where it answers, the documented default otherwise); the permissions the steps use, by
 * IAM's policy simulation of the caller, on the names the kit would give; and the cost.
 */
public final class Preflight {
    private Preflight() {}

    /** One line of setup's table. */
    public record Check(String check, boolean ready, String detail) {}

    /** A quota: its value and where it came from, what is used, what the run needs. */
    record Room(String check, long quota, String source, long used, long needed) {
        boolean fits() {
            return used + needed <= quota;
        }
    }

    static final String ENGINE = "postgres";
    static final String INSTANCE_CLASS = "db.t3.micro";

    /**
     * The calls each step makes for a student, with the resource it makes them on ({student},
     * {region}, {account} filled in); the stacks' own resources too when no class role makes them.
     */
    public static Map<String, String> actions(boolean classRole) {
        Map<String, String> a = new LinkedHashMap<>();
        String stack = "arn:aws:cloudformation:{region}:{account}:stack/db007-{student}-db/*";
        a.put("cloudformation:CreateStack", stack);
        a.put("cloudformation:UpdateStack", stack);
        a.put("cloudformation:DeleteStack", stack);
        a.put("cloudformation:DescribeStacks", "*");
        a.put("cloudformation:DescribeStackEvents", "*");
        a.put("rds:DescribeDBInstances", "*");
        a.put("rds:DescribeEvents", "*");
        a.put("rds:RebootDBInstance", "arn:aws:rds:{region}:{account}:db:db007-{student}");
        a.put("rds:RestoreDBInstanceToPointInTime", "arn:aws:rds:{region}:{account}:db:db007-{student}-restored");
        a.put("rds:DeleteDBInstance", "arn:aws:rds:{region}:{account}:db:db007-{student}-restored");
        a.put("rds:CreateDBInstanceReadReplica", "arn:aws:rds:{region}:{account}:db:db007-{student}-dr");
        a.put("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:{region}:{account}:secret:rds!db-{student}");
        a.put("cloudwatch:GetMetricStatistics", "*");
        if (classRole) {
            a.put("iam:PassRole", "{role}");
        } else {
            for (String make : List.of("ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateSecurityGroup", "ec2:CreateInternetGateway",
                    "rds:CreateDBSubnetGroup", "rds:CreateDBParameterGroup", "rds:CreateDBInstance")) a.put(make, "*");
        }
        return a;
    }

    public static List<Check> run(Aws.Options o, String student, String className, int students) {
        List<Check> checks = new ArrayList<>();
        Identity me;
        try {
            me = Identity.of(o);
        } catch (Problem p) {
            checks.add(new Check("credentials", false, p.getMessage()));
            return checks;
        }
        String account = me.arn().split(":")[4];
        String name = student != null ? student : me.name();
        checks.add(new Check("credentials", true, Messages.get("preflight.credentials", me.arn(), name)));
        try (RdsClient rds = Rds.client(Rds.Options.onAws(o))) {
            checks.add(zones(rds));
            for (Room r : rooms(o, rds, className != null, students)) {
                // Short of VPCs or gateways with one each: a class VPC needs one for all.
                boolean network = r.check().equals("quota.vpcs") || r.check().equals("quota.gateways");
                String hint = Messages.get(network && className == null ? "preflight.room.hint.class-vpc" : "preflight.room.hint.quotas");
                checks.add(new Check(r.check(), r.fits(), Messages.get(r.fits() ? "preflight.room.fits" : "preflight.room.short", r.used(), r.quota(),
                        r.source(), r.needed(), students, hint)));
            }
        } catch (IOException | SdkException e) {
            checks.add(new Check("quotas", false, Messages.get("preflight.rds.unanswered", e.getMessage())));
        }
        checks.add(permissions(o, me, name, account, className));
        double each = Classroom.usdPerHour(INSTANCE_CLASS, true);
        double restore = Classroom.usdPerHour(INSTANCE_CLASS, false);
        checks.add(new Check("cost", true, Messages.get("preflight.cost", each, restore, students, each * students, (each + restore) * students)));
        return checks;
    }

    /** The AZs where RDS offers a Multi-AZ db.t3.micro of the mission's engine: two at least. */
    static Check zones(RdsClient rds) {
        TreeSet<String> zones = new TreeSet<>();
        boolean multiAz = false;
        for (OrderableDBInstanceOption option : rds.describeOrderableDBInstanceOptionsPaginator(r -> r.engine(ENGINE).dbInstanceClass(INSTANCE_CLASS))
                .orderableDBInstanceOptions()) {
            option.availabilityZones().forEach(z -> zones.add(z.name()));
            multiAz |= Boolean.TRUE.equals(option.multiAZCapable());
        }
        boolean ok = zones.size() >= 2 && multiAz;
        return new Check("azs", ok, Messages.get(ok ? "preflight.azs" : "preflight.azs.short", zones.size(), String.join(", ", zones), INSTANCE_CLASS));
    }

    /**
     * The quotas the stacks draw on, per Region: a VPC and an internet gateway for each student on
     * their own, or one for the class; per student, a Multi-AZ instance and step 10's restore, a
     * subnet group and a parameter group.
     */
    static List<Room> rooms(Aws.Options o, RdsClient rds, boolean inClass, int students) throws IOException {
        Map<String, AccountQuota> q = new LinkedHashMap<>();
        for (AccountQuota a : rds.describeAccountAttributes().accountQuotas()) q.put(a.accountQuotaName(), a);
        List<Room> rooms = new ArrayList<>();
        long networks = inClass ? 1 : students;
        rooms.add(ec2Room(o, "quota.vpcs", "L-F678F1CE", 5, "DescribeVpcs", "vpcId", networks));
        rooms.add(ec2Room(o, "quota.gateways", "L-A4707A72", 5, "DescribeInternetGateways", "internetGatewayId", networks));
        rooms.add(rdsRoom(q.get("DBInstances"), "quota.instances", 40, 2L * students));
        rooms.add(rdsRoom(q.get("DBSubnetGroups"), "quota.subnet-groups", 50, students));
        rooms.add(rdsRoom(q.get("DBParameterGroups"), "quota.parameter-groups", 50, students));
        return rooms;
    }

    private static Room rdsRoom(AccountQuota a, String check, long documented, long needed) {
        if (a == null) return new Room(check, documented, Messages.get("preflight.source.default"), 0, needed);
        return new Room(check, a.max(), Messages.get("preflight.source.rds"), a.used(), needed);
    }

    /** A VPC quota: its value from Service Quotas (the documented default when it does not answer), its use counted by EC2. */
    private static Room ec2Room(Aws.Options o, String check, String quotaCode, long documented, String describe, String idElement, long needed) throws IOException {
        SignedCall.Reply used = SignedCall.query(o, "ec2", "EC2", "ec2.{region}.amazonaws.com", false, Map.of("Action", describe, "Version", "2016-11-15"));
        if (!used.ok()) throw new IOException("EC2 " + describe + ": " + used.first("Message"));
        SignedCall.Reply quota = SignedCall.json(o, "servicequotas", "SERVICE_QUOTAS", "servicequotas.{region}.amazonaws.com",
                "ServiceQuotasV20190624.GetServiceQuota", "{\"ServiceCode\":\"vpc\",\"QuotaCode\":\"" + quotaCode + "\"}");
        java.util.regex.Matcher value = java.util.regex.Pattern.compile("\"Value\"\\s*:\\s*([0-9.]+)").matcher(quota.body());
        if (quota.ok() && value.find()) return new Room(check, (long) Double.parseDouble(value.group(1)), Messages.get("preflight.source.quotas"), used.count(idElement), needed);
        return new Room(check, documented, Messages.get("preflight.source.default"), used.count(idElement), needed);
    }

    /**
     * IAM's simulation of the caller's own policies, action by action on the names the kit would
     * use, with the tags and role a class's policy asks for: creates nothing. A caller that may not
     * simulate is told so, and nothing is concluded.
     */
    static Check permissions(Aws.Options o, Identity me, String student, String account, String className) {
        String region = o.region != null ? o.region : new software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain().getRegion().id();
        String role = className == null ? null : "arn:aws:iam::" + account + ":role/db007-" + className + "-cloudformation";
        List<String> denied = new ArrayList<>();
        try {
            for (Map.Entry<String, String> a : actions(role != null).entrySet()) {
                String resource = a.getValue().replace("{region}", region).replace("{account}", account).replace("{student}", student)
                        .replace("{role}", String.valueOf(role));
                Map<String, String> form = new LinkedHashMap<>();
                form.put("Action", "SimulatePrincipalPolicy");
                form.put("Version", "2010-05-08");
                form.put("PolicySourceArn", principal(me.arn()));
                form.put("ActionNames.member.1", a.getKey());
                form.put("ResourceArns.member.1", resource);
                int n = 0;
                for (Map.Entry<String, String> c : context(student, className, role, region, account).entrySet()) {
                    n++;
                    form.put("ContextEntries.member." + n + ".ContextKeyName", c.getKey());
                    form.put("ContextEntries.member." + n + ".ContextKeyValues.member.1", c.getValue());
                    form.put("ContextEntries.member." + n + ".ContextKeyType", "string");
                }
                SignedCall.Reply r = SignedCall.query(o, "iam", "IAM", "iam.amazonaws.com", true, form);
                if (!r.ok()) return new Check("permissions", true, Messages.get("preflight.permissions.unchecked", r.first("Code")));
                if (!"allowed".equals(r.first("EvalDecision"))) denied.add(a.getKey());
            }
        } catch (IOException | RuntimeException e) {
            return new Check("permissions", true, Messages.get("preflight.permissions.unchecked", e.getMessage()));
        }
        return denied.isEmpty() ? new Check("permissions", true, Messages.get("preflight.permissions", actions(role != null).size()))
                : new Check("permissions", false, Messages.get("preflight.permissions.denied", String.join(", ", denied)));
    }

    /** The tags, role and secret owner a class's policy conditions on, as the kit's calls would carry them. */
    private static Map<String, String> context(String student, String className, String role, String region, String account) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("aws:RequestTag/Student", student);
        if (className != null) c.put("aws:RequestTag/Class", className);
        if (role != null) {
            c.put("cloudformation:RoleArn", role);
            c.put("iam:PassedToService", "cloudformation.amazonaws.com");
        }
        c.put("secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn", "arn:aws:rds:" + region + ":" + account + ":db:db007-" + student);
        return c;
    }

    /** The policy source IAM simulates: the user, or for a role's session (CloudShell through a federated role) the role. */
    static String principal(String arn) {
        if (!arn.contains(":assumed-role/")) return arn;
        String[] p = arn.split(":", 6);
        String role = p[5].substring("assumed-role/".length(), p[5].lastIndexOf('/'));
        return "arn:aws:iam::" + p[4] + ":role/" + role;
    }
}
