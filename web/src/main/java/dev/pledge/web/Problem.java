package dev.pledge.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** An RFC 9457 problem body; {@code errors} names each bad field of a refused request. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
        List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public record FieldError(String field, String message) {
    }

    public static final int UNPROCESSABLE = 422;

    public static Problem of(Response.Status status, String slug, String detail) {
        return new Problem("urn:pledge:problem:" + slug, status.getReasonPhrase(), status.getStatusCode(), detail,
                null, null);
    }

    /** A request refused for its content: 400 (bad fields) or 422 (a policy that does not validate). */
    public static Problem invalid(int status, String detail, List<FieldError> errors) {
        return new Problem("urn:pledge:problem:invalid-request",
                status == UNPROCESSABLE ? "Unprocessable Content" : "Bad Request", status, detail, null, errors);
    }

    public Problem at(String path) {
        return new Problem(type, title, status, detail, path, errors);
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
