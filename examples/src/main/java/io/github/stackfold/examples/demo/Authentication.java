package io.github.stackfold.examples.demo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * First filter of the chain: checks the {@code Authorization: Bearer} header's HMAC signature and
 * expiry and returns who is calling. The class name is what the demo's analysis rules match, the way
 * the apiserver's rules match {@code k8s.io/apiserver/pkg/authentication/}.
 */
public final class Authentication {
    /** The user a bearer header names, or {@code null} when missing, malformed, forged or expired. */
    public UserInfo authenticate(String authorizationHeader, long nowEpochSecond) {
        if (authorizationHeader == null || !authorizationHeader.startsWith("Bearer ")) {
            return null;
        }
        String token = authorizationHeader.substring("Bearer ".length()).trim();
        int dot = token.indexOf('.');
        if (dot <= 0 || dot == token.length() - 1) {
            return null;
        }
        byte[] payload;
        byte[] signature;
        try {
            Base64.Decoder d = Base64.getUrlDecoder();
            payload = d.decode(token.substring(0, dot));
            signature = d.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!MessageDigest.isEqual(DemoTokens.mac(payload), signature)) {
            return null;
        }
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
        if (parts.length != 3) {
            return null;
        }
        long expires;
        try {
            expires = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            return null;
        }
        if (expires < nowEpochSecond) {
            return null;
        }
        List<String> groups = parts[1].isEmpty() ? List.of() : Arrays.asList(parts[1].split(","));
        return new UserInfo(parts[0], groups);
    }
}
