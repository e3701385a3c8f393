package io.meshgate.chaos.bench;

/** Sleeping that keeps the interrupt flag instead of throwing. */
final class Sleep {
    private Sleep() {
    }

    static void millis(long ms) {
        try {
            Thread.sleep(Math.max(0, ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
