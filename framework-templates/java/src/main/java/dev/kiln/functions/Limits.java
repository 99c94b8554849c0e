package dev.kiln.functions;

import java.util.Map;

/**
 * What the server allows a client, from the environment:
 * KILN_MAX_BODY_BYTES (largest request body, default 33554432; larger is a 413) and
 * KILN_READ_HEADER_TIMEOUT (seconds to send a request, default 10).
 */
public final class Limits {
  public static final String MAX_BODY_ENV = "KILN_MAX_BODY_BYTES";
  public static final String HEADER_TIMEOUT_ENV = "KILN_READ_HEADER_TIMEOUT";
  public static final long DEFAULT_MAX_BODY = 32L * 1024 * 1024;
  public static final double DEFAULT_HEADER_TIMEOUT = 10;
  /** Requests served at once; more wait in a queue. */
  public static final int DEFAULT_MAX_THREADS = 256;

  final long maxBodyBytes;
  final double readHeaderTimeoutSeconds;
  final int maxThreads;

  public Limits(long maxBodyBytes, double readHeaderTimeoutSeconds, int maxThreads) {
    this.maxBodyBytes = maxBodyBytes;
    this.readHeaderTimeoutSeconds = readHeaderTimeoutSeconds;
    this.maxThreads = maxThreads;
  }

  public static Limits defaults() {
    return new Limits(DEFAULT_MAX_BODY, DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_THREADS);
  }

  /** Reads the limits from env; a bad value is an IllegalArgumentException naming the variable. */
  public static Limits fromEnv(Map<String, String> env) {
    long body = DEFAULT_MAX_BODY;
    String v = env.getOrDefault(MAX_BODY_ENV, "").trim();
    if (!v.isEmpty()) {
      body = v.matches("[0-9]{1,18}") ? Long.parseLong(v) : 0;
      if (body <= 0) {
        throw new IllegalArgumentException("env " + MAX_BODY_ENV + "=" + v + " is not a positive number of bytes; unset it for the default (" + DEFAULT_MAX_BODY + ")");
      }
    }
    double timeout = DEFAULT_HEADER_TIMEOUT;
    v = env.getOrDefault(HEADER_TIMEOUT_ENV, "").trim();
    if (!v.isEmpty()) {
      try {
        timeout = Double.parseDouble(v);
      } catch (NumberFormatException e) {
        timeout = -1;
      }
      if (!(timeout > 0 && timeout < 1e6)) {
        throw new IllegalArgumentException("env " + HEADER_TIMEOUT_ENV + "=" + v + " is not a positive number of seconds; unset it for the default (10)");
      }
    }
    return new Limits(body, timeout, DEFAULT_MAX_THREADS);
  }
}
