package aws;

//SOURCES ../common/Home.java ../common/Messages.java ../common/Problem.java ../common/Wait.java Aws.java Identity.java Rds.java

//DEPS software.amazon.awssdk:cloudformation:2.42.33

import common.Home;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.DescribeStacksRequest;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackEvent;
import software.amazon.awssdk.services.cloudformation.model.Tag;

/**
 * The mission's CloudFormation stacks, through the SDK: create or update one from a template of
 * cloudformation/, show its events as they come, wait with the SDK's waiters, read its outputs,
 * delete it. A failed stack is explained from its own events, not left to the console.
 */
public final class Stacks implements AutoCloseable {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private final CloudFormationClient client;
    private final WaiterOverrideConfiguration waiting;
    private final Duration poll;

    private final Aws.Options options;
    private Identity me;

    /** The caller, asked of STS once. */
    private Identity me() {
        if (me == null) me = Identity.of(options);
        return me;
    }

    private Stacks(CloudFormationClient client, Duration poll, Aws.Options options) {
        this.options = options;
        this.client = client;
        this.poll = poll;
        // RDS Multi-AZ takes 15 to 30 minutes to create; the SDK's default waiter would give up sooner.
        this.waiting = WaiterOverrideConfiguration.builder().waitTimeout(Duration.ofMinutes(60))
                .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(poll)).maxAttempts(100_000).build();
    }

    public static Stacks open(Rds.Options options) {
        return open(options, null);
    }

    /** The same in another Region (step 11's replica network); null for the options' own. */
    public static Stacks open(Rds.Options options, String region) {
        try {
            var b = options.configure(CloudFormationClient.builder().httpClient(UrlConnectionHttpClient.create()));
            if (region != null) b.region(software.amazon.awssdk.regions.Region.of(region));
            return new Stacks(b.build(), poll(), options);
        } catch (SdkException e) {
            throw Aws.explain(e, "aws.client");
        }
    }

    private static Duration poll() {
        return Aws.poll(Duration.ofSeconds(10));
    }

    /** A template of the kit's cloudformation/ folder. */
    public static Path template(String file) {
        Path p = Home.kitFile("cloudformation/" + file);
        if (!Files.exists(p)) throw Problem.environment("aws.template.missing", p.toAbsolutePath());
        return p;
    }

    /** A stack as the steps need it. */
    public record Info(String name, String status, Map<String, String> outputs, Map<String, String> tags, java.time.Instant created) {}

    /** The tag naming the AWS identity that made a stack: nobody else's run may change or delete it. */
    public static final String OWNER = "Owner";

    /** The stack of that name, or null when there is none. */
    public Info find(String name) {
        try {
            return info(client.describeStacks(r -> r.stackName(name)).stacks().get(0));
        } catch (CloudFormationException e) {
            if (String.valueOf(e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage()).contains("does not exist")) return null;
            throw Aws.explain(e, "aws.stack.call", name);
        } catch (SdkException e) {
            throw Aws.explain(e, "aws.stack.call", name);
        }
    }

    private static Info info(Stack s) {
        Map<String, String> outputs = new LinkedHashMap<>();
        s.outputs().forEach(o -> outputs.put(o.outputKey(), o.outputValue()));
        Map<String, String> tags = new LinkedHashMap<>();
        s.tags().forEach(t -> tags.put(t.key(), t.value()));
        return new Info(s.stackName(), s.stackStatusAsString(), outputs, tags, s.creationTime());
    }

    /** Every stack of the Region that carries this tag (deleted ones are no longer listed). */
    public List<Info> tagged(String key, String value) {
        try {
            List<Info> found = new ArrayList<>();
            for (Stack s : client.describeStacksPaginator(DescribeStacksRequest.builder().build()).stacks()) {
                if (s.tags().stream().anyMatch(t -> t.key().equals(key) && t.value().equals(value))) found.add(info(s));
            }
            return found;
        } catch (SdkException e) {
            throw Aws.explain(e, "aws.stack.call", key + "=" + value);
        }
    }

    /**
     * In a class sharing one account, two students must never act on one stack: a stack another
     * identity made (its Owner tag) is refused with its owner named, whatever name was typed.
     */
    private static void refuseIfNotMine(Info existing, String caller) {
        String owner = existing == null ? null : existing.tags().get(OWNER);
        if (owner != null && !owner.equals(caller)) throw Problem.failed("aws.student.taken", existing.name(), owner);
    }

    /**
     * Creates the stack, or updates it when it exists, and returns once it is complete, printing
     * its events meanwhile. A stack left in ROLLBACK_COMPLETE by a failed creation cannot be
     * updated: the student is told to tear it down first.
     */
    public Info deploy(String name, Path template, Map<String, String> parameters, Map<String, String> tags, PrintWriter out) throws IOException {
        return deploy(name, template, parameters, tags, null, out);
    }

    /**
     * The same, run by CloudFormation with this role (a class's: its students may create only
     * through it) when roleArn is not null; a template that makes IAM objects is acknowledged so.
     */
    // Long because a deploy's cases (busy, rolled back, new, changed, unchanged, failed) read best in the order they are met.
    public Info deploy(String name, Path template, Map<String, String> parameters, Map<String, String> tags, String roleArn, PrintWriter out) throws IOException {
        String body = Files.readString(template);
        List<Parameter> params = parameters.entrySet().stream().map(e -> Parameter.builder().parameterKey(e.getKey()).parameterValue(e.getValue()).build()).toList();
        Info existing = find(name);
        refuseIfNotMine(existing, me().arn());
        Map<String, String> owned = new LinkedHashMap<>(tags);
        owned.put(OWNER, me().arn());
        List<Tag> tagList = owned.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
        List<String> capabilities = body.contains("AWS::IAM::") ? List.of("CAPABILITY_NAMED_IAM") : List.of();
        // A run cut off (a CloudShell session that ended) left the stack changing: follow it to its end, then go on from there.
        if (existing != null && existing.status().endsWith("_IN_PROGRESS")) existing = settle(existing, out);
        if (existing != null && (existing.status().equals("ROLLBACK_COMPLETE") || existing.status().equals("ROLLBACK_FAILED"))) {
            throw Problem.failed("aws.stack.rolled-back", name, existing.status(), reasons(name));
        }
        Set<String> seen = new HashSet<>();
        if (existing != null) events(name).forEach(e -> seen.add(e.eventId()));
        try {
            if (existing == null) {
                out.println(Messages.get("aws.stack.creating", name));
                client.createStack(r -> r.stackName(name).templateBody(body).parameters(params).tags(tagList).roleARN(roleArn).capabilitiesWithStrings(capabilities));
            } else {
                Info before = existing;
                client.updateStack(r -> r.stackName(name).templateBody(body).parameters(params).tags(tagList).roleARN(roleArn).capabilitiesWithStrings(capabilities));
                out.println(Messages.get("aws.stack.updating", name, before.status()));
            }
        } catch (CloudFormationException e) {
            if (oneAz(String.valueOf(e.getMessage()))) throw Problem.failed("aws.region.one-az", name);
            if (String.valueOf(e.getMessage()).contains("No updates are to be performed")) {
                out.println(Messages.get("aws.stack.unchanged", name));
                return find(name);
            }
            throw Aws.explain(e, "aws.stack.call", name);
        } catch (SdkException e) {
            throw Aws.explain(e, "aws.stack.call", name);
        }
        boolean created = existing == null;
        boolean ok = follow(name, seen, out, () -> {
            if (created) client.waiter().waitUntilStackCreateComplete(DescribeStacksRequest.builder().stackName(name).build(), waiting);
            else client.waiter().waitUntilStackUpdateComplete(DescribeStacksRequest.builder().stackName(name).build(), waiting);
        });
        Info done = find(name);
        if (!ok || done == null || !done.status().endsWith("_COMPLETE") || done.status().contains("ROLLBACK")) {
            String why = reasons(name);
            if (oneAz(why)) throw Problem.failed("aws.region.one-az", name);
            throw Problem.failed("aws.stack.failed", name, done == null ? "-" : done.status(), why);
        }
        return done;
    }

    /**
     * Waits, printing its events from the start, until a stack another run left changing settles
     * (created, updated, rolled back or deleted), and returns it as it is then: null once deleted.
     */
    private Info settle(Info busy, PrintWriter out) {
        out.println(Messages.get("aws.stack.resuming", busy.name(), busy.status()));
        boolean settled = follow(busy.name(), new HashSet<>(), out, () -> {
            if (!Wait.within(waiting.waitTimeout().orElse(Duration.ofMinutes(60)), poll, () -> {
                Info now = find(busy.name());
                return now == null || !now.status().endsWith("_IN_PROGRESS");
            })) throw SdkException.create("still changing", null);
        });
        Info now = find(busy.name());
        if (!settled && now != null) throw Problem.failed("aws.stack.busy", busy.name(), now.status());
        if (now != null && now.status().equals("DELETE_COMPLETE")) return null;
        return now;
    }

    /** Fn::GetAZs gave fewer than two zones, and the template asks for the second one. */
    private static boolean oneAz(String why) {
        return why.contains("nonexistent value at index 1");
    }

    /** Deletes the stack and returns once it is gone; nothing to do when there is none. */
    public void delete(String name, PrintWriter out) {
        delete(name, false, out);
    }

    /** The same; the instructor's "class down" deletes whatever the class tag marks, whoever made it. */
    public void delete(String name, boolean anyOwner, PrintWriter out) {
        Info existing = find(name);
        if (existing == null) {
            out.println(Messages.get("aws.stack.absent", name));
            return;
        }
        if (!anyOwner) refuseIfNotMine(existing, me().arn());
        Set<String> seen = new HashSet<>();
        events(name).forEach(e -> seen.add(e.eventId()));
        out.println(Messages.get("aws.stack.deleting", name));
        try {
            client.deleteStack(r -> r.stackName(name));
        } catch (SdkException e) {
            throw Aws.explain(e, "aws.stack.call", name);
        }
        boolean ok = follow(name, seen, out, () -> client.waiter().waitUntilStackDeleteComplete(DescribeStacksRequest.builder().stackName(name).build(), waiting));
        Info left = find(name);
        if (!ok || left != null && !left.status().equals("DELETE_COMPLETE")) {
            throw Problem.failed("aws.stack.delete-failed", name, left == null ? "-" : left.status(), reasons(name));
        }
    }

    /** Runs the waiter while the stack's new events are printed every few seconds; true when the waiter succeeded. */
    private boolean follow(String name, Set<String> seen, PrintWriter out, Runnable waiter) {
        ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stack events");
            t.setDaemon(true);
            return t;
        });
        printer.scheduleWithFixedDelay(() -> print(name, seen, out), 0, 5, TimeUnit.SECONDS);
        boolean ok;
        try {
            waiter.run();
            ok = true;
        } catch (SdkException e) {
            // The waiter reached a failure state (ROLLBACK_*, DELETE_FAILED): the events say why.
            ok = false;
        } finally {
            // Not shutdownNow: a call cut in the middle could leave a half-sent request behind.
            printer.shutdown();
            try {
                printer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        print(name, seen, out);
        return ok;
    }

    private synchronized void print(String name, Set<String> seen, PrintWriter out) {
        try {
            for (StackEvent e : events(name)) {
                if (!seen.add(e.eventId())) continue;
                out.printf("  %s  %-28s %-22s %s%n", CLOCK.format(e.timestamp()), e.logicalResourceId(), e.resourceStatusAsString(),
                        e.resourceStatusReason() == null ? "" : e.resourceStatusReason());
            }
            out.flush();
        } catch (RuntimeException e) {
            // A stack just deleted has no events to list; the waiter decides, not the printer.
        }
    }

    /** Oldest first. */
    private List<StackEvent> events(String name) {
        try {
            List<StackEvent> all = new ArrayList<>(client.describeStackEvents(r -> r.stackName(name)).stackEvents());
            Collections.reverse(all);
            return all;
        } catch (CloudFormationException e) {
            return List.of();
        }
    }

    /** Why the stack failed, from its FAILED events: what the console would show. */
    private String reasons(String name) {
        List<String> why = new ArrayList<>();
        for (StackEvent e : events(name)) {
            if (e.resourceStatusAsString().endsWith("_FAILED") && e.resourceStatusReason() != null) why.add(e.logicalResourceId() + ": " + e.resourceStatusReason());
        }
        return why.isEmpty() ? "-" : String.join("; ", why);
    }

    @Override
    public void close() {
        client.close();
    }
}
