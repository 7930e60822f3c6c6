package dev.tokenmill.measure;

import dev.tokenmill.backend.Backend;
import dev.tokenmill.backend.Backends;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Backends by the name benchmarks take as a parameter: tokenmill's own ({@link Backends#all()}) plus any a
 * {@code META-INF/services/dev.tokenmill.backend.Backend} entry adds (tests use this for a fake device).
 */
public final class BackendCatalog {
    private BackendCatalog() {}

    public static List<Backend> all() {
        List<Backend> all = new ArrayList<>(Backends.all());
        ServiceLoader.load(Backend.class).forEach(all::add);
        return all;
    }

    /** The backend called {@code name}, available here or not; an unknown name names the known ones. */
    public static Backend open(String name) {
        Backend found = null;
        List<String> names = new ArrayList<>();
        for (Backend b : all()) {
            names.add(b.name());
            if (found == null && b.name().equalsIgnoreCase(name)) found = b;
            else b.close();
        }
        if (found == null)
            throw new IllegalArgumentException("backend must be one of " + String.join(", ", names) + ", got '" + name + "'");
        return found;
    }
}
