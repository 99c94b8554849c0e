package dev.kiln.functions;

/**
 * The process entry point: serves the class named by FUNCTION_TARGET (an
 * HttpFunction or CloudEventsFunction with a no-argument constructor) on
 * $PORT until SIGTERM, then drains.
 *
 *   FUNCTION_TARGET=com.example.Hello java -cp app:framework dev.kiln.functions.Invoker
 */
public final class Invoker {
  public static final String VERSION = "0.1.0";

  public static void main(String[] args) throws Exception {
    String target = firstNonEmpty(System.getenv("FUNCTION_TARGET"), System.getenv("FUNC_NAME"));
    String portEnv = firstNonEmpty(System.getenv("PORT"), "8080");
    int port;
    try {
      port = Integer.parseInt(portEnv);
    } catch (NumberFormatException e) {
      System.err.println("kiln functions framework (java): env PORT=" + portEnv + " is not a TCP port");
      System.exit(1);
      return;
    }
    Server server;
    try {
      server = serve(load(target), port, Limits.fromEnv(System.getenv()));
    } catch (ReflectiveOperationException | IllegalArgumentException e) {
      System.err.println("kiln functions framework (java): " + e.getMessage());
      System.exit(1);
      return;
    } catch (java.io.IOException e) {
      System.err.println("kiln functions framework (java): listening on port " + port + " (env PORT): " + e.getMessage());
      System.exit(1);
      return;
    }
    System.out.println("kiln functions framework (java) " + VERSION + ": serving " + target + " on port " + server.port());
    // SIGTERM: stop accepting, finish in-flight requests (at most 10 s), exit.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop(10);
        System.out.println("kiln functions framework (java): stopped");
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }));
  }

  /** Instantiates the target class. */
  public static Object load(String target) throws ReflectiveOperationException {
    if (target == null || target.isEmpty()) {
      throw new IllegalArgumentException("FUNCTION_TARGET is not set: the function's class name, e.g. com.example.Hello");
    }
    Class<?> c = findClass(target);
    if (c == null) {
      throw new IllegalArgumentException("FUNCTION_TARGET=" + target + ": no such class on the classpath");
    }
    if (!HttpFunction.class.isAssignableFrom(c) && !CloudEventsFunction.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException("FUNCTION_TARGET=" + target + " implements neither dev.kiln.functions.HttpFunction nor CloudEventsFunction");
    }
    return c.getDeclaredConstructor().newInstance();
  }

  /**
   * Loads name as a class; a nested class may be written with dots
   * (com.example.Outer.Inner) as well as its binary name (com.example.Outer$Inner).
   */
  static Class<?> findClass(String name) {
    String candidate = name;
    while (true) {
      try {
        return Class.forName(candidate);
      } catch (ClassNotFoundException e) {
        int dot = candidate.lastIndexOf('.');
        if (dot < 0) return null;
        candidate = candidate.substring(0, dot) + "$" + candidate.substring(dot + 1);
      }
    }
  }

  static Server serve(Object fn, int port, Limits limits) throws java.io.IOException {
    if (fn instanceof HttpFunction) return Server.http((HttpFunction) fn, "0.0.0.0", port, limits);
    return Server.cloudEvents((CloudEventsFunction) fn, "0.0.0.0", port, limits);
  }

  private static String firstNonEmpty(String... values) {
    for (String v : values) if (v != null && !v.isEmpty()) return v;
    return null;
  }
}
