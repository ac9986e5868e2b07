package logline

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClientFromForwarded(t *testing.T) {
	ten := TrustedProxies([]string{"10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.1"})
	tests := []struct {
		name, h string
		trusted func(netip.Addr) bool
		want    string // "" = no client
	}{
		{"right-most without trust", "198.51.100.77, 203.0.113.5", nil, "203.0.113.5"},
		{"single hop", "203.0.113.5", nil, "203.0.113.5"},
		{"forged allowed left hop", "10.0.0.5, 203.0.113.5", ten, "203.0.113.5"},
		{"skip trusted from the right", "198.51.100.77, 203.0.113.5, 10.1.2.3, 192.0.2.1", ten, "203.0.113.5"},
		{"all trusted", "10.0.0.5, 10.0.0.6", ten, ""},
		{"garbage where the walk needs a hop", "203.0.113.5, unknown, 10.0.0.1", ten, ""},
		{"garbage left of the client is not read", "<script>, 203.0.113.5", nil, "203.0.113.5"},
		{"ports and brackets", "[2001:db8::7]:443, 203.0.113.9:5678", nil, "203.0.113.9"},
		{"ipv6 behind trusted v6", "2001:db8::7, 2001:db8:ffff::1", ten, "2001:db8::7"},
		{"ipv4 mapped", "::ffff:203.0.113.5", nil, "203.0.113.5"},
		{"empty elements", "203.0.113.5, , ", nil, "203.0.113.5"},
		{"empty", "", nil, ""},
		{"rfc 7239", `for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"`, nil, "2001:db8:cafe::17"},
		{"rfc 7239 case and trust", `For=198.51.100.3, for=10.0.0.9;proto=https`, ten, "198.51.100.3"},
		{"rfc 7239 obfuscated", `for=198.51.100.3, for=_hidden`, nil, ""},
		{"rfc 7239 element without for", `for=198.51.100.3, proto=https`, nil, ""},
		{"zone is dropped", "fe80::1%eth0", nil, "fe80::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip, ok := ClientFromForwarded(tt.h, tt.trusted)
			if tt.want == "" {
				require.False(t, ok, "%v", ip)
				return
			}
			require.True(t, ok)
			require.Equal(t, tt.want, ip.String())
		})
	}
}

func TestParseAddr(t *testing.T) {
	tests := []struct{ in, ip, host string }{
		{"203.0.113.5", "203.0.113.5", ""},
		{"203.0.113.5:22", "203.0.113.5", ""},
		{"[2001:db8::1]:22", "2001:db8::1", ""},
		{"[2001:db8::1]", "2001:db8::1", ""},
		{"(203.0.113.5)", "203.0.113.5", ""},
		{"'203.0.113.5',", "203.0.113.5", ""},
		{"::ffff:203.0.113.5", "203.0.113.5", ""},
		{"mail.example.com", "", "mail.example.com"},
		{"203.0.113.5.", "203.0.113.5", ""},
		{"mail.example.com.", "", "mail.example.com"},
		{"2001:db8::", "2001:db8::", ""},
		{"mail.example.com:25", "", "mail.example.com"},
		{"ec2.amazonaws.com", "", "ec2.amazonaws.com"},
		{"localhost", "", ""},
		{"unknown", "", ""},
		{"-", "", ""},
		{"1.2.3", "", ""},
		{"192.030.0.6", "", ""},
		{"-bad.example.com", "", ""},
		{"bad-.example.com", "", ""},
		{"a..b", "", ""},
		{"x.y/z", "", ""},
		{strings.Repeat("a", 64) + ".com", "", ""},
	}
	for _, tt := range tests {
		ip, host := parseAddr(tt.in)
		if tt.ip == "" {
			require.False(t, ip.IsValid(), tt.in)
		} else {
			require.Equal(t, tt.ip, ip.String(), tt.in)
		}
		require.Equal(t, tt.host, host, tt.in)
	}
}

func TestCapForwarded(t *testing.T) {
	require.Equal(t, "1.2.3.4, 5.6.7.8", capForwarded(" 1.2.3.4, 5.6.7.8 "))
	long := strings.Repeat("198.51.100.1, ", 100) + "203.0.113.5"
	c := capForwarded(long)
	require.LessOrEqual(t, len(c), MaxForwarded)
	require.True(t, strings.HasSuffix(c, ", 203.0.113.5"))
	require.True(t, strings.HasPrefix(c, "198.51.100.1"), "cut at a hop boundary: %q", c[:20])
	ip, ok := ClientFromForwarded(c, nil)
	require.True(t, ok)
	require.Equal(t, "203.0.113.5", ip.String())
}

func TestTrustProxies(t *testing.T) {
	trusted := TrustedProxies([]string{"10.0.0.0/8"})
	require.Nil(t, TrustedProxies(nil))
	require.Nil(t, TrustedProxies([]string{"not a cidr"}))
	p := Default()

	ev := p.Parse(`{"msg":"login failed","x-forwarded-for":"198.51.100.7, 203.0.113.5, 10.0.0.2"}`)
	require.Equal(t, "10.0.0.2", ev.IP.String())
	ev.TrustProxies(trusted)
	require.Equal(t, "203.0.113.5", ev.IP.String())
	require.Equal(t, FromXFF, ev.IPFrom)

	// A peer that is a trusted proxy gives way to the header.
	ev = p.Parse(`{"msg":"login failed","ip":"10.0.0.2","headers":{"x-forwarded-for":"203.0.113.6"}}`)
	require.Equal(t, "json.ip", ev.IPFrom)
	ev.TrustProxies(trusted)
	require.Equal(t, "203.0.113.6", ev.IP.String())
	require.Equal(t, FromXFF, ev.IPFrom)

	// An untrusted peer stays, whatever the header says.
	ev = p.Parse(`{"msg":"login failed","ip":"203.0.113.8","headers":{"x-forwarded-for":"198.51.100.9"}}`)
	ev.TrustProxies(trusted)
	require.Equal(t, "203.0.113.8", ev.IP.String())
	require.Equal(t, "json.ip", ev.IPFrom)

	// Only trusted hops: no culprit rather than our own proxy.
	ev = p.Parse(`{"msg":"login failed","x-forwarded-for":"10.0.0.5, 10.0.0.6"}`)
	ev.TrustProxies(trusted)
	require.False(t, ev.IP.IsValid())
	require.Empty(t, ev.IPFrom)

	// No header: nothing to re-walk.
	ev = p.Parse(`{"msg":"login failed","ip":"10.0.0.2"}`)
	ev.TrustProxies(trusted)
	require.Equal(t, "10.0.0.2", ev.IP.String())
}
