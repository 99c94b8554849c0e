package com.example;

import dev.kiln.functions.HttpFunction;
import dev.kiln.functions.HttpRequest;
import dev.kiln.functions.HttpResponse;
import org.apache.commons.lang3.StringUtils;
import org.apache.commons.lang3.text.WordUtils;

/** Uses a Maven dependency: GET /?name=ada%20lovelace answers "Ada Lovelace (AL)". */
public class Initials implements HttpFunction {
  @Override
  @SuppressWarnings("deprecation")
  public void service(HttpRequest request, HttpResponse response) throws Exception {
    String name = StringUtils.defaultIfBlank(request.getFirstQueryParameter("name").orElse(""), "nobody");
    response.getWriter().write(WordUtils.capitalizeFully(name) + " (" + WordUtils.initials(name).toUpperCase() + ")\n");
  }
}
