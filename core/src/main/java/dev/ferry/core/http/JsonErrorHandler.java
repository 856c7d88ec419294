package dev.ferry.core.http;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's error page, as JSON: Jetty writes it for requests it refuses before Javalin sees them. Two paths lead
 * here: {@link #badMessageError} for a request the HTTP parser rejects (431 headers too large, 414 URI too long,
 * 400 bad URI or header), and {@link #handle} for a {@code sendError} of the server or servlet layer (400 ambiguous
 * path such as {@code %00}). Jetty's own handler writes HTML, and for methods other than GET, POST and HEAD no body.
 */
final class JsonErrorHandler extends ErrorHandler {

    JsonErrorHandler() {
        setShowStacks(false);
        setShowServlet(false);
    }

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        int status = response.getStatus() >= 400 ? response.getStatus() : 500;
        Object reason = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        byte[] body = HttpErrors.body(HttpErrors.message(status, reason == null ? null : reason.toString()),
                HttpErrors.codeFor(status));
        baseRequest.setHandled(true);
        response.setContentType(HttpErrors.JSON);
        response.setContentLength(body.length);
        try {
            response.getOutputStream().write(body);
        } catch (IllegalStateException writerInUse) {
            // The servlet layer took the writer before failing: the same bytes go through it.
            response.getWriter().write(new String(body, StandardCharsets.UTF_8));
        }
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, HttpErrors.JSON);
        return ByteBuffer.wrap(HttpErrors.body(HttpErrors.message(status, reason), HttpErrors.codeFor(status)));
    }
}
