package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/api"
	"github.com/hookflow/hookflow/connectors/all"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestDataCommands drives `hookflow data` against the real API over a
// real SQLite store.
func TestDataCommands(t *testing.T) {
	st, url, key, wf := cliAPI(t, "counter")
	ctx := context.Background()
	data := func(args ...string) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := runData(ctx, append(args, "--url", url, "--key", key), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	mustData := func(args ...string) string {
		t.Helper()
		out, err := data(args...)
		if err != nil {
			t.Fatalf("hookflow data %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}

	if out := mustData("set", "crm", "orders/ada?x", `{"n": 3}`, "--ttl", "2d"); !strings.Contains(out, "set orders/ada?x in crm (expires ") {
		t.Fatalf("set printed %q", out)
	}
	mustData("set", "crm", "flag", "true")
	mustData("set", "--workflow", "counter", "hits", "41")
	if kv, err := st.GetKV(ctx, store.PrivateStore(wf.ID), "hits"); err != nil || string(kv.Value) != "41" {
		t.Fatalf("--workflow wrote %s, %v", kv.Value, err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(mustData("get", "crm", "orders/ada?x")), &got); err != nil || got["n"] != 3.0 {
		t.Fatalf("get printed %v (%v)", got, err)
	}
	out := mustData("keys", "crm", "--prefix", "orders/")
	if !strings.Contains(out, "orders/ada?x") || strings.Contains(out, "flag") {
		t.Fatalf("keys --prefix printed %q", out)
	}
	if out := mustData("stores"); !strings.Contains(out, "crm") || !strings.Contains(out, "workflow:"+wf.ID) {
		t.Fatalf("stores printed %q", out)
	}
	mustData("delete", "crm", "flag")
	if _, err := data("get", "crm", "flag"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("get of a deleted key: %v", err)
	}
	if _, err := data("set", "crm", "k", "plain text"); err == nil || !strings.Contains(err.Error(), "is not JSON") {
		t.Fatalf("set of a non-JSON value: %v", err)
	}
	if _, err := data("get", "crm"); err == nil || !strings.Contains(err.Error(), "takes 2 arguments, got 1") {
		t.Fatalf("get without a key: %v", err)
	}
	if _, err := data("frobnicate"); err == nil || !strings.Contains(err.Error(), `unknown data command "frobnicate"`) {
		t.Fatalf("unknown subcommand: %v", err)
	}
}

// cliAPI serves the real API over a fresh SQLite store for the CLI
// commands' tests: it returns the store, the server's URL, an editor key
// and one saved workflow named name.
func cliAPI(t *testing.T, name string) (st *store.Store, url, key string, wf store.Workflow) {
	t.Helper()
	st = storetest.SQLite(t).Store
	reg, err := all.New(all.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := api.NewRouter(api.RouterConfig{})
	if err := api.Mount(r, api.Config{Manage: &manage.Service{Store: st, Registry: reg}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	if _, key, err = st.CreateAPIKey(ctx, "cli", store.ScopeEditor); err != nil {
		t.Fatal(err)
	}
	if wf, err = st.CreateWorkflow(ctx, name, []byte(`{"name":"`+name+`"}`), "h1"); err != nil {
		t.Fatal(err)
	}
	return st, srv.URL, key, wf
}
