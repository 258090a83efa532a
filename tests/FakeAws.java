import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * A small stand-in for three AWS APIs, for the SDK to talk to over real HTTP: CloudFormation
 * (CreateStack, UpdateStack, DescribeStacks, DescribeStackEvents, DeleteStack, in the Query
 * protocol's form and XML), Secrets Manager's GetSecretValue (JSON) and the two RDS calls a
 * teardown makes. It checks what a real CloudFormation would refuse: a template that does not
 * parse, a parameter the template does not declare, a required one missing, a value outside
 * AllowedValues or AllowedPattern. A stack completes on the second look, as a slow real one
 * would after a while; a student named "oneaz" plays a Region with a single AZ, and an
 * instance named "single" one that is not Multi-AZ.
 */
final class FakeAws implements AutoCloseable {
    /** One stack as the fake keeps it. */
    static final class Stack {
        final String name;
        /** The Region the stack was created in, from the request's signature. */
        String region;
        String status;
        Map<String, String> parameters;
        Map<String, String> tags;
        String template;
        /** The role CloudFormation was asked to run the stack with, and the capabilities acknowledged. */
        String role;
        List<String> capabilities = List.of();
        final Instant created = Instant.now();
        final List<String[]> events = new ArrayList<>();
        int looks;

        Stack(String name) {
            this.name = name;
        }
    }

    final Map<String, Stack> stacks = Collections.synchronizedMap(new LinkedHashMap<>());

    /** One DB instance as RDS would list it: a database stack makes one, as CloudFormation would, and a test may add others (a restore). */
    record Instance(String id, boolean multiAz, Instant created, Map<String, String> tags) {}

    final Map<String, Instance> instances = Collections.synchronizedMap(new LinkedHashMap<>());

    /** The account as the preflight sees it: VPCs and gateways in use, the quotas Service Quotas gives (none: it does not answer), RDS's. */
    volatile int vpcsUsed = 1;
    volatile int gatewaysUsed = 1;
    volatile Double vpcQuota;
    volatile int instancesUsed = 2;
    volatile int instancesMax = 40;
    volatile List<String> zones = List.of("local-1a", "local-1b", "local-1c");
    /** The actions IAM's simulation denies; null: the caller may not simulate at all. */
    volatile java.util.Set<String> denied = java.util.Set.of();
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final Map<String, String> outputs = new LinkedHashMap<>();
    /** A Multi-AZ MySQL instance "mysql-db" that DescribeDBInstances shows at this port, when set. */
    volatile int mysqlPort;
    final String password;
    private final HttpServer server;
    private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
    private int eventId;

    FakeAws(String password) throws IOException {
        this.password = password;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::handle);
        // A thread per exchange: one client that stalls mid-request must not stall the others.
        server.setExecutor(threads);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The environment that sends the SDK's calls here: its own service-specific endpoint variables. */
    Map<String, String> env() {
        return Map.ofEntries(Map.entry("AWS_ENDPOINT_URL_CLOUDFORMATION", url()), Map.entry("AWS_ENDPOINT_URL_SECRETS_MANAGER", url()),
                Map.entry("AWS_ENDPOINT_URL_RDS", url()), Map.entry("AWS_ENDPOINT_URL_CLOUDWATCH", url()), Map.entry("AWS_ENDPOINT_URL_STS", url()),
                Map.entry("AWS_ENDPOINT_URL_EC2", url()), Map.entry("AWS_ENDPOINT_URL_SERVICE_QUOTAS", url()), Map.entry("AWS_ENDPOINT_URL_IAM", url()),
                Map.entry("AWS_ACCESS_KEY_ID", "test"), Map.entry("AWS_SECRET_ACCESS_KEY", "test"), Map.entry("AWS_EC2_METADATA_DISABLED", "true"),
                Map.entry("DB007_AWS_POLL_SECONDS", "0.2"));
    }

    private void handle(HttpExchange x) throws IOException {
        byte[] raw;
        try (InputStream in = x.getRequestBody()) {
            raw = in.readAllBytes();
        }
        if (x.getRequestURI().getPath().startsWith(CLOUDWATCH)) {
            cloudWatch(x, raw);
            return;
        }
        answer(x, new String(raw, StandardCharsets.UTF_8));
    }

    /** The Region a request was signed for, from its credential scope: Credential=KEY/DATE/REGION/SERVICE/aws4_request. */
    static String region(HttpExchange x) {
        String auth = String.valueOf(x.getRequestHeaders().getFirst("Authorization"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Credential=[^/]+/\\d{8}/([^/]+)/").matcher(auth);
        return m.find() ? m.group(1) : null;
    }

    // ---- CloudWatch, in the Smithy RPC v2 CBOR protocol the SDK speaks to it ----

    private static final String CLOUDWATCH = "/service/GraniteServiceVersion20100801/operation/";
    /** The ReplicaLag, in seconds, that CloudWatch gives for each instance, per Region: as RDS would have published it. */
    final Map<String, Double> replicaLag = Collections.synchronizedMap(new LinkedHashMap<>());

    private void cloudWatch(HttpExchange x, byte[] raw) throws IOException {
        String operation = x.getRequestURI().getPath().substring(CLOUDWATCH.length());
        Map<String, Object> request = cbor(raw);
        calls.add("cloudwatch." + operation + " " + region(x) + " " + request.get("MetricName"));
        if (!"rpc-v2-cbor".equals(x.getRequestHeaders().getFirst("smithy-protocol")) || !operation.equals("GetMetricStatistics")) {
            cborError(x, 400, "InvalidAction", "the fake knows GetMetricStatistics only, in rpc-v2-cbor");
            return;
        }
        if (!(request.get("Namespace") instanceof String ns) || !(request.get("MetricName") instanceof String metric) || request.get("StartTime") == null
                || request.get("EndTime") == null || request.get("Period") == null || request.get("Statistics") == null) {
            cborError(x, 400, "MissingParameter", "Namespace, MetricName, StartTime, EndTime, Period and Statistics are required");
            return;
        }
        String instance = null;
        if (request.get("Dimensions") instanceof List<?> dims) {
            for (Object d : dims) if (d instanceof Map<?, ?> m && "DBInstanceIdentifier".equals(m.get("Name"))) instance = String.valueOf(m.get("Value"));
        }
        Double lag = ns.equals("AWS/RDS") && metric.equals("ReplicaLag") && instance != null ? replicaLag.get(region(x) + "/" + instance) : null;
        var out = new java.io.ByteArrayOutputStream();
        var factory = new software.amazon.awssdk.thirdparty.jackson.dataformat.cbor.CBORFactory();
        try (var g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("Label", metric);
            g.writeFieldName("Datapoints");
            g.writeStartArray();
            if (lag != null) {
                g.writeStartObject();
                g.writeFieldName("Timestamp");
                // A timestamp, in this protocol: tag 1, seconds since the epoch.
                g.writeTag(1);
                g.writeNumber(Instant.now().minusSeconds(60).getEpochSecond() / 60 * 60.0);
                g.writeNumberField("Average", lag);
                g.writeStringField("Unit", "Seconds");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        x.getResponseHeaders().set("Content-Type", "application/cbor");
        x.getResponseHeaders().set("smithy-protocol", "rpc-v2-cbor");
        x.sendResponseHeaders(200, out.size());
        try (OutputStream o = x.getResponseBody()) {
            o.write(out.toByteArray());
        }
    }

    private static void cborError(HttpExchange x, int status, String code, String message) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        try (var g = new software.amazon.awssdk.thirdparty.jackson.dataformat.cbor.CBORFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("__type", "com.amazonaws.cloudwatch#" + code);
            g.writeStringField("message", message);
            g.writeEndObject();
        }
        x.getResponseHeaders().set("Content-Type", "application/cbor");
        x.getResponseHeaders().set("smithy-protocol", "rpc-v2-cbor");
        x.sendResponseHeaders(status, out.size());
        try (OutputStream o = x.getResponseBody()) {
            o.write(out.toByteArray());
        }
    }

    /** A CBOR request read into maps, lists and plain values. */
    private static Map<String, Object> cbor(byte[] raw) throws IOException {
        try (var p = new software.amazon.awssdk.thirdparty.jackson.dataformat.cbor.CBORFactory().createParser(raw)) {
            Object v = value(p, p.nextToken());
            @SuppressWarnings("unchecked") Map<String, Object> m = v instanceof Map<?, ?> ? (Map<String, Object>) v : Map.of();
            return m;
        }
    }

    private static Object value(software.amazon.awssdk.thirdparty.jackson.core.JsonParser p, software.amazon.awssdk.thirdparty.jackson.core.JsonToken t)
            throws IOException {
        if (t == null) return null;
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == software.amazon.awssdk.thirdparty.jackson.core.JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (var n = p.nextToken(); n != software.amazon.awssdk.thirdparty.jackson.core.JsonToken.END_ARRAY; n = p.nextToken()) l.add(value(p, n));
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            default -> {
                return null;
            }
        }
    }

    /** One request at a time past this point: the stacks are plain maps and lists. */
    private synchronized void answer(HttpExchange x, String body) throws IOException {
        String target = x.getRequestHeaders().getFirst("X-Amz-Target");
        if (target != null) {
            secrets(x, target, body);
            return;
        }
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String action = String.valueOf(form.get("Action"));
        calls.add(action + " " + form.getOrDefault("StackName", form.getOrDefault("DBInstanceIdentifier", "")));
        switch (action) {
            case "CreateStack" -> create(x, form);
            case "UpdateStack" -> update(x, form);
            case "DescribeStacks" -> describe(x, form.get("StackName"));
            case "DescribeStackEvents" -> events(x, form.get("StackName"));
            case "DeleteStack" -> delete(x, form.get("StackName"));
            case "DescribeDBInstances" -> {
                String id = form.get("DBInstanceIdentifier");
                if (id == null || instances.containsKey(id)) {
                    StringBuilder o = new StringBuilder("<DBInstances>");
                    synchronized (instances) {
                        instances.values().stream().filter(i -> id == null || i.id().equals(id)).forEach(i -> o.append(instanceXml(i)));
                    }
                    reply(x, "DescribeDBInstances", o.append("</DBInstances>").toString());
                    return;
                }
                // "single" is a single-AZ instance; any other name is gone, as after a teardown.
                if ("mysql-db".equals(form.get("DBInstanceIdentifier")) && mysqlPort > 0) {
                    reply(x, "DescribeDBInstances", "<DBInstances><DBInstance><DBInstanceIdentifier>mysql-db</DBInstanceIdentifier><Engine>mysql</Engine>"
                            + "<DBInstanceStatus>available</DBInstanceStatus><MasterUsername>db007</MasterUsername><Endpoint><Address>127.0.0.1</Address><Port>"
                            + mysqlPort + "</Port></Endpoint><AvailabilityZone>local-1a</AvailabilityZone><SecondaryAvailabilityZone>local-1b</SecondaryAvailabilityZone>"
                            + "<MultiAZ>true</MultiAZ></DBInstance></DBInstances>");
                } else if ("single".equals(form.get("DBInstanceIdentifier"))) {
                    reply(x, "DescribeDBInstances", "<DBInstances><DBInstance><DBInstanceIdentifier>single</DBInstanceIdentifier><Engine>postgres</Engine>"
                            + "<DBInstanceStatus>available</DBInstanceStatus><AvailabilityZone>local-1a</AvailabilityZone><MultiAZ>false</MultiAZ></DBInstance></DBInstances>");
                } else {
                    error(x, 404, "DBInstanceNotFound", "DBInstance " + form.get("DBInstanceIdentifier") + " not found.");
                }
            }
            case "DescribeDBSnapshots" -> reply(x, "DescribeDBSnapshots", "<DBSnapshots/>");
            case "DeleteDBInstance" -> {
                Instance gone = instances.remove(form.get("DBInstanceIdentifier"));
                if (gone == null) error(x, 404, "DBInstanceNotFound", "DBInstance " + form.get("DBInstanceIdentifier") + " not found.");
                else reply(x, "DeleteDBInstance", "<DBInstance>" + instanceXml(gone).replace("<DBInstance>", "").replace("available", "deleting"));
            }
            case "DescribeVpcs" -> ec2(x, "DescribeVpcs", "vpcSet", "vpcId", "vpc-", vpcsUsed);
            case "DescribeInternetGateways" -> ec2(x, "DescribeInternetGateways", "internetGatewaySet", "internetGatewayId", "igw-", gatewaysUsed);
            case "DescribeAccountAttributes" -> reply(x, "DescribeAccountAttributes", "<AccountQuotas>"
                    + quota("DBInstances", instancesUsed, instancesMax) + quota("DBSubnetGroups", 1, 50) + quota("DBParameterGroups", 3, 50) + "</AccountQuotas>");
            case "DescribeOrderableDBInstanceOptions" -> {
                StringBuilder azs = new StringBuilder();
                for (String z : zones) azs.append("<AvailabilityZone><Name>").append(z).append("</Name></AvailabilityZone>");
                reply(x, "DescribeOrderableDBInstanceOptions", "<OrderableDBInstanceOptions><OrderableDBInstanceOption><Engine>" + form.get("Engine")
                        + "</Engine><DBInstanceClass>" + form.get("DBInstanceClass") + "</DBInstanceClass><AvailabilityZones>" + azs
                        + "</AvailabilityZones><MultiAZCapable>" + (zones.size() > 1) + "</MultiAZCapable></OrderableDBInstanceOption></OrderableDBInstanceOptions>");
            }
            case "SimulatePrincipalPolicy" -> {
                if (denied == null) {
                    error(x, 403, "AccessDenied", "User is not authorized to perform: iam:SimulatePrincipalPolicy");
                    return;
                }
                String a = form.get("ActionNames.member.1");
                reply(x, "SimulatePrincipalPolicy", "<EvaluationResults><member><EvalActionName>" + a + "</EvalActionName><EvalResourceName>"
                        + form.get("ResourceArns.member.1") + "</EvalResourceName><EvalDecision>" + (denied.contains(a) ? "implicitDeny" : "allowed")
                        + "</EvalDecision></member></EvaluationResults><IsTruncated>false</IsTruncated>");
            }
            case "GetCallerIdentity" -> reply(x, "GetCallerIdentity", "<Arn>" + caller(x) + "</Arn><UserId>AIDA0000</UserId><Account>000000000000</Account>");
            default -> error(x, 400, "InvalidAction", "the fake does not know " + action);
        }
    }

    /** EC2's answer to a Describe call, in its own XML (no Result wrapper): that many items. */
    private static void ec2(HttpExchange x, String action, String set, String id, String prefix, int n) throws IOException {
        StringBuilder o = new StringBuilder("<" + action + "Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r1</requestId><" + set + ">");
        for (int i = 0; i < n; i++) o.append("<item><").append(id).append(">").append(prefix).append(i).append("</").append(id).append("></item>");
        send(x, 200, "text/xml", o.append("</").append(set).append("></").append(action).append("Response>").toString());
    }

    private static String quota(String name, int used, int max) {
        return "<AccountQuota><AccountQuotaName>" + name + "</AccountQuotaName><Used>" + used + "</Used><Max>" + max + "</Max></AccountQuota>";
    }

    /** An instance as DescribeDBInstances lists it, its tags included. */
    private static String instanceXml(Instance i) {
        StringBuilder o = new StringBuilder("<DBInstance><DBInstanceIdentifier>").append(i.id()).append("</DBInstanceIdentifier><DBInstanceClass>db.t3.micro</DBInstanceClass>"
                + "<Engine>postgres</Engine><DBInstanceStatus>available</DBInstanceStatus><MasterUsername>db007</MasterUsername><Endpoint><Address>127.0.0.1</Address>"
                + "<Port>5432</Port></Endpoint><InstanceCreateTime>").append(i.created()).append("</InstanceCreateTime><AvailabilityZone>local-1a</AvailabilityZone>");
        if (i.multiAz()) o.append("<SecondaryAvailabilityZone>local-1b</SecondaryAvailabilityZone>");
        o.append("<MultiAZ>").append(i.multiAz()).append("</MultiAZ><TagList>");
        i.tags().forEach((k, v) -> o.append("<Tag><Key>").append(k).append("</Key><Value>").append(v).append("</Value></Tag>"));
        return o.append("</TagList></DBInstance>").toString();
    }

    private void create(HttpExchange x, Map<String, String> form) throws IOException {
        String name = form.get("StackName");
        if (stacks.containsKey(name)) {
            error(x, 400, "AlreadyExistsException", "Stack [" + name + "] already exists");
            return;
        }
        Stack s = new Stack(name);
        s.region = region(x);
        String problem = accept(s, form);
        if (problem != null) {
            error(x, 400, "ValidationError", problem);
            return;
        }
        s.status = "CREATE_IN_PROGRESS";
        event(s, name, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated");
        stacks.put(name, s);
        reply(x, "CreateStack", "<StackId>arn:aws:cloudformation:local:000000000000:stack/" + name + "/1</StackId>");
    }

    private void update(HttpExchange x, Map<String, String> form) throws IOException {
        Stack s = stacks.get(form.get("StackName"));
        if (s == null) {
            error(x, 400, "ValidationError", "Stack with id " + form.get("StackName") + " does not exist");
            return;
        }
        Stack candidate = new Stack(s.name);
        String problem = accept(candidate, form);
        if (problem != null) {
            error(x, 400, "ValidationError", problem);
            return;
        }
        if (candidate.template.equals(s.template) && candidate.parameters.equals(s.parameters) && candidate.tags.equals(s.tags)) {
            error(x, 400, "ValidationError", "No updates are to be performed.");
            return;
        }
        s.template = candidate.template;
        s.parameters = candidate.parameters;
        s.tags = candidate.tags;
        s.role = candidate.role;
        s.capabilities = candidate.capabilities;
        s.status = "UPDATE_IN_PROGRESS";
        s.looks = 0;
        event(s, s.name, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated");
        reply(x, "UpdateStack", "<StackId>arn:aws:cloudformation:local:000000000000:stack/" + s.name + "/1</StackId>");
    }

    /** What CloudFormation checks before it starts: the template, and the parameters against it. */
    @SuppressWarnings("unchecked")
    private String accept(Stack s, Map<String, String> form) {
        s.template = form.get("TemplateBody");
        Map<String, Object> template;
        try {
            template = new Yaml().load(s.template);
        } catch (RuntimeException e) {
            return "Template format error: " + e.getMessage();
        }
        Map<String, Map<String, Object>> declared = (Map<String, Map<String, Object>>) template.get("Parameters");
        s.parameters = new LinkedHashMap<>();
        for (int i = 1; form.containsKey("Parameters.member." + i + ".ParameterKey"); i++) {
            s.parameters.put(form.get("Parameters.member." + i + ".ParameterKey"), form.get("Parameters.member." + i + ".ParameterValue"));
        }
        s.tags = new LinkedHashMap<>();
        for (int i = 1; form.containsKey("Tags.member." + i + ".Key"); i++) s.tags.put(form.get("Tags.member." + i + ".Key"), form.get("Tags.member." + i + ".Value"));
        s.role = form.get("RoleARN");
        List<String> capabilities = new ArrayList<>();
        for (int i = 1; form.containsKey("Capabilities.member." + i); i++) capabilities.add(form.get("Capabilities.member." + i));
        s.capabilities = capabilities;
        // As CloudFormation: a template that names IAM objects must be acknowledged so.
        if (s.template != null && s.template.contains("AWS::IAM::") && !capabilities.contains("CAPABILITY_NAMED_IAM")) {
            return "Requires capabilities : [CAPABILITY_NAMED_IAM]";
        }
        for (Map.Entry<String, String> p : s.parameters.entrySet()) {
            Map<String, Object> d = declared.get(p.getKey());
            if (d == null) return "Parameters: [" + p.getKey() + "] do not exist in the template";
            if (d.get("AllowedValues") instanceof List<?> allowed && !allowed.stream().map(String::valueOf).toList().contains(p.getValue())) {
                return "Parameter '" + p.getKey() + "' must be one of AllowedValues";
            }
            if (d.get("AllowedPattern") instanceof String pattern && !p.getValue().matches(pattern)) {
                return "Parameter '" + p.getKey() + "' must match pattern " + pattern;
            }
        }
        for (Map.Entry<String, Map<String, Object>> d : declared.entrySet()) {
            if (!d.getValue().containsKey("Default") && !s.parameters.containsKey(d.getKey())) {
                return "Parameters: [" + d.getKey() + "] must have values";
            }
        }
        return null;
    }

    private void describe(HttpExchange x, String name) throws IOException {
        if (name == null) {
            // Every stack of the account, as a class's sweep lists them.
            StringBuilder all = new StringBuilder("<Stacks>");
            for (Stack s : List.copyOf(stacks.values())) {
                progress(s);
                all.append(stackXml(s));
            }
            reply(x, "DescribeStacks", all.append("</Stacks>").toString());
            return;
        }
        Stack s = stacks.get(name);
        if (s == null) {
            error(x, 400, "ValidationError", "Stack with id " + name + " does not exist");
            return;
        }
        progress(s);
        reply(x, "DescribeStacks", "<Stacks>" + stackXml(s) + "</Stacks>");
    }

    private String stackXml(Stack s) {
        StringBuilder o = new StringBuilder("<member><StackName>").append(s.name).append("</StackName><StackId>arn:aws:cloudformation:local:000000000000:stack/")
                .append(s.name).append("/1</StackId><CreationTime>").append(s.created).append("</CreationTime><StackStatus>").append(s.status).append("</StackStatus>");
        if (s.tags != null && !s.tags.isEmpty()) {
            o.append("<Tags>");
            s.tags.forEach((k, v) -> o.append("<member><Key>").append(k).append("</Key><Value>").append(v).append("</Value></member>"));
            o.append("</Tags>");
        }
        if (s.status.endsWith("_COMPLETE") && !s.status.contains("ROLLBACK")) {
            o.append("<Outputs>");
            Map<String, String> out = new LinkedHashMap<>();
            if (s.name.endsWith("-vpc")) {
                out.put("VpcId", "vpc-0fa1");
                out.put("Az1", "local-1a");
                out.put("Az2", "local-1b");
            } else if (s.name.endsWith("-dr-net")) {
                out.put("SubnetGroup", s.name + "-subnets");
                out.put("SecurityGroup", "sg-0d5a");
            } else if (s.name.endsWith("-access")) {
                out.put("Group", "db007-" + s.parameters.get("ClassName") + "-students");
                out.put("StackRoleArn", "arn:aws:iam::000000000000:role/db007-" + s.parameters.get("ClassName") + "-cloudformation");
            } else if (outputs.isEmpty()) {
                // The instance database.yaml makes, named after the student.
                out.put("InstanceId", "db007-" + s.parameters.get("Student"));
                out.put("Endpoint", "127.0.0.1");
                out.put("Port", "5432");
                out.put("SecretArn", "arn:aws:secretsmanager:local:000000000000:secret:rds!db-" + s.parameters.get("Student"));
            } else {
                out.putAll(outputs);
            }
            out.forEach((k, v) -> o.append("<member><OutputKey>").append(k).append("</OutputKey><OutputValue>").append(v).append("</OutputValue></member>"));
            o.append("</Outputs>");
        }
        return o.append("</member>").toString();
    }

    /** A stack settles on its second look: resources created, or a rollback for a Region of one AZ. */
    private void progress(Stack s) {
        if (!s.status.endsWith("_IN_PROGRESS") || ++s.looks < 2) return;
        if (s.status.equals("CREATE_IN_PROGRESS") && "oneaz".equals(s.parameters.get("Student"))) {
            event(s, "SubnetAz2", "AWS::EC2::Subnet", "CREATE_FAILED", "Template error: Fn::Select cannot select nonexistent value at index 1");
            event(s, s.name, "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [SubnetAz2].");
            s.status = "ROLLBACK_COMPLETE";
            event(s, s.name, "AWS::CloudFormation::Stack", s.status, null);
            return;
        }
        String done = s.status.replace("_IN_PROGRESS", "_COMPLETE");
        Map<String, Object> resources = new Yaml().load(s.template);
        for (Object logical : ((Map<?, ?>) resources.get("Resources")).keySet()) {
            event(s, logical.toString(), "resource", done, null);
        }
        s.status = done;
        event(s, s.name, "AWS::CloudFormation::Stack", done, null);
        if (done.equals("CREATE_COMPLETE") && s.template.contains("AWS::RDS::DBInstance") && outputs.isEmpty()) {
            // CloudFormation gives the stack's tags to what it makes, and a tag of its own.
            Map<String, String> tags = new LinkedHashMap<>(s.tags);
            tags.put("aws:cloudformation:stack-name", s.name);
            String id = "db007-" + s.parameters.get("Student");
            instances.put(id, new Instance(id, true, Instant.now(), tags));
        }
    }

    private void events(HttpExchange x, String name) throws IOException {
        Stack s = stacks.get(name);
        if (s == null) {
            error(x, 400, "ValidationError", "Stack [" + name + "] does not exist");
            return;
        }
        StringBuilder o = new StringBuilder("<StackEvents>");
        List<String[]> newestFirst = new ArrayList<>(s.events);
        Collections.reverse(newestFirst);
        for (String[] e : newestFirst) {
            o.append("<member><EventId>").append(e[0]).append("</EventId><StackName>").append(s.name).append("</StackName><LogicalResourceId>").append(e[1])
                    .append("</LogicalResourceId><ResourceType>").append(e[2]).append("</ResourceType><Timestamp>").append(e[3]).append("</Timestamp><ResourceStatus>")
                    .append(e[4]).append("</ResourceStatus>");
            if (e[5] != null) o.append("<ResourceStatusReason>").append(e[5]).append("</ResourceStatusReason>");
            o.append("</member>");
        }
        reply(x, "DescribeStackEvents", o.append("</StackEvents>").toString());
    }

    /** Deleted at once: a real stack would list DELETE_COMPLETE for a while; by name, it is simply gone. */
    private void delete(HttpExchange x, String name) throws IOException {
        stacks.remove(name);
        synchronized (instances) {
            instances.values().removeIf(i -> name.equals(i.tags().get("aws:cloudformation:stack-name")));
        }
        reply(x, "DeleteStack", "");
    }

    private void event(Stack s, String logical, String type, String status, String reason) {
        s.events.add(new String[] {"e" + (++eventId), logical, type, Instant.now().toString(), status, reason});
    }

    private void secrets(HttpExchange x, String target, String body) throws IOException {
        calls.add(target + " " + body);
        if (target.equals("ServiceQuotasV20190624.GetServiceQuota")) {
            if (vpcQuota == null) send(x, 400, "application/x-amz-json-1.1", "{\"__type\":\"NoSuchResourceException\",\"message\":\"no applied quota\"}");
            else send(x, 200, "application/x-amz-json-1.1", "{\"Quota\":{\"ServiceCode\":\"vpc\",\"Value\":" + vpcQuota + "}}");
            return;
        }
        if (!target.equals("secretsmanager.GetSecretValue")) {
            send(x, 400, "application/x-amz-json-1.1", "{\"__type\":\"InvalidRequestException\",\"message\":\"unknown " + target + "\"}");
            return;
        }
        String secret = "{\\\"username\\\":\\\"db007\\\",\\\"password\\\":\\\"" + password + "\\\"}";
        send(x, 200, "application/x-amz-json-1.1", "{\"ARN\":\"arn:aws:secretsmanager:local:000000000000:secret:db007\",\"Name\":\"db007\",\"VersionId\":\"v1\","
                + "\"SecretString\":\"" + secret + "\",\"CreatedDate\":1.7632E9}");
    }

    /**
     * STS's answer for the request's signer: the access key id names an IAM user ("alice" is
     * arn:aws:iam::000000000000:user/alice), or, written role:session, a role's session, as in
     * CloudShell opened through a federated role.
     */
    private static String caller(HttpExchange x) {
        String auth = String.valueOf(x.getRequestHeaders().getFirst("Authorization"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Credential=([^/]+)/").matcher(auth);
        String key = m.find() ? m.group(1) : "anonymous";
        if (key.contains(":")) return "arn:aws:sts::000000000000:assumed-role/" + key.replace(':', '/');
        return "arn:aws:iam::000000000000:user/" + key;
    }

    private static void reply(HttpExchange x, String action, String result) throws IOException {
        send(x, 200, "text/xml", "<" + action + "Response><" + action + "Result>" + result + "</" + action + "Result><ResponseMetadata><RequestId>r1</RequestId>"
                + "</ResponseMetadata></" + action + "Response>");
    }

    private static void error(HttpExchange x, int status, String code, String message) throws IOException {
        send(x, status, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message + "</Message></Error>"
                + "<RequestId>r1</RequestId></ErrorResponse>");
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The template file a stack was made from, compared by content. */
    static String template(String file) throws IOException {
        return Files.readString(Path.of("cloudformation", file));
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
