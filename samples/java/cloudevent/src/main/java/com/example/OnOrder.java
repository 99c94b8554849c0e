package com.example;

import dev.kiln.functions.CloudEvent;
import dev.kiln.functions.CloudEventsFunction;
import dev.kiln.functions.Json;
import java.util.Map;

/**
 * A CloudEvent function:
 * kiln build samples/java/cloudevent --target com.example.OnOrder --signature cloudevent
 */
public class OnOrder implements CloudEventsFunction {
  @Override
  public void accept(CloudEvent event) throws Exception {
    Object data = Json.parse(event.getDataAsString() == null ? "{}" : event.getDataAsString());
    Map<?, ?> order = data instanceof Map ? (Map<?, ?>) data : Map.of();
    if (order.get("id") == null) {
      throw new IllegalArgumentException("event " + event.getId() + ": order has no id");
    }
    System.out.println("received " + event.getType() + " event " + event.getId() + " from " + event.getSource()
        + ": order " + order.get("id") + " with " + order.get("items") + " items");
  }
}
