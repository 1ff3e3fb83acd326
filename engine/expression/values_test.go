package expression

import (
	"testing"
)

// Named slice types take sizeWalk's reflection path, which is what every
// slice of numbers took before walkLeaves; the fast path must give the
// same sizes exactly, since they are work units in workflow code.
type (
	reflectInts   []int
	reflectFloats []float64
)

func TestSizeOfNumberSlices(t *testing.T) {
	for _, count := range []int{0, 1, 2, 7, 1000} {
		ints, floats := make([]int, count), make([]float64, count)
		for i := range ints {
			ints[i], floats[i] = i*1000, float64(i)/3
		}
		for _, limit := range []int{0, 1, 2, 3, 10, 11, 12, 20, 9000, 9001, 9002, 1 << 20} {
			for _, depth := range []int{0, maxWalkDepth - 1, maxWalkDepth} {
				for _, c := range []struct {
					name       string
					fast, slow any
				}{{"[]int", ints, reflectInts(ints)}, {"[]float64", floats, reflectFloats(floats)}} {
					got, want := 0, 0
					sizeWalk(c.fast, limit, depth, &got)
					sizeWalk(c.slow, limit, depth, &want)
					if got != want {
						t.Errorf("%s of %d at depth %d, limit %d: size %d, the reflection walk gives %d", c.name, count, depth, limit, got, want)
					}
				}
			}
		}
	}
}

// BenchmarkSizeOfRange measures the size of a range as an expression that
// reads 1..400000 does.
func BenchmarkSizeOfRange(b *testing.B) {
	r := make([]int, 400000)
	for i := range r {
		r[i] = i + 1
	}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sizeOf(r, 16<<20)
		}
	})
	b.Run("reflection", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sizeOf(reflectInts(r), 16<<20)
		}
	})
}
