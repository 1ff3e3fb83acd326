package http_test

import (
	"context"
	"fmt"
	nethttp "net/http"
	"net/http/httptest"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/http"
)

// ExampleNew registers the generic HTTP connector and runs its request
// action the way the engine's activity does. URLs that users type are
// SSRF-guarded: loopback is refused unless the registry allows it, which
// is how a test (or a trusted deployment) reaches local services.
func ExampleNew() {
	orders := httptest.NewServer(nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"order":%q,"status":"shipped"}`, r.URL.Query().Get("id"))
	}))
	defer orders.Close()
	call := connectors.Invocation{
		Connector: "http", Action: "request", RunID: "run-1", StepID: "lookup",
		Input: connectors.Values{"method": "GET", "url": orders.URL + "/orders", "query": map[string]any{"id": "1234"}},
	}

	guarded := connectors.NewRegistry()
	if err := guarded.Register(http.New()); err != nil {
		fmt.Println(err)
		return
	}
	_, err := guarded.Invoke(context.Background(), call)
	fmt.Println(connectors.ClassOf(err))

	trusted, err := connectors.NewRegistryConfig(connectors.RegistryConfig{Allow: []string{"127.0.0.1"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := trusted.Register(http.New()); err != nil {
		fmt.Println(err)
		return
	}
	out, err := trusted.Invoke(context.Background(), call)
	if err != nil {
		fmt.Println(err)
		return
	}
	res := out.(*http.Output)
	fmt.Println(res.Status, res.Body.(map[string]any)["status"])
	// Output:
	// permanent
	// 200 shipped
}
