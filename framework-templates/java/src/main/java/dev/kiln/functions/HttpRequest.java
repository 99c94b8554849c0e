package dev.kiln.functions;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What an HTTP function receives. */
public final class HttpRequest {
  private final String method;
  private final String path;
  private final Map<String, List<String>> query;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  HttpRequest(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {
    this.method = method;
    this.path = path;
    this.query = parseQuery(rawQuery);
    TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.putAll(headers);
    this.headers = Collections.unmodifiableMap(h);
    this.body = body;
  }

  public String getMethod() { return method; }
  public String getPath() { return path; }
  public Map<String, List<String>> getQueryParameters() { return query; }
  public Map<String, List<String>> getHeaders() { return headers; }
  public byte[] getBody() { return body.clone(); }
  public String getBodyAsString() { return new String(body, StandardCharsets.UTF_8); }
  public InputStream getInputStream() { return new ByteArrayInputStream(body); }

  public Optional<String> getFirstQueryParameter(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  public Optional<String> getFirstHeader(String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  public Optional<String> getContentType() { return getFirstHeader("Content-Type"); }

  private static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) return out;
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(v);
    }
    return out;
  }
}
