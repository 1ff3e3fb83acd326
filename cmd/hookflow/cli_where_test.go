package main

import "testing"

func TestCutWhere(t *testing.T) {
	tests := []struct {
		name, in, path, value string
		ok                    bool
	}{
		{name: "plain", in: "customer.email=ada@example.com", path: "customer.email", value: "ada@example.com", ok: true},
		{name: "value with =", in: "note=a=b", path: "note", value: "a=b", ok: true},
		{name: "query path", in: `items.#(sku=="A1").qty=3`, path: `items.#(sku=="A1").qty`, value: "3", ok: true},
		{name: "quoted parenthesis", in: `items.#(name==")=").id=7`, path: `items.#(name==")=").id`, value: "7", ok: true},
		{name: "empty value", in: "customer.email=", path: "customer.email", value: "", ok: true},
		{name: "no =", in: "customer.email"},
		{name: "no path", in: "=x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, value, ok := cutWhere(tt.in)
			if ok != tt.ok || (ok && (path != tt.path || value != tt.value)) {
				t.Fatalf("cutWhere(%q) = %q, %q, %v; want %q, %q, %v", tt.in, path, value, ok, tt.path, tt.value, tt.ok)
			}
		})
	}
}
