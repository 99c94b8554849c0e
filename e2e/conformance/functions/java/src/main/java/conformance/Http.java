package conformance;

import dev.kiln.functions.HttpFunction;
import dev.kiln.functions.HttpRequest;
import dev.kiln.functions.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the request body to function_output.json, after sleeping ?sleep= (e.g. 1s). */
public class Http implements HttpFunction {
  @Override
  public void service(HttpRequest req, HttpResponse res) throws Exception {
    String sleep = req.getFirstQueryParameter("sleep").orElse("");
    if (sleep.matches("\\d+(\\.\\d+)?s")) {
      Thread.sleep((long) (Double.parseDouble(sleep.substring(0, sleep.length() - 1)) * 1000));
      return;
    }
    Files.write(Path.of("function_output.json"), req.getBody());
  }
}
