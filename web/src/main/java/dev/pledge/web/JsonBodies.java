package dev.pledge.web;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pledge.events.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.TraversableResolver;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import jakarta.ws.rs.core.Response.Status;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a request body: size limit (413), JSON syntax (400), types and unknown fields (400 naming
 * the field), then Bean Validation (400 naming every bad field). Requests are strict where events
 * are lenient: a misspelt field from a front end is refused, not silently dropped.
 */
@ApplicationScoped
public class JsonBodies {
    private static final ObjectMapper STRICT = EventJson.configure(JsonMapper.builder())
            .addModule(new SimpleModule("strict-values").addDeserializer(String.class, new NoNulStrings())
                    .addDeserializer(java.time.Instant.class, new IsoInstants()))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /**
     * A request body is a plain record, never a JPA entity, so every property is there to validate. The
     * default resolver asks JPA whether each property is loaded (Hibernate ORM is on the class path):
     * 2.3 % of intake's CPU samples under load, for an answer that is always yes (bench/README.md).
     */
    private static final TraversableResolver EVERY_PROPERTY = new TraversableResolver() {
        @Override
        public boolean isReachable(Object bean, Path.Node property, Class<?> rootType, Path path, ElementType type) {
            return true;
        }

        @Override
        public boolean isCascadable(Object bean, Path.Node property, Class<?> rootType, Path path, ElementType type) {
            return true;
        }
    };

    private final Validator validator;
    private final int maxBytes;

    public JsonBodies(ValidatorFactory validators, HttpConfig config) {
        this.validator = validators.usingContext().traversableResolver(EVERY_PROPERTY).getValidator();
        this.maxBytes = config.maxBodyBytes();
    }

    public <T> T read(byte[] body, Class<T> type) {
        if (body == null || body.length == 0) {
            throw ProblemException.badField("$", "a JSON body is required");
        }
        if (body.length > maxBytes) {
            throw new ProblemException(Problem.of(Status.REQUEST_ENTITY_TOO_LARGE, "too-large",
                    "the body has " + body.length + " bytes; at most " + maxBytes + " are accepted"));
        }
        T value;
        try {
            value = STRICT.readValue(body, type);
        } catch (JsonParseException e) {
            throw malformed(e);
        } catch (UnrecognizedPropertyException e) {
            throw ProblemException.badField(path(e), "unknown field");
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof JsonParseException syntax) { // wrapped by the bean being read
                throw malformed(syntax);
            }
            throw ProblemException.badField(path(e), reason(e));
        } catch (IOException e) {
            throw ProblemException.badField("$", "unreadable body: " + e.getMessage());
        }
        if (value == null) {
            throw ProblemException.badField("$", "a JSON object is required");
        }
        Set<ConstraintViolation<T>> violations = validator.validate(value);
        if (!violations.isEmpty()) {
            List<Problem.FieldError> errors = violations.stream()
                    .map(v -> new Problem.FieldError(v.getPropertyPath().toString(), v.getMessage()))
                    .sorted(Comparator.comparing(Problem.FieldError::field))
                    .toList();
            throw new ProblemException(Problem.invalid(400, errors.stream()
                    .map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; ")), errors));
        }
        return value;
    }

    /** PostgreSQL text cannot hold NUL: a string with one is refused, named, before anything is written. */
    static final class NoNulStrings extends StdScalarDeserializer<String> {
        NoNulStrings() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = StringDeserializer.instance.deserialize(p, ctxt);
            if (value != null && value.indexOf('\u0000') >= 0) {
                throw JsonMappingException.from(p, "must not contain the NUL character (\\u0000)",
                        new IllegalArgumentException("must not contain the NUL character (\\u0000)"));
            }
            return value;
        }
    }

    /**
     * Instants only as ISO-8601 text. Jackson would read a number as epoch seconds, so that
     * {@code 1e999999} became 1970-01-01 without a word: a front end that sends a number has a bug.
     */
    static final class IsoInstants extends StdScalarDeserializer<java.time.Instant> {
        private static final String EXPECTED = "must be an ISO-8601 instant such as 2026-03-06T17:45:00Z";

        IsoInstants() {
            super(java.time.Instant.class);
        }

        @Override
        public java.time.Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                java.time.Instant at;
                try {
                    at = java.time.Instant.parse(p.getText().trim());
                } catch (java.time.format.DateTimeParseException e) {
                    throw JsonMappingException.from(p, EXPECTED, new IllegalArgumentException(EXPECTED
                            + ", was '" + p.getText() + "'"));
                }
                if (at.isBefore(Period.EARLIEST) || at.isAfter(Period.LATEST)) {
                    String range = "must be between " + Period.EARLIEST + " and " + Period.LATEST;
                    throw JsonMappingException.from(p, range, new IllegalArgumentException(range));
                }
                return at;
            }
            throw JsonMappingException.from(p, EXPECTED, new IllegalArgumentException(EXPECTED + ", was " + p.getText()));
        }
    }

    private static ProblemException malformed(JsonParseException e) {
        return ProblemException.badField("$", "malformed JSON: " + e.getOriginalMessage() + " at line "
                + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
    }

    static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "$" : path.toString();
    }

    /** The root cause's message is the useful one ("unknown Channel 'fax', expected one of ..."). */
    private static String reason(JsonMappingException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
            return cause.getMessage();
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
            return "cannot read '" + f.getValue() + "' as " + expected(f.getTargetType());
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException m && m.getTargetType() != null) {
            return "must be " + expected(m.getTargetType());
        }
        return e.getOriginalMessage();
    }

    private static String expected(Class<?> type) {
        if (type == java.time.Instant.class) {
            return "an ISO-8601 instant such as 2026-03-06T17:45:00Z";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number";
        }
        return type.isRecord() ? "an object" : "a " + type.getSimpleName();
    }
}
