package io.meshgate.relay.history;

import io.meshgate.relay.region.IdempotentWrite;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Retries a store call that failed because its partition owner left or its backup did not answer in time. The
 * region member makes Hazelcast report such calls as failed rather than guess (fail.on.indeterminate.state), and
 * every call of the store is idempotent: routes are set operations, reads change nothing, and a publish is deduplicated
 * by id, so a second attempt of one that did land returns its original positions. A few quick attempts ride out an
 * owner's failover; after them the failure goes to the caller (a publisher is nacked {@code unavailable}).
 */
final class IdempotentRetry {
    /** The same policy as the blocking writes of the region member. */
    static final int MAX_ATTEMPTS = IdempotentWrite.MAX_ATTEMPTS;
    private static final long BASE_DELAY_MS = IdempotentWrite.BASE_DELAY_MS;

    private IdempotentRetry() {
    }

    static <R> CompletionStage<R> call(Supplier<CompletionStage<R>> call) {
        CompletableFuture<R> result = new CompletableFuture<>();
        attempt(call, 1, result);
        return result;
    }

    private static <R> void attempt(Supplier<CompletionStage<R>> call, int attempt, CompletableFuture<R> result) {
        CompletionStage<R> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((value, failure) -> {
            if (failure == null) {
                result.complete(value);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (attempt < MAX_ATTEMPTS && IdempotentWrite.retriable(cause)) {
                CompletableFuture.delayedExecutor(BASE_DELAY_MS * attempt, TimeUnit.MILLISECONDS)
                        .execute(() -> attempt(call, attempt + 1, result));
            } else {
                result.completeExceptionally(cause);
            }
        });
    }
}
