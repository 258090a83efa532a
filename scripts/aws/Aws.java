package aws;

//SOURCES ../common/Problem.java

// The SDK's lightweight HTTP client (the JDK's own HttpURLConnection), not Netty or Apache: a short start.
//DEPS software.amazon.awssdk:url-connection-client:2.42.33
// The SDK asks for SLF4J 1.7, which cannot see a 2.0 binding: the API is pinned to 2.0 too, as Fabric8 uses.
//DEPS org.slf4j:slf4j-api:2.0.17

import common.Problem;
import java.util.Arrays;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * An AWS account as every step that calls AWS reaches it: the Region and the credentials from the
 * SDK's default chains (AWS_REGION, AWS_PROFILE, ~/.aws, CloudShell's container credentials)
 * unless --region and --profile say otherwise, and one meaning for each usual failure. Every
 * client is built with the SDK's URL-connection HTTP client, the JDK's own: a short start.
 */
public final class Aws {
    private Aws() {}

    /** --region and --profile, for any step that calls AWS. */
    public static class Options {
        @Option(names = "--region", paramLabel = "REGION", descriptionKey = "option.region")
        public String region;

        @Option(names = "--profile", paramLabel = "PROFILE", descriptionKey = "option.profile")
        public String profile;

        /**
         * Region and credentials for any of the SDK's clients. A service's endpoint can
         * be moved with the SDK's own AWS_ENDPOINT_URL_<SERVICE> variables, which the tests use to
         * reach local fakes.
         */
        public <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
            if (region != null) builder.region(software.amazon.awssdk.regions.Region.of(region));
            builder.credentialsProvider(profile != null ? ProfileCredentialsProvider.create(profile) : DefaultCredentialsProvider.builder().build());
            return builder;
        }
    }

    /** How often to ask AWS about something slow: that often, unless DB007_AWS_POLL_SECONDS shortens it (the kit's tests, against local stand-ins). */
    public static java.time.Duration poll(java.time.Duration usual) {
        String s = System.getenv("DB007_AWS_POLL_SECONDS");
        return s == null ? usual : java.time.Duration.ofMillis((long) (Double.parseDouble(s) * 1000));
    }

    /** What an SDK failure means for a student: the usual causes get their own advice. */
    public static Problem explain(SdkException e, String key, Object... args) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Unable to load credentials") || m.contains("security token") || m.contains("InvalidClientTokenId")) {
            return new Problem(Problem.USAGE, e, "aws.credentials");
        }
        if (m.contains("Unable to load region")) return new Problem(Problem.USAGE, e, "aws.region.missing");
        Object[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = m;
        return new Problem(Problem.USAGE, e, key, all);
    }
}
