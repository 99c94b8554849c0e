package conformance;

import dev.kiln.functions.HttpFunction;
import dev.kiln.functions.HttpRequest;
import dev.kiln.functions.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes the request body to function_output.json. ?barrier=ID&amp;parties=N
 * waits (at most 30 s) until N calls with this ID are inside at once and
 * answers how many arrived; ?sleep=1.5s sleeps, first writing
 * {"started":"ID"} to function_output.json when &amp;id= is given.
 */
public class Http implements HttpFunction {
  private static final long BARRIER_WAIT_MS = 30_000;
  private static final Map<String, int[]> BARRIERS = new HashMap<>(); // id -> {arrived, left}

  @Override
  public void service(HttpRequest req, HttpResponse res) throws Exception {
    String id = req.getFirstQueryParameter("barrier").orElse("");
    if (!id.isEmpty()) {
      String parties = req.getFirstQueryParameter("parties").orElse("");
      if (!parties.matches("[0-9]{1,4}") || Integer.parseInt(parties) < 1 || Integer.parseInt(parties) > 1000) {
        res.setStatusCode(400);
        res.getWriter().write("parties: want 1-1000");
        return;
      }
      res.getWriter().write(Integer.toString(barrier(id, Integer.parseInt(parties))));
      return;
    }
    String sleep = req.getFirstQueryParameter("sleep").orElse("");
    if (sleep.matches("\\d+(\\.\\d+)?s")) {
      String started = req.getFirstQueryParameter("id").orElse("");
      if (!started.isEmpty()) {
        Files.write(Path.of("function_output.json"), ("{\"started\":\"" + started.replaceAll("[^A-Za-z0-9_-]", "") + "\"}").getBytes(StandardCharsets.UTF_8));
      }
      Thread.sleep((long) (Double.parseDouble(sleep.substring(0, sleep.length() - 1)) * 1000));
      return;
    }
    Files.write(Path.of("function_output.json"), req.getBody());
  }

  /** Waits until parties calls arrived at barrier id (at most 30 s); returns how many arrived. */
  private static int barrier(String id, int parties) throws InterruptedException {
    synchronized (BARRIERS) {
      int[] b = BARRIERS.computeIfAbsent(id, k -> new int[2]);
      b[0]++;
      BARRIERS.notifyAll();
      long deadline = System.currentTimeMillis() + BARRIER_WAIT_MS;
      while (b[0] < parties && System.currentTimeMillis() < deadline) {
        BARRIERS.wait(Math.max(1, deadline - System.currentTimeMillis()));
      }
      if (++b[1] == b[0]) BARRIERS.remove(id);
      return b[0];
    }
  }
}
