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
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    /** {@code dir/<device id>/<timestamp>.json}, e.g. {@code results/cpu-intel-xeon-2c/2026-11-25T11-31-29Z.json}. */
    public static Path pathFor(Path dir, ResultFile result) {
        return dir.resolve(result.device().id()).resolve(STAMP.format(Instant.parse(result.created())) + ".json");
    }

    /** Writes {@code result} under {@code dir} (see {@link #pathFor}) via a temp file and an atomic move. */
    public static Path write(Path dir, ResultFile result) {
        Path target = pathFor(dir, result);
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".tokenmill-", ".json.tmp");
            try {
                JSON.writeValue(tmp.toFile(), result);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the result file " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a result file. Throws {@link IllegalArgumentException} with one sentence naming the file when it is
     * missing, not JSON, truncated, not a tokenmill result, of an unknown schema, or lacks a required section.
     */
    public static ResultFile read(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + " does not exist");
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonEOFException e) {
            throw new IllegalArgumentException(file + " is truncated: its JSON ends early (line "
                    + e.getLocation().getLineNr() + "); was the run interrupted while it was copied?");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + "); it is corrupt or not a tokenmill result");
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
                    + " know (it reads " + String.join(" and ", ResultFile.READABLE) + "); a newer tokenmill may read it");
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

    /** The current time as result files record it. */
    public static String now() { return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(); }
}
