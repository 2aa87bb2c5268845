package jmistral.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The two hashes the Hub names files by: sha256 of LFS content, git's blob sha1 of plain files. */
public final class Hashes {

    private Hashes() { }

    /** Hex SHA-256 of the file's bytes (the LFS oid). */
    public static String sha256(Path file) throws IOException {
        return digest(file, "SHA-256", null);
    }

    /** Hex git blob id: SHA-1 of {@code "blob <size>\0"} followed by the bytes. */
    public static String gitBlobSha1(Path file) throws IOException {
        byte[] header = ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII);
        return digest(file, "SHA-1", header);
    }

    private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (prefix != null) md.update(prefix);
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
