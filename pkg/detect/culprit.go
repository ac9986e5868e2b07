package detect

import "net/netip"

// culprit reports whether ip can be named or blocked as the source of an
// attack. Unspecified (0.0.0.0, ::), loopback, link-local, multicast and
// the broadcast address never are: they reach a log only through a proxy
// or health check that rewrote the peer, or through a forged header, so
// an attacker could otherwise get 127.0.0.1 or the metadata address
// 169.254.169.254 blocked. IPv4-mapped and IPv4-compatible-looking forms
// are judged on the v4 address they carry.
func culprit(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.Unmap()
	switch {
	case ip.IsUnspecified(), ip.IsLoopback(), ip.IsMulticast(),
		ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return false
	case ip.Is4() && ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return false
	}
	return true
}
