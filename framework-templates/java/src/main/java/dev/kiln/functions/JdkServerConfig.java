package dev.kiln.functions;

/**
 * The JDK HTTP server reads its settings from system properties once, when
 * its first server starts; a property the user set on the command line wins.
 */
final class JdkServerConfig {
  private JdkServerConfig() {}

  static synchronized void apply(Limits limits) {
    // A response leaves as headers then body: without TCP_NODELAY the body
    // waits for the client's delayed ACK, 40 ms per request on keep-alive.
    setDefault("sun.net.httpserver.nodelay", "true");
    // The JDK server bounds the time to receive a whole request (headers and
    // body), in whole seconds; connections that never send one are checked
    // every clockTick, requests every timerMillis.
    setDefault("sun.net.httpserver.maxReqTime", Long.toString((long) Math.ceil(limits.readHeaderTimeoutSeconds)));
    setDefault("sun.net.httpserver.timerMillis", "250");
    setDefault("sun.net.httpserver.clockTick", "250");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) System.setProperty(key, value);
  }
}
