package store

import "time"

// ExpiresAt returns the epoch second stored in the TTL attribute for t, or 0
// for "never". DynamoDB TTL works in whole seconds, so it rounds up: a record
// never expires earlier than its writer asked. Every implementation stores
// expiry through this function so that they agree on the boundary.
func ExpiresAt(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// ExpiryTime is the inverse of ExpiresAt: 0 is the zero time.
func ExpiryTime(epoch int64) time.Time {
	if epoch == 0 {
		return time.Time{}
	}
	return time.Unix(epoch, 0).UTC()
}

// LiveAt reports whether a record expiring at epoch second expires (0: never)
// is still live at now. A record is expired from its expiry second on.
func LiveAt(expires int64, now time.Time) bool {
	return expires == 0 || now.Unix() < expires
}
