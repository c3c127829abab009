package dev.pledge.local;

import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Development tokens for the local stack. The key pair is made on first use and kept under the
 * data folder; the services get the public key, {@code ./pledge token <role>} signs with the private one.
 * Never use these keys outside a developer's machine.
 */
final class DevTokens {
    static final String ISSUER = "https://pledge.local/issuer";
    static final List<String> ROLES = List.of("intake", "agent", "supervisor", "policy-admin", "analyst");

    private final Path privateKeyFile;
    private final Path publicKeyFile;

    DevTokens(Path dataDir) {
        this.privateKeyFile = dataDir.resolve("dev-jwt/private.key");
        this.publicKeyFile = dataDir.resolve("dev-jwt/public.key");
    }

    /**
     * feedback-service's survey token key (32 random bytes, base64), made on first use and kept beside the
     * JWT keys: survey links sent before a restart still work after it.
     */
    String surveyKey() throws IOException {
        Path file = privateKeyFile.resolveSibling("survey.key");
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
            Files.createDirectories(file.getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(key));
        }
        return Files.readString(file).trim();
    }

    /** The public key, base64 X.509, as {@code mp.jwt.verify.publickey} takes it. */
    String publicKey() throws IOException {
        ensureKeys();
        return Files.readString(publicKeyFile).trim();
    }

    String token(String role) throws Exception {
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + role + "', expected one of " + ROLES);
        }
        ensureKeys();
        byte[] der = Base64.getDecoder().decode(Files.readString(privateKeyFile).trim());
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        return Jwt.issuer(ISSUER).upn("dev-" + role).audience("pledge").groups(Set.of(role)).expiresIn(Duration.ofHours(12)).sign(key);
    }

    private synchronized void ensureKeys() throws IOException {
        if (Files.exists(privateKeyFile) && Files.exists(publicKeyFile)) {
            return;
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.createDirectories(privateKeyFile.getParent());
            Files.writeString(privateKeyFile, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
            Files.writeString(publicKeyFile, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
