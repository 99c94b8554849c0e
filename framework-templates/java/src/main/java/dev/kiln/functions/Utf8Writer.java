package dev.kiln.functions;

import java.io.ByteArrayOutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * A Writer that collects chars and encodes them as UTF-8 into a byte buffer
 * on flush: cheaper per response than an OutputStreamWriter, whose encoder
 * allocates 8 KiB up front. A high surrogate at the end of a flush waits for
 * its pair.
 */
final class Utf8Writer extends Writer {
  private final ByteArrayOutputStream out;
  private final StringBuilder chars = new StringBuilder();

  Utf8Writer(ByteArrayOutputStream out) {
    this.out = out;
  }

  @Override
  public void write(char[] cbuf, int off, int len) {
    chars.append(cbuf, off, len);
  }

  @Override
  public void write(String s, int off, int len) {
    chars.append(s, off, off + len);
  }

  @Override
  public void flush() {
    int n = chars.length();
    if (n > 0 && Character.isHighSurrogate(chars.charAt(n - 1))) n--;
    if (n == 0) return;
    out.writeBytes(chars.substring(0, n).getBytes(StandardCharsets.UTF_8));
    chars.delete(0, n);
  }

  @Override
  public void close() {
    flush();
  }
}
