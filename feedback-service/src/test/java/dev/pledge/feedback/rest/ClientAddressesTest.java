package dev.pledge.feedback.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {

    @Test
    void withoutTrustedProxiesThePeerIsTheClientWhateverItForwards() {
        ClientAddresses none = new ClientAddresses(List.of());
        assertThat(none.of("10.1.2.3", List.of("203.0.113.7"))).isEqualTo("10.1.2.3");
        assertThat(none.of("127.0.0.1", List.of("unknown"))).isEqualTo("127.0.0.1");
    }

    @Test
    void behindATrustedProxyTheRightMostUntrustedAddressIsTheClient() {
        ClientAddresses proxies = new ClientAddresses(List.of("10.0.0.0/8", " 192.168.1.1 "));
        // the client wrote the left-most value; the ingress appended what it saw
        assertThat(proxies.of("10.0.0.5", List.of("198.51.100.1, 203.0.113.7"))).isEqualTo("203.0.113.7");
        // two proxies: the inner one's address is skipped
        assertThat(proxies.of("10.0.0.5", List.of("203.0.113.7, 192.168.1.1"))).isEqualTo("203.0.113.7");
        assertThat(proxies.of("10.0.0.5", List.of("198.51.100.1", "203.0.113.7"))).isEqualTo("203.0.113.7");
        // a peer that is not a trusted proxy is believed over any header
        assertThat(proxies.of("203.0.113.9", List.of("198.51.100.1"))).isEqualTo("203.0.113.9");
        // no header: the proxy itself
        assertThat(proxies.of("10.0.0.5", List.of())).isEqualTo("10.0.0.5");
    }

    @Test
    void whatIsNotAnAddressEndsTheWalkAndNeverThrows() {
        ClientAddresses proxies = new ClientAddresses(List.of("127.0.0.1"));
        assertThat(proxies.of("127.0.0.1", List.of("unknown"))).isEqualTo("127.0.0.1");
        assertThat(proxies.of("127.0.0.1", List.of("203.0.113.7, _hidden"))).isEqualTo("127.0.0.1");
        assertThat(proxies.of("127.0.0.1", List.of("evil.example.com"))).isEqualTo("127.0.0.1");
        assertThat(proxies.of("127.0.0.1", List.of("203.0.113.7:443"))).isEqualTo("127.0.0.1");
        assertThat(proxies.of("127.0.0.1", List.of(",,,"))).isEqualTo("127.0.0.1");
        assertThat(proxies.of("127.0.0.1", List.of("x".repeat(5000)))).isEqualTo("127.0.0.1");
        assertThat(proxies.of("127.0.0.1", List.of("2001:db8::1"))).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void aMisconfiguredProxyListStopsTheStart() {
        assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.0/33"))).hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> new ClientAddresses(List.of("proxy.internal"))).hasMessageContaining("proxy.internal");
        assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.0/x"))).hasMessageContaining("10.0.0.0/x");
    }
}
