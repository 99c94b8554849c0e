package com.example;

import dev.kiln.functions.HttpFunction;
import dev.kiln.functions.HttpRequest;
import dev.kiln.functions.HttpResponse;

/** Kiln's hello-world Java function: kiln build samples/java/hello --target com.example.Hello */
public class Hello implements HttpFunction {
  @Override
  public void service(HttpRequest request, HttpResponse response) throws Exception {
    response.getWriter().write("Hello, " + request.getFirstQueryParameter("name").orElse("World") + "!\n");
  }
}
