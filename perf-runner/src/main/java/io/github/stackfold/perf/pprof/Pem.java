package io.github.stackfold.perf.pprof;

import io.github.stackfold.flamegraph.BadInputException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An {@link SSLContext} from the PEM files a kubeconfig points to: a CA bundle to trust, and a client
 * certificate with its key. Keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}, what kubeadm and kind write) or SEC1 ({@code BEGIN EC PRIVATE KEY});
 * the last two are wrapped into PKCS#8 here, since the JDK reads only that. Encrypted keys are not
 * supported.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
    // AlgorithmIdentifier DER for rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    // OID id-ecPublicKey (1.2.840.10045.2.1)
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private Pem() {
    }

    /**
     * A TLS context trusting {@code caCert} (the JDK's default trust when null) and presenting
     * {@code clientCert} + {@code clientKey} (none when null).
     */
    static SSLContext context(Path caCert, Path clientCert, Path clientKey) throws IOException {
        try {
            TrustManagerFactory tmf = null;
            if (caCert != null) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certificates(caCert)) {
                    trust.setCertificateEntry("ca" + i++, c);
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (clientCert != null) {
                char[] pass = new char[0];
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                Collection<? extends Certificate> chain = certificates(clientCert);
                keys.setKeyEntry("client", privateKey(clientKey), pass, chain.toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, pass);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(),
                    new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    static Collection<? extends Certificate> certificates(Path pem) throws IOException {
        byte[] data = Files.readAllBytes(pem);
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(data));
            if (certs.isEmpty()) {
                throw new BadInputException(pem.toString(), "expected a PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
            return certs;
        } catch (CertificateException e) {
            throw new BadInputException(pem.toString(), "expected a PEM certificate (-----BEGIN CERTIFICATE-----): "
                    + e.getMessage());
        }
    }

    static PrivateKey privateKey(Path pem) throws IOException {
        String text = Files.readString(pem, StandardCharsets.ISO_8859_1);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue;
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new BadInputException(pem.toString(), "the " + type + " block is not valid base64");
            }
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(der, pem);
                case "RSA PRIVATE KEY":
                    return pkcs8(sequence(concat(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, octetString(der))), pem);
                case "EC PRIVATE KEY":
                    try {
                        return pkcs8(ecToPkcs8(der, pem), pem);
                    } catch (IndexOutOfBoundsException e) {
                        throw new BadInputException(pem.toString(), "the EC PRIVATE KEY block is not valid DER");
                    }
                case "ENCRYPTED PRIVATE KEY":
                    throw new BadInputException(pem.toString(), "encrypted private keys are not supported: "
                            + "decrypt it first (openssl pkey -in KEY -out PLAIN)");
                default:
                    throw new BadInputException(pem.toString(), "unsupported key type '" + type + "'");
            }
        }
        throw new BadInputException(pem.toString(), "expected a PEM private key (-----BEGIN PRIVATE KEY----- "
                + "or -----BEGIN RSA PRIVATE KEY-----)");
    }

    private static PrivateKey pkcs8(byte[] der, Path source) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new BadInputException(source.toString(), "cannot read the private key (not RSA, EC or Ed25519)");
    }

    /**
     * SEC1 {@code ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters, [1] publicKey }}
     * into PKCS#8, taking the curve from {@code [0]}.
     */
    private static byte[] ecToPkcs8(byte[] sec1, Path source) {
        Der seq = new Der(sec1, 0);
        int p = seq.contentStart;
        byte[] curve = null;
        while (p < seq.end) {
            Der e = new Der(sec1, p);
            if ((sec1[p] & 0xff) == 0xa0) {
                Der oid = new Der(sec1, e.contentStart);
                curve = java.util.Arrays.copyOfRange(sec1, e.contentStart, oid.end);
            }
            p = e.end;
        }
        if (curve == null) {
            throw new BadInputException(source.toString(), "the EC private key does not name its curve");
        }
        byte[] algorithm = sequence(concat(EC_PUBLIC_KEY_OID, curve));
        return sequence(concat(new byte[] {0x02, 0x01, 0x00}, algorithm, octetString(sec1)));
    }

    private static byte[] sequence(byte[] content) {
        return tlv(0x30, content);
    }

    private static byte[] octetString(byte[] content) {
        return tlv(0x04, content);
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** One DER element's bounds. */
    private static final class Der {
        final int contentStart;
        final int end;

        Der(byte[] b, int at) {
            int len = b[at + 1] & 0xff;
            int start = at + 2;
            if (len >= 0x80) {
                int n = len & 0x7f;
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[start + i] & 0xff);
                }
                start += n;
            }
            this.contentStart = start;
            this.end = start + len;
        }
    }
}
