// Command hookflow-layers checks that hookflow's imports only point down
// the layers of its architecture, and prints them:
//
//	go run ./cmd/hookflow-layers          # the layers and any import that points up
//
// The layers, top to bottom (a package may import its own layer and the
// ones below it, never one above):
//
//	cmd         the binaries; the one place that wires a process
//	api         REST API and web UI (gin)
//	triggers    the webhook ingest pipeline, dispatch, schedules
//	engine      platform → services → interpreter → credentials → definition → expression, store, secrets, metrics
//	connectors  the connector SDK, the signature kit and every provider
//
// Inside engine the same rule holds between its sub-layers. The test of
// this package runs the check, so `go test ./...` fails on an import
// that points up.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Module is hookflow's module path.
const Module = "github.com/hookflow/hookflow"

// Layers lists the layers top to bottom, each as the package paths (below
// the module) it holds; a path holds its sub-packages too. The longest
// matching path decides a package's layer.
var Layers = []Layer{
	{Name: "cmd", Paths: []string{"cmd"}},
	{Name: "api", Paths: []string{"api"}},
	{Name: "triggers", Paths: []string{"triggers"}},
	{Name: "engine/platform", Paths: []string{"engine/platform"}},
	{Name: "engine/services", Paths: []string{"engine/services"}},
	{Name: "engine/interpreter", Paths: []string{"engine/interpreter"}},
	{Name: "engine/credentials", Paths: []string{"engine/credentials"}},
	{Name: "engine/definition", Paths: []string{"engine/definition"}},
	{Name: "engine (leaves)", Paths: []string{"engine/expression", "engine/store", "engine/secrets", "engine/metrics", "engine/jsruntime", "workflows"}},
	{Name: "connectors", Paths: []string{"connectors"}},
}

// Layer is one layer of the architecture.
type Layer struct {
	Name  string
	Paths []string
}

// Violation is an import that points up.
type Violation struct {
	From, To           string
	FromLayer, ToLayer string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s (%s) imports %s (%s), a layer above it", v.From, v.FromLayer, v.To, v.ToLayer)
}

// layerOf returns the index of the layer holding pkg (a path below the
// module), or -1.
func layerOf(pkg string) int {
	best, bestLen := -1, -1
	for i, l := range Layers {
		for _, p := range l.Paths {
			if (pkg == p || strings.HasPrefix(pkg, p+"/")) && len(p) > bestLen {
				best, bestLen = i, len(p)
			}
		}
	}
	return best
}

// Package is what the check needs of `go list -json`.
type Package struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// Check lists the imports that point up, and the packages no layer holds.
// Tests count: a test that imports a layer above its package couples the
// layers as much as the code does.
func Check(pkgs []Package) (violations []Violation, unplaced []string) {
	for _, p := range pkgs {
		from := strings.TrimPrefix(p.ImportPath, Module+"/")
		fl := layerOf(from)
		if fl < 0 {
			unplaced = append(unplaced, from)
			continue
		}
		seen := map[string]bool{}
		for _, imp := range append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...) {
			if !strings.HasPrefix(imp, Module+"/") || seen[imp] {
				continue
			}
			seen[imp] = true
			to := strings.TrimPrefix(imp, Module+"/")
			tl := layerOf(to)
			if tl >= 0 && tl < fl {
				violations = append(violations, Violation{From: from, To: to, FromLayer: Layers[fl].Name, ToLayer: Layers[tl].Name})
			}
		}
	}
	return violations, unplaced
}

// List runs `go list -json ./...` in dir.
func List(dir string) ([]Package, error) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,TestImports,XTestImports", "./...")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []Package
	for {
		var p Package
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("decoding go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

func main() {
	pkgs, err := List(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "hookflow-layers:", err)
		os.Exit(2)
	}
	fmt.Println("layers, top to bottom (imports point down):")
	for i, l := range Layers {
		fmt.Printf("  %d. %-20s %s\n", i+1, l.Name, strings.Join(l.Paths, ", "))
	}
	violations, unplaced := Check(pkgs)
	for _, u := range unplaced {
		fmt.Printf("no layer holds %s: add it to Layers in cmd/hookflow-layers\n", u)
	}
	for _, v := range violations {
		fmt.Println(v)
	}
	if len(violations) > 0 || len(unplaced) > 0 {
		os.Exit(1)
	}
	fmt.Printf("%d packages, every import points down\n", len(pkgs))
}
