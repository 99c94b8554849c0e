package dev.kiln.functions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

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
      Server s = Server.http((req, res) -> Thread.sleep(1000), "127.0.0.1", 0);
      try {
        long t0 = System.currentTimeMillis();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          all.add(CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port())).build(), BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).join();
        long took = System.currentTimeMillis() - t0;
        if (took >= 2000) throw new AssertionError("10 concurrent 1 s calls took " + took + " ms");
      } finally {
        s.stop(1);
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
