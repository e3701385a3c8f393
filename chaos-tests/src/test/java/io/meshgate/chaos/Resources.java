package io.meshgate.chaos;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test opened (nodes, proxies, clients), closed after it in reverse order, also when it failed half-way.
 * Register it as a field: {@code @RegisterExtension final Resources resources = new Resources();}
 */
public final class Resources implements AfterEachCallback {
    private final List<AutoCloseable> opened = new ArrayList<>();

    public <T extends AutoCloseable> T track(T resource) {
        opened.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
    }
}
