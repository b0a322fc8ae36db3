package io.github.stackfold.perf.internal;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What kubectl's standard error says when the cluster cannot be reached, put as flame says an
 * unreachable pprof server ({@code URL: cannot connect (connection refused: ...)}). kubectl words it so:
 *
 * <pre>
 * The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?
 * Unable to connect to the server: dial tcp 10.0.0.2:6443: i/o timeout
 * Unable to connect to the server: dial tcp: lookup api.example on 10.0.0.10:53: no such host
 * Unable to connect to the server: net/http: TLS handshake timeout
 * E1207 ... memcache.go:265] couldn't get current server API group list: Get "https://...": dial tcp ...: connect: connection refused
 * </pre>
 */
public final class KubectlStderr {
    private static final Pattern REFUSED = Pattern.compile("The connection to the server (\\S+) was refused");
    private static final Pattern UNABLE = Pattern.compile("Unable to connect to the server: (.*)");
    private static final Pattern DIAL = Pattern.compile("dial tcp ([^\\s:]+:\\d+): (.*)");
    private static final Pattern LOOKUP = Pattern.compile("dial tcp: lookup (\\S+) .*no such host");

    private KubectlStderr() {
    }

    /**
     * {@code cannot connect to the cluster's API server HOST:PORT (connection refused: is the cluster up and
     * the kubeconfig's server right?)}, or null when the lines say something else.
     */
    public static String unreachable(List<String> stderr) {
        for (int i = stderr.size() - 1; i >= 0; i--) {
            String line = stderr.get(i).strip();
            Matcher m = REFUSED.matcher(line);
            if (m.find()) {
                return "cannot connect to the cluster's API server " + m.group(1)
                        + " (connection refused: is the cluster up and the kubeconfig's server right?)";
            }
            m = UNABLE.matcher(line);
            if (m.find()) {
                String why = m.group(1).strip();
                String where = "";
                Matcher d = DIAL.matcher(why);
                Matcher l = LOOKUP.matcher(why);
                if (d.find()) {
                    where = " " + d.group(1);
                    why = d.group(2).strip();
                } else if (l.find()) {
                    where = " " + l.group(1);
                    why = "no such host";
                }
                return "cannot connect to the cluster's API server" + where + " (" + why
                        + ": is the cluster up and the kubeconfig's server right?)";
            }
        }
        return null;
    }
}
