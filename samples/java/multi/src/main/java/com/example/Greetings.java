package com.example;

import dev.kiln.functions.HttpFunction;
import dev.kiln.functions.HttpRequest;
import dev.kiln.functions.HttpResponse;
import dev.kiln.functions.Json;
import java.util.Map;

/**
 * Several functions in one source file; FUNC_NAME (kiln build --target) picks one by its
 * class name: com.example.Greetings$Hello, com.example.Greetings$Goodbye or com.example.Greetings$Echo.
 */
public final class Greetings {
  private Greetings() {}

  public static class Hello implements HttpFunction {
    @Override
    public void service(HttpRequest request, HttpResponse response) throws Exception {
      response.getWriter().write("hello from multi\n");
    }
  }

  public static class Goodbye implements HttpFunction {
    @Override
    public void service(HttpRequest request, HttpResponse response) throws Exception {
      response.getWriter().write("goodbye from multi\n");
    }
  }

  public static class Echo implements HttpFunction {
    @Override
    public void service(HttpRequest request, HttpResponse response) throws Exception {
      response.setContentType("application/json");
      response.getWriter().write(Json.write(Map.of("you_sent", Json.parse(request.getBodyAsString()))));
    }
  }
}
