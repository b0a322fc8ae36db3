package io.github.stackfold.examples.demo;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Bearer tokens of the demo server: {@code base64url(user|group,group|expiry).base64url(HMAC-SHA256)}.
 * A stand-in for the apiserver's token authenticators: verifying one costs a MAC computation per
 * request, which is what makes authentication visible in a profile. Not a security design: the key
 * is a fixed demo constant so the load client can mint tokens without talking to the server.
 */
public final class DemoTokens {
    static final byte[] DEMO_KEY = "stackfold-demo-signing-key-not-a-secret".getBytes(StandardCharsets.US_ASCII);
    private static final String ALGORITHM = "HmacSHA256";

    private DemoTokens() {
    }

    /** A token for {@code user} in {@code groups}, valid until {@code expiresEpochSecond}. */
    public static String mint(String user, List<String> groups, long expiresEpochSecond) {
        String payload = user + "|" + String.join(",", groups) + "|" + expiresEpochSecond;
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(p) + "." + b64.encodeToString(mac(p));
    }

    static byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(DEMO_KEY, ALGORITHM));
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        }
    }
}
