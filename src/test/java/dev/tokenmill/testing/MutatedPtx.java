package dev.tokenmill.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory of the committed PTX, every family, with deliberate edits to single entry points: what
 * {@code TOKENMILL_PTX_DIR} (or the emulator backend's test constructor) loads instead of the jar's kernels. Edits
 * are small and located by the statements they change, each asserting how often it applied, so that a rebuilt PTX
 * that moved them fails loudly ("update this mutant") instead of testing nothing.
 */
public final class MutatedPtx {
    /** Every family packaged as {@code /kernels/<family>.sm_80.ptx}. */
    public static final List<String> FAMILIES = List.of("linear", "gemv", "prefill", "decode", "kv", "probe");

    private MutatedPtx() {}

    /** The committed module of {@code family}, as packaged. */
    public static String committed(String family) {
        String resource = "/kernels/" + family + ".sm_80.ptx";
        try (InputStream in = MutatedPtx.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is not on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes every committed module into {@code dir} unchanged, as kernels/build.sh names them. */
    public static Path copyCommitted(Path dir) {
        try {
            for (String f : FAMILIES) Files.writeString(dir.resolve(f + ".sm_80.ptx"), committed(f));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites entry {@code entry} of {@code family}'s module in {@code dir} with {@code edit} (the rest unchanged). */
    public static void edit(Path dir, String family, String entry, UnaryOperator<String> edit) {
        Path file = dir.resolve(family + ".sm_80.ptx");
        try {
            String text = Files.readString(file);
            Matcher start = Pattern.compile("\\.entry " + Pattern.quote(entry) + "\\(").matcher(text);
            if (!start.find()) throw new IllegalArgumentException(family + " has no entry " + entry);
            int end = text.indexOf(".entry ", start.end());
            if (end < 0) end = text.length();
            String body = text.substring(start.start(), end), changed = edit.apply(body);
            if (changed.equals(body)) throw new IllegalStateException("the edit left " + entry + " unchanged");
            Files.writeString(file, text.substring(0, start.start()) + changed + text.substring(end));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Replaces every match of {@code regex} (Java syntax; {@code $n} in {@code replacement} are its groups), which must
     * match exactly {@code times} times.
     */
    public static UnaryOperator<String> replace(String regex, String replacement, int times) {
        return body -> {
            Matcher m = Pattern.compile(regex).matcher(body);
            StringBuilder out = new StringBuilder();
            int n = 0;
            while (m.find()) {
                n++;
                m.appendReplacement(out, replacement);
            }
            m.appendTail(out);
            if (n != times)
                throw new IllegalStateException("expected " + times + " matches of /" + regex + "/, found " + n
                        + ": the PTX changed, update this mutant");
            return out.toString();
        };
    }

    /** Replaces the {@code n}-th (1-based) match of {@code regex} only. */
    public static UnaryOperator<String> replaceNth(String regex, int n, String replacement) {
        return body -> {
            Matcher m = Pattern.compile(regex).matcher(body);
            for (int i = 1; m.find(); i++) {
                if (i < n) continue;
                StringBuilder out = new StringBuilder();
                m.appendReplacement(out, replacement);
                return m.appendTail(out).toString();
            }
            throw new IllegalStateException("fewer than " + n + " matches of /" + regex + "/: the PTX changed, update this mutant");
        };
    }
}
