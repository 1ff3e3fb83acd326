package triggers

import (
	"math"
	"sync"
	"time"

	"github.com/hookflow/hookflow/engine/store"
)

// limiters holds one token bucket per endpoint. Only endpoints that exist
// get a bucket (the lookup comes first), so the map is bounded by the
// number of endpoints.
type limiters struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiters() *limiters { return &limiters{buckets: map[string]*bucket{}} }

// allow takes one token from the endpoint's bucket. It returns false and
// how long until a token is available when the bucket is empty. An
// endpoint with no rate limit is always allowed. The burst defaults to
// one second's worth of tokens (at least one).
func (l *limiters) allow(ep store.Endpoint, now time.Time) (bool, time.Duration) {
	if ep.RateLimit <= 0 {
		return true, 0
	}
	burst := float64(ep.RateBurst)
	if burst <= 0 {
		burst = math.Max(1, math.Ceil(ep.RateLimit))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[ep.ID]
	if !ok || b.rate != ep.RateLimit || b.burst != burst {
		b = &bucket{rate: ep.RateLimit, burst: burst, tokens: burst, last: now}
		l.buckets[ep.ID] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(b.burst, b.tokens+elapsed*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	return false, wait
}
