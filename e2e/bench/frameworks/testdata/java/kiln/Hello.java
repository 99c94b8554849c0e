import dev.kiln.functions.HttpFunction;
import dev.kiln.functions.HttpRequest;
import dev.kiln.functions.HttpResponse;

/** The hello function for Kiln's Java framework (FUNCTION_TARGET=Hello). */
public class Hello implements HttpFunction {
  @Override
  public void service(HttpRequest req, HttpResponse res) throws Exception {
    res.getWriter().write("Hello, " + req.getFirstQueryParameter("name").orElse("World") + "!\n");
  }
}
