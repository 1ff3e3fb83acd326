package main

import (
	"math"
	"sort"
	"sync"
	"time"
)

// Latencies collects request latencies. It keeps every sample: a bench run
// is bounded in time and rate, so memory stays small (8 bytes a request),
// and exact percentiles beat histogram buckets for a published figure.
type Latencies struct {
	mu      sync.Mutex
	samples []time.Duration
}

// Add records one latency.
func (l *Latencies) Add(d time.Duration) {
	l.mu.Lock()
	l.samples = append(l.samples, d)
	l.mu.Unlock()
}

// Summary is a latency distribution in milliseconds.
type Summary struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// Summary returns the percentiles of the samples so far.
func (l *Latencies) Summary() Summary {
	l.mu.Lock()
	s := append([]time.Duration(nil), l.samples...)
	l.mu.Unlock()
	if len(s) == 0 {
		return Summary{}
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return Summary{
		Count: len(s),
		P50:   ms(percentile(s, 0.50)),
		P90:   ms(percentile(s, 0.90)),
		P99:   ms(percentile(s, 0.99)),
		Max:   ms(s[len(s)-1]),
	}
}

// percentile uses the nearest-rank method on sorted samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p*float64(len(sorted)))) - 1
	if rank < 0 {
		rank = 0
	}
	return sorted[rank]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

// Point is one second of a run's time series.
type Point struct {
	T         float64 `json:"t_s"`
	Accepted  int     `json:"accepted"`  // events acknowledged with 2xx in this second
	Completed int     `json:"completed"` // first deliveries at the sink in this second
	Backlog   int     `json:"backlog"`   // acknowledged but not yet delivered, at the end of the second
	RSSMiB    float64 `json:"rss_mib"`
	CPUPct    float64 `json:"cpu_pct"`
}
