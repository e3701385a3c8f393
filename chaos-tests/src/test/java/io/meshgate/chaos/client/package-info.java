/**
 * The Java client ({@code io.meshgate.client}) against real gateways over 127.0.0.1: region choice by RTT behind
 * fault proxies, long-poll where WebSocket is refused, a drain's {@code move}, and a publish whose ack was lost.
 * Also the client-based publisher and subscriber that the chaos tests record histories with.
 */
package io.meshgate.chaos.client;
