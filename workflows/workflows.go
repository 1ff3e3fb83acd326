// Package workflows embeds the example workflow definitions kept in this
// folder (one NAME.json each), so the binary can offer them as templates
// in the web UI's gallery (GET /api/v1/templates) with nothing on disk.
// A new example becomes a template by being added here.
package workflows

import (
	"embed"
	"io/fs"
)

//go:embed *.json
var files embed.FS

// FS returns the embedded definitions, NAME.json at its root.
func FS() fs.FS { return files }
