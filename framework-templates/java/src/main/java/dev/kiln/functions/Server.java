package dev.kiln.functions;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Serves one function with the JDK's HTTP server, a thread per request. */
public final class Server {
  private final HttpServer http;
  private final ExecutorService pool;

  private Server(HttpServer http, ExecutorService pool) {
    this.http = http;
    this.pool = pool;
  }

  /** Starts serving an HTTP function on port (0 picks one). */
  public static Server http(HttpFunction fn, String host, int port) throws IOException {
    return start(host, port, (req, res) -> fn.service(req, res));
  }

  /** Starts serving a CloudEvent function on port. */
  public static Server cloudEvents(CloudEventsFunction fn, String host, int port) throws IOException {
    return start(host, port, (req, res) -> {
      if (!req.getMethod().equals("POST")) {
        res.setStatusCode(405);
        res.appendHeader("Allow", "POST");
        res.getWriter().write("CloudEvents are delivered with POST");
        return;
      }
      fn.accept(CloudEvent.fromRequest(req));
    });
  }

  private static Server start(String host, int port, HttpFunction handler) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 128);
    ExecutorService pool = Executors.newCachedThreadPool();
    http.setExecutor(pool);
    http.createContext("/", ex -> handle(ex, handler));
    http.start();
    return new Server(http, pool);
  }

  public int port() { return http.getAddress().getPort(); }

  /** Stops accepting, lets in-flight requests finish for at most graceSeconds. */
  public void stop(int graceSeconds) throws InterruptedException {
    http.stop(0);
    pool.shutdown();
    pool.awaitTermination(graceSeconds, TimeUnit.SECONDS);
  }

  private static void handle(HttpExchange ex, HttpFunction handler) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/favicon.ico") || path.equals("/robots.txt")) {
        send(ex, 404, Map.of("Content-Type", List.of("text/plain")), "Not Found".getBytes(StandardCharsets.UTF_8));
        return;
      }
      byte[] body = ex.getRequestBody().readAllBytes();
      HttpRequest req = new HttpRequest(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), ex.getRequestHeaders(), body);
      HttpResponse res = new HttpResponse();
      try {
        handler.service(req, res);
      } catch (CloudEvent.BadRequest e) {
        send(ex, 400, Map.of("Content-Type", List.of("text/plain")), e.getMessage().getBytes(StandardCharsets.UTF_8));
        return;
      } catch (Exception e) {
        System.err.println("function error serving " + ex.getRequestMethod() + " " + path + ": " + e);
        e.printStackTrace();
        send(ex, 500, Map.of("Content-Type", List.of("text/plain")), "Internal Server Error".getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(ex, res.getStatusCode(), res.getHeaders(), res.bytes());
    } finally {
      ex.close();
    }
  }

  private static void send(HttpExchange ex, int status, Map<String, List<String>> headers, byte[] body) throws IOException {
    headers.forEach((k, v) -> ex.getResponseHeaders().put(k, v));
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
