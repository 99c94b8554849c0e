package dev.kiln.functions;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A CloudEvent (spec 1.0): attributes plus data bytes. */
public final class CloudEvent {
  static final String STRUCTURED = "application/cloudevents+json";
  private static final List<String> REQUIRED = List.of("specversion", "id", "source", "type");

  private final Map<String, String> attributes;
  private final byte[] data;

  CloudEvent(Map<String, String> attributes, byte[] data) {
    this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    this.data = data;
  }

  public String getId() { return attributes.get("id"); }
  public String getSource() { return attributes.get("source"); }
  public String getType() { return attributes.get("type"); }
  public String getSpecVersion() { return attributes.get("specversion"); }
  public String getSubject() { return attributes.get("subject"); }
  public String getTime() { return attributes.get("time"); }
  public String getDataContentType() { return attributes.get("datacontenttype"); }
  public String getAttribute(String name) { return attributes.get(name); }
  public Map<String, String> getAttributes() { return attributes; }
  public byte[] getData() { return data == null ? null : data.clone(); }
  public String getDataAsString() { return data == null ? null : new String(data, StandardCharsets.UTF_8); }

  static boolean isJson(String contentType) {
    String m = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
    return m.isEmpty() || m.equals("application/json") || m.equals("text/json") || m.endsWith("+json");
  }

  /** The structured JSON form of the event. */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>(attributes);
    if (data != null) {
      if (isJson(getDataContentType())) {
        try {
          m.put("data", Json.parse(getDataAsString()));
        } catch (IllegalArgumentException e) {
          m.put("data", getDataAsString());
        }
      } else if (String.valueOf(getDataContentType()).startsWith("text/")) {
        m.put("data", getDataAsString());
      } else {
        m.put("data_base64", Base64.getEncoder().encodeToString(data));
      }
    }
    return Json.write(m);
  }

  /** Reads an event from a request in binary or structured mode. */
  static CloudEvent fromRequest(HttpRequest req) {
    String type = req.getContentType().orElse("");
    String media = type.split(";")[0].trim().toLowerCase();
    Map<String, String> attrs = new LinkedHashMap<>();
    byte[] data = null;
    if (media.equals(STRUCTURED)) {
      Object parsed;
      try {
        parsed = Json.parse(req.getBodyAsString());
      } catch (IllegalArgumentException e) {
        throw new BadRequest("structured CloudEvent is not JSON: " + e.getMessage());
      }
      if (!(parsed instanceof Map)) throw new BadRequest("structured CloudEvent is not a JSON object");
      for (Map.Entry<?, ?> e : ((Map<?, ?>) parsed).entrySet()) {
        String k = String.valueOf(e.getKey());
        if (k.equals("data")) {
          Object d = e.getValue();
          data = (d instanceof String ? (String) d : Json.write(d)).getBytes(StandardCharsets.UTF_8);
        } else if (k.equals("data_base64")) {
          data = Base64.getDecoder().decode(String.valueOf(e.getValue()));
        } else {
          attrs.put(k, String.valueOf(e.getValue()));
        }
      }
    } else {
      if (req.getFirstHeader("ce-specversion").isEmpty()) {
        throw new BadRequest("request is neither binary mode (no ce-specversion header) nor structured mode (Content-Type is \""
            + media + "\", want " + STRUCTURED + ")");
      }
      for (Map.Entry<String, List<String>> h : req.getHeaders().entrySet()) {
        String k = h.getKey().toLowerCase();
        if (k.startsWith("ce-") && !h.getValue().isEmpty()) attrs.put(k.substring(3), h.getValue().get(0));
      }
      if (!type.isEmpty()) attrs.put("datacontenttype", type);
      byte[] body = req.getBody();
      data = body.length == 0 ? null : body;
    }
    StringBuilder missing = new StringBuilder();
    for (String a : REQUIRED) {
      String v = attrs.get(a);
      if (v == null || v.isEmpty()) missing.append(missing.length() == 0 ? "" : ", ").append(a);
    }
    if (missing.length() > 0) throw new BadRequest("CloudEvent is missing required attribute(s): " + missing);
    if (!"1.0".equals(attrs.get("specversion"))) {
      throw new BadRequest("CloudEvent specversion \"" + attrs.get("specversion") + "\" is not supported (want 1.0)");
    }
    return new CloudEvent(attrs, data);
  }

  /** A malformed request: answered with 400 and the message. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String msg) { super(msg); }
  }
}
