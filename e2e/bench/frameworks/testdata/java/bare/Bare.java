import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The hello function on the JDK's com.sun.net.httpserver alone, with its
 * defaults (requests run on the dispatcher thread): the baseline ($PORT).
 */
public class Bare {
  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("PORT"))), 0);
    server.createContext("/", ex -> {
      String name = "World";
      String q = ex.getRequestURI().getRawQuery();
      if (q != null) {
        for (String kv : q.split("&")) {
          if (kv.startsWith("name=") && kv.length() > 5) {
            name = URLDecoder.decode(kv.substring(5), StandardCharsets.UTF_8);
          }
        }
      }
      byte[] body = ("Hello, " + name + "!\n").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
    });
    server.start();
  }
}
