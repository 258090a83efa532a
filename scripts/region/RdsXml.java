package region;

//SOURCES ../common/Json.java Region.java

import com.sun.net.httpserver.HttpExchange;
import common.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * RDS's Query API answers, as XML, for the two local Regions' APIs: the mission's region
 * (RdsApi) and the replica's Region of step 11 (DrRegion). The SDK reads them as it reads RDS's.
 */
final class RdsXml {
    static final String NS = "http://rds.amazonaws.com/doc/2014-10-31/";

    private RdsXml() {}

    /** What every instance of the local region says first: who it is, its state, and where to connect. */
    static StringBuilder head(String id, Region.InstanceStatus status, String address, int port) {
        StringBuilder x = new StringBuilder("<DBInstance>");
        tag(x, "DBInstanceIdentifier", id);
        tag(x, "DBInstanceClass", "db.local");
        tag(x, "Engine", "postgres");
        tag(x, "DBInstanceStatus", Json.key(status));
        tag(x, "MasterUsername", Region.MASTER_USER);
        tag(x, "DBName", Region.DATABASE);
        x.append("<Endpoint>");
        tag(x, "Address", address);
        tag(x, "Port", Integer.toString(port));
        return x.append("</Endpoint>");
    }

    static void ok(HttpExchange ex, String action, String result) throws IOException {
        reply(ex, 200, "text/xml", "<" + action + "Response xmlns=\"" + NS + "\"><" + action + "Result>" + result + "</" + action
                + "Result><ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></" + action + "Response>");
    }

    static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        StringBuilder x = new StringBuilder("<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type>");
        tag(x, "Code", code);
        tag(x, "Message", message);
        x.append("</Error><RequestId>").append(UUID.randomUUID()).append("</RequestId></ErrorResponse>");
        reply(ex, status, "text/xml", x.toString());
    }

    static void tag(StringBuilder x, String name, String value) {
        x.append('<').append(name).append('>')
                .append(value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
                .append("</").append(name).append('>');
    }

    static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

}
