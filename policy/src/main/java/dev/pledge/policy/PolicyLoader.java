package dev.pledge.policy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a policy document (YAML or JSON) into a {@link Policy}, collecting every problem with its
 * path instead of stopping at the first: an operator fixing a policy sees the whole list at once.
 */
public final class PolicyLoader {

    private static final ObjectMapper YAML = YAMLMapper.builder().build();
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String DEFAULT_POLICY = "/dev/pledge/policy/default-policy.yaml";
    /** No customer is asked for feedback twice within it, unless the policy says otherwise. */
    public static final java.time.Duration DEFAULT_FATIGUE_WINDOW = java.time.Duration.ofDays(30);
    private static final String SCHEMA = "/dev/pledge/policy/policy.schema.json";

    /** Parses YAML (which includes JSON) to a tree, or fails with an error at path {@code $}. */
    public static JsonNode parse(String text) {
        try {
            JsonNode tree = YAML.readTree(text);
            if (tree == null || !tree.isObject()) {
                throw new InvalidPolicyException(List.of(new PolicyError("$", "must be a YAML or JSON object")));
            }
            return tree;
        } catch (JacksonException e) {
            throw new InvalidPolicyException(List.of(new PolicyError("$", "not valid YAML or JSON: "
                    + e.getOriginalMessage() + location(e))));
        }
    }

    /** Parses and validates a document. */
    public static Policy load(String text) {
        return read(parse(text));
    }

    /** Validates a parsed document; throws {@link InvalidPolicyException} with every error. */
    public static Policy read(JsonNode document) {
        return read(document, null);
    }

    /**
     * Reads a version that was validated when it was published, by a writer that may be newer than
     * this reader: fields this version of Pledge does not know are passed over and added to
     * {@code ignored} (for the caller to log) instead of refusing the document. Everything else is
     * checked as strictly as {@link #read(JsonNode)} does.
     */
    public static Policy readTolerant(JsonNode document, List<PolicyError> ignored) {
        return read(document, ignored);
    }

    private static Policy read(JsonNode document, List<PolicyError> ignored) {
        PolicyReader r = new PolicyReader(ignored);
        Policy policy = r.policy(new Node(document, "", r));
        if (!r.errors.isEmpty()) {
            throw new InvalidPolicyException(r.errors);
        }
        return policy;
    }

    /** The JSON Schema of the document, for editors (served at {@code GET /policy/schema}). */
    public static String schemaText() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(SCHEMA)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the reader reads of a document: for each object it read, the keys it allows, and each key
     * it requires (by path). The schema test holds {@code policy.schema.json} to exactly this.
     */
    record Shape(Map<String, Set<String>> allowed, Set<String> required) {
    }

    static Shape shapeOf(JsonNode document) {
        PolicyReader r = new PolicyReader(null);
        r.policy(new Node(document, "", r));
        return new Shape(r.allowed, r.required);
    }

    /** The policy that ships with Pledge, published when no version exists yet. */
    public static String defaultPolicyText() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(DEFAULT_POLICY)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Policy defaultPolicy() {
        return load(defaultPolicyText());
    }

    /** The document as compact JSON, the form published on the policy topic. */
    public static String toJson(JsonNode document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }


    private PolicyLoader() {
    }
}
