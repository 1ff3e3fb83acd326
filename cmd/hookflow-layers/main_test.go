package main

import (
	"strings"
	"testing"
)

// TestImportsPointDown is the architecture check: it fails on any import
// (tests included) that points up the layers, and on any package that no
// layer holds.
func TestImportsPointDown(t *testing.T) {
	pkgs, err := List("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages; the check would prove nothing", len(pkgs))
	}
	violations, unplaced := Check(pkgs)
	for _, u := range unplaced {
		t.Errorf("no layer holds %s: add it to Layers", u)
	}
	for _, v := range violations {
		t.Error(v)
	}
}

// The check itself: an import up is reported, down and sideways are not.
func TestCheckFindsImportsThatPointUp(t *testing.T) {
	m := Module + "/"
	pkgs := []Package{
		{ImportPath: m + "engine/platform/app", Imports: []string{m + "api", m + "engine/store"}},
		{ImportPath: m + "connectors/stripe", Imports: []string{m + "connectors", m + "connectors/signature"}},
		{ImportPath: m + "connectors/slack", TestImports: []string{m + "triggers"}},
		{ImportPath: m + "api", Imports: []string{m + "triggers", m + "engine/store", "github.com/gin-gonic/gin"}},
		{ImportPath: m + "engine/store", XTestImports: []string{m + "engine/interpreter"}},
		{ImportPath: m + "somewhere/new"},
	}
	violations, unplaced := Check(pkgs)
	var got []string
	for _, v := range violations {
		got = append(got, v.From+" -> "+v.To)
	}
	want := "engine/platform/app -> api, connectors/slack -> triggers, engine/store -> engine/interpreter"
	if strings.Join(got, ", ") != want {
		t.Errorf("violations %q, want %q", strings.Join(got, ", "), want)
	}
	if len(unplaced) != 1 || unplaced[0] != "somewhere/new" {
		t.Errorf("unplaced %v, want [somewhere/new]", unplaced)
	}
}
