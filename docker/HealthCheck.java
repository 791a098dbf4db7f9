import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Container health probe: exits 0 when the given URL answers 2xx within the timeout, 1 otherwise.
 *
 * <p>The runtime images are a bare JRE (the CUDA base has neither curl nor wget), so Docker's
 * {@code HEALTHCHECK} runs this class instead of an HTTP client binary. It is compiled in the image's
 * build stage and needs nothing beyond {@code java.net.http}.
 *
 * <p>Usage: {@code java -cp /opt/iris/tools HealthCheck URL [timeout-seconds]}.
 */
public final class HealthCheck {

    private HealthCheck() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: HealthCheck URL [timeout-seconds]");
            System.exit(2);
        }
        Duration timeout = Duration.ofSeconds(args.length == 2 ? Long.parseLong(args[1]) : 4);
        System.exit(probe(URI.create(args[0]), timeout) ? 0 : 1);
    }

    /** True when {@code url} answers with a 2xx status within {@code timeout}. */
    static boolean probe(URI url, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            boolean healthy = response.statusCode() / 100 == 2;
            System.out.println(response.statusCode() + " " + response.body());
            return healthy;
        } catch (java.io.IOException e) {
            System.out.println("unreachable: " + e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
