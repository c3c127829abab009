package dev.pledge.feedback.rest;

import dev.pledge.feedback.config.FeedbackConfig;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who sent a request, for the answer limit: the connection's peer, unless that peer is one of the configured
 * trusted proxies ({@code pledge.feedback.trusted-proxies}, none by default). Then {@code X-Forwarded-For} is
 * read from the right, as each proxy appends the address it saw: the first address that is not a trusted proxy
 * is the client. Values a client wrote sit further left and are never reached; a value that is not an IP address
 * ends the walk at the last address known good. Never throws for anything a client sends.
 *
 * <p>Quarkus's own forwarding support is off: it believes the left-most value, which the client chooses.
 */
@ApplicationScoped
public class ClientAddresses {
    /** A header longer than this is not read (a proxy chain is a handful of addresses). */
    private static final int MAX_HEADER = 1024;

    private final List<IpSubnetFilterRule> proxies;

    @Inject
    public ClientAddresses(FeedbackConfig config) {
        this(config.trustedProxies().orElse(List.of()));
    }

    public ClientAddresses(List<String> trustedProxies) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String entry : trustedProxies) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int slash = e.indexOf('/');
            String address = slash < 0 ? e : e.substring(0, slash);
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
            if (bytes == null) {
                throw new IllegalStateException("pledge.feedback.trusted-proxies: '" + e + "' is not an IP address or CIDR range");
            }
            int prefix;
            try {
                prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(e.substring(slash + 1));
            } catch (NumberFormatException x) {
                throw new IllegalStateException("pledge.feedback.trusted-proxies: '" + e + "' has no prefix length");
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalStateException("pledge.feedback.trusted-proxies: '" + e + "' has a prefix out of range");
            }
            rules.add(new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
        }
        this.proxies = List.copyOf(rules);
    }

    /** The client's address, as text; {@code "unknown"} only when the connection has none. */
    public String of(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        if (peer == null) {
            return "unknown";
        }
        return of(peer, request.headers().getAll("X-Forwarded-For"));
    }

    String of(String peer, List<String> forwardedFor) {
        InetAddress current = parse(peer);
        if (current == null) {
            return peer;
        }
        if (!trusted(current)) {
            return current.getHostAddress();
        }
        List<String> hops = new ArrayList<>();
        int length = 0;
        for (String header : forwardedFor) {
            length += header.length();
            if (length > MAX_HEADER) {
                return current.getHostAddress();
            }
            for (String hop : header.split(",")) {
                hops.add(hop.strip());
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = parse(hops.get(i));
            if (hop == null) {
                break;
            }
            current = hop;
            if (!trusted(hop)) {
                break;
            }
        }
        return current.getHostAddress();
    }

    private boolean trusted(InetAddress address) {
        InetSocketAddress socket = new InetSocketAddress(address, 0);
        for (IpSubnetFilterRule rule : proxies) {
            if (rule.matches(socket)) {
                return true;
            }
        }
        return false;
    }

    /** An IP address literal, without a DNS lookup; null for anything else ("unknown", names, ports, junk). */
    private static InetAddress parse(String value) {
        if (value == null || value.isEmpty() || value.length() > 45) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(value);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }
}
