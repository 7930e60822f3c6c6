package dev.tokenmill.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Writes result files atomically and reads them back, refusing anything that is not a tokenmill result it knows. */
public final class ResultFiles {
    /** snake_case fields, nulls left out, unknown fields ignored (additive changes keep the schema). */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss'Z'")
            .withZone(ZoneOffset.UTC);

    private ResultFiles() {}

    /**
     * {@code dir/<device id>/<timestamp>.json}, e.g. {@code results/cpu-intel-xeon-2c/2026-11-25T11-31-29Z.json};
     * {@code <timestamp>-partial.json} for a run that stopped before its end.
     */
    public static Path pathFor(Path dir, ResultFile result) {
        return dir.resolve(result.device().id()).resolve(STAMP.format(Instant.parse(result.created()))
                + (result.partial() ? "-partial" : "") + ".json");
    }

    /**
     * Writes {@code result} under {@code dir} and returns its path: {@link #pathFor}, or with {@code -2}, {@code -3}...
     * before {@code .json} when that name is taken (two runs started in the same second on one kind of device), so
     * an existing result is never replaced. The file is written in full under a temporary name, then linked to its
     * name, which fails rather than replace; where links are not supported, moved there if the name is still free.
     */
    public static Path write(Path dir, ResultFile result) {
        Path first = pathFor(dir, result), parent = first.getParent();
        String base = first.getFileName().toString().replaceFirst("\\.json$", "");
        try {
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, ".tokenmill-", ".json.tmp");
            try {
                JSON.writeValue(tmp.toFile(), result);
                for (int n = 1; ; n++) {
                    Path target = parent.resolve(n == 1 ? base + ".json" : base + "-" + n + ".json");
                    try {
                        placeWithoutReplacing(tmp, target);
                        return target;
                    } catch (FileAlreadyExistsException taken) {
                        // the next suffix
                    }
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the result file " + first + ": " + e.getMessage(), e);
        }
    }

    /** {@code tmp}'s content at {@code target}; FileAlreadyExistsException when {@code target} exists. */
    private static void placeWithoutReplacing(Path tmp, Path target) throws IOException {
        try {
            Files.createLink(target, tmp);   // atomic, and never replaces
        } catch (FileAlreadyExistsException taken) {
            throw taken;
        } catch (UnsupportedOperationException | FileSystemException noLinks) {
            Files.move(tmp, target);         // no REPLACE_EXISTING: fails when the name is taken
        }
    }

    /**
     * Reads a result file. Throws {@link IllegalArgumentException} with one sentence naming the file when it is
     * missing, not JSON, truncated, not a tokenmill result, of an unknown schema, or lacks a required section.
     */
    public static ResultFile read(Path file) {
        if (Files.isDirectory(file))
            throw new IllegalArgumentException(file + " is a directory, not a result file: give the files in it (e.g. "
                    + file.resolve("*").resolve("*.json") + ")");
        if (!Files.exists(file)) throw new IllegalArgumentException(file + " does not exist");
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + " is not a regular file, so not a result file");
        JsonNode root;
        try {
            try (var in = Files.newInputStream(file)) {
                root = JSON.readTree(in);
            }
        } catch (JsonEOFException e) {
            throw new IllegalArgumentException(file + " is truncated: its JSON ends early (line "
                    + e.getLocation().getLineNr() + "); was the run interrupted while it was copied?");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + "); it is corrupt or not a tokenmill result");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode())
            throw new IllegalArgumentException(file + " is empty; it is not a tokenmill result");
        JsonNode schema = root.path("schema");
        if (!root.isObject() || !schema.isTextual() || !schema.asText().startsWith("tokenmill/"))
            throw new IllegalArgumentException(file + " is not a tokenmill result (no \"schema\": \"" + ResultFile.SCHEMA
                    + "\" field)");
        if (!ResultFile.READABLE.contains(schema.asText()))
            throw new IllegalArgumentException(file + " has schema '" + schema.asText() + "', which this tokenmill does not"
                    + " read (it reads " + String.join(" and ", ResultFile.READABLE) + ")" + schemaAdvice(schema.asText()));
        for (String section : new String[]{"created", "device", "records"})
            if (root.path(section).isMissingNode() || root.path(section).isNull())
                throw new IllegalArgumentException(file + " is corrupt: the \"" + section + "\" section is missing");
        try {
            ResultFile r = JSON.treeToValue(root, ResultFile.class);
            if (r.device().id() == null || r.device().name() == null)
                throw new IllegalArgumentException(file + " is corrupt: the device has no name or id");
            for (Record rec : r.records())
                if (rec == null || rec.suite() == null || rec.op() == null || rec.time() == null)
                    throw new IllegalArgumentException(file + " is corrupt: a record lacks its suite, op or time");
            return r;
        } catch (JsonProcessingException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith(file.toString())) throw iae;
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException(file + " is corrupt: " + why);
        }
    }

    /** What to do about a schema this tokenmill does not read: an older one, a newer one, or one it cannot place. */
    static String schemaAdvice(String schema) {
        int version = schemaVersion(schema), ours = schemaVersion(ResultFile.SCHEMA);
        if (version < 0) return "";
        if (version < ours) return ": an older tokenmill wrote it; run again to measure in the current schema";
        return ": a newer tokenmill wrote it, and a newer tokenmill reads it";
    }

    /** The number after {@code tokenmill/}, or -1 when there is none. */
    private static int schemaVersion(String schema) {
        try {
            return Integer.parseInt(schema.substring(schema.indexOf('/') + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The current time as result files record it. */
    public static String now() { return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(); }
}
