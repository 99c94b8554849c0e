package dev.kiln.functions;

/**
 * Used by the Kiln Java function buildpack at build time: loads the class
 * named by the first argument exactly as the Invoker will, exits 0 when it is
 * a function, else prints why and exits 2.
 */
public final class Check {
  public static void main(String[] args) {
    try {
      Invoker.load(args[0]);
    } catch (ReflectiveOperationException | IllegalArgumentException e) {
      System.out.println(e.getMessage());
      System.exit(2);
    }
  }
}
