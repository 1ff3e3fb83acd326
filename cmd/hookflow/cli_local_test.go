package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `hookflow test --expect` passes when the dry run meets the expectation
// file and exits 1 listing every mismatch when it does not.
func TestTestCommandExpect(t *testing.T) {
	examples := filepath.Join("..", "..")
	wf := filepath.Join(examples, "workflows", "shopify-paid-order-fulfilment-webhook.json")
	ev := filepath.Join(examples, "testdata", "events", "shopify-paid-order-fulfilment-webhook.json")
	good := filepath.Join(examples, "testdata", "events", "shopify-paid-order-fulfilment-webhook.expect.json")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"test", "-f", wf, "--event", ev, "--expect", good}, &out, &errb); code != 0 {
		t.Fatalf("exit %d with the example's own expectation\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "expectations met") {
		t.Errorf("stdout does not say the expectations were met:\n%s", out.String())
	}

	bad := filepath.Join(t.TempDir(), "bad.expect.json")
	if err := os.WriteFile(bad, []byte(`{"status": "completed", "not_ran": ["send"], "fields": {"steps.send.input.data.order_id": "5.733011112023e+12"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"test", "-f", wf, "--event", ev, "--expect", bad}, &out, &errb); code != exitUser {
		t.Fatalf("exit %d, want %d for unmet expectations", code, exitUser)
	}
	for _, want := range []string{"step send ran but should not have", `steps.send.input.data.order_id: got "5733011112023", want "5.733011112023e+12"`} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr misses %q:\n%s", want, errb.String())
		}
	}
}
