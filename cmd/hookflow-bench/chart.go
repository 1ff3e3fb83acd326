package main

import (
	"fmt"
	"io"
	"strings"
)

// WriteChart draws throughput (accepted and completed per second) and the
// backlog over time as a self-contained SVG: people read a chart faster
// than a table.
func WriteChart(w io.Writer, title string, pts []Point) error {
	const (
		width, height    = 900, 420
		left, right, top = 60, 120, 40
		bottom           = 50
		plotW, plotH     = width - left - right, height - top - bottom
		colorAccepted    = "#2563eb"
		colorCompleted   = "#16a34a"
		colorBacklog     = "#dc2626"
	)
	maxY, maxT := 1.0, 1.0
	for _, p := range pts {
		for _, v := range []int{p.Accepted, p.Completed, p.Backlog} {
			if float64(v) > maxY {
				maxY = float64(v)
			}
		}
		if p.T > maxT {
			maxT = p.T
		}
	}
	maxY = niceCeil(maxY)
	x := func(t float64) float64 { return left + t/maxT*plotW }
	y := func(v float64) float64 { return top + plotH - v/maxY*plotH }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", left, escapeXML(title))
	for i := 0; i <= 5; i++ {
		v := maxY * float64(i) / 5
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e5e7eb"/>`+"\n", left, left+plotW, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%.0f</text>`+"\n", left-6, y(v)+4, v)
	}
	for i := 0; i <= 6; i++ {
		t := maxT * float64(i) / 6
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%.0fs</text>`+"\n", x(t), top+plotH+18, t)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">time since start</text>`+"\n", left+plotW/2, height-8)
	series := []struct {
		name  string
		color string
		val   func(Point) int
	}{
		{"accepted/s", colorAccepted, func(p Point) int { return p.Accepted }},
		{"completed/s", colorCompleted, func(p Point) int { return p.Completed }},
		{"backlog", colorBacklog, func(p Point) int { return p.Backlog }},
	}
	for i, s := range series {
		var path strings.Builder
		for j, p := range pts {
			cmd := "L"
			if j == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f,%.1f ", cmd, x(p.T), y(float64(s.val(p))))
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.TrimSpace(path.String()), s.color)
		ly := top + 10 + i*20
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="3"/>`+"\n", left+plotW+10, left+plotW+30, ly, ly, s.color)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", left+plotW+35, ly+4, s.name)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten, so axis labels
// are round numbers.
func niceCeil(v float64) float64 {
	p := 1.0
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func escapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
