package secrets

import "testing"

// TestMAC checks that a MAC verifies for its purpose and message only,
// and still verifies after the key that made it became an old key.
func TestMAC(t *testing.T) {
	k1, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	kr := NewKeyring(k1)
	mac := kr.MAC("approval-link/v1", []byte("claims"))
	for _, tc := range []struct {
		name    string
		kr      *Keyring
		purpose string
		msg     string
		want    bool
	}{
		{name: "same key", kr: kr, purpose: "approval-link/v1", msg: "claims", want: true},
		{name: "rotated: the signing key is old", kr: NewKeyring(k2, k1), purpose: "approval-link/v1", msg: "claims", want: true},
		{name: "other purpose", kr: kr, purpose: "other", msg: "claims", want: false},
		{name: "other message", kr: kr, purpose: "approval-link/v1", msg: "claimz", want: false},
		{name: "other key", kr: NewKeyring(k2), purpose: "approval-link/v1", msg: "claims", want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.kr.VerifyMAC(tc.purpose, []byte(tc.msg), mac); got != tc.want {
				t.Errorf("VerifyMAC = %v, want %v", got, tc.want)
			}
		})
	}
}
