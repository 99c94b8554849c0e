package conformance;

import dev.kiln.functions.CloudEvent;
import dev.kiln.functions.CloudEventsFunction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the event, in structured JSON form, to function_output.json. */
public class CloudEventFn implements CloudEventsFunction {
  @Override
  public void accept(CloudEvent event) throws Exception {
    Files.write(Path.of("function_output.json"), event.toJson().getBytes(StandardCharsets.UTF_8));
  }
}
