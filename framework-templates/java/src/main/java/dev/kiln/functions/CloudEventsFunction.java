package dev.kiln.functions;

/** A CloudEvent function: binary or structured mode; an exception is a 500. */
@FunctionalInterface
public interface CloudEventsFunction {
  void accept(CloudEvent event) throws Exception;
}
