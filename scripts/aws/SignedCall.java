package aws;

//SOURCES Aws.java

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The few read-only questions the preflight asks of EC2, Service Quotas and IAM (how many VPCs,
 * what quota, may I), sent with the SDK's own credentials, signer and HTTP client rather than
 * with three more SDK modules: EC2's alone is 24 MB, in a CloudShell home of 1 GB, for two calls.
 * The endpoints move with the SDK's own variables (AWS_ENDPOINT_URL_EC2, …), as the tests do.
 */
final class SignedCall {
    private SignedCall() {}

    /** An answer: the HTTP status and the body, XML or JSON as the service speaks. */
    record Reply(int status, String body) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** The text of the first element of that name, or null. */
        String first(String element) {
            int at = body.indexOf("<" + element + ">");
            if (at < 0) return null;
            int from = at + element.length() + 2;
            return body.substring(from, body.indexOf("</" + element + ">", from));
        }

        /** How many elements of that name the answer holds. */
        int count(String element) {
            int n = 0;
            for (int at = body.indexOf("<" + element + ">"); at >= 0; at = body.indexOf("<" + element + ">", at + 1)) n++;
            return n;
        }
    }

    /** The Query protocol (EC2, IAM): a form of Action, Version and parameters, POSTed and signed. */
    static Reply query(Aws.Options o, String signingName, String endpointId, String host, boolean global, Map<String, String> form) throws IOException {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        return call(o, signingName, endpointId, host, global, "application/x-www-form-urlencoded; charset=utf-8", null, body);
    }

    /** The JSON 1.1 protocol (Service Quotas): a target header and a JSON body. */
    static Reply json(Aws.Options o, String signingName, String endpointId, String host, String target, String body) throws IOException {
        return call(o, signingName, endpointId, host, false, "application/x-amz-json-1.1", target, body);
    }

    private static Reply call(Aws.Options o, String signingName, String endpointId, String host, boolean global, String type, String target, String body)
            throws IOException {
        String region = o.region != null ? o.region : new DefaultAwsRegionProviderChain().getRegion().id();
        // IAM is global: its calls are signed for us-east-1 and go to one host.
        String signingRegion = global ? "us-east-1" : region;
        String override = System.getenv("AWS_ENDPOINT_URL_" + endpointId);
        if (override == null) override = System.getenv("AWS_ENDPOINT_URL");
        URI endpoint = URI.create(override != null ? override : "https://" + host.replace("{region}", region));
        AwsCredentials credentials = (o.profile != null ? ProfileCredentialsProvider.create(o.profile) : DefaultCredentialsProvider.builder().build())
                .resolveCredentials();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).uri(endpoint).encodedPath("/")
                .putHeader("Content-Type", type);
        if (target != null) request.putHeader("X-Amz-Target", target);
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials).request(request.build())
                .payload(ContentStreamProvider.fromByteArray(bytes))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
                .putProperty(AwsV4HttpSigner.REGION_NAME, signingRegion));
        try (SdkHttpClient http = UrlConnectionHttpClient.create()) {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null)).build()).call();
            try (InputStream in = response.responseBody().map(InputStream.class::cast).orElse(new ByteArrayInputStream(new byte[0]))) {
                return new Reply(response.httpResponse().statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
