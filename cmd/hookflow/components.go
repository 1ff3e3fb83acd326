package main

import "github.com/hookflow/hookflow/engine/app"

// extraComponents holds components wired in by other files of this package.
// A file such as components_engine.go appends the interpreter's component in
// an init function, so each owner adds one file instead of editing this one.
var extraComponents []app.Component

// components lists everything that plugs into a hookflow process: workflows
// and activities for the worker, routes for the API, background jobs. The
// same list is used by dev, server and worker; each process calls only the
// hooks of its role.
func components() []app.Component {
	return append([]app.Component(nil), extraComponents...)
}
