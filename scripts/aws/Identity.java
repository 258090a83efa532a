package aws;

//SOURCES ../common/Problem.java Aws.java

//DEPS software.amazon.awssdk:sts:2.42.33

import common.Problem;
import java.util.Locale;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Who is calling AWS, from STS's GetCallerIdentity: the ARN, and a student's name made from it.
 * In CloudShell every account's OS user is cloudshell-user, so a class sharing one AWS account
 * needs names from AWS's identities instead: an IAM user's name, or a role session's name.
 */
public record Identity(String arn, String name) {

    public static Identity of(Aws.Options options) {
        try (StsClient sts = options.configure(StsClient.builder().httpClient(UrlConnectionHttpClient.create())).build()) {
            String arn = sts.getCallerIdentity().arn();
            return new Identity(arn, nameOf(arn));
        } catch (SdkException e) {
            throw Aws.explain(e, "aws.identity");
        }
    }

    /**
     * A name the stacks may carry: arn:aws:iam::1:user/path/Alice gives alice, an assumed role's
     * session (arn:aws:sts::1:assumed-role/Students/alice@school.fr) gives alice-school-fr.
     */
    static String nameOf(String arn) {
        String resource = arn.substring(arn.lastIndexOf(':') + 1);
        String last = resource.substring(resource.lastIndexOf('/') + 1);
        String name = last.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (name.isEmpty() || !Character.isLetter(name.charAt(0))) name = "s-" + name;
        if (name.length() > 31) name = name.substring(0, 31).replaceAll("-+$", "");
        if (resource.equals("root")) throw Problem.environment("aws.identity.root");
        return name;
    }
}
