package connectors

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestNumericID(t *testing.T) {
	tests := []struct {
		name    string
		in      any
		want    string
		wantErr error
	}{
		{name: "digits", in: " 450789469 ", want: "450789469"},
		{name: "json number", in: json.Number("51"), want: "51"},
		{name: "int64", in: int64(7), want: "7"},
		{name: "int", in: 8, want: "8"},
		{name: "whole float", in: float64(123456), want: "123456"},
		{name: "nil is absent", in: nil, want: ""},
		{name: "letters", in: "#1001", wantErr: ErrNotNumericID},
		{name: "negative", in: -3, wantErr: ErrNotNumericID},
		{name: "fraction", in: 1.5, wantErr: ErrNotNumericID},
		{name: "float beyond 2^53", in: float64(820982911946154496), wantErr: ErrIDTooLarge},
		{name: "bool", in: true, wantErr: ErrNotNumericID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NumericID(tc.in)
			if !errors.Is(err, tc.wantErr) || got != tc.want {
				t.Fatalf("NumericID(%#v) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
