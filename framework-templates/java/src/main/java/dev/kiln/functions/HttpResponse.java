package dev.kiln.functions;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an HTTP function writes its response to (sent when the function returns). */
public final class HttpResponse {
  private int status = 200;
  private final Map<String, List<String>> headers = new LinkedHashMap<>();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private BufferedWriter writer;

  public void setStatusCode(int code) { this.status = code; }
  public int getStatusCode() { return status; }
  public void setContentType(String type) { headers.put("Content-Type", new ArrayList<>(List.of(type))); }
  public void appendHeader(String name, String value) { headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value); }
  public Map<String, List<String>> getHeaders() { return headers; }
  public OutputStream getOutputStream() { return body; }

  public BufferedWriter getWriter() {
    // Small buffers: an OutputStreamWriter's 8 KiB of bytes and a
    // BufferedWriter's default 8 KiB of chars cost more than most responses.
    if (writer == null) writer = new BufferedWriter(new Utf8Writer(body), 256);
    return writer;
  }

  byte[] bytes() throws java.io.IOException {
    if (writer != null) writer.flush();
    return body.toByteArray();
  }
}
