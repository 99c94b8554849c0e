package dev.kiln.functions;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves one function with the JDK's HTTP server: at most Limits.maxThreads
 * requests at once (more wait in a queue), bodies up to Limits.maxBodyBytes
 * (a 413 beyond), TCP_NODELAY, and a drain on stop.
 */
public final class Server {
  private final HttpServer http;
  private final BoundedExecutor pool;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;

  private Server(HttpServer http, BoundedExecutor pool) {
    this.http = http;
    this.pool = pool;
  }

  /** Starts serving an HTTP function on port (0 picks one) with the default limits. */
  public static Server http(HttpFunction fn, String host, int port) throws IOException {
    return http(fn, host, port, Limits.defaults());
  }

  public static Server http(HttpFunction fn, String host, int port, Limits limits) throws IOException {
    return start(host, port, limits, (req, res) -> fn.service(req, res));
  }

  /** Starts serving a CloudEvent function on port. */
  public static Server cloudEvents(CloudEventsFunction fn, String host, int port) throws IOException {
    return cloudEvents(fn, host, port, Limits.defaults());
  }

  public static Server cloudEvents(CloudEventsFunction fn, String host, int port, Limits limits) throws IOException {
    return start(host, port, limits, (req, res) -> {
      if (!req.getMethod().equals("POST")) {
        res.setStatusCode(405);
        res.appendHeader("Allow", "POST");
        res.getWriter().write("CloudEvents are delivered with POST");
        return;
      }
      fn.accept(CloudEvent.fromRequest(req));
    });
  }

  private static Server start(String host, int port, Limits limits, HttpFunction handler) throws IOException {
    JdkServerConfig.apply(limits);
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 128);
    BoundedExecutor pool = new BoundedExecutor(limits.maxThreads, "kiln-http");
    http.setExecutor(pool);
    Server s = new Server(http, pool);
    http.createContext("/", ex -> s.handle(ex, handler, limits.maxBodyBytes));
    http.start();
    return s;
  }

  public int port() { return http.getAddress().getPort(); }

  /**
   * Stops accepting at once, lets in-flight requests finish for at most
   * graceSeconds (they answer with Connection: close), then closes every
   * connection. Returns whether the in-flight requests all finished.
   */
  public boolean stop(int graceSeconds) throws InterruptedException {
    stopping = true;
    // HttpServer.stop(delay) closes the listener at once but then waits the
    // whole delay even with nothing in flight (JDK 17), so it runs aside
    // while we wait for our own count, and stop(0) cuts it short.
    Thread closer = new Thread(() -> http.stop(graceSeconds), "kiln-http-stop");
    closer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
    synchronized (inFlight) {
      while (inFlight.get() > 0 && System.nanoTime() < deadline) {
        inFlight.wait(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
      }
    }
    boolean drained = inFlight.get() == 0;
    http.stop(0);
    closer.join();
    pool.threads().shutdownNow();
    return drained;
  }

  private void handle(HttpExchange ex, HttpFunction handler, long maxBody) throws IOException {
    inFlight.incrementAndGet();
    try {
      serve(ex, handler, maxBody);
    } finally {
      ex.close();
      if (inFlight.decrementAndGet() == 0 && stopping) {
        synchronized (inFlight) {
          inFlight.notifyAll();
        }
      }
    }
  }

  private void serve(HttpExchange ex, HttpFunction handler, long maxBody) throws IOException {
    String path = ex.getRequestURI().getPath();
    byte[] body = readBody(ex, maxBody);
    if (body == null) {
      send(ex, 413, text(), ("request body larger than " + maxBody + " bytes (KILN_MAX_BODY_BYTES)").getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (path.equals("/favicon.ico") || path.equals("/robots.txt")) {
      send(ex, 404, text(), "Not Found".getBytes(StandardCharsets.UTF_8));
      return;
    }
    HttpRequest req = new HttpRequest(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), ex.getRequestHeaders(), body);
    HttpResponse res = new HttpResponse();
    try {
      handler.service(req, res);
    } catch (CloudEvent.BadRequest e) {
      send(ex, 400, text(), e.getMessage().getBytes(StandardCharsets.UTF_8));
      return;
    } catch (Exception e) {
      System.err.println("function error serving " + ex.getRequestMethod() + " " + path + ": " + e);
      e.printStackTrace();
      send(ex, 500, text(), "Internal Server Error".getBytes(StandardCharsets.UTF_8));
      return;
    }
    send(ex, res.getStatusCode(), res.getHeaders(), res.bytes());
  }

  private static Map<String, List<String>> text() {
    return Map.of("Content-Type", List.of("text/plain; charset=utf-8"));
  }

  private static final byte[] EMPTY = new byte[0];

  /** The body, or null when it is larger than maxBody (the rest is left unread). */
  private static byte[] readBody(HttpExchange ex, long maxBody) throws IOException {
    // The JDK server has already rejected a malformed or negative
    // Content-Length, and a Transfer-Encoding other than chunked.
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    boolean chunked = ex.getRequestHeaders().containsKey("Transfer-Encoding");
    InputStream in = ex.getRequestBody();
    if (!chunked) {
      long n = length == null ? 0 : Long.parseLong(length.trim());
      if (n > maxBody) return null;
      return n == 0 ? EMPTY : in.readNBytes((int) n);
    }
    byte[] body = in.readNBytes((int) Math.min(maxBody + 1, Integer.MAX_VALUE - 8));
    return body.length > maxBody ? null : body;
  }

  private void send(HttpExchange ex, int status, Map<String, List<String>> headers, byte[] body) throws IOException {
    headers.forEach((k, v) -> ex.getResponseHeaders().put(k, v));
    if (status == 413 || stopping) ex.getResponseHeaders().set("Connection", "close");
    boolean noBody = body.length == 0 || ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, noBody ? -1 : body.length);
    if (!noBody) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
