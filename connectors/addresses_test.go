package connectors

import (
	"strings"
	"testing"
)

func TestEmailAddresses(t *testing.T) {
	tests := []struct {
		name    string
		value   any
		want    []string
		wantErr string
	}{
		{name: "absent", value: nil},
		{name: "blank", value: "  "},
		{name: "one", value: "ada@example.com", want: []string{"<ada@example.com>"}},
		{name: "list_with_names", value: `ada@example.com, "Babbage, Charles" <cb@example.com>`,
			want: []string{"<ada@example.com>", `"Babbage, Charles" <cb@example.com>`}},
		{name: "array", value: []any{"ada@example.com", "Bob <bob@example.com>"}, want: []string{"<ada@example.com>", `"Bob" <bob@example.com>`}},
		{name: "string_slice", value: []string{"ada@example.com"}, want: []string{"<ada@example.com>"}},
		{name: "bad_in_list", value: "ada@example.com, bob@", wantErr: `input.to[1]: "bob@" is not an email address`},
		{name: "bad_in_array", value: []any{"ada@example.com", "not an address"}, wantErr: `input.to[1]: "not an address" is not an email address`},
		{name: "number_in_array", value: []any{"ada@example.com", 7}, wantErr: "input.to[1]: want a string email address, got number"},
		{name: "object", value: map[string]any{"email": "a@b.c"}, wantErr: "input.to: want an email address, a comma-separated list or an array of addresses, got object"},
		{name: "too_many", value: strings.TrimSuffix(strings.Repeat("a@example.com,", MaxAddresses+1), ","),
			wantErr: "input.to: lists 101 addresses; at most 100 are allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EmailAddresses(Values{"to": tc.value}, "to")
			if tc.wantErr != "" {
				if err == nil || err.Error() != "permanent: "+tc.wantErr || ClassOf(err) != ClassPermanent {
					t.Fatalf("err = %v (%s), want permanent %q", err, ClassOf(err), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, a := range got {
				s = append(s, a.String())
			}
			if strings.Join(s, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("addresses = %q, want %q", s, tc.want)
			}
		})
	}
}
