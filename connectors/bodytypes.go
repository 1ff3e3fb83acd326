package connectors

import (
	"mime"
	"strings"
)

// JSONBody reports whether the provider sends JSON bodies, which the
// pipeline checks against its size and depth limits before extraction.
// Form bodies (FormBody), the media types in BodyTypes and the bodies of
// an AnyContentType trigger are not (always) JSON: their extractors build
// the JSON events, which are checked instead.
func (t *Trigger) JSONBody() bool { return !t.FormBody && len(t.BodyTypes) == 0 && !t.AnyContentType }

// AcceptsMediaType reports whether a delivery whose Content-Type is ct may
// reach the trigger's verifier: JSON (application/json or any +json type)
// always, forms when FormBody is set, any media type BodyTypes lists, and
// everything when AnyContentType is set (the extractor judges).
// Parameters such as charset are ignored and the match is
// case-insensitive, as RFC 9110 says media types are. A Content-Type that
// does not parse is refused.
func (t *Trigger) AcceptsMediaType(ct string) bool {
	if t.AnyContentType {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		return true
	}
	if t.FormBody && mt == "application/x-www-form-urlencoded" {
		return true
	}
	for _, bt := range t.BodyTypes {
		if strings.EqualFold(mt, bt) {
			return true
		}
	}
	return false
}

// AcceptedMediaTypes names what AcceptsMediaType accepts, for the message
// that refuses any other Content-Type.
func (t *Trigger) AcceptedMediaTypes() string {
	types := []string{"application/json"}
	if t.FormBody {
		types = append(types, "application/x-www-form-urlencoded")
	}
	types = append(types, t.BodyTypes...)
	if len(types) == 1 {
		return types[0]
	}
	return strings.Join(types[:len(types)-1], ", ") + " or " + types[len(types)-1]
}
