package dev.tokenmill.backend;

/** A device failure (no memory, a launch or driver error), with a message a user can act on. */
public class BackendException extends RuntimeException {
    public BackendException(String message) { super(message); }

    public BackendException(String message, Throwable cause) { super(message, cause); }
}
