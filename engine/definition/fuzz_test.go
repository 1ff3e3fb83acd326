package definition

import (
	"os"
	"testing"
)

// FuzzParseValidate feeds arbitrary documents through Parse and Validate:
// neither may panic, and a document that parses cleanly hashes stably.
// Seeds: testdata/fuzz/FuzzParseValidate plus the example workflows.
func FuzzParseValidate(f *testing.F) {
	for _, file := range exampleFiles(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		def, errs := Parse(data)
		if def == nil {
			if len(errs) == 0 {
				t.Fatal("nil definition without errors")
			}
			return
		}
		Validate(def, testEnv)
		Validate(def, nil)
		if Hash(def) != Hash(def) {
			t.Fatal("hash is not stable")
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	data, err := os.ReadFile("../../workflows/whatsapp-where-is-my-order.json")
	if err != nil {
		b.Fatal(err)
	}
	def, errs := Parse(data)
	if errs != nil {
		b.Fatal(Errors(errs))
	}
	b.ReportAllocs()
	for b.Loop() {
		if errs := Validate(def, nil); errs != nil {
			b.Fatal(Errors(errs))
		}
	}
}
