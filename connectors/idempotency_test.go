package connectors

import "testing"

func TestWithIdempotencyMarker(t *testing.T) {
	key := IdempotencyKey("run-1", "create")
	if got := WithIdempotencyMarker("", key); got != IdempotencyMarker(key) {
		t.Fatalf("empty text = %q, want the marker alone", got)
	}
	got := WithIdempotencyMarker("Steps to reproduce", key)
	if got != "Steps to reproduce\n\n<!-- hookflow-idempotency-key: "+key+" -->" {
		t.Fatalf("text with marker = %q", got)
	}
	if IdempotencyMarker(key) == IdempotencyMarker(IdempotencyKey("run-2", "create")) {
		t.Fatal("two runs' markers must differ")
	}
}
