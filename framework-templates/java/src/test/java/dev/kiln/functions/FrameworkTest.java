package dev.kiln.functions;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/** Tests of the Java framework, runnable with the JDK alone: java dev.kiln.functions.FrameworkTest */
public final class FrameworkTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static int passed, failed;

  interface Check { void run() throws Exception; }

  /** A function nested in another class, as in samples/java/multi. */
  public static class Nested implements HttpFunction {
    @Override
    public void service(HttpRequest request, HttpResponse response) {}
  }

  static void test(String name, Check c) {
    try {
      c.run();
      passed++;
      System.out.println("ok   " + name);
    } catch (Throwable t) {
      failed++;
      System.out.println("FAIL " + name + ": " + t);
    }
  }

  static void eq(Object want, Object got) {
    if (!String.valueOf(want).equals(String.valueOf(got))) throw new AssertionError("want " + want + ", got " + got);
  }

  static java.net.http.HttpResponse<String> call(String url, String method, String body, String... headers) throws Exception {
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(url))
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    return CLIENT.send(b.build(), BodyHandlers.ofString());
  }

  public static void main(String[] args) throws Exception {
    test("http: query, body, status, 404 noise, exceptions are 500 and the server lives on", () -> {
      Server s = Server.http((req, res) -> {
        if (req.getFirstQueryParameter("boom").isPresent()) throw new IllegalStateException("boom");
        if (req.getMethod().equals("POST")) {
          res.setStatusCode(201);
          res.getWriter().write("got " + req.getBodyAsString());
          return;
        }
        res.getWriter().write("Hello, " + req.getFirstQueryParameter("name").orElse("World") + "!");
      }, "127.0.0.1", 0);
      try {
        String u = "http://127.0.0.1:" + s.port();
        eq("Hello, Kiln!", call(u + "/?name=Kiln", "GET", null).body());
        java.net.http.HttpResponse<String> p = call(u, "POST", "{\"a\":1}", "Content-Type", "application/json");
        eq(201, p.statusCode());
        eq("got {\"a\":1}", p.body());
        eq(404, call(u + "/favicon.ico", "GET", null).statusCode());
        eq(404, call(u + "/robots.txt", "GET", null).statusCode());
        eq(500, call(u + "/?boom=1", "GET", null).statusCode());
        eq(200, call(u + "/after", "GET", null).statusCode());
      } finally {
        s.stop(1);
      }
    });

    test("concurrent calls run in parallel", () -> {
      // Each call waits at a barrier for all ten: served one at a time, the
      // first would time out there (a 500).
      CyclicBarrier barrier = new CyclicBarrier(10);
      Server s = Server.http((req, res) -> barrier.await(30, TimeUnit.SECONDS), "127.0.0.1", 0);
      try {
        List<CompletableFuture<java.net.http.HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          all.add(CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port())).build(), BodyHandlers.ofString()));
        }
        for (CompletableFuture<java.net.http.HttpResponse<String>> f : all) eq(200, f.join().statusCode());
      } finally {
        s.stop(1);
      }
    });

    test("keep-alive: no delayed-ACK stall (a response in pieces costs 40 ms per request)", () -> {
      Server s = Server.http((req, res) -> res.getWriter().write("Hello, World!"), "127.0.0.1", 0);
      try {
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port())).build();
        c.send(get, BodyHandlers.ofString()); // connect, load classes
        long[] took = new long[20];
        for (int i = 0; i < took.length; i++) {
          long t0 = System.nanoTime();
          eq(200, c.send(get, BodyHandlers.ofString()).statusCode());
          took[i] = System.nanoTime() - t0;
        }
        long[] sorted = took.clone();
        Arrays.sort(sorted);
        if (sorted[10] >= 20_000_000L) throw new AssertionError("median request on one connection took " + sorted[10] / 1000 + " us: " + Arrays.toString(took));
      } finally {
        s.stop(1);
      }
    });

    test("bodies: up to the limit, chunked, 413 beyond", () -> {
      Server s = Server.http((req, res) -> res.getOutputStream().write(req.getBody()), "127.0.0.1", 0, new Limits(16, 10, 4));
      try {
        String u = "http://127.0.0.1:" + s.port();
        eq("0123456789abcdef", call(u, "POST", "0123456789abcdef").body());
        java.net.http.HttpResponse<String> big = call(u, "POST", "0123456789abcdefX");
        eq(413, big.statusCode());
        eq("request body larger than 16 bytes (KILN_MAX_BODY_BYTES)", big.body());
        java.net.http.HttpRequest chunked = java.net.http.HttpRequest.newBuilder(URI.create(u))
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream("chunked!".getBytes(StandardCharsets.UTF_8)))).build();
        eq("chunked!", CLIENT.send(chunked, BodyHandlers.ofString()).body());
        java.net.http.HttpRequest bigChunked = java.net.http.HttpRequest.newBuilder(URI.create(u))
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[64]))).build();
        eq(413, CLIENT.send(bigChunked, BodyHandlers.ofString()).statusCode());
        eq(200, call(u, "GET", null).statusCode());
      } finally {
        s.stop(1);
      }
    });

    test("stop: in-flight requests finish with Connection: close, then it returns without waiting out the grace", () -> {
      CountDownLatch entered = new CountDownLatch(1);
      Server s = Server.http((req, res) -> {
        entered.countDown();
        Thread.sleep(300);
        res.getWriter().write("finished");
      }, "127.0.0.1", 0);
      CompletableFuture<java.net.http.HttpResponse<String>> inflight = CLIENT.sendAsync(
          java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port())).build(), BodyHandlers.ofString());
      entered.await();
      long t0 = System.nanoTime();
      eq(true, s.stop(30));
      long took = System.nanoTime() - t0;
      java.net.http.HttpResponse<String> r = inflight.join();
      eq("finished", r.body());
      eq("close", r.headers().firstValue("Connection").orElse(""));
      if (took > 10_000_000_000L) throw new AssertionError("stop(30) took " + took / 1_000_000 + " ms with nothing left in flight");
      // With nothing in flight at all (the JDK's own stop(30) would wait 30 s).
      Server idle = Server.http((req, res) -> {}, "127.0.0.1", 0);
      t0 = System.nanoTime();
      eq(true, idle.stop(30));
      took = System.nanoTime() - t0;
      if (took > 10_000_000_000L) throw new AssertionError("stop(30) took " + took / 1_000_000 + " ms with nothing in flight");
    });

    test("limits: KILN_MAX_BODY_BYTES and KILN_READ_HEADER_TIMEOUT, bad values named", () -> {
      Limits l = Limits.fromEnv(Map.of("KILN_MAX_BODY_BYTES", "1024", "KILN_READ_HEADER_TIMEOUT", "2.5"));
      eq(1024, l.maxBodyBytes);
      eq(2.5, l.readHeaderTimeoutSeconds);
      eq(33554432, Limits.fromEnv(Map.of()).maxBodyBytes);
      for (Map<String, String> bad : List.of(Map.of("KILN_MAX_BODY_BYTES", "-1"), Map.of("KILN_MAX_BODY_BYTES", "1e3"), Map.of("KILN_READ_HEADER_TIMEOUT", "0"), Map.of("KILN_READ_HEADER_TIMEOUT", "NaN"))) {
        try {
          Limits.fromEnv(bad);
          throw new AssertionError("accepted " + bad);
        } catch (IllegalArgumentException e) {
          String name = bad.keySet().iterator().next();
          if (!e.getMessage().startsWith("env " + name + "=")) throw new AssertionError(e.getMessage());
        }
      }
    });

    test("cloudevents: binary and structured; exceptions are 500; a non-event is 400", () -> {
      List<CloudEvent> seen = new CopyOnWriteArrayList<>();
      Server s = Server.cloudEvents(e -> {
        if (e.getType().equals("fail")) throw new Exception("nope");
        seen.add(e);
      }, "127.0.0.1", 0);
      try {
        String u = "http://127.0.0.1:" + s.port();
        eq(200, call(u, "POST", "{\"n\":1}", "Content-Type", "application/json", "ce-specversion", "1.0", "ce-id", "b1",
            "ce-source", "/s", "ce-type", "t", "ce-traceparent", "00-x").statusCode());
        eq(200, call(u, "POST", "{\"specversion\":\"1.0\",\"id\":\"s1\",\"source\":\"/s\",\"type\":\"t\",\"datacontenttype\":\"text/plain\",\"data\":\"hi\"}",
            "Content-Type", "application/cloudevents+json").statusCode());
        eq("b1", seen.get(0).getId());
        eq("00-x", seen.get(0).getAttribute("traceparent"));
        eq("{\"n\":1}", seen.get(0).getDataAsString());
        eq("hi", seen.get(1).getDataAsString());
        eq("{\"specversion\":\"1.0\",\"id\":\"s1\",\"source\":\"/s\",\"type\":\"t\",\"datacontenttype\":\"text/plain\",\"data\":\"hi\"}", seen.get(1).toJson());
        eq(500, call(u, "POST", "{\"specversion\":\"1.0\",\"id\":\"f\",\"source\":\"/s\",\"type\":\"fail\"}", "Content-Type", "application/cloudevents+json").statusCode());
        java.net.http.HttpResponse<String> bad = call(u, "POST", "{}", "Content-Type", "application/json");
        eq(400, bad.statusCode());
        if (!bad.body().contains("neither binary mode")) throw new AssertionError(bad.body());
      } finally {
        s.stop(1);
      }
    });

    test("response writer: UTF-8, a surrogate pair split across flushes, order kept", () -> {
      HttpResponse res = new HttpResponse();
      res.getWriter().write("h\u00e9llo ");
      res.getWriter().write("\uD83D");
      res.getWriter().flush();
      res.getWriter().write("\uDE00!");
      eq("h\u00e9llo \uD83D\uDE00!", new String(res.bytes(), StandardCharsets.UTF_8));
    });

    test("bounded executor: at most max tasks at once, the rest wait and then run", () -> {
      BoundedExecutor ex = new BoundedExecutor(2, "test");
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch started = new CountDownLatch(2);
      CountDownLatch done = new CountDownLatch(3);
      java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
      for (int i = 0; i < 3; i++) {
        ex.execute(() -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          started.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          running.decrementAndGet();
          done.countDown();
        });
      }
      started.await();
      eq(2, running.get());
      release.countDown();
      if (!done.await(30, TimeUnit.SECONDS)) throw new AssertionError("the waiting task never ran");
      eq(2, most.get());
      ex.threads().shutdownNow();
    });

    test("json: parse and write round trip", () -> {
      Object v = Json.parse(" {\"a\": [1, 2.5, \"x\\n\\u0041\", true, null], \"b\": {}} ");
      eq("{\"a\":[1,2.5,\"x\\nA\",true,null],\"b\":{}}", Json.write(v));
      try {
        Json.parse("{\"a\":}");
        throw new AssertionError("accepted bad JSON");
      } catch (IllegalArgumentException expected) {
        // ok
      }
    });

    test("invoker: a nested class by its dotted or binary name", () -> {
      eq(Nested.class, Invoker.load("dev.kiln.functions.FrameworkTest.Nested").getClass());
      eq(Nested.class, Invoker.load("dev.kiln.functions.FrameworkTest$Nested").getClass());
    });

    test("invoker: unknown class and wrong type are explained", () -> {
      try {
        Invoker.load("com.example.Missing");
        throw new AssertionError("loaded a missing class");
      } catch (IllegalArgumentException e) {
        eq("FUNCTION_TARGET=com.example.Missing: no such class on the classpath", e.getMessage());
      }
      try {
        Invoker.load("java.lang.String");
        throw new AssertionError("loaded a non-function");
      } catch (IllegalArgumentException e) {
        if (!e.getMessage().contains("implements neither")) throw new AssertionError(e.getMessage());
      }
    });

    System.out.println(passed + " passed, " + failed + " failed");
    System.exit(failed == 0 ? 0 : 1);
  }
}
