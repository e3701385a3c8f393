package io.meshgate.edge.longpoll;

import io.meshgate.edge.delivery.FeedWaiter;
import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Frames;
import io.meshgate.edge.protocol.Json;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.history.Range;
import io.undertow.server.HttpServerExchange;
import io.meshgate.edge.server.EdgeContext;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One parked poll. First makes sure this node will hear about new messages (a waiter per positioned channel), then
 * reads history; answers as soon as any positioned channel has something after its position, otherwise waits for
 * a waiter or the timeout and reads again. Every read is from the region's history, so an answer is contiguous
 * from the requested positions whatever this node saw live.
 *
 * <p>Threads: callbacks arrive on feed executors and Hazelcast threads; state changes are guarded by
 * {@code this}, and the answer is written once, on the exchange's I/O thread.
 */
final class PollRequest implements FeedWaiter.Callback {
    private final EdgeContext ctx;
    private final HttpServerExchange exchange;
    private final PollQuery query;
    private final List<FeedWaiter> waiters = new ArrayList<>();
    private final AtomicInteger notReady = new AtomicInteger();
    private final AtomicBoolean answered = new AtomicBoolean();

    private boolean reading;
    private boolean readAgain;
    private volatile boolean timedOut;
    private List<Range> lastRead;

    PollRequest(EdgeContext ctx, HttpServerExchange exchange, PollQuery query) {
        this.ctx = ctx;
        this.exchange = exchange;
        this.query = query;
    }

    void start() {
        exchange.addExchangeCompleteListener((ex, next) -> {
            cancelWaiters();
            next.proceed();
        });
        if (!query.anyPositioned() || query.waitSeconds() == 0) {
            // Nothing to wait for: answer with what is there now (heads, and messages after given positions).
            timedOut = true;
            read();
            return;
        }
        exchange.getIoThread().executeAfter(this::onTimeout, query.waitSeconds(), TimeUnit.SECONDS);
        List<PollQuery.Entry> positioned = query.channels().stream().filter(e -> e.position() != null).toList();
        notReady.set(positioned.size());
        for (PollQuery.Entry entry : positioned) {
            FeedWaiter waiter = new FeedWaiter(entry.channel(), entry.position().seq(), this);
            synchronized (this) {
                waiters.add(waiter);
            }
            ctx.feeds().await(waiter);
        }
    }

    @Override
    public void onReady(FeedWaiter waiter) {
        if (notReady.decrementAndGet() == 0) {
            read();
        }
    }

    @Override
    public void onArrival(FeedWaiter waiter) {
        read();
    }

    @Override
    public void onFailure(FeedWaiter waiter, Throwable cause) {
        io.meshgate.relay.history.ChannelLimitException limit =
                io.meshgate.relay.history.ChannelLimitException.in(cause);
        answerError(ErrorCode.UNAVAILABLE, limit != null ? limit.getMessage()
                : "the region is unavailable; poll again later");
    }

    private void onTimeout() {
        List<Range> ranges;
        synchronized (this) {
            timedOut = true;
            if (reading) {
                return; // the read in flight sees timedOut and answers
            }
            ranges = lastRead;
        }
        if (ranges != null) {
            answer(ranges);
        } else {
            read(); // the route is not ready yet: answer with whatever history holds now
        }
    }

    private void read() {
        synchronized (this) {
            if (answered.get()) {
                return;
            }
            if (reading) {
                readAgain = true;
                return;
            }
            reading = true;
            readAgain = false;
        }
        int max = ctx.settings().pollMaxMessages();
        List<CompletableFuture<Range>> reads = new ArrayList<>();
        for (PollQuery.Entry entry : query.channels()) {
            boolean positioned = entry.position() != null;
            reads.add(ctx.store().read(entry.channel(), positioned ? entry.position().seq() : 0, positioned ? max : 0)
                    .toCompletableFuture());
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
            if (failure != null) {
                answerError(ErrorCode.UNAVAILABLE, "history could not be read now; poll again later");
                return;
            }
            List<Range> ranges = reads.stream().map(CompletableFuture::join).toList();
            boolean again;
            synchronized (this) {
                reading = false;
                lastRead = ranges;
                again = readAgain;
            }
            if (hasNews(ranges) || timedOut) {
                answer(ranges);
            } else if (again) {
                read();
            }
        });
    }

    private boolean hasNews(List<Range> ranges) {
        for (int i = 0; i < ranges.size(); i++) {
            PollQuery.Entry entry = query.channels().get(i);
            Range range = ranges.get(i);
            if (entry.position() != null && (!range.messages().isEmpty() || range.hasGap())) {
                return true;
            }
        }
        return false;
    }

    private void answer(List<Range> ranges) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        ByteBuffer[] body = render(ranges);
        exchange.getIoThread().execute(() -> HttpReplies.json(exchange, 200, body));
    }

    private void answerError(ErrorCode code, String reason) {
        if (answered.compareAndSet(false, true)) {
            exchange.getIoThread().execute(() -> HttpReplies.error(exchange, code, reason));
        }
    }

    /**
     * Messages per channel in seq order, at most the answer limit in all, each channel a contiguous prefix. Each
     * message is the JSON payload of its node-wide encoded frame (shared with WebSocket subscribers and other polls),
     * so the body is a list of buffers rather than one string.
     */
    private ByteBuffer[] render(List<Range> ranges) {
        int budget = ctx.settings().pollMaxMessages();
        List<ByteBuffer> messages = new ArrayList<>();
        StringBuilder gaps = new StringBuilder();
        StringBuilder heads = new StringBuilder();
        for (int i = 0; i < ranges.size(); i++) {
            PollQuery.Entry entry = query.channels().get(i);
            Range range = ranges.get(i);
            if (heads.length() > 0) {
                heads.append(',');
            }
            heads.append(Json.quote(entry.channel())).append(':').append(Frames.position(range.epoch(),
                    range.head()));
            if (entry.position() == null) {
                continue;
            }
            if (range.hasGap()) {
                if (gaps.length() > 0) {
                    gaps.append(',');
                }
                gaps.append(Frames.gap(entry.channel(), range.gapFrom(), range.gapTo()));
            }
            for (Message m : range.messages()) {
                if (budget == 0) {
                    break;
                }
                budget--;
                if (!messages.isEmpty()) {
                    messages.add(utf8(","));
                }
                messages.add(ctx.feeds().frames().of(m).json());
            }
        }
        List<ByteBuffer> body = new ArrayList<>(messages.size() + 2);
        body.add(utf8("{\"messages\":["));
        body.addAll(messages);
        body.add(utf8("],\"gaps\":[" + gaps + "],\"heads\":{" + heads + "}}"));
        return body.toArray(ByteBuffer[]::new);
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private void cancelWaiters() {
        List<FeedWaiter> toCancel;
        synchronized (this) {
            toCancel = new ArrayList<>(waiters);
            waiters.clear();
        }
        toCancel.forEach(FeedWaiter::cancel);
    }
}
