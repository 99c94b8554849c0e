package dev.kiln.functions;

/** An HTTP function: FUNCTION_TARGET names a class implementing this. */
@FunctionalInterface
public interface HttpFunction {
  /** Handles one request; an exception becomes a 500 and the server lives on. */
  void service(HttpRequest request, HttpResponse response) throws Exception;
}
